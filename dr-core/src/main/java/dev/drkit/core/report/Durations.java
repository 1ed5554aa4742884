package dev.drkit.core.report;

import java.time.Duration;

/** Durations as people write them: {@code 1 h 5 min}, {@code 30 s}, {@code 250 ms}. */
public final class Durations {
    private Durations() {
    }

    /**
     * Formats a duration for a person.
     *
     * @param d the duration
     * @return the text
     */
    public static String human(Duration d) {
        if (d.isNegative()) {
            return "-" + human(d.negated());
        }
        if (d.isZero()) {
            return "0 s";
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            return d.toMillis() + " ms";
        }
        StringBuilder sb = new StringBuilder();
        long h = d.toHours();
        int m = d.toMinutesPart();
        int s = d.toSecondsPart();
        if (h > 0) {
            sb.append(h).append(" h");
        }
        if (m > 0) {
            sb.append(sb.length() > 0 ? " " : "").append(m).append(" min");
        }
        if (s > 0) {
            sb.append(sb.length() > 0 ? " " : "").append(s).append(" s");
        }
        return sb.toString();
    }
}
