package dev.drkit.core.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;

/**
 * Durations as people write them: {@code 1 h 5 min}, {@code 30 s}, {@code 250 ms}; below a
 * second to three significant digits, {@code 25.2 ms}, {@code 81.9 µs}, {@code 420 ns}.
 */
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
            long nanos = d.toNanos();
            if (nanos < 1_000) {
                return nanos + " ns";
            }
            return nanos < 1_000_000 ? threeDigits(nanos / 1e3) + " \u00b5s" : threeDigits(nanos / 1e6) + " ms";
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

    /** A value to three significant digits, without trailing zeros: 81.919 -> 81.9, 250.0 -> 250. */
    private static String threeDigits(double value) {
        return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }
}
