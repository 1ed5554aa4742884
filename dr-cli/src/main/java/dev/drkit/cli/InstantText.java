package dev.drkit.cli;

import dev.drkit.core.config.DurationText;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Instants as the command line takes them: ISO-8601 with {@code Z} or an offset
 * ({@code 2026-12-07T12:00:00Z}, {@code 2026-12-07T13:00+01:00}; a space may stand for the
 * {@code T}), or a time before now ({@code 10m ago}, {@code 1h30m ago}).
 *
 * <p>A date or time without an offset ({@code 2026-12-07 13:00}, {@code 13:00}) is refused,
 * saying so: it names another instant on each machine and in each operator's zone, while the
 * audit log, reports and restores compare instants across both.
 */
final class InstantText {
    /** The forms {@link #parse} accepts, as help and messages name them. */
    static final String FORMS = "an ISO-8601 instant such as 2026-12-07T12:00:00Z or 2026-12-07T13:00:00+01:00, "
            + "or a time ago such as 10m ago";

    private static final Pattern AGO = Pattern.compile("(.+?)\\s+ago", Pattern.CASE_INSENSITIVE);
    private static final Pattern SPACED = Pattern.compile("(\\d{4}-\\d{2}-\\d{2}) +(\\d.*)");
    private static final String NO_OFFSET = " (it has no offset: add Z for UTC, or the zone's offset such as +01:00)";

    private InstantText() {
    }

    /** Text that is none of the forms, with what else there is to say about it (or nothing). */
    static final class Refused extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String text;
        private final String why;

        Refused(String text, String why) {
            super("expected " + FORMS + ", but was '" + text + "'" + why);
            this.text = text;
            this.why = why;
        }

        /** The refusal for an option that takes other forms too, such as {@link PointInTime#FORMS}. */
        String expected(String forms) {
            return "expected " + forms + ", but was '" + text + "'" + why;
        }
    }

    /**
     * Parses an instant.
     *
     * @param text the text as given
     * @param clock the clock that says when now is, for {@code ... ago}
     * @return the instant
     * @throws Refused naming the accepted forms and the text, when the text is none of them
     */
    static Instant parse(String text, Clock clock) {
        String t = text.trim();
        Matcher ago = AGO.matcher(t);
        if (ago.matches()) {
            Optional<Duration> d = DurationText.parse(ago.group(1));
            if (d.isPresent() && !d.get().isNegative()) {
                try {
                    return clock.instant().minus(d.get());
                } catch (DateTimeException | ArithmeticException e) {
                    // before the earliest instant: refused below
                }
            }
            throw new Refused(text, "");
        }
        Matcher spaced = SPACED.matcher(t);
        if (spaced.matches()) {
            t = spaced.group(1) + "T" + spaced.group(2);
        }
        try {
            return ZonedDateTime.parse(t, DateTimeFormatter.ISO_ZONED_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new Refused(text, withoutOffset(t) ? NO_OFFSET : "");
        }
    }

    private static boolean withoutOffset(String t) {
        try {
            LocalDateTime.parse(t);
            return true;
        } catch (DateTimeParseException e) {
            try {
                LocalTime.parse(t);
                return true;
            } catch (DateTimeParseException again) {
                return false;
            }
        }
    }
}
