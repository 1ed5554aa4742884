package dev.drkit.core.routing;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.audit.AuditSink;
import dev.drkit.api.coordination.Lease;
import dev.drkit.api.coordination.LeaseHolder;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.recovery.Failover;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends calls to the primary of a dependency (a database, a region, an endpoint) and switches
 * them to its standby when the primary's lease lapses or its probe fails a number of rounds in
 * a row; switches back on an operator's word or by a {@link FailbackPolicy}.
 *
 * <p>Each switch gets an epoch greater than every earlier switch's and than any epoch of the
 * primary's lease seen so far, and is carried out by the {@link Failover} first (with the
 * idempotency key {@code <router>:epoch-<n>}, so the standby can refuse writes of an older
 * epoch), then takes effect for every new call at once, and is recorded in the audit sink. When
 * the failover throws, calls stay where they were, the failure is audited, and the next probe
 * round tries again.
 *
 * <pre>{@code
 * FailoverRouter<DataSource> db = FailoverRouter.<DataSource>builder("orders-db")
 *         .primary("eu-west-1", primaryDs, primaryProbe)
 *         .standby("eu-central-1", standbyDs, standbyProbe)
 *         .failureThreshold(3)
 *         .failover(replicaPromotion)
 *         .auditSink(auditLog)
 *         .build();
 * Order order = db.call(ds -> orders.load(ds, id));
 * }</pre>
 *
 * @param <T> the type of the dependency's client
 */
public final class FailoverRouter<T> implements AutoCloseable {
    /** The actor recorded for switches the router makes on its own. */
    public static final String SYSTEM = "system";
    /** The default number of failed probe rounds in a row that fail over: 3. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;

    private static final Logger LOG = LoggerFactory.getLogger(FailoverRouter.class);

    private final String name;
    private final Target<T> primary;
    private final Target<T> standby;
    private final int failureThreshold;
    private final FailbackPolicy failback;
    private final @Nullable Failover failover;
    private final @Nullable Lease primaryLease;
    private final @Nullable AuditSink audit;
    private final Clock clock;
    private final @Nullable ScheduledExecutorService scheduler;
    private final List<RouterSwitch> switches = new ArrayList<>();
    private volatile Target<T> active;
    private long epoch;
    private long leaseEpochSeen;
    private int primaryFailures;
    private int primaryHealthy;
    private boolean leaseLapsed;

    private FailoverRouter(Builder<T> b) {
        this.name = b.name;
        this.primary = Objects.requireNonNull(b.primary);
        this.standby = Objects.requireNonNull(b.standby);
        this.failureThreshold = b.failureThreshold;
        this.failback = b.failback;
        this.failover = b.failover;
        this.primaryLease = b.primaryLease;
        this.audit = b.audit;
        this.clock = b.clock;
        this.active = primary;
        if (b.probeInterval != null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dr-router-" + name);
                t.setDaemon(true);
                return t;
            });
            long ms = b.probeInterval.toMillis();
            scheduler.scheduleWithFixedDelay(this::probeQuietly, ms, ms, TimeUnit.MILLISECONDS);
        } else {
            scheduler = null;
        }
    }

    /**
     * Starts building a router.
     *
     * @param name the router's name, for audit records and logs
     * @param <T> the type of the dependency's client
     * @return the builder
     * @throws DrException {@code INVALID_ARGUMENT} for a blank name
     */
    public static <T> Builder<T> builder(String name) {
        return new Builder<>(name);
    }

    /**
     * Calls the target that is active now.
     *
     * @param fn the call
     * @param <R> its result
     * @return what the call returned
     */
    public <R> R call(Function<? super T, ? extends R> fn) {
        return fn.apply(active.client);
    }

    /**
     * Returns the name of the target calls go to now.
     *
     * @return the primary's or the standby's name
     */
    public String active() {
        return active.name;
    }

    /**
     * Returns whether calls go to the standby.
     *
     * @return true after a failover and before the failback
     */
    public boolean failedOver() {
        return active == standby;
    }

