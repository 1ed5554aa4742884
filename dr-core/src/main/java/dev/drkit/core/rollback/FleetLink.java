package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.coordination.SharedState;
import dev.drkit.api.coordination.StateListener;
import dev.drkit.api.coordination.StateVersion;
import dev.drkit.api.coordination.Subscription;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.core.coordination.CoordinatorConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Links one guard to its fleet: publishes the guard's own decisions to the shared state
 * {@code guard.<name>} and applies the decisions other instances published there.
 *
 * <p>The state's value holds the newest decision for each of the last {@value #MAX_VERSIONS}
 * candidate versions, so an instance that starts late, or comes back after the coordinator was
 * unreachable, applies what the fleet decided about the version it runs. Publishing happens on
 * a thread of its own, never on a caller's: a decision takes effect locally at once, and one
 * that cannot be published is retried with backoff until the coordinator answers.
 */
final class FleetLink implements GuardListener, StateListener, AutoCloseable {
    /** How many candidate versions the shared state remembers a decision for. */
    static final int MAX_VERSIONS = 16;
    private static final int MAX_REASON = 500;
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration MAX_RETRY = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(FleetLink.class);

    private final String guardName;
    private final Coordinator coordinator;
    private final SharedState state;
    private final ScheduledExecutorService publisher;
    private final ThreadLocal<Boolean> applying = ThreadLocal.withInitial(() -> false);
    private final Deque<FleetDecision> pending = new ArrayDeque<>();
    // The decisions this link published, by member, time, kind and version: a watch may deliver
    // one before its publication returns, and a guard must not apply its own decision again.
    private final Set<String> own = new HashSet<>();
    private volatile @Nullable GuardedRelease<?> guard;
    private @Nullable Subscription watch;
    private @Nullable FleetDecision last;
    private long applied;
    private Duration retry = FIRST_RETRY;
    private boolean retryScheduled;
    private volatile boolean closed;

