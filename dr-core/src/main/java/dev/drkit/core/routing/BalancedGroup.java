package dev.drkit.core.routing;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.audit.AuditSink;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.HealthStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads calls over the instances of a dependency, health-aware: members whose probe answers
 * DOWN get no calls until it answers again; a member that fails {@code ejectAfter} calls in a
 * row is ejected as an outlier for {@code ejectionTime} (never more than
 * {@code maxEjectedPercent} of the members at once); a failed call is retried once on another
 * member while the retry budget allows, so that retries cannot multiply the load of an outage.
 *
 * <p>The retry budget is a bucket of tokens: each first attempt adds {@code retryRatio} of a
 * token, each retry takes one, and the bucket starts with (and holds at most)
 * {@code minRetries} plus what the ratio earned; with the defaults, retries stay below about
 * 20% of calls after the first ten.
 *
 * <pre>{@code
 * BalancedGroup<SearchClient> search = BalancedGroup.<SearchClient>builder("search")
 *         .member("search-1", client1, probe1)
 *         .member("search-2", client2, probe2)
 *         .balance(Balance.LEAST_OUTSTANDING)
 *         .build();
 * Results r = search.call(c -> c.query(q));
 * }</pre>
 *
 * @param <T> the type of the dependency's client
 */
public final class BalancedGroup<T> {
    /** The default number of failed calls in a row that eject a member: 5. */
    public static final int DEFAULT_EJECT_AFTER = 5;
    /** The default ejection time: 30 seconds. */
    public static final Duration DEFAULT_EJECTION_TIME = Duration.ofSeconds(30);
    /** The default largest share of members ejected at once: 50%. */
    public static final int DEFAULT_MAX_EJECTED_PERCENT = 50;
    /** The default retries earned per first attempt: 0.2. */
    public static final double DEFAULT_RETRY_RATIO = 0.2;
    /** The default retries allowed before any were earned: 10. */
    public static final int DEFAULT_MIN_RETRIES = 10;

    private static final Logger LOG = LoggerFactory.getLogger(BalancedGroup.class);

    private final String name;
    private final List<Member<T>> members;
    private final Balance balance;
    private final int ejectAfter;
    private final Duration ejectionTime;
    private final int maxEjectedPercent;
    private final double retryRatio;
    private final int minRetries;
    private final Predicate<Throwable> retryable;
    private final @Nullable AuditSink audit;
    private final Clock clock;
    private long next;
    private double tokens;
    private double earned;
    private long retries;

    private BalancedGroup(Builder<T> b) {
        this.name = b.name;
        this.members = List.copyOf(b.members);
        this.balance = b.balance;
        this.ejectAfter = b.ejectAfter;
        this.ejectionTime = b.ejectionTime;
        this.maxEjectedPercent = b.maxEjectedPercent;
        this.retryRatio = b.retryRatio;
        this.minRetries = b.minRetries;
        this.retryable = b.retryable;
        this.audit = b.audit;
        this.clock = b.clock;
        this.tokens = minRetries;
    }

    /**
     * Starts building a group.
     *
     * @param name the group's name, for logs and audit records
     * @param <T> the type of the dependency's client
     * @return the builder
     * @throws DrException {@code INVALID_ARGUMENT} for a blank name
     */
    public static <T> Builder<T> builder(String name) {
        return new Builder<>(name);
    }

    /**
     * Calls one eligible member; when the call throws a retryable exception and the retry
     * budget allows, calls another eligible member once.
     *
     * @param fn the call
     * @param <R> its result
     * @return what the call returned
     * @throws DrException {@code UNAVAILABLE} naming every member's state when no member is eligible
     * @throws RuntimeException what the last attempt threw
     */
    public <R> R call(Function<? super T, ? extends R> fn) {
        Set<Member<T>> tried = new HashSet<>();
        Member<T> m = Objects.requireNonNull(pick(tried, true));
        while (true) {
            tried.add(m);
            begin(m);
            R r;
            try {
                r = fn.apply(m.client);
            } catch (RuntimeException e) {
                end(m, false);
                Member<T> other = retryable.test(e) ? retryOn(tried) : null;
                if (other == null) {
                    throw e;
                }
                LOG.debug("group {}: retrying on {} after {} failed: {}", name, other.name, m.name, e.toString());
                m = other;
                continue;
            } catch (Error e) {
                end(m, false);
                throw e;
            }
            end(m, true);
            return r;
        }
    }

    private synchronized void begin(Member<T> m) {
        m.outstanding++;
        m.calls++;
    }

    private synchronized void end(Member<T> m, boolean ok) {
        m.outstanding--;
        if (ok) {
            m.consecutiveFailures = 0;
        } else {
            failed(m);
        }
    }

