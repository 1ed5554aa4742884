package dev.drkit.core.recovery;

import dev.drkit.testkit.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.recovery.ApprovalGate;
import dev.drkit.api.recovery.CompensationStrategy;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.recovery.RecoveryStep;
import dev.drkit.api.recovery.StepContext;
import dev.drkit.api.recovery.VerificationPhase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecoveryExecutorTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    static final Duration LIMIT = Duration.ofSeconds(30);

    final ManualClock clock = ManualClock.at(T0);
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    final List<ExecutionEvent> events = new CopyOnWriteArrayList<>();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final ExecutionHistory history = new ExecutionHistory();
    RecoveryExecutor executor = newExecutor(4);

    RecoveryExecutor newExecutor(int concurrency) {
        return RecoveryExecutor.builder().clock(clock).maxConcurrency(concurrency).pollInterval(Duration.ofMillis(1))
                .audit(audit::add).meterRegistry(meters).history(history).listener(events::add).build();
    }

    @AfterEach
    void close() {
        executor.close();
    }

    /** A step that logs its name, and "undo name" when compensated. */
    RecoveryStep logging(String name) {
        return new RecoveryStep() {
            @Override
            public void execute(StepContext c) {
                log.add(name + (c.mode() == ExecutionMode.DRILL ? " (drill)" : ""));
            }

            @Override
            public void compensate(StepContext c) {
                log.add("undo " + name);
            }
        };
    }

    static RecoveryStep failing(String why) {
        return c -> {
            throw new IllegalStateException(why);
        };
    }

    static Plan.Builder plan() {
        return Plan.builder("db-recovery").objectives(Duration.ofMinutes(10), Duration.ofMinutes(5));
    }

    /** Waits, without a time assertion, until an event matching the predicate was published. */
    void awaitEvent(Predicate<ExecutionEvent> p) throws InterruptedException {
        for (int i = 0; i < 30_000 && events.stream().noneMatch(p); i++) {
            Thread.sleep(1);
        }
        assertThat(events).anyMatch(p);
    }

    @Test
    void stepsRunInDependencyOrderAndThePlanSucceeds() {
        Plan p = plan().step("fence", logging("fence")).step("restore", logging("restore"), s -> s.dependsOn("fence"))
                .step("switch", logging("switch"), s -> s.dependsOn("restore")).build();
        ExecutionResult r = executor.run(p, ExecutionRequest.live(), LIMIT);
        assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(log).containsExactly("fence", "restore", "switch");
        assertThat(r.steps()).extracting(StepOutcome::state).containsOnly(StepState.SUCCEEDED);
    }

    @Test
    void aDrillTellsEveryStepItIsADrill() {
        Plan p = plan().step("fence", logging("fence")).build();
        ExecutionResult r = executor.run(p, ExecutionRequest.drill(), LIMIT);
        assertThat(r.mode()).isEqualTo(ExecutionMode.DRILL);
        assertThat(log).containsExactly("fence (drill)");
        assertThat(audit).allMatch(e -> "DRILL".equals(e.details().get("mode")));
    }

    @Test
    void parallelBranchesRunTogetherButNeverAboveTheConcurrencyLimit() throws Exception {
        executor.close();
        executor = newExecutor(2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch twoInside = new CountDownLatch(2);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        RecoveryStep blocking = c -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            twoInside.countDown();
            try {
                release.await();
            } finally {
                running.decrementAndGet();
            }
        };
        Plan p = plan().step("a", blocking).step("b", blocking).step("c", blocking)
                .step("join", logging("join"), s -> s.dependsOn("a", "b", "c")).build();
        Execution e = executor.start(p, ExecutionRequest.live());
        assertThat(twoInside.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(e.progress().steps()).containsEntry("join", StepState.PENDING);
        assertThat(e.progress().steps().values()).filteredOn(st -> st == StepState.RUNNING).hasSize(2);
        assertThat(e.progress().steps().values()).filteredOn(st -> st == StepState.PENDING).hasSize(2);
        release.countDown();
        ExecutionResult r = e.await(LIMIT);
        assertThat(r.succeeded()).isTrue();
        assertThat(peak.get()).isEqualTo(2);
        assertThat(log).containsExactly("join");
    }

    @Test
    void aFailingStepIsRetriedWithBackoffUntilItSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        RecoveryStep flaky = c -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("connection refused");
            }
        };
        Plan p = plan().step("restore", flaky, s -> s.retry(5, Duration.ofMillis(1))).build();
        ExecutionResult r = executor.run(p, ExecutionRequest.live(), LIMIT);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.step("restore").orElseThrow().attempts()).isEqualTo(3);
        assertThat(r.step("restore").orElseThrow().notes()).contains("attempt 1 failed: IllegalStateException: connection refused");
    }

    @Test
    void completedStepsAreCompensatedInReverseOrderWhenACriticalStepFails() {
        Plan p = plan().step("fence", logging("fence")).step("restore", logging("restore"), s -> s.dependsOn("fence"))
                .step("keep", logging("keep"), s -> s.dependsOn("restore").compensation(CompensationStrategy.NEVER))
                .step("switch", failing("router said no"), s -> s.dependsOn("keep")).build();
        ExecutionResult r = executor.run(p, ExecutionRequest.live(), LIMIT);
        assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(r.reason()).contains("step switch failed").contains("router said no");
        assertThat(log).containsExactly("fence", "restore", "keep", "undo restore", "undo fence");
        assertThat(r.step("fence").orElseThrow().state()).isEqualTo(StepState.COMPENSATED);
        assertThat(r.step("keep").orElseThrow().state()).isEqualTo(StepState.SUCCEEDED);
        assertThat(r.achievedRto()).isEmpty();
        assertThat(audit).anyMatch(e -> e.action().equals("plan.compensate") && e.target().equals("db-recovery/fence"));
    }

    @Test
    void aStepCompensatedAlwaysIsUndoneEvenWhenThePlanSucceeds() {
        Plan p = plan().step("fence", logging("fence"), s -> s.compensation(CompensationStrategy.ALWAYS))
                .step("restore", logging("restore"), s -> s.dependsOn("fence")).build();
        ExecutionResult r = executor.run(p, ExecutionRequest.live(), LIMIT);
        assertThat(r.succeeded()).isTrue();
        assertThat(log).containsExactly("fence", "restore", "undo fence");
    }

    @Test
    void anOptionalStepMayFailWithoutFailingThePlanButItsDependentsDoNotRun() {
        Plan p = plan().step("notify", failing("smtp down"), s -> s.optional())
                .step("restore", logging("restore"))
                .step("announce", logging("announce"), s -> s.dependsOn("notify")).build();
        ExecutionResult r = executor.run(p, ExecutionRequest.live(), LIMIT);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.succeededCleanly()).isFalse();
        assertThat(r.step("notify").orElseThrow().state()).isEqualTo(StepState.FAILED);
        assertThat(r.step("announce").orElseThrow().state()).isEqualTo(StepState.SKIPPED);
        assertThat(log).containsExactly("restore");
    }

    @Test
    void aHangingStepTimesOutAndIsCompensated() throws Exception {
        RecoveryStep hanging = new RecoveryStep() {
            @Override
            public void execute(StepContext c) throws Exception {
                new CountDownLatch(1).await();
            }

            @Override
            public void compensate(StepContext c) {
                log.add("undo hanging");
            }
        };
        Plan p = plan().step("fence", logging("fence"))
                .step("restore", hanging, s -> s.dependsOn("fence").timeout(Duration.ofMinutes(2))).build();
        Execution e = executor.start(p, ExecutionRequest.live());
        awaitEvent(ev -> "restore".equals(ev.step()) && ev.kind() == ExecutionEvent.Kind.RUNNING);
        clock.advance(Duration.ofMinutes(3));
        ExecutionResult r = e.await(LIMIT);
        assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(r.reason()).contains("step restore failed: attempt 1 timed out after 2 min");
        assertThat(r.step("restore").orElseThrow().compensated()).isTrue();
        assertThat(log).containsExactly("fence", "undo hanging", "undo fence");
    }

    @Test
    void anApprovalIsGivenThroughTheExecutionWithActorAndComment() throws Exception {
        Plan p = plan().step("switch", logging("switch"), s -> s.approval(
                ApprovalGate.of("dba-oncall", Duration.ofMinutes(5), "incident-commander", Duration.ofMinutes(15))))
                .build();
        Execution e = executor.start(p, ExecutionRequest.live());
        awaitEvent(ev -> ev.kind() == ExecutionEvent.Kind.AWAITING_APPROVAL);
        assertThatThrownBy(() -> e.approve("ghost", "alice", "ok")).isInstanceOf(DrException.class)
                .hasMessageContaining("no step ghost");
        e.approve("switch", "alice", "standby is in sync");
        assertThatThrownBy(() -> e.reject("switch", "bob", "too late")).hasMessageContaining("step switch was decided already (approved by alice)");
        ExecutionResult r = e.await(LIMIT);
        assertThat(r.succeeded()).isTrue();
        assertThat(audit).anyMatch(a -> a.action().equals("plan.approval") && a.actor().equals("alice")
                && a.details().get("comment").equals("standby is in sync") && a.outcome() == AuditOutcome.SUCCESS);
    }

    @Test
    void peopleAreNotifiedOfApprovalsEscalationsAndTheEnd() throws Exception {
        List<dev.drkit.api.incident.Notification> sent = new CopyOnWriteArrayList<>();
        executor.close();
        executor = RecoveryExecutor.builder().clock(clock).pollInterval(Duration.ofMillis(1)).listener(events::add)
                .listener(ExecutionNotifications.to(sent::add)).build();
        Plan p = plan().step("switch", logging("switch"), s -> s.approval(
                ApprovalGate.of("dba-oncall", Duration.ofMinutes(5), "incident-commander", Duration.ofMinutes(15))))
                .build();
        Execution e = executor.start(p, ExecutionRequest.live());
        awaitEvent(ev -> ev.kind() == ExecutionEvent.Kind.AWAITING_APPROVAL);
        clock.advance(Duration.ofMinutes(6));
        awaitEvent(ev -> ev.kind() == ExecutionEvent.Kind.ESCALATED);
        e.approve("switch", "carol", "go");
        e.await(LIMIT);
        assertThat(sent).extracting(dev.drkit.api.incident.Notification::subject).containsExactly(
                "Approval needed: step switch of plan db-recovery", "Approval escalated: step switch of plan db-recovery",
                "Plan db-recovery: execution SUCCEEDED");
    }

    @Test
    void aRejectedApprovalFailsThePlanAndRunsNothingAfterIt() throws Exception {
        Plan p = plan().step("fence", logging("fence"))
                .step("switch", logging("switch"), s -> s.dependsOn("fence").approval(
                        ApprovalGate.of("dba-oncall", Duration.ofMinutes(5), "cto", Duration.ofMinutes(15))))
                .build();
        Execution e = executor.start(p, ExecutionRequest.live());
        awaitEvent(ev -> ev.kind() == ExecutionEvent.Kind.AWAITING_APPROVAL);
        e.reject("switch", "bob", "primary is back");
        ExecutionResult r = e.await(LIMIT);
        assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(r.reason()).contains("rejected by bob: primary is back");
        assertThat(log).containsExactly("fence", "undo fence");
    }

    @Test
    void anApprovalNeverGivenEscalatesThenTimesOut() throws Exception {
        Plan p = plan().step("switch", logging("switch"), s -> s.approval(
                ApprovalGate.of("dba-oncall", Duration.ofMinutes(5), "incident-commander", Duration.ofMinutes(15))))
                .build();
        Execution e = executor.start(p, ExecutionRequest.live());
        awaitEvent(ev -> ev.kind() == ExecutionEvent.Kind.AWAITING_APPROVAL);
        clock.advance(Duration.ofMinutes(6));
        awaitEvent(ev -> ev.kind() == ExecutionEvent.Kind.ESCALATED);
        assertThat(events).filteredOn(ev -> ev.kind() == ExecutionEvent.Kind.ESCALATED).first()
                .extracting(ExecutionEvent::message).asString().contains("escalated to incident-commander");
        clock.advance(Duration.ofMinutes(10));
        ExecutionResult r = e.await(LIMIT);
        assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(r.reason()).contains("approval not given within 15 min");
        assertThat(log).isEmpty();
        assertThat(audit).extracting(AuditEvent::action).contains("plan.approval.escalated");
    }

    @Test
    void cancellingInterruptsRunningStepsAndCompensatesCompletedOnes() throws Exception {
        RecoveryStep blocking = c -> new CountDownLatch(1).await();
        Plan p = plan().step("fence", logging("fence")).step("restore", blocking, s -> s.dependsOn("fence")).build();
        Execution e = executor.start(p, ExecutionRequest.live());
        awaitEvent(ev -> "restore".equals(ev.step()) && ev.kind() == ExecutionEvent.Kind.RUNNING);
        e.cancel("alice", "wrong region");
        ExecutionResult r = e.await(LIMIT);
        assertThat(r.status()).isEqualTo(ExecutionStatus.CANCELLED);
        assertThat(r.reason()).isEqualTo("cancelled by alice: wrong region");
        assertThat(log).contains("undo fence");
    }

    @Test
    void aStopConditionAbortsTheExecution() {
        Plan p = plan().step("fence", logging("fence")).step("restore", logging("restore"), s -> s.dependsOn("fence"))
                .stopWhen(progress -> progress.steps().get("fence") == StepState.SUCCEEDED
                        ? Optional.of("replication lag above 30 s") : Optional.empty())
                .build();
        ExecutionResult r = executor.run(p, ExecutionRequest.live(), LIMIT);
        assertThat(r.status()).isEqualTo(ExecutionStatus.ABORTED);
        assertThat(r.reason()).contains("replication lag above 30 s");
        assertThat(log).containsExactly("fence", "undo fence");
        assertThat(r.step("restore").orElseThrow().state()).isEqualTo(StepState.SKIPPED);
    }

    @Test
    void stopConditionsAreCheckedWhileAStepRunsAndAbortIt() throws Exception {
        RecoveryStep hanging = c -> new CountDownLatch(1).await();
        Plan p = plan().step("fence", logging("fence")).step("restore", hanging, s -> s.dependsOn("fence")
                .timeout(Duration.ofHours(1))).stopWhen(StopCondition.whenElapsedExceeds(Duration.ofMinutes(10))).build();
        Execution e = executor.start(p, ExecutionRequest.live());
        awaitEvent(ev -> "restore".equals(ev.step()) && ev.kind() == ExecutionEvent.Kind.RUNNING);
        clock.advance(Duration.ofMinutes(11));
        ExecutionResult r = e.await(LIMIT);
        assertThat(r.status()).isEqualTo(ExecutionStatus.ABORTED);
        assertThat(r.reason()).contains("longer than PT10M");
        assertThat(r.step("restore").orElseThrow().state()).isEqualTo(StepState.FAILED);
        assertThat(log).containsExactly("fence", "undo fence");
    }

    @Test
    void aThroughoutVerificationFailingBeyondItsToleranceAborts() {
        AtomicInteger checks = new AtomicInteger();
        Plan p = plan().step("a", logging("a")).step("b", logging("b"), s -> s.dependsOn("a"))
                .step("c", logging("c"), s -> s.dependsOn("b"))
                .verify("writes fenced", () -> checks.incrementAndGet() >= 1 ? ProbeResult.down("writes seen")
                        : ProbeResult.up(), VerificationPhase.THROUGHOUT, 1)
                .build();
        ExecutionResult r = executor.run(p, ExecutionRequest.live(), LIMIT);
        assertThat(r.status()).isEqualTo(ExecutionStatus.ABORTED);
        assertThat(r.reason()).contains("verification writes fenced failed 2 times (tolerates 1)");
    }

    @Test
    void aFailedBeforeVerificationRunsNothing() {
        Plan p = plan().step("a", logging("a"))
                .verify("standby healthy", () -> ProbeResult.down("standby unreachable"), VerificationPhase.BEFORE, 0)
                .build();
        ExecutionResult r = executor.run(p, ExecutionRequest.live(), LIMIT);
        assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(r.reason()).contains("standby healthy").contains("standby unreachable");
        assertThat(log).isEmpty();
    }

    @Test
    void anAfterVerificationToleratesFailuresThenPasses() {
        AtomicInteger checks = new AtomicInteger();
        Plan p = plan().step("a", logging("a"))
                .verify("orders readable", () -> checks.incrementAndGet() < 3 ? ProbeResult.down("warming up")
                        : ProbeResult.up("42 orders"), VerificationPhase.AFTER, 2)
                .build();
        ExecutionResult r = executor.run(p, ExecutionRequest.live(), LIMIT);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.verifications()).singleElement().satisfies(v -> {
            assertThat(v.passed()).isTrue();
            assertThat(v.checks()).isEqualTo(3);
        });
    }

    @Test
    void theAchievedRtoAndRpoAreMeasuredAgainstTheObjectivesAndPublishedAsMeters() {
        RecoveryStep restore = c -> {
            clock.advance(Duration.ofMinutes(4));
            c.restoredDataAsOf(T0.minus(Duration.ofMinutes(9)));
        };
        RecoveryStep verify = c -> clock.advance(Duration.ofMinutes(1));
        Plan p = plan().step("restore", restore).step("verify", verify, s -> s.dependsOn("restore"))
                .verify("ok", () -> {
                    clock.advance(Duration.ofSeconds(30));
                    return ProbeResult.up();
                }, VerificationPhase.AFTER, 0).build();
        ExecutionResult r = executor.run(p, ExecutionRequest.live().detectedAt(T0.minus(Duration.ofMinutes(2))), LIMIT);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.achievedRto()).contains(Duration.ofMinutes(7).plusSeconds(30));
        assertThat(r.rtoMet()).isTrue();
        assertThat(r.achievedRpo()).contains(Duration.ofMinutes(7));
        assertThat(r.rpoMet()).isFalse();
        assertThat(meters.get("dr.recovery.duration").tag("plan", "db-recovery").timer().count()).isEqualTo(1);
        assertThat(meters.get("dr.recovery.objective.breach").tag("objective", "rpo").counter().count()).isEqualTo(1);
        assertThat(meters.find("dr.recovery.objective.breach").tag("objective", "rto").counter()).isNull();
        assertThat(audit).filteredOn(a -> a.action().equals("plan.finish")).singleElement()
                .satisfies(a -> assertThat(a.details()).containsEntry("rto", "PT7M30S").containsEntry("rpo", "PT7M")
                        .containsEntry("rpoMet", "false"));
    }

    @Test
    void progressEventsCarryPercentDoneAndAnEtaFromEarlierRuns() {
        RecoveryStep slow = c -> clock.advance(Duration.ofMinutes(2));
        Plan p = plan().step("a", slow).step("b", slow, s -> s.dependsOn("a")).build();
        executor.run(p, ExecutionRequest.live(), LIMIT);
        assertThat(events).filteredOn(ev -> ev.kind() == ExecutionEvent.Kind.STARTED).first()
                .satisfies(ev -> assertThat(ev.progress().eta()).isNull());
        events.clear();
        executor.run(p, ExecutionRequest.live(), LIMIT);
        assertThat(events).filteredOn(ev -> ev.kind() == ExecutionEvent.Kind.STARTED).first()
                .satisfies(ev -> assertThat(ev.progress().eta()).isEqualTo(Duration.ofMinutes(4)));
        assertThat(events).filteredOn(ev -> "a".equals(ev.step()) && ev.kind() == ExecutionEvent.Kind.SUCCEEDED).first()
                .satisfies(ev -> {
                    assertThat(ev.progress().percentDone()).isEqualTo(50.0);
                    assertThat(ev.progress().eta()).isEqualTo(Duration.ofMinutes(2));
                });
        assertThat(events).extracting(ExecutionEvent::kind).contains(ExecutionEvent.Kind.RUNNING, ExecutionEvent.Kind.SUCCEEDED,
                ExecutionEvent.Kind.FINISHED);
    }

    @Test
    void aNewHistoryLearnsStepDurationsFromTheAuditLog() {
        RecoveryStep slow = c -> clock.advance(Duration.ofMinutes(3));
        Plan p = plan().step("a", slow).build();
        executor.run(p, ExecutionRequest.live(), LIMIT);
        List<dev.drkit.core.audit.AuditRecord> records = new java.util.ArrayList<>();
        long seq = 1;
        for (AuditEvent e : audit) {
            records.add(new dev.drkit.core.audit.AuditRecord(seq++, e.time(), e.actor(), e.action(), e.target(),
                    e.outcome(), e.details(), "0".repeat(64), "0".repeat(64)));
        }
        ExecutionHistory fresh = new ExecutionHistory().learnFrom(records);
        assertThat(fresh.expected("db-recovery", "a")).contains(Duration.ofMinutes(3));
        assertThat(fresh.expected("db-recovery", "b")).isEmpty();
    }

    @Test
    void sharedValuesFlowToLaterSteps() {
        List<String> seen = new CopyOnWriteArrayList<>();
        Plan p = plan().step("a", c -> c.put("snapshot", "snap-42"))
                .step("b", c -> seen.add(c.get("snapshot").orElse("none") + " " + c.idempotencyKey()),
                        s -> s.dependsOn("a"))
                .build();
        ExecutionResult r = executor.run(p, ExecutionRequest.live().withId("exec-1"), LIMIT);
        assertThat(r.succeeded()).isTrue();
        assertThat(seen).containsExactly("snap-42 exec-1/b");
    }

    @Test
    void awaitingLongerThanTheLimitIsATimeoutNotAHang() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Plan p = plan().step("a", c -> never.await()).build();
        Execution e = executor.start(p, ExecutionRequest.live());
        assertThatThrownBy(() -> e.await(Duration.ofMillis(20))).isInstanceOf(DrException.class)
                .hasMessageContaining("did not end within");
        e.cancel("test", "done");
        assertThat(e.result().get(30, TimeUnit.SECONDS).status()).isEqualTo(ExecutionStatus.CANCELLED);
    }

    @Test
    void runCancelsTheExecutionAtItsLimitSoNoFurtherStepStarts() {
        CountDownLatch never = new CountDownLatch(1);
        Plan p = plan().step("fence", logging("fence"))
                .step("restore", c -> never.await(), s -> s.dependsOn("fence"))
                .step("switch", logging("switch"), s -> s.dependsOn("restore")).build();
        assertThatThrownBy(() -> executor.run(p, ExecutionRequest.live().by("bob").withId("exec-limited"),
                Duration.ofMillis(50)))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(dev.drkit.api.ErrorCode.TIMEOUT);
                    assertThat(e.input()).isEqualTo("exec-limited");
                })
                .hasMessageContaining("did not end within 50 ms and was cancelled");
        // run returns only after the execution ended: nothing runs any more
        assertThat(events).anyMatch(ev -> ev.kind() == ExecutionEvent.Kind.FINISHED
                && ev.message().startsWith("execution CANCELLED: cancelled by bob: the run limit of 50 ms"));
        assertThat(events).anyMatch(ev -> "switch".equals(ev.step()) && ev.kind() == ExecutionEvent.Kind.SKIPPED);
        assertThat(log).containsExactly("fence", "undo fence");
        assertThat(audit).anyMatch(a -> a.action().equals("plan.cancel") && a.actor().equals("bob"));
    }
}
