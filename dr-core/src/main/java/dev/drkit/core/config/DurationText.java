package dev.drkit.core.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as plan files and the command line write them: a sum of whole numbers with units,
 * {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 2d} (spaces allowed between the
 * parts, units in either case), or ISO-8601, {@code PT30S}. A bare {@code 0} is zero, whose unit does
 * not matter, so that a caller's "must be more than 0" names the value rather than its form; any
 * other number needs a unit.
 */
public final class DurationText {
    /** The forms {@link #parse} accepts, as messages name them. */
    public static final String FORMS = "30s, 5m, 1h30m, 250ms, 2d or ISO-8601 PT30S";

    private static final Pattern PART = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private DurationText() {
    }

    /**
     * Parses a duration.
     *
     * @param text the text, such as {@code 1h30m} or {@code PT1H30M}
     * @return the duration, or empty when the text is neither form (nor {@code 0}) or too large for a
     *     duration
     */
    public static Optional<Duration> parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("0")) {
                return Optional.of(Duration.ZERO);
            }
            if (t.startsWith("p")) {
                return Optional.of(Duration.parse(t));
            }
            Matcher m = PART.matcher(t);
            Duration sum = Duration.ZERO;
            int end = 0;
            while (m.find() && m.start() == end) {
                long v = Long.parseLong(m.group(1));
                sum = sum.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(v);
                    case "s" -> Duration.ofSeconds(v);
                    case "m" -> Duration.ofMinutes(v);
                    case "h" -> Duration.ofHours(v);
                    default -> Duration.ofDays(v);
                });
                end = m.end();
                while (end < t.length() && t.charAt(end) == ' ') {
                    end++;
                }
            }
            return end == t.length() && end > 0 ? Optional.of(sum) : Optional.empty();
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            return Optional.empty(); // not a duration, or more digits than a duration holds
        }
    }
}