    /** Picks a member not yet tried for a retry, taking a token; null when none or the budget is spent. */
    private synchronized @Nullable Member<T> retryOn(Set<Member<T>> tried) {
        if (tokens < 1.0) {
            return null;
        }
        Member<T> other;
        try {
            other = pick(tried, false);
        } catch (DrException e) {
            return null;
        }
        if (other == null || tried.contains(other)) {
            return null;
        }
        tokens -= 1.0;
        retries++;
        return other;
    }

    private synchronized @Nullable Member<T> pick(Set<Member<T>> excluded, boolean firstAttempt) {
        Instant now = clock.instant();
        List<Member<T>> eligible = new ArrayList<>();
        for (Member<T> m : members) {
            m.endEjection(now);
            if (m.healthy && m.ejectedUntil == null && !excluded.contains(m)) {
                eligible.add(m);
            }
        }
        if (eligible.isEmpty()) {
            if (!firstAttempt) {
                return null;
            }
            throw new DrException(ErrorCode.UNAVAILABLE, "group " + name + " has no eligible member: "
                    + members.stream().map(Member::describe).toList(), name);
        }
        if (firstAttempt) {
            earned += retryRatio;
            tokens = Math.min(tokens + retryRatio, minRetries + earned);
        }
        int start = (int) (next++ % eligible.size());
        if (balance == Balance.ROUND_ROBIN) {
            return eligible.get(start);
        }
        Member<T> best = null;
        for (int i = 0; i < eligible.size(); i++) {
            Member<T> m = eligible.get((start + i) % eligible.size());
            if (best == null || m.outstanding < best.outstanding) {
                best = m;
            }
        }
        return Objects.requireNonNull(best);
    }

    private synchronized void failed(Member<T> m) {
        m.failures++;
        m.consecutiveFailures++;
        if (m.ejectedUntil != null || m.consecutiveFailures < ejectAfter) {
            return;
        }
        long ejected = members.stream().filter(x -> x.ejectedUntil != null).count();
        if ((ejected + 1) * 100 > (long) maxEjectedPercent * members.size()) {
            LOG.warn("group {}: {} failed {} calls in a row but {}% of the members are ejected already", name, m.name,
                    m.consecutiveFailures, maxEjectedPercent);
            return;
        }
        Instant now = clock.instant();
        m.ejectedUntil = now.plus(ejectionTime);
        LOG.warn("group {}: ejected {} until {} after {} failed calls in a row", name, m.name, m.ejectedUntil,
                m.consecutiveFailures);
        record(now, "group.eject", m, AuditOutcome.SUCCESS);
    }

    /**
     * Probes every member once: DOWN takes it out of the rotation until a probe answers again.
     * The owner calls this on its schedule.
     */
    public void probe() {
        for (Member<T> m : members) {
            boolean up;
            try {
                up = m.probe.check().status() != HealthStatus.DOWN;
            } catch (Exception e) {
                up = false;
            }
            synchronized (this) {
                if (m.healthy != up) {
                    m.healthy = up;
                    LOG.warn("group {}: {} is {}", name, m.name, up ? "healthy again" : "DOWN");
                    record(clock.instant(), up ? "group.member.up" : "group.member.down", m, AuditOutcome.SUCCESS);
                }
            }
        }
    }

    /**
     * Returns every member's state, in the order they were added.
     *
     * @return the members
     */
    public synchronized List<MemberStatus> members() {
        Instant now = clock.instant();
        members.forEach(m -> m.endEjection(now));
        return members.stream().map(m -> new MemberStatus(m.name, m.healthy, m.ejectedUntil, m.outstanding,
                m.consecutiveFailures, m.calls, m.failures)).toList();
    }

    /**
     * Returns how many retries the group made.
     *
     * @return the count
     */
    public synchronized long retries() {
        return retries;
    }

    /**
     * Returns the group's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    private void record(Instant at, String action, Member<T> m, AuditOutcome outcome) {
        AuditSink sink = audit;
        if (sink == null) {
            return;
        }
        try {
            sink.append(new AuditEvent(at, "system", action, name + "/" + m.name, outcome, Map.of("member", m.name,
                    "consecutiveFailures", Integer.toString(m.consecutiveFailures))));
        } catch (RuntimeException e) {
            LOG.error("group {}: audit sink refused {}: {}", name, action, e.toString());
        }
    }

    @Override
    public String toString() {
        return "BalancedGroup[" + name + " " + balance + " " + members.stream().map(m -> m.name).toList() + "]";
    }

    private static final class Member<T> {
        final String name;
        final T client;
        final HealthProbe probe;
        boolean healthy = true;
        @Nullable Instant ejectedUntil;
        int outstanding;
        int consecutiveFailures;
        long calls;
        long failures;

        Member(String name, T client, HealthProbe probe) {
            this.name = name;
            this.client = client;
            this.probe = probe;
        }

        void endEjection(Instant now) {
            if (ejectedUntil != null && !now.isBefore(ejectedUntil)) {
                ejectedUntil = null;
                consecutiveFailures = 0;
            }
        }

        String describe() {
            return name + (healthy ? "" : " DOWN") + (ejectedUntil == null ? "" : " ejected until " + ejectedUntil);
        }
    }

    /**
     * Builds a {@link BalancedGroup}.
     *
     * @param <T> the type of the dependency's client
     */
    public static final class Builder<T> {
        private final String name;
        private final List<Member<T>> members = new ArrayList<>();
        private Balance balance = Balance.LEAST_OUTSTANDING;
        private int ejectAfter = DEFAULT_EJECT_AFTER;
        private Duration ejectionTime = DEFAULT_EJECTION_TIME;
        private int maxEjectedPercent = DEFAULT_MAX_EJECTED_PERCENT;
        private double retryRatio = DEFAULT_RETRY_RATIO;
        private int minRetries = DEFAULT_MIN_RETRIES;
        private Predicate<Throwable> retryable = e -> true;
        private @Nullable AuditSink audit;
        private Clock clock = Clock.systemUTC();

