package dev.drkit.core.recovery;

import dev.drkit.testkit.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.incident.Notification;
import dev.drkit.api.recovery.Failover;
import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.Guard;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.RollbackMode;
import dev.drkit.api.rollback.TriggerKind;
import dev.drkit.api.rollback.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StepsTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    static final Duration LIMIT = Duration.ofSeconds(30);
    final ManualClock clock = ManualClock.at(T0);
    final List<String> calls = new CopyOnWriteArrayList<>();
    final RecoveryExecutor executor = RecoveryExecutor.builder().clock(clock).pollInterval(Duration.ofMillis(1)).build();
    /** Runs steps on threads the clock below recognises. */
    final ExecutorService stepThreads = Executors.newCachedThreadPool(r -> new Thread(r, "step-under-test"));
    /** What step threads read from the clock, in order. */
    final BlockingQueue<Instant> stepClockReads = new LinkedBlockingQueue<>();
    /** The test clock, noting every read made on a step thread. */
    final Clock stepClock = new Clock() {
        @Override
        public ZoneId getZone() {
            return clock.getZone();
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            Instant now = clock.instant();
            if (Thread.currentThread().getName().equals("step-under-test")) {
                stepClockReads.add(now);
            }
            return now;
        }
    };

    @AfterEach
    void close() {
        executor.close();
        stepThreads.shutdownNow();
    }

    static Plan.Builder plan() {
        return Plan.builder("p").objectives(Duration.ofMinutes(10), Duration.ofMinutes(5));
    }

    final class FakeGuard implements Guard<Runnable> {
        boolean hasCandidate = true;

        @Override
        public String name() {
            return "checkout";
        }

        @Override
        public <R> R call(Object key, Function<? super Runnable, ? extends R> fn) {
            Runnable nothing = () -> {
            };
            return fn.apply(nothing);
        }

        @Override
        public GuardState state() {
            return hasCandidate ? GuardState.ROLLING_OUT : GuardState.STABLE;
        }

        @Override
        public double candidateWeight() {
            return hasCandidate ? 0.25 : 0;
        }

        @Override
        public RollbackEvent rollback(String actor, String reason) {
            if (!hasCandidate) {
                throw new DrException(ErrorCode.ILLEGAL_STATE, "no candidate", "checkout");
            }
            hasCandidate = false;
            calls.add("rollback by " + actor + ": " + reason);
            return new RollbackEvent("checkout", RollbackMode.EMERGENCY, TriggerKind.OPERATOR, "plan", actor, reason,
                    new Verdict(Decision.ROLLBACK, reason, Evidence.NONE), "v2", "v1", T0);
        }
    }

    final class FakeFailover implements Failover {
        boolean ready = true;

        @Override
        public String describe() {
            return "orders-db primary a -> standby b";
        }

        @Override
        public void verifyReady() {
            calls.add("check");
            if (!ready) {
                throw new IllegalStateException("standby lags 40 s");
            }
        }

        @Override
        public void failover(String key) {
            calls.add("failover " + key);
        }

        @Override
        public void failback(String key) {
            calls.add("failback " + key);
        }
    }

    @Test
    void theRestoreStepReportsTheRestoredDataTimeSoTheRpoIsMeasured() {
        Plan p = plan().step("restore", Steps.restore("the latest snapshot", c -> {
            calls.add("restore " + c.mode());
            return T0.minus(Duration.ofMinutes(3));
        })).build();
        ExecutionResult r = executor.run(p, ExecutionRequest.live(), LIMIT);
        assertThat(r.restoredDataAsOf()).isEqualTo(T0.minus(Duration.ofMinutes(3)));
        assertThat(r.achievedRpo()).contains(Duration.ofMinutes(3));
        assertThat(r.step("restore").orElseThrow().notes()).anyMatch(n -> n.startsWith("restored the latest snapshot"));
        assertThat(p.step("restore").orElseThrow().step().describe()).isEqualTo("Restore the latest snapshot");
    }

    @Test
    void theRollbackStepRollsTheGuardBackLiveAndOnlyReportsInADrill() {
        FakeGuard guard = new FakeGuard();
        Plan p = plan().step("rollback", Steps.rollback(guard, "error rate 12%")).build();
        ExecutionResult drill = executor.run(p, ExecutionRequest.drill(), LIMIT);
        assertThat(drill.step("rollback").orElseThrow().notes())
                .anyMatch(n -> n.contains("would roll back guard checkout (state ROLLING_OUT"));
        assertThat(calls).isEmpty();
        assertThat(executor.run(p, ExecutionRequest.live(), LIMIT).succeeded()).isTrue();
        assertThat(calls).containsExactly("rollback by plan:p: error rate 12%");
        // a second run finds nothing to roll back and still succeeds
        assertThat(executor.run(p, ExecutionRequest.live(), LIMIT).succeeded()).isTrue();
    }

    @Test
    void theFailoverStepChecksReadinessInADrillAndFailsBackWhenALaterStepFails() {
        FakeFailover failover = new FakeFailover();
        Plan p = plan().step("failover", Steps.failover(failover))
                .step("verify", c -> {
                    throw new IllegalStateException("orders missing");
                }, s -> s.dependsOn("failover")).build();
        executor.run(p, ExecutionRequest.drill().withId("d1"), LIMIT);
        assertThat(calls).containsExactly("check");
        calls.clear();
        ExecutionResult r = executor.run(p, ExecutionRequest.live().withId("l1"), LIMIT);
        assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(calls).containsExactly("check", "failover l1/failover", "failback l1/failover");
    }

    @Test
    void theFailoverStepFailsWhenTheStandbyIsNotReady() {
        FakeFailover failover = new FakeFailover();
        failover.ready = false;
        ExecutionResult r = executor.run(plan().step("failover", Steps.failover(failover)).build(),
                ExecutionRequest.live(), LIMIT);
        assertThat(r.reason()).contains("standby lags 40 s");
        assertThat(calls).containsExactly("check");
    }

    @Test
    void theProbeStepFailsOnDownAndIsRetriedByItsPolicy() {
        List<ProbeResult> answers = new CopyOnWriteArrayList<>(List.of(ProbeResult.down("503"), ProbeResult.up("200")));
        HealthProbe probe = HealthProbe.named("orders-api", () -> answers.remove(0));
        Plan p = plan().step("probe", Steps.probe(probe, false), s -> s.retry(3, Duration.ofMillis(1))).build();
        ExecutionResult r = executor.run(p, ExecutionRequest.live(), LIMIT);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.step("probe").orElseThrow().notes()).contains("attempt 1 failed: probe orders-api answered DOWN: 503");
    }

    @Test
    void theWaitStepWaitsByTheExecutionClockAndInADrillCountsItsWaitInTheRto() throws Exception {
        Plan p = plan().step("wait", Steps.pause(Duration.ofMinutes(5)), s -> s.timeout(Duration.ofHours(1))).build();
        ExecutionResult drill = executor.run(p, ExecutionRequest.drill(), LIMIT);
        assertThat(drill.succeeded()).isTrue();
        assertThat(drill.step("wait").orElseThrow().notes())
                .containsExactly("would wait 5 min (counted in the drill's RTO)");
        // the drill skipped the wait, but a live run takes it: the RTO counts it
        assertThat(drill.plannedWaits()).isEqualTo(Duration.ofMinutes(5));
        assertThat(drill.achievedRto().orElseThrow()).isEqualTo(drill.measuredRto().orElseThrow().plusMinutes(5));

        CountDownLatch deadlineSet = new CountDownLatch(1);
        RecoveryExecutor live = RecoveryExecutor.builder().clock(stepClock).stepExecutor(stepThreads)
                .pollInterval(Duration.ofMillis(1)).listener(ev -> {
                    if (ev.kind() == ExecutionEvent.Kind.PROGRESS && ev.message().startsWith("waiting PT5M")) {
                        deadlineSet.countDown();
                    }
                }).build();
        Execution e = live.start(p, ExecutionRequest.live());
        assertThat(deadlineSet.await(30, TimeUnit.SECONDS)).as("the step set its deadline").isTrue();
        // Four minutes on, the step must look at the clock again and go on waiting.
        clock.advance(Duration.ofMinutes(4));
        awaitStepClockRead(T0.plus(Duration.ofMinutes(4)));
        assertThat(e.result()).isNotDone();
        clock.advance(Duration.ofMinutes(1));
        ExecutionResult waited = e.await(LIMIT);
        assertThat(waited.succeeded()).as(waited.reason()).isTrue();
        assertThat(waited.step("wait").orElseThrow().duration()).contains(Duration.ofMinutes(5));
        live.close();
    }

    /** Blocks until a step thread has read the clock at the given time at least twice: one loop of the wait. */
    void awaitStepClockRead(Instant at) throws InterruptedException {
        for (int seen = 0; seen < 2; ) {
            Instant read = stepClockReads.poll(30, TimeUnit.SECONDS);
            assertThat(read).as("the waiting step reads the clock").isNotNull();
            if (read.equals(at)) {
                seen++;
            }
        }
    }

    @Test
    void theNotifyStepSendsAndMarksDrills() {
        List<Notification> sent = new CopyOnWriteArrayList<>();
        Plan p = plan().step("tell", Steps.notify(sent::add, "Failover started", "orders-db fails over")).build();
        executor.run(p, ExecutionRequest.drill(), LIMIT);
        executor.run(p, ExecutionRequest.live(), LIMIT);
        assertThat(sent).extracting(Notification::subject).containsExactly("[DRILL] Failover started",
                "Failover started");
        assertThat(sent.get(1).fields()).containsEntry("plan", "p").containsEntry("step", "tell");
    }
}
