package dev.drkit.cli;

/** Counts as the commands print them, the noun agreeing with the number: {@code 1 pack}, {@code 3 packs}, {@code 0 entries}. */
final class Counts {
    private Counts() {
    }

    /**
     * A count and its noun, which takes an {@code s} unless the count is 1.
     *
     * @param n the count
     * @param singular the noun for one, such as {@code pack}
     * @return the text, such as {@code 3 packs}
     */
    static String of(long n, String singular) {
        return of(n, singular, singular + "s");
    }

    /**
     * A count and its noun, for a noun whose plural is not an added {@code s}.
     *
     * @param n the count
     * @param singular the noun for one, such as {@code entry}
     * @param plural the noun for any other count, such as {@code entries}
     * @return the text, such as {@code 1 entry}
     */
    static String of(long n, String singular, String plural) {
        return n + " " + (n == 1 ? singular : plural);
    }
}