        private Builder(String name) {
            if (Objects.requireNonNull(name, "name").isBlank()) {
                throw DrException.invalidArgument("name", "must not be blank", "'" + name + "'");
            }
            this.name = name;
        }

        /**
         * Adds a member.
         *
         * @param member its name, unique in the group
         * @param client the client calls are made with
         * @param probe its health probe
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for a name added before
         */
        public Builder<T> member(String member, T client, HealthProbe probe) {
            Objects.requireNonNull(member, "member");
            if (members.stream().anyMatch(m -> m.name.equals(member))) {
                throw DrException.invalidArgument("member", "must be unique in group " + name, member);
            }
            members.add(new Member<>(member, Objects.requireNonNull(client, "client"),
                    Objects.requireNonNull(probe, "probe")));
            return this;
        }

        /**
         * Sets how members are picked ({@link Balance#LEAST_OUTSTANDING} by default).
         *
         * @param value the balance
         * @return this builder
         */
        public Builder<T> balance(Balance value) {
            this.balance = Objects.requireNonNull(value, "balance");
            return this;
        }

        /**
         * Sets outlier ejection: after {@code failures} failed calls in a row a member gets no
         * calls for {@code time}, while at most {@code maxPercent} of the members are ejected.
         *
         * @param failures failed calls in a row, {@code >= 1}
         * @param time the ejection time, {@code > 0}
         * @param maxPercent the largest share ejected at once, 0 to 100 (0 turns ejection off)
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} naming the value out of range
         */
        public Builder<T> ejection(int failures, Duration time, int maxPercent) {
            if (failures < 1) {
                throw DrException.invalidArgument("ejectAfter", "must be >= 1", failures);
            }
            Objects.requireNonNull(time, "ejectionTime");
            if (time.isNegative() || time.isZero()) {
                throw DrException.invalidArgument("ejectionTime", "must be > 0", time);
            }
            if (maxPercent < 0 || maxPercent > 100) {
                throw DrException.invalidArgument("maxEjectedPercent", "must be between 0 and 100", maxPercent);
            }
            this.ejectAfter = failures;
            this.ejectionTime = time;
            this.maxEjectedPercent = maxPercent;
            return this;
        }

        /**
         * Sets the retry budget: each call earns {@code ratio} of a retry, and {@code minRetries}
         * may be spent before any were earned. A ratio of 0 and no minimum turn retries off.
         *
         * @param ratio retries per call, 0 to 1
         * @param minRetries retries allowed at first, {@code >= 0}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} naming the value out of range
         */
        public Builder<T> retryBudget(double ratio, int minRetries) {
            if (!(ratio >= 0.0 && ratio <= 1.0)) {
                throw DrException.invalidArgument("retryRatio", "must be between 0 and 1", ratio);
            }
            if (minRetries < 0) {
                throw DrException.invalidArgument("minRetries", "must be >= 0", minRetries);
            }
            this.retryRatio = ratio;
            this.minRetries = minRetries;
            return this;
        }

        /**
         * Sets which failures are retried on another member (every exception by default).
         *
         * @param value true for a failure worth retrying
         * @return this builder
         */
        public Builder<T> retryOn(Predicate<Throwable> value) {
            this.retryable = Objects.requireNonNull(value, "retryOn");
            return this;
        }

        /**
         * Sets where ejections and health changes are recorded.
         *
         * @param value the sink
         * @return this builder
         */
        public Builder<T> auditSink(AuditSink value) {
            this.audit = Objects.requireNonNull(value, "auditSink");
            return this;
        }

        /**
         * Sets the clock that times ejections (the system's UTC clock by default).
         *
         * @param value the clock
         * @return this builder
         */
        public Builder<T> clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Builds the group.
         *
         * @return the group
         * @throws DrException {@code INVALID_ARGUMENT} without members
         */
        public BalancedGroup<T> build() {
            if (members.isEmpty()) {
                throw DrException.invalidArgument("members", "must not be empty", name);
            }
            return new BalancedGroup<>(this);
        }
    }
}
