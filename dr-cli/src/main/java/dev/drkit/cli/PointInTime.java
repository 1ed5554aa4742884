package dev.drkit.cli;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What {@code --at} of {@code dr restore} and {@code dr postgres restore} takes: an instant, in
 * the forms {@link InstantText} reads, or {@code latest}. Converted when the arguments are parsed
 * ({@link OptionConverters}), so that a value it is not is refused before a repository is opened.
 *
 * @param instant the instant, or null for {@code latest}
 */
record PointInTime(@Nullable Instant instant) {
    /** The forms {@code --at} takes, as messages name them. */
    static final String FORMS = "an ISO-8601 instant such as 2026-12-07T12:00:00Z or 2026-12-07T13:00:00+01:00, "
            + "a time ago such as 10m ago, or 'latest'";

    /** The newest point the repository holds. */
    static final PointInTime LATEST = new PointInTime(null);

    /** Returns whether this is {@code latest} rather than an instant. */
    boolean latest() {
        return instant == null;
    }

    /** Returns the instant; only for a point that is not {@link #latest()}. */
    Instant at() {
        if (instant == null) {
            throw new IllegalStateException("'latest' is no instant");
        }
        return instant;
    }

    @Override
    public String toString() {
        return instant == null ? "latest" : instant.toString();
    }
}
