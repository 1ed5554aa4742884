package dev.drkit.core.report;

/**
 * Puts text into the Markdown of a runbook so that it reads as written: names and sentences
 * stay on their line, in their table cell, and show their {@code *} and {@code |} instead of
 * turning into emphasis or cells.
 */
final class Markdown {
    private Markdown() {
    }

    /**
     * Returns plain text as Markdown inline text: control characters (line breaks, tabs) become
     * spaces, and the characters that would start markup are escaped with a backslash.
     *
     * @param s the text, such as a step's name
     * @return the Markdown
     */
    static String text(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isControl(c)) {
                sb.append(' ');
            } else if (c == '_') {
                // an underscore inside a word starts no emphasis: leave "orders_db" readable
                boolean inWord = i > 0 && i + 1 < s.length() && Character.isLetterOrDigit(s.charAt(i - 1))
                        && Character.isLetterOrDigit(s.charAt(i + 1));
                sb.append(inWord ? "_" : "\\_");
            } else if ("\\`*[]<|~&".indexOf(c) >= 0) {
                sb.append('\\').append(c);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * Returns plain text as Markdown that starts a line: as {@link #text}, and a leading
     * {@code #}, {@code -}, {@code +}, {@code =}, {@code >} or {@code 1.} is escaped so that the
     * line is no heading, list or quote.
     *
     * @param s the text
     * @return the Markdown
     */
    static String lineStart(String s) {
        String t = text(s);
        int lead = 0;
        while (lead < t.length() && t.charAt(lead) == ' ') {
            lead++;
        }
        if (lead == t.length()) {
            return t;
        }
        char c = t.charAt(lead);
        if ("#-+=>".indexOf(c) >= 0) {
            return t.substring(0, lead) + "\\" + t.substring(lead);
        }
        int d = lead;
        while (d < t.length() && Character.isDigit(t.charAt(d))) {
            d++;
        }
        if (d > lead && d < t.length() && (t.charAt(d) == '.' || t.charAt(d) == ')')) {
            return t.substring(0, d) + "\\" + t.substring(d);
        }
        return t;
    }

    /**
     * Returns text as a Markdown code span, fenced with more backticks than it holds in a row.
     *
     * @param s the text, such as a command line
     * @param inTable whether the span is in a table cell, where {@code |} must be escaped even in code
     * @return the Markdown
     */
    static String code(String s, boolean inTable) {
        String body = oneLine(s);
        if (inTable) {
            body = body.replace("|", "\\|");
        }
        String fence = "`".repeat(longestRun(body) + 1);
        boolean pad = body.startsWith("`") || body.endsWith("`") || (body.startsWith(" ") && body.endsWith(" ")
                && !body.isBlank());
        return fence + (pad ? " " + body + " " : body) + fence;
    }

    /**
     * Returns a sentence that may hold code spans (as {@code describe()} of a step writes a
     * command, "Run `pg_ctl promote`") as Markdown: the code spans are kept, the rest is
     * escaped as {@link #text}. A backtick that closes no span is shown as a backtick.
     *
     * @param s the sentence
     * @param inTable whether it goes in a table cell
     * @param startsLine whether it starts a line
     * @return the Markdown
     */
    static String sentence(String s, boolean inTable, boolean startsLine) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        StringBuilder plain = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i) != '`') {
                plain.append(s.charAt(i++));
                continue;
            }
            int run = runAt(s, i);
            int close = closing(s, i + run, run);
            if (close < 0) {
                plain.append(s, i, i + run);
                i += run;
                continue;
            }
            flush(sb, plain, startsLine && sb.isEmpty());
            String body = s.substring(i + run, close);
            // CommonMark strips one space from each side of a padded span; code() adds it back
            if (body.length() > 1 && body.startsWith(" ") && body.endsWith(" ") && !body.isBlank()) {
                body = body.substring(1, body.length() - 1);
            }
            sb.append(code(body, inTable));
            i = close + run;
        }
        flush(sb, plain, startsLine && sb.isEmpty());
        return sb.toString();
    }

    private static void flush(StringBuilder sb, StringBuilder plain, boolean startsLine) {
        if (plain.length() > 0) {
            sb.append(startsLine ? lineStart(plain.toString()) : text(plain.toString()));
            plain.setLength(0);
        }
    }

    /** The index of the next run of exactly {@code run} backticks from {@code from}, or -1. */
    private static int closing(String s, int from, int run) {
        int i = from;
        while (i < s.length()) {
            if (s.charAt(i) == '`') {
                int r = runAt(s, i);
                if (r == run) {
                    return i;
                }
                i += r;
            } else {
                i++;
            }
        }
        return -1;
    }

    private static int runAt(String s, int i) {
        int j = i;
        while (j < s.length() && s.charAt(j) == '`') {
            j++;
        }
        return j - i;
    }

    private static int longestRun(String s) {
        int longest = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '`') {
                int r = runAt(s, i);
                longest = Math.max(longest, r);
                i += r - 1;
            }
        }
        return longest;
    }

    private static String oneLine(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(isControl(c) ? ' ' : c);
        }
        return sb.toString();
    }

    private static boolean isControl(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }
}