    FleetLink(String guardName, Coordinator coordinator) {
        this.guardName = guardName;
        this.coordinator = coordinator;
        this.state = coordinator.state(stateName(guardName));
        this.publisher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dr-fleet-" + guardName);
            t.setDaemon(true);
            return t;
        });
    }

    /** The shared state of a guard's decisions; the guard's name must be a valid coordination name. */
    static String stateName(String guardName) {
        try {
            return CoordinatorConfig.requireName("name", "guard." + guardName);
        } catch (DrException e) {
            throw DrException.invalidArgument("name", "must be 1 to 122 letters, digits, '.', '_', '@' or '-' for a "
                    + "guard with a coordinator (its decisions are shared as state guard.<name>)", guardName);
        }
    }

    /** Starts applying the fleet's decisions to the guard; called once it is built and its candidate deployed. */
    void attach(GuardedRelease<?> built) {
        synchronized (this) {
            this.guard = built;
        }
        this.watch = state.watch(this);
    }

    synchronized Optional<FleetDecision> last() {
        return Optional.ofNullable(last);
    }

    synchronized int pending() {
        return pending.size();
    }

    // ------------------------------------------------------------------ publishing local decisions

    @Override
    public void onEvent(GuardEvent event) {
        if (applying.get() || closed) {
            return;
        }
        FleetDecision d = toDecision(event);
        if (d == null) {
            return;
        }
        synchronized (this) {
            pending.addLast(d);
            own.add(identity(d));
            last = d;
        }
        submitPublish();
    }

    private @Nullable FleetDecision toDecision(GuardEvent event) {
        String member = coordinator.memberId();
        if (event instanceof GuardEvent.RolledBack rb) {
            RollbackEvent e = rb.rollback();
            return new FleetDecision(0, FleetDecision.Kind.ROLLBACK, e.fromVersion(), member, e.actor(), e.reason(),
                    e.at());
        }
        if (event instanceof GuardEvent.Promoted p) {
            return new FleetDecision(0, FleetDecision.Kind.PROMOTE, p.version(), member, p.actor(),
                    p.verdict().reason(), p.at());
        }
        if (event instanceof GuardEvent.PauseChanged p) {
            GuardedRelease<?> g = guard;
            Optional<String> candidate = g == null ? Optional.empty() : g.candidateVersion();
            return candidate.map(v -> new FleetDecision(0, p.paused() ? FleetDecision.Kind.PAUSE
                    : FleetDecision.Kind.RESUME, v, member, p.actor(), p.paused() ? "paused" : "resumed", p.at()))
                    .orElse(null);
        }
        if (event instanceof GuardEvent.RollbackUndone u) {
            return new FleetDecision(0, FleetDecision.Kind.UNDO_ROLLBACK, u.candidateVersion(), member, u.actor(),
                    u.reason(), u.at());
        }
        return null;
    }

    private void submitPublish() {
        try {
            publisher.execute(this::publishPending);
        } catch (RejectedExecutionException e) {
            LOG.debug("guard {}: fleet publisher stopped", guardName);
        }
    }

    /** Publishes the queued decisions in order; on failure keeps them and retries later. */
    private void publishPending() {
        while (!closed) {
            FleetDecision next;
            synchronized (this) {
                next = pending.peekFirst();
                if (next == null) {
                    retry = FIRST_RETRY;
                    return;
                }
            }
            try {
                long seq = publish(next);
                synchronized (this) {
                    pending.pollFirst();
                    if (last == next) {
                        last = next.withSequence(seq);
                    }
                }
            } catch (RuntimeException e) {
                scheduleRetry(e);
                return;
            }
        }
    }

    private synchronized void scheduleRetry(RuntimeException cause) {
        LOG.warn("guard {}: could not share a decision with the fleet yet ({}); retrying in {}", guardName,
                cause.getMessage(), retry);
        if (retryScheduled) {
            return;
        }
        retryScheduled = true;
        Duration wait = retry;
        retry = retry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry.multipliedBy(2);
        try {
            publisher.schedule(() -> {
                synchronized (this) {
                    retryScheduled = false;
                }
                publishPending();
            }, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            retryScheduled = false;
        }
    }

    /** Appends a decision to the shared log by compare-and-set, re-reading after a lost race. */
    private long publish(FleetDecision d) {
        while (true) {
            Optional<StateVersion> current = state.read();
            long version = current.map(StateVersion::version).orElse(0L);
            List<FleetDecision> log = current.map(v -> FleetDecisionCodec.decode(v.value())).orElse(List.of());
            long seq = version + 1;
            String value = FleetDecisionCodec.encode(merge(log, d.withSequence(seq)));
            if (state.compareAndSet(version, value).isPresent()) {
                return seq;
            }
        }
    }

    /** Keeps the newest decision per version, for the newest {@link #MAX_VERSIONS} versions. */
    private static List<FleetDecision> merge(List<FleetDecision> log, FleetDecision d) {
        Map<String, FleetDecision> byVersion = new LinkedHashMap<>();
        for (FleetDecision e : log) {
            byVersion.put(e.version(), e);
        }
        String reason = d.reason().length() > MAX_REASON ? d.reason().substring(0, MAX_REASON) : d.reason();
        byVersion.put(d.version(), new FleetDecision(d.sequence(), d.kind(), d.version(), d.member(), d.actor(),
                reason, d.at()));
        List<FleetDecision> out = new ArrayList<>(byVersion.values());
        out.sort(Comparator.comparingLong(FleetDecision::sequence));
        return out.size() > MAX_VERSIONS ? out.subList(out.size() - MAX_VERSIONS, out.size()) : out;
    }

    // ------------------------------------------------------------------ applying the fleet's decisions

    @Override
    public void changed(StateVersion version) {
        if (closed) {
            return;
        }
        List<FleetDecision> log;
        try {
            log = FleetDecisionCodec.decode(version.value());
        } catch (DrException e) {
            LOG.error("guard {}: unreadable fleet decisions at version {}: {}", guardName, version.version(),
                    e.getMessage());
            return;
        }
        for (FleetDecision d : log) {
            boolean fresh;
            synchronized (this) {
                fresh = d.sequence() > applied && !own.contains(identity(d));
                if (fresh) {
                    applied = d.sequence();
                }
            }
            if (fresh) {
                apply(d);
            }
        }
    }

    private static String identity(FleetDecision d) {
        return d.member() + "|" + d.at() + "|" + d.kind() + "|" + d.version();
    }

    private void apply(FleetDecision d) {
        GuardedRelease<?> g = guard;
        if (g == null) {
            return;
        }
        String actor = "fleet:" + d.member() + ":" + d.actor();
        String reason = "fleet decision " + d.sequence() + " from " + d.member() + ": " + d.reason();
        Optional<String> candidate = g.candidateVersion();
        boolean isCandidate = candidate.isPresent() && candidate.get().equals(d.version());
        GuardState phase = g.state();
        synchronized (this) {
            // seen before it is applied, so that whoever sees the guard change also sees its cause
            last = d;
        }
        applying.set(true);
        try {
            boolean done = switch (d.kind()) {
                case ROLLBACK -> {
                    if (isCandidate || (phase == GuardState.PROMOTED && g.stableVersion().equals(d.version()))) {
                        g.rollback(actor, reason);
                        yield true;
                    }
                    yield false;
                }
                case PROMOTE -> {
                    if (isCandidate) {
                        g.promoteFromFleet(actor, reason);
                        yield true;
                    }
                    yield false;
                }
                case PAUSE -> {
                    if (isCandidate && phase == GuardState.ROLLING_OUT) {
                        g.pause(actor);
                        yield true;
                    }
                    yield false;
                }
                case RESUME -> {
                    if (isCandidate && (phase == GuardState.PAUSED || phase == GuardState.FROZEN)) {
                        g.resume(actor);
                        yield true;
                    }
                    yield false;
                }
                case UNDO_ROLLBACK -> {
                    Optional<RollbackEvent> rb = g.lastRollback();
                    if (phase == GuardState.ROLLED_BACK && rb.isPresent() && rb.get().fromVersion().equals(d.version())) {
                        g.undoRollback(actor, reason);
                        yield true;
                    }
                    yield false;
                }
            };
            LOG.info("guard {}: fleet decision {} {} {} from {} {}", guardName, d.sequence(), d.kind(), d.version(),
                    d.member(), done ? "applied" : "did not apply here (state " + phase + ")");
        } catch (DrException e) {
            // The state changed between the look and the action (another decision won): nothing to do.
            LOG.info("guard {}: fleet decision {} {} {} not applied: {}", guardName, d.sequence(), d.kind(),
                    d.version(), e.getMessage());
        } finally {
            applying.set(false);
        }
    }

    @Override
    public void close() {
        closed = true;
        Subscription w = watch;
        if (w != null) {
            w.close();
        }
        publisher.shutdownNow();
    }

    @Override
    public String toString() {
        return "FleetLink[" + guardName + " via " + coordinator.memberId() + "]";
    }
}
