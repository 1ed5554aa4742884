package dev.drkit.core.coordination;

import dev.drkit.api.Ticker;
import dev.drkit.api.DrException;
import dev.drkit.api.store.StoreKeys;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a {@link StoreCoordinator}. Immutable; build with {@link #builder()}.
 *
 * @param memberId this instance's identity as a lease holder and group member: 1 to 128
 *     letters, digits, {@code .}, {@code _}, {@code @} or {@code -}, starting with a letter or
 *     digit; unique in the fleet (a host name plus a process id, a pod name)
 * @param ttl how long a lease lasts without renewal, and a member without announcement
 * @param renewInterval how often a holder renews, a member announces itself and a candidate
 *     looks at a lease it campaigns for; shorter than {@code ttl}
 * @param pollInterval how often a watched state is read
 * @param keyPrefix the store key under which the coordination objects live
 * @param stateHistory how many recent versions a state object keeps, so that a watcher that
 *     polls once after several commits still sees each of them
 * @param ticker the monotonic ticker that times leases, renewals and polls
 */
public record CoordinatorConfig(String memberId, Duration ttl, Duration renewInterval, Duration pollInterval,
        String keyPrefix, int stateHistory, Ticker ticker) {

    /** The default lease TTL: 15 seconds. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(15);
    /** The default poll interval of watched states: 1 second. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    /** The default key prefix: {@code coordination}. */
    public static final String DEFAULT_KEY_PREFIX = "coordination";
    /** The default number of versions a state object keeps: 32. */
    public static final int DEFAULT_STATE_HISTORY = 32;
    /** The largest {@link #stateHistory()}. */
    public static final int MAX_STATE_HISTORY = 1000;

    /** The names of members, leases, states and groups. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");

    /**
     * Validates the settings.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the setting: a null, blank or
     *     malformed {@code memberId}; a {@code ttl}, {@code renewInterval} or
     *     {@code pollInterval} that is not positive; a {@code ttl} not longer than
     *     {@code renewInterval}; a {@code stateHistory} outside 1..1000; an invalid
     *     {@code keyPrefix}
     */
    public CoordinatorConfig {
        requireName("memberId", memberId);
        requirePositive("ttl", ttl);
        requirePositive("renewInterval", renewInterval);
        requirePositive("pollInterval", pollInterval);
        if (ttl.compareTo(renewInterval) <= 0) {
            throw DrException.invalidArgument("ttl", "must be longer than renewInterval (" + renewInterval
                    + "), so that a holder renews before its lease lapses", ttl);
        }
        if (stateHistory < 1 || stateHistory > MAX_STATE_HISTORY) {
            throw DrException.invalidArgument("stateHistory", "must be between 1 and " + MAX_STATE_HISTORY,
                    stateHistory);
        }
        if (keyPrefix == null || keyPrefix.isEmpty()) {
            throw DrException.invalidArgument("keyPrefix", "must not be empty", keyPrefix);
        }
        try {
            StoreKeys.requireValidKey(keyPrefix);
        } catch (DrException e) {
            throw DrException.invalidArgument("keyPrefix", "must be a valid store key (" + e.getMessage() + ")",
                    keyPrefix);
        }
        Objects.requireNonNull(ticker, "ticker");
    }

    /**
     * Returns a builder with the defaults, for a member id.
     *
     * @param memberId this instance's identity
     * @return the builder
     */
    public static Builder builder(String memberId) {
        return new Builder(memberId);
    }

    /**
     * Returns the default configuration for a member id: TTL 15 s, renewal every 5 s, polls
     * every 1 s.
     *
     * @param memberId this instance's identity
     * @return the configuration
     * @throws DrException {@code INVALID_ARGUMENT} for a null, blank or malformed member id
     */
    public static CoordinatorConfig of(String memberId) {
        return builder(memberId).build();
    }

    /**
     * Returns {@link #of(String) of(memberId)}.
     *
     * @param memberId this instance's identity
     * @return the configuration
     * @throws DrException {@code INVALID_ARGUMENT} for a null, blank or malformed member id
     * @deprecated use {@link #of(String)}
     */
    @Deprecated
    public static CoordinatorConfig ofDefaults(String memberId) {
        return of(memberId);
    }

    /**
     * Checks a member, lease, state or group name.
     *
     * @param field the setting or argument that carries it
     * @param name the name
     * @return the name
     * @throws DrException {@code INVALID_ARGUMENT} naming the field when the name is null,
     *     blank or malformed
     */
    public static String requireName(String field, @Nullable String name) {
        if (name == null) {
            throw DrException.invalidArgument(field, "must not be null", null);
        }
        if (name.isBlank()) {
            throw DrException.invalidArgument(field, "must not be blank", "\"" + name + "\"");
        }
        if (!NAME.matcher(name).matches()) {
            throw DrException.invalidArgument(field, "must be 1 to 128 letters, digits, '.', '_', '@' or '-', "
                    + "starting with a letter or digit", "\"" + name + "\"");
        }
        return name;
    }

    private static void requirePositive(String field, @Nullable Duration d) {
        if (d == null) {
            throw DrException.invalidArgument(field, "must not be null", null);
        }
        if (d.isNegative() || d.isZero()) {
            throw DrException.invalidArgument(field, "must be > 0", d);
        }
    }

    /** Builds a {@link CoordinatorConfig}. */
    public static final class Builder {
        private final @Nullable String memberId;
        private Duration ttl = DEFAULT_TTL;
        private @Nullable Duration renewInterval;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private String keyPrefix = DEFAULT_KEY_PREFIX;
        private int stateHistory = DEFAULT_STATE_HISTORY;
        private Ticker ticker = Ticker.system();

        private Builder(@Nullable String memberId) {
            this.memberId = memberId;
        }

        /**
         * Sets the lease TTL; unless set, the renew interval follows as a third of it.
         *
         * @param value the TTL, longer than the renew interval
         * @return this builder
         */
        public Builder ttl(Duration value) {
            this.ttl = value;
            return this;
        }

        /**
         * Sets how often holders renew and members announce themselves; the default is a
         * third of the TTL.
         *
         * @param value the interval, shorter than the TTL
         * @return this builder
         */
        public Builder renewInterval(Duration value) {
            this.renewInterval = value;
            return this;
        }

        /**
         * Sets how often watched states are read.
         *
         * @param value the interval, {@code > 0}
         * @return this builder
         */
        public Builder pollInterval(Duration value) {
            this.pollInterval = value;
            return this;
        }

        /**
         * Sets the store key under which the coordination objects live.
         *
         * @param value a valid store key
         * @return this builder
         */
        public Builder keyPrefix(String value) {
            this.keyPrefix = value;
            return this;
        }

        /**
         * Sets how many recent versions a state object keeps for watchers.
         *
         * @param value between 1 and 1000
         * @return this builder
         */
        public Builder stateHistory(int value) {
            this.stateHistory = value;
            return this;
        }

        /**
         * Sets the monotonic ticker; tests pass a manual one.
         *
         * @param value the ticker
         * @return this builder
         */
        public Builder ticker(Ticker value) {
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @return the configuration
         * @throws DrException {@code INVALID_ARGUMENT} naming the setting that is out of range
         */
        public CoordinatorConfig build() {
            Duration renew = renewInterval != null ? renewInterval
                    : ttl == null ? null : ttl.dividedBy(3);
            return new CoordinatorConfig(memberId, ttl, renew, pollInterval, keyPrefix, stateHistory, ticker);
        }
    }
}