    /**
     * Returns the epoch of the last switch; 0 before the first.
     *
     * @return the epoch
     */
    public synchronized long epoch() {
        return epoch;
    }

    /**
     * Returns every switch so far, oldest first.
     *
     * @return the switches
     */
    public synchronized List<RouterSwitch> switches() {
        return List.copyOf(switches);
    }

    /**
     * Runs one probe round: reads the primary's lease (when one was given) and probes the
     * primary, failing over when the lease has lapsed or the probe failed
     * {@code failureThreshold} rounds in a row (and the standby's probe is not DOWN); while
     * failed over, probes the primary for the failback policy. The router's own scheduler calls
     * this every probe interval when one was set.
     */
    public synchronized void probe() {
        boolean lapsed = readLease();
        boolean up = isUp(primary);
        primaryFailures = up ? 0 : primaryFailures + 1;
        primaryHealthy = up ? primaryHealthy + 1 : 0;
        if (active == primary) {
            String trigger = lapsed ? "lease-lapsed" : primaryFailures >= failureThreshold ? "probes" : null;
            if (trigger == null) {
                return;
            }
            if (probeStatus(standby) == HealthStatus.DOWN) {
                LOG.error("router {}: primary {} is failing ({}) but standby {} is DOWN too; staying", name,
                        primary.name, trigger, standby.name);
                return;
            }
            String reason = lapsed ? "the lease of primary " + primary.name + " lapsed"
                    : "primary " + primary.name + " failed " + primaryFailures + " probe rounds in a row";
            switchTo(standby, trigger, SYSTEM, reason);
        } else if (failback.automatic() && primaryHealthy >= failback.healthyRounds() && !lapsed) {
            switchTo(primary, "policy", SYSTEM, "primary " + primary.name + " answered UP for " + primaryHealthy
                    + " probe rounds in a row");
        }
    }

