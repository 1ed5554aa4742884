package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.Judge;
import dev.drkit.api.rollback.Observation;
import dev.drkit.api.rollback.Signal;
import dev.drkit.api.rollback.SignalCounts;
import dev.drkit.api.rollback.VariantStats;
import dev.drkit.api.rollback.Verdict;
import dev.drkit.core.rollback.internal.SequentialJudge;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * A judge of the candidate's errors and of custom {@link Signal}s under one false-rollback
 * budget: alpha is split evenly between the error test and one test per signal (each signal's
 * bad events tested against the stable version's with the same sequential test as the errors,
 * baseline learnt), so that by the union bound a candidate no worse than the stable version on
 * every signal is rolled back with probability at most alpha within the horizon.
 *
 * <p>Signals are read off the call path, on the executor, at most once per read interval; a
 * read that throws, answers empty or takes longer than the read timeout gives the signal no
 * data. A signal without data never rolls back, and while any signal has none the judge never
 * says PROMOTE: it says CONTINUE and names the signal, so the rollout holds. A signal's counts
 * are judged from its first reading while the candidate has calls; when the candidate's calls
 * fall (a new rollout), the next reading is the new origin. Thread-safe.
 */
public final class SignalJudge implements Judge {
    /** Default read interval: 5 seconds. */
    public static final Duration DEFAULT_READ_INTERVAL = Duration.ofSeconds(5);
    /** Default read timeout: 2 seconds. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(2);

    private final Judge errors;
    private final List<Tracked> signals;
    private final double share;
    private final Executor executor;
    private final Clock clock;
    private final Duration interval;
    private final Duration timeout;

    private SignalJudge(JudgeConfig config, List<? extends Signal> signals, Executor executor, Clock clock,
            Duration interval, Duration timeout) {
        this.share = config.alpha() / (signals.size() + 1);
        JudgeConfig shared = config.withAlpha(share);
        this.errors = new SequentialJudge(shared);
        this.executor = executor;
        this.clock = clock;
        this.interval = interval;
        this.timeout = timeout;
        List<Tracked> list = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Signal s : signals) {
            Objects.requireNonNull(s, "signal");
            if (!names.add(s.name())) {
                throw DrException.invalidArgument("signals", "must have distinct names", s.name());
            }
            list.add(new Tracked(s, new SequentialJudge(shared.withObservedBaseline(shared.baselineRate(),
                    shared.baselinePriorCalls()))));
        }
        this.signals = List.copyOf(list);
    }

    /**
     * Returns a judge of the errors and the signals, alpha split evenly between them.
     *
     * @param config the error test's settings; its alpha is the whole budget
     * @param signals the custom signals, with distinct names
     * @param executor where signals are read
     * @param clock the clock of read intervals and timeouts
     * @param readInterval the least time between two reads of a signal, >= 0
     * @param readTimeout how long a read may take before the signal counts as silent, > 0
     * @return the judge
     * @throws DrException {@code INVALID_ARGUMENT} naming a duration out of range or a repeated signal name
     */
    public static SignalJudge of(JudgeConfig config, List<? extends Signal> signals, Executor executor, Clock clock,
            Duration readInterval, Duration readTimeout) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(signals, "signals");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(clock, "clock");
        if (readInterval.isNegative()) {
            throw DrException.invalidArgument("readInterval", "must be >= 0", readInterval);
        }
        if (readTimeout.isNegative() || readTimeout.isZero()) {
            throw DrException.invalidArgument("readTimeout", "must be > 0", readTimeout);
        }
        return new SignalJudge(config, signals, executor, clock, readInterval, readTimeout);
    }

    /**
     * Returns each test's share of the false-rollback budget: alpha / (signals + 1).
     *
     * @return the share
     */
    public double alphaShare() {
        return share;
    }

    @Override
    public Verdict judge(Observation observation) {
        Verdict e = errors.judge(observation);
        if (e.decision() == Decision.ROLLBACK) {
            return e;
        }
        Instant now = clock.instant();
        String hold = null;
        for (Tracked t : signals) {
            Reading r = t.poll(observation, now);
            if (r.counts == null) {
                if (hold == null) {
                    hold = "signal " + t.signal.name() + " has no data: " + r.problem;
                }
                continue;
            }
            SignalCounts c = r.counts;
            Observation so = new Observation(observation.guard(), stats(c.stableEvents(), c.stableBad()),
                    stats(c.candidateEvents(), c.candidateBad()), observation.candidateWeight(),
                    observation.stepElapsed());
            Verdict v = t.judge.judge(so);
            if (v.decision() == Decision.ROLLBACK) {
                Evidence ev = v.evidence();
                Map<String, String> extra = new LinkedHashMap<>(ev.extra());
                extra.put("rule", "signal");
                extra.put("signal", t.signal.name());
                extra.put("alphaShare", Double.toString(share));
                return new Verdict(Decision.ROLLBACK, "signal " + t.signal.name() + ": " + v.reason(), new Evidence(
                        ev.candidateCalls(), ev.candidateFailures(), ev.baselineCalls(), ev.baselineFailures(),
                        ev.candidateRate(), ev.baselineRate(), ev.statistic(), ev.rollbackThreshold(),
                        ev.promoteThreshold(), extra));
            }
        }
        if (hold != null) {
            return new Verdict(Decision.CONTINUE, hold, e.evidence());
        }
        return e;
    }

    /** Says whether counts can have grown from an origin: no count fell, no more bad events than events. */
    private static boolean grewFrom(SignalCounts o, SignalCounts c) {
        long stable = c.stableEvents() - o.stableEvents();
        long stableBad = c.stableBad() - o.stableBad();
        long candidate = c.candidateEvents() - o.candidateEvents();
        long candidateBad = c.candidateBad() - o.candidateBad();
        return stable >= 0 && stableBad >= 0 && stableBad <= stable && candidate >= 0 && candidateBad >= 0
                && candidateBad <= candidate;
    }

    private static VariantStats stats(long events, long bad) {
        return new VariantStats(events, bad, 0, 0, Duration.ZERO, Duration.ZERO, false);
    }

    /** What is known of a signal: counts since the origin, or why there are none. */
    private record Reading(@Nullable SignalCounts counts, String problem) {
    }

    /** One signal, its test and its reads. */
    private final class Tracked {
        final Signal signal;
        final Judge judge;
        private @Nullable SignalCounts origin;
        private @Nullable SignalCounts latest;
        private String problem = "not read yet";
        private long lastCandidateCalls;
        private @Nullable Instant lastStart;
        private @Nullable CompletableFuture<?> inFlight;
        private @Nullable Instant inFlightSince;

        Tracked(Signal signal, Judge judge) {
            this.signal = signal;
            this.judge = judge;
        }

        synchronized Reading poll(Observation o, Instant now) {
            long calls = o.candidate().calls();
            if (calls < lastCandidateCalls) {
                origin = null;
                latest = null;
                problem = "not read yet in this rollout";
            }
            lastCandidateCalls = calls;
            CompletableFuture<?> running = inFlight;
            if (running != null && !running.isDone() && inFlightSince != null
                    && !now.isBefore(inFlightSince.plus(timeout))) {
                running.cancel(true);
                inFlight = null;
                latest = null;
                problem = "no answer within " + timeout;
            }
            if (inFlight == null && (lastStart == null || !now.isBefore(lastStart.plus(interval)))) {
                lastStart = now;
                inFlightSince = now;
                CompletableFuture<Optional<SignalCounts>> read = new CompletableFuture<>();
                inFlight = read;
                read.whenComplete((value, failure) -> done(read, value, failure));
                try {
                    executor.execute(() -> {
                        try {
                            read.complete(Objects.requireNonNull(signal.read(o), "read returned null"));
                        } catch (Throwable t) {
                            read.completeExceptionally(t);
                        }
                    });
                } catch (RuntimeException rejected) {
                    read.completeExceptionally(rejected);
                }
            }
            SignalCounts l = latest;
            SignalCounts base = origin;
            if (l == null || base == null) {
                return new Reading(null, problem);
            }
            return new Reading(new SignalCounts(l.stableEvents() - base.stableEvents(),
                    l.stableBad() - base.stableBad(), l.candidateEvents() - base.candidateEvents(),
                    l.candidateBad() - base.candidateBad()), "");
        }

        private synchronized void done(CompletableFuture<?> read, @Nullable Optional<SignalCounts> value,
                @Nullable Throwable failure) {
            if (inFlight != read) {
                return;
            }
            inFlight = null;
            if (failure != null) {
                latest = null;
                problem = "read failed: " + failure;
                return;
            }
            if (value == null || value.isEmpty()) {
                latest = null;
                problem = "the signal reported no data";
                return;
            }
            SignalCounts c = value.get();
            SignalCounts base = origin;
            if (base == null || !grewFrom(base, c)) {
                // first reading, or counters that went back (a restart, a new rollout): a new origin
                origin = c;
            }
            latest = c;
            problem = "";
        }
    }
}
