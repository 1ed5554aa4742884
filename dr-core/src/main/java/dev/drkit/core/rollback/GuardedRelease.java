package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import dev.drkit.api.rollback.DecisionRecord;
import dev.drkit.api.rollback.Guard;
import dev.drkit.api.rollback.GuardSnapshot;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.Observation;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.Variant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A guarded release: a stable and a candidate implementation of one interface, calls routed
 * between them sticky by key, the candidate's weight following a {@link RolloutPlan}, and a
 * rollback as soon as the judge, a circuit breaker, a probe, the latency limits, a trigger, a
 * condition or an operator asks for one. A step advances only when every configured signal
 * has its evidence (see {@link #snapshot()} for why a step holds).
 *
 * <p>The routing state is one immutable object behind an atomic reference: every decision
 * (advance, promote, roll back, pause, undo) is a single compare-and-set, so a rollback takes
 * effect for every new call at once, in-flight calls finish on the version they started on,
 * and of two racing rollbacks exactly one is recorded. The call path takes no lock of its
 * own: it reads the state, asks the version's Resilience4j circuit breaker for permission,
 * and records the outcome with atomic counters.
 *
 * <pre>{@code
 * GuardedRelease<PriceService> prices = GuardedRelease.<PriceService>builder("prices")
 *         .stable("v1", new PriceServiceV1())
 *         .candidate("v2", PriceServiceV2::new)
 *         .build();
 * Money price = prices.call(customerId, s -> s.price(item));
 * }</pre>
 *
 * @param <T> the interface both versions implement
 */
public final class GuardedRelease<T> implements Guard<T>, AutoCloseable {
    /** The actor recorded for decisions the guard makes on its own. */
    public static final String SYSTEM = RolloutMachine.SYSTEM;

    private final RolloutMachine<T> machine;
    private final CallPath<T> calls;
    private final OperatorActions<T> actions;
    private final ScheduledChecks<T> checks;
    private final @Nullable FleetLink fleet;

    GuardedRelease(RolloutMachine<T> machine, CallPath<T> calls, ScheduledChecks<T> checks,
            @Nullable FleetLink fleet) {
        this.fleet = fleet;
        this.machine = machine;
        this.calls = calls;
        this.actions = new OperatorActions<>(machine, checks.candidateProbeNames());
        this.checks = checks;
    }

    /**
     * Starts building a guarded release.
     *
     * @param name the guard's name, used in metrics, audit records and logs
     * @param <T> the interface both versions implement
     * @return the builder
     * @throws DrException {@code INVALID_ARGUMENT} for a blank name
     */
    public static <T> GuardedReleaseBuilder<T> builder(String name) {
        return new GuardedReleaseBuilder<>(name);
    }

    @Override
    public List<DecisionRecord> decisions() {
        return machine.records.recent();
    }

    @Override
    public String name() {
        return machine.name;
    }

    @Override
    public GuardState state() {
        return machine.current().phase;
    }

    @Override
    public double candidateWeight() {
        return machine.current().weight;
    }

    @Override
    public GuardSnapshot snapshot() {
        return machine.snapshot();
    }

    /**
     * Returns the name of the version calls go to when they do not go to the candidate.
     *
     * @return the stable version's name
     */
    public String stableVersion() {
        return machine.current().stable.name;
    }

    /**
     * Returns the candidate being rolled out (or rolled back gradually), if any.
     *
     * @return the candidate version's name
     */
    public Optional<String> candidateVersion() {
        ReleaseVersion<T> c = machine.current().candidate;
        return c == null ? Optional.empty() : Optional.of(c.name);
    }

    /**
     * Returns the index of the rollout step in force (for a gradual rollback, the batch).
     *
     * @return the step, from 0
     */
    public int step() {
        return machine.current().step;
    }

    /**
     * Returns the most recent rollback of this guard.
     *
     * @return the rollback, or empty when none happened since the last rollout started
     */
    public Optional<RollbackEvent> lastRollback() {
        return Optional.ofNullable(machine.current().lastRollback);
    }

    /**
     * Returns the configuration the guard was built with.
     *
     * @return the configuration
     */
    public GuardConfig config() {
        return machine.config;
    }

    /**
     * Returns which version a key is routed to right now.
     *
     * @param key the routing key
     * @return STABLE or CANDIDATE
     */
    public Variant routeOf(Object key) {
        return machine.current().toCandidate(key) ? Variant.CANDIDATE : Variant.STABLE;
    }

    /**
     * Returns what each version has done since the current rollout began.
     *
     * @return the observation, with empty candidate stats when no rollout is active
     */
    public Observation observe() {
        return machine.observe(machine.current());
    }

    /**
     * Runs {@code fn} against the version this call is routed to, sticky by key.
     *
     * @param key the routing key, such as a user or tenant id
     * @param fn what to do with the chosen implementation
     * @param <R> the result type
     * @return the result of {@code fn}
     * @throws DrException {@code INVALID_ARGUMENT} naming {@code key} or {@code fn} when it is null
     * @throws RuntimeException whatever {@code fn} throws, unchanged, unless the guard is
     *     configured to retry failed candidate calls on the stable version; this includes errors
     *     and checked exceptions thrown without being declared (Lombok's {@code @SneakyThrows},
     *     Kotlin, Groovy), each of which counts as a failure of the version that threw it unless
     *     its class is ignored
     */
    @Override
    public <R> R call(Object key, Function<? super T, ? extends R> fn) {
        if (key == null) {
            throw DrException.invalidArgument("key", "must not be null", null);
        }
        if (fn == null) {
            throw DrException.invalidArgument("fn", "must not be null", null);
        }
        return calls.call(key, fn);
    }

    @Override
    public RollbackEvent rollback(String actor, String reason) {
        return actions.rollback(actor, reason);
    }

    @Override
    public Optional<RollbackEvent> rollbackOnAlert(String alert, String reason) {
        return actions.rollbackOnAlert(alert, reason);
    }

    /**
     * Starts a gradual rollback: the candidate's weight steps down in
     * {@link GuardConfig#gradualBatches()} batches, the first at once and each next one at a
     * scheduled check once the stable version's probes are not DOWN; at weight 0 the rollback
     * (mode GRADUAL) is recorded. The judge and the other triggers keep watching meanwhile and
     * may still roll back at once.
     *
     * @param actor who asks
     * @param reason why
     * @throws DrException {@code ILLEGAL_STATE} when no rollout is active
     */
    public void rollbackGradually(String actor, String reason) {
        actions.rollbackGradually(actor, reason);
        checks.ensureScheduled();
    }

    /**
     * Promotes the candidate at once on an operator's word (a roll forward), skipping the
     * remaining steps. It refuses unless every candidate probe's last answer was UP and recent
     * (within two {@link ProbeSettings#interval()}s and a {@link ProbeSettings#timeout()} of the
     * guard's clock), and refuses during a gradual rollback;
     * {@link #promote(String, String, boolean)} overrides both.
     *
     * @param actor who asks
     * @param reason why, for the audit record
     * @throws DrException {@code ILLEGAL_STATE} when there is no candidate; when a candidate
     *     probe was DOWN or DEGRADED, gave no answer at its last poll, has not answered yet or
     *     last answered too long ago (the message names the probe and what it said); or when the
     *     guard is {@link dev.drkit.api.rollback.GuardState#ROLLING_BACK} (the message names the state)
     */
    @Override
    public void promote(String actor, String reason) {
        actions.promote(actor, reason, false);
    }

    /**
     * Promotes the candidate at once as {@link #promote(String, String)} does; with
     * {@code force}, also while a candidate probe's last answer was not UP or not recent, and
     * during a gradual rollback. A promotion that overrode either is audited as forced: the
     * {@code rollout.promote} record's verdict names the probes or the state, and its details
     * carry {@code evidence.forced=true} with {@code evidence.probesNotUp} (and
     * {@code evidence.downProbes} for the DOWN ones) or {@code evidence.forcedState}.
     *
     * @param actor who asks
     * @param reason why, for the audit record
     * @param force whether to promote even while a candidate probe is not UP, or during a gradual rollback
     * @throws DrException {@code ILLEGAL_STATE} when there is no candidate, or without
     *     {@code force} in the cases {@link #promote(String, String)} refuses
     */
    public void promote(String actor, String reason, boolean force) {
        actions.promote(actor, reason, force);
    }

    /** Applies a promotion another instance of the fleet decided; refused only while a local probe is DOWN. */
    void promoteFromFleet(String actor, String reason) {
        actions.promote(actor, reason, false, true);
    }

    /**
     * Undoes the last rollback: the rolled-back candidate resumes its rollout at the step it
     * was rolled back from, with fresh evidence and a reset circuit breaker.
     */
    @Override
    public void undoRollback(String actor, String reason) {
        actions.undoRollback(actor, reason);
    }

    /** Holds the rollout at its weight; the judge and every trigger keep watching and may still roll back. */
    @Override
    public void pause(String actor) {
        actions.setPaused(actor, true);
    }

    /** Resumes a paused or frozen rollout; the current step's time gate restarts. */
    @Override
    public void resume(String actor) {
        actions.setPaused(actor, false);
    }

    /**
     * Marks the release being rolled out (or just promoted, within the revert window) as
     * irreversible, for example after it migrated a schema: from now on an automatic or
     * conditional rollback of it freezes the rollout ({@link GuardState#FROZEN}, recorded as a
     * failing {@code rollout.freeze}) instead of switching back; an operator may still roll
     * back, promote or resume.
     *
     * @param actor who marks it
     * @param reason why, for the audit record
     * @throws DrException {@code ILLEGAL_STATE} when there is no such release
     */
    public void markIrreversible(String actor, String reason) {
        actions.markIrreversible(actor, reason);
    }

    /**
     * Starts rolling out a new candidate from the first step of the plan. When the factory
     * throws, no rollout starts and a {@link GuardEvent.RolloutFailed} is recorded.
     *
     * @param version the candidate's version name
     * @param factory creates the candidate implementation
     * @return true when the rollout started, false when the factory threw
     * @throws DrException {@code ILLEGAL_STATE} when another candidate is being rolled out;
     *     {@code INVALID_ARGUMENT} naming {@code version} when it is the stable version's name
     */
    public boolean deploy(String version, Supplier<? extends T> factory) {
        return actions.deploy(version, factory);
    }

    /**
     * Makes another implementation the stable version at once, for restoring an earlier
     * release: a rollout in progress is rolled back first (recorded as an emergency rollback),
     * then the switch itself is recorded as an emergency rollback from the current stable to
     * {@code version}.
     *
     * @param version the version to restore
     * @param impl its implementation
     * @param actor who asks
     * @param reason why
     * @return the rollback that restored the version
     */
    public RollbackEvent restore(String version, T impl, String actor, String reason) {
        return actions.restore(version, impl, actor, reason);
    }

    /**
     * Runs the scheduled checks now: polls the probes (a DOWN streak of
     * {@link ProbeSettings#downThreshold()} rolls back), evaluates the conditions, the judge,
     * the triggers and the latency limits, advances steps whose signals all have their
     * evidence, steps a gradual rollback down and lets a warm previous version go once the
     * revert window has passed. The guard's scheduler calls this every
     * {@link ProbeSettings#interval()}. Does nothing once the guard is closed.
     */
    public void runChecks() {
        checks.run();
    }

    /**
     * Returns the newest fleet decision this guard published or applied, when it was built
     * with a coordinator; its sequence is 0 while it waits to be published.
     *
     * @return the decision, or empty without a coordinator or before the first decision
     */
    public Optional<FleetDecision> lastFleetDecision() {
        return fleet == null ? Optional.empty() : fleet.last();
    }

    /**
     * Returns how many of this guard's decisions wait to be published to its fleet (the
     * coordinator could not be reached); they are retried with backoff.
     *
     * @return the count, 0 without a coordinator
     */
    public int pendingFleetDecisions() {
        return fleet == null ? 0 : fleet.pending();
    }

    /** Stops the scheduled checks, the fleet link and the threads the guard created; calls keep working. */
    @Override
    public void close() {
        if (fleet != null) {
            fleet.close();
        }
        checks.close();
    }

    static int bucket(Object key) {
        return RoutingState.bucket(key);
    }

    @Override
    public String toString() {
        RoutingState<T> s = machine.current();
        return String.format(Locale.ROOT, "GuardedRelease[%s %s stable=%s candidate=%s weight=%.4f]", name(), s.phase,
                s.stable.name, s.candidate == null ? "-" : s.candidate.name, s.weight);
    }
}