    /**
     * Switches calls to the standby on an operator's word.
     *
     * @param actor who asks
     * @param reason why
     * @throws DrException {@code ILLEGAL_STATE} when calls go to the standby already;
     *     {@code UNAVAILABLE} when the failover threw (calls stay on the primary)
     */
    public synchronized void failover(String actor, String reason) {
        if (active == standby) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "router " + name + " is failed over to " + standby.name
                    + " already", name);
        }
        if (!switchTo(standby, "operator", actor, reason)) {
            throw new DrException(ErrorCode.UNAVAILABLE, "router " + name + " could not fail over to " + standby.name
                    + "; see the audit record", name);
        }
    }

    /**
     * Switches calls back to the primary on an operator's word.
     *
     * @param actor who asks
     * @param reason why
     * @throws DrException {@code ILLEGAL_STATE} when calls go to the primary already;
     *     {@code UNAVAILABLE} when the failback threw (calls stay on the standby)
     */
    public synchronized void failback(String actor, String reason) {
        if (active == primary) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "router " + name + " sends calls to its primary "
                    + primary.name + " already", name);
        }
        if (!switchTo(primary, "operator", actor, reason)) {
            throw new DrException(ErrorCode.UNAVAILABLE, "router " + name + " could not fail back to " + primary.name
                    + "; see the audit record", name);
        }
    }

    private boolean readLease() {
        Lease lease = primaryLease;
        if (lease == null) {
            return false;
        }
        Optional<LeaseHolder> holder;
        try {
            holder = lease.holder();
        } catch (DrException e) {
            // An unreachable coordinator says nothing about the primary: the probes decide.
            LOG.warn("router {}: could not read lease {}: {}", name, lease.name(), e.getMessage());
            return leaseLapsed;
        }
        if (holder.isPresent()) {
            boolean newHolding = holder.get().epoch() > leaseEpochSeen;
            leaseEpochSeen = Math.max(leaseEpochSeen, holder.get().epoch());
            // After a lapse, only a new holding of the primary's lease counts as its return.
            if (newHolding) {
                leaseLapsed = false;
            }
        } else {
            leaseLapsed = true;
        }
        return leaseLapsed;
    }

    private boolean isUp(Target<T> target) {
        return probeStatus(target) == HealthStatus.UP;
    }

    private HealthStatus probeStatus(Target<T> target) {
        try {
            return target.probe.check().status();
        } catch (Exception e) {
            LOG.debug("router {}: probe of {} threw {}", name, target.name, e.toString());
            return HealthStatus.DOWN;
        }
    }

    /** Carries a switch out through the failover, then routes, then audits; false when the failover threw. */
    private boolean switchTo(Target<T> to, String trigger, String actor, String reason) {
        Target<T> from = active;
        long next = Math.max(epoch, leaseEpochSeen) + 1;
        String key = name + ":epoch-" + next;
        Map<String, String> details = new LinkedHashMap<>();
        details.put("from", from.name);
        details.put("to", to.name);
        details.put("epoch", Long.toString(next));
        details.put("trigger", trigger);
        details.put("reason", reason);
        String action = to == standby ? "router.failover" : "router.failback";
        Failover f = failover;
        if (f != null) {
            try {
                if (to == standby) {
                    f.failover(key);
                } else {
                    f.failback(key);
                }
            } catch (Exception e) {
                details.put("error", e.toString());
                record(actor, action, details, AuditOutcome.FAILURE);
                LOG.error("router {}: {} from {} to {} (epoch {}) failed: {}", name, action, from.name, to.name, next,
                        e.toString());
                return false;
            }
        }
        epoch = next;
        active = to;
        primaryFailures = 0;
        primaryHealthy = 0;
        RouterSwitch s = new RouterSwitch(name, from.name, to.name, next, trigger, actor, reason, clock.instant());
        switches.add(s);
        record(actor, action, details, AuditOutcome.SUCCESS);
        LOG.warn("router {}: switched from {} to {} (epoch {}, {} by {}): {}", name, from.name, to.name, next, trigger,
                actor, reason);
        return true;
    }

    private void record(String actor, String action, Map<String, String> details, AuditOutcome outcome) {
        AuditSink sink = audit;
        if (sink == null) {
            return;
        }
        try {
            sink.append(new AuditEvent(clock.instant(), actor, action, name, outcome, details));
        } catch (RuntimeException e) {
            LOG.error("router {}: audit sink refused {}: {}", name, action, e.toString());
        }
    }

    private void probeQuietly() {
        try {
            probe();
        } catch (RuntimeException e) {
            LOG.error("router {}: probe round failed: {}", name, e.toString());
        }
    }

    /** Stops the router's own probe thread, if any; calls keep working. */
    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "FailoverRouter[" + name + " -> " + active.name + "]";
    }

    private record Target<T>(String name, T client, HealthProbe probe) {
    }

    /**
     * Builds a {@link FailoverRouter}. Setting the same thing twice is an error.
     *
     * @param <T> the type of the dependency's client
     */
    public static final class Builder<T> {
        private final String name;
        private @Nullable Target<T> primary;
        private @Nullable Target<T> standby;
        private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
        private FailbackPolicy failback = FailbackPolicy.MANUAL;
        private @Nullable Failover failover;
        private @Nullable Lease primaryLease;
        private @Nullable AuditSink audit;
        private Clock clock = Clock.systemUTC();
        private @Nullable Duration probeInterval;

        private Builder(String name) {
            if (Objects.requireNonNull(name, "name").isBlank()) {
                throw DrException.invalidArgument("name", "must not be blank", "'" + name + "'");
            }
            this.name = name;
        }

        private static void once(boolean set, String field) {
            if (set) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, field + " is set twice", field);
            }
        }

        /**
         * Sets the primary, where calls go first.
         *
         * @param target its name, such as {@code eu-west-1}
         * @param client the client calls are made with
         * @param probe its health probe
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder<T> primary(String target, T client, HealthProbe probe) {
            once(primary != null, "primary");
            primary = new Target<>(Objects.requireNonNull(target, "target"), Objects.requireNonNull(client, "client"),
                    Objects.requireNonNull(probe, "probe"));
            return this;
        }

        /**
         * Sets the standby, where calls go after a failover.
         *
         * @param target its name, such as {@code eu-central-1}
         * @param client the client calls are made with
         * @param probe its health probe; a DOWN standby is not failed over to automatically
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder<T> standby(String target, T client, HealthProbe probe) {
            once(standby != null, "standby");
            standby = new Target<>(Objects.requireNonNull(target, "target"), Objects.requireNonNull(client, "client"),
                    Objects.requireNonNull(probe, "probe"));
            return this;
        }

        /**
         * Sets how many failed probe rounds of the primary in a row fail over
         * ({@value FailoverRouter#DEFAULT_FAILURE_THRESHOLD} by default).
         *
         * @param value the count, {@code >= 1}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for a count below 1
         */
        public Builder<T> failureThreshold(int value) {
            if (value < 1) {
                throw DrException.invalidArgument("failureThreshold", "must be >= 1", value);
            }
            this.failureThreshold = value;
            return this;
        }

        /**
         * Sets when the router fails back on its own ({@link FailbackPolicy#MANUAL} by default).
         *
         * @param value the policy
         * @return this builder
         */
        public Builder<T> failback(FailbackPolicy value) {
            this.failback = Objects.requireNonNull(value, "failback");
            return this;
        }

        /**
         * Sets what carries a switch out (promoting a replica, moving a DNS record); called with
         * the key {@code <router>:epoch-<n>} before calls move.
         *
         * @param value the failover
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder<T> failover(Failover value) {
            once(failover != null, "failover");
            this.failover = Objects.requireNonNull(value, "failover");
            return this;
        }

        /**
         * Watches the lease the primary holds while it is alive (through a
         * {@link dev.drkit.api.coordination.Coordinator} the primary's side renews): when nobody
         * holds it, the router fails over without waiting for the probes, and switch epochs
         * stay above the lease's epochs. An unreachable coordinator leaves the decision to the
         * probes.
         *
         * @param value the primary's lease
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder<T> primaryLease(Lease value) {
            once(primaryLease != null, "primaryLease");
            this.primaryLease = Objects.requireNonNull(value, "primaryLease");
            return this;
        }

        /**
         * Sets where each switch (and each failed attempt) is recorded.
         *
         * @param value the sink, such as an {@code AuditLog}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder<T> auditSink(AuditSink value) {
            once(audit != null, "auditSink");
            this.audit = Objects.requireNonNull(value, "auditSink");
            return this;
        }

        /**
         * Sets the clock of the switch records (the system's UTC clock by default).
         *
         * @param value the clock
         * @return this builder
         */
        public Builder<T> clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Probes on a daemon thread of the router's own every interval; without it the owner
         * calls {@link FailoverRouter#probe()}.
         *
         * @param value the interval, {@code > 0}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for an interval that is not positive
         */
        public Builder<T> probeEvery(Duration value) {
            Objects.requireNonNull(value, "probeInterval");
            if (value.isNegative() || value.isZero()) {
                throw DrException.invalidArgument("probeInterval", "must be > 0", value);
            }
            this.probeInterval = value;
            return this;
        }

        /**
         * Builds the router, sending calls to the primary.
         *
         * @return the router
         * @throws DrException {@code INVALID_ARGUMENT} when the primary or the standby is
         *     missing, or both have the same name
         */
        public FailoverRouter<T> build() {
            if (primary == null) {
                throw DrException.invalidArgument("primary", "must be set", null);
            }
            if (standby == null) {
                throw DrException.invalidArgument("standby", "must be set", null);
            }
            if (primary.name().equals(standby.name())) {
                throw DrException.invalidArgument("standby", "must have a name other than the primary's",
                        standby.name());
            }
            return new FailoverRouter<>(this);
        }
    }
}
