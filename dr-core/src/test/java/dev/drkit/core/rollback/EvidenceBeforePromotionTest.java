package dev.drkit.core.rollback;

import java.time.Instant;
import dev.drkit.testkit.ManualClock;
import static dev.drkit.core.rollback.GuardedReleaseTest.drive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.HoldReason;
import dev.drkit.api.rollback.TriggerKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A step advances only when every configured signal has reported, and reported healthy, since it began. */
class EvidenceBeforePromotionTest {
    final ManualClock clock = ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"));
    final List<GuardEvent> events = new CopyOnWriteArrayList<>();
    final GuardSchedulingTest.CapturingScheduler scheduler = new GuardSchedulingTest.CapturingScheduler();
    final ExecutorService callers = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        callers.shutdownNow();
        scheduler.shutdownNow();
    }

    GuardedReleaseBuilder<Greeter> withDefaults(HealthProbe probe) {
        return GuardedRelease.<Greeter>builder("greeter").clock(clock).scheduler(scheduler)
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi"))
                .candidateProbe(probe).listener(events::add);
    }

    boolean advancedOrPromoted() {
        return events.stream().anyMatch(e -> e instanceof GuardEvent.WeightChanged || e instanceof GuardEvent.Promoted);
    }

    @Test
    void aCandidateWhoseProbeIsAlwaysDownIsRolledBackAndNeverPromotedUnderATightCallLoop() throws Exception {
        GuardedRelease<Greeter> g = withDefaults(HealthProbe.named("db", () -> ProbeResult.down("no connection")))
                .build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong calls = new AtomicLong();
        CountDownLatch busy = new CountDownLatch(4);
        List<Future<?>> loops = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            loops.add(callers.submit(() -> {
                for (long i = 0; !stop.get(); i++) {
                    GuardedReleaseTest.greet(g, "user-" + thread + "-" + i);
                    if (calls.incrementAndGet() % 100_000 == 0 || i == 50_000) {
                        busy.countDown();
                    }
                }
            }));
        }
        assertThat(busy.await(30, TimeUnit.SECONDS)).isTrue();
        try {
            for (int poll = 1; poll <= ProbeSettings.DEFAULT.downThreshold(); poll++) {
                assertThat(g.state()).as("before poll %d", poll).isEqualTo(GuardState.ROLLING_OUT);
                assertThat(g.snapshot().hold().reason()).isIn(HoldReason.PROBE_POLLS, HoldReason.PROBE_DOWN);
                clock.advance(ProbeSettings.DEFAULT.interval());
                scheduler.task.run();
            }
        } finally {
            stop.set(true);
        }
        for (Future<?> loop : loops) {
            loop.get(30, TimeUnit.SECONDS);
        }

        assertThat(calls.get()).isGreaterThan(100_000);
        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
        assertThat(g.lastRollback().orElseThrow().triggerKind()).isEqualTo(TriggerKind.PROBE);
        assertThat(advancedOrPromoted()).isFalse();
    }

    @Test
    void aHealthyStepAdvancesOnlyAfterItsProbesWerePolledDownThresholdTimes() {
        GuardedRelease<Greeter> g = withDefaults(HealthProbe.named("db", ProbeResult::up))
                .config(GuardConfig.DEFAULT.withJudge(GuardedReleaseTest.JUDGE)).build();

        drive(g, 50_000);
        assertThat(g.step()).isZero();
        assertThat(g.snapshot().hold().reason()).isEqualTo(HoldReason.PROBE_POLLS);
        assertThat(g.snapshot().hold().detail()).contains("polled 0 of 3");

        scheduler.task.run();
        scheduler.task.run();
        drive(g, 50_000);
        assertThat(g.step()).isZero();

        scheduler.task.run();
        drive(g, 1_000);
        assertThat(g.step()).as("%s", g.snapshot()).isEqualTo(1);
        assertThat(g.snapshot().hold().reason()).as("a new step starts its own count")
                .isIn(HoldReason.NO_TRAFFIC, HoldReason.PROBE_POLLS);
    }

    @Test
    void aProbeThatDoesNotAnswerHoldsTheStepAndSaysSoWithoutRollingBack() {
        AtomicBoolean silent = new AtomicBoolean(true);
        CountDownLatch release = new CountDownLatch(1);
        // while the probe is silent, every reading of the ticker is past the 1 s timeout, so the
        // poll gives up at once; while it answers, the ticker stands still
        AtomicLong nanos = new AtomicLong();
        AtomicBoolean timeFlies = new AtomicBoolean();
        GuardedRelease<Greeter> g = withDefaults(HealthProbe.named("db", () -> {
            if (silent.get()) {
                release.await();
            }
            return ProbeResult.up();
        })).config(GuardConfig.DEFAULT.withJudge(GuardedReleaseTest.JUDGE)
                .withProbes(new ProbeSettings(Duration.ofSeconds(5), Duration.ofSeconds(1), 3)))
                .ticker(() -> timeFlies.get() ? nanos.addAndGet(Duration.ofSeconds(2).toNanos()) : nanos.get())
                .build();
        try {
            timeFlies.set(true);
            for (int i = 0; i < 5; i++) {
                scheduler.task.run();
            }
            timeFlies.set(false);
            drive(g, 50_000);

            assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
            assertThat(g.step()).isZero();
            assertThat(g.snapshot().hold().reason()).isEqualTo(HoldReason.PROBE_NO_DATA);
            assertThat(g.snapshot().hold().detail()).contains("db");

            silent.set(false);
            scheduler.task.run();
            drive(g, 1_000);
            assertThat(g.step()).as("%s", g.snapshot()).isEqualTo(1);
            assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
        } finally {
            release.countDown();
            g.close();
        }
    }

    @Test
    void withoutTrafficTheStepHoldsAndSaysItHasNoCalls() {
        GuardedRelease<Greeter> g = withDefaults(HealthProbe.named("db", ProbeResult::up)).build();

        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofHours(1));
            scheduler.task.run();
        }

        assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
        assertThat(g.snapshot().hold().reason()).isEqualTo(HoldReason.NO_TRAFFIC);
        assertThat(g.snapshot().hold().detail()).contains("0 of 100 candidate calls");
        assertThat(advancedOrPromoted()).isFalse();
    }

    @Test
    void latencyHoldsTheStepUntilBothVersionsHaveItsMinimumCallsUnlessToldToIgnoreIt() {
        GuardConfig allCandidate = GuardConfig.DEFAULT.withJudge(GuardedReleaseTest.JUDGE)
                .withPlan(RolloutPlan.of(100, Duration.ZERO, 1.0));
        GuardedRelease<Greeter> held = GuardedRelease.<Greeter>builder("held").config(allCandidate).clock(clock)
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi")).build();
        GuardedRelease<Greeter> ignoring = GuardedRelease.<Greeter>builder("ignoring").config(allCandidate)
                .clock(clock).latencyNoData(MissingData.IGNORE)
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi")).build();

        drive(held, 5_000);
        drive(ignoring, 5_000);

        assertThat(held.state()).isEqualTo(GuardState.ROLLING_OUT);
        assertThat(held.snapshot().hold().reason()).isEqualTo(HoldReason.LATENCY_CALLS);
        assertThat(held.snapshot().hold().detail()).contains("0 stable");
        assertThat(ignoring.state()).isEqualTo(GuardState.PROMOTED);
        assertThat(ignoring.snapshot().hold()).isNull();
    }

    @Test
    void latencyCannotTreatMissingDataAsAFailure() {
        assertThatThrownBy(() -> GuardedRelease.<Greeter>builder("g").latencyNoData(MissingData.FAIL))
                .isInstanceOf(DrException.class).hasMessageContaining("latencyNoData must be HOLD or IGNORE");
    }

    @Test
    void aGuardWithProbesAndNoSchedulerPollsThemOnItsOwnThreadAndStopsOnClose() throws Exception {
        CountDownLatch polled = new CountDownLatch(2);
        GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("self-scheduled")
                .config(GuardConfig.DEFAULT.withProbes(new ProbeSettings(Duration.ofMillis(1), Duration.ofSeconds(5),
                        2)))
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi"))
                .candidateProbe(HealthProbe.named("db", () -> {
                    polled.countDown();
                    return ProbeResult.down("no connection");
                }))
                .build();

        assertThat(polled.await(30, TimeUnit.SECONDS)).isTrue();
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                g.state() != GuardState.ROLLED_BACK && System.nanoTime() < deadline; ) {
            Thread.onSpinWait();
        }
        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
        List<Thread> owned = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("dr-guard-self-scheduled")).toList();
        assertThat(owned).hasSize(1);

        g.close();

        owned.get(0).join(TimeUnit.SECONDS.toMillis(30));
        assertThat(owned.get(0).isAlive()).as("the guard's scheduler thread ends on close").isFalse();
    }
}
