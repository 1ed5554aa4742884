package dev.drkit.core.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.recovery.ApprovalGate;
import dev.drkit.api.recovery.RecoveryStep;
import dev.drkit.api.recovery.StepContext;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.ManualClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How an execution reports what went wrong: failed dependencies, optional failures, failed undos, errors. */
class ExecutionOutcomeTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    final ManualClock clock = ManualClock.at(T0);
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<ExecutionEvent> events = new CopyOnWriteArrayList<>();
    final RecoveryExecutor executor = RecoveryExecutor.builder().clock(clock).pollInterval(Duration.ofMillis(1))
            .listener(events::add).build();

    @AfterEach
    void close() {
        executor.close();
    }

    static Plan.Builder plan() {
        return Plan.builder("trial").objectives(Duration.ofMinutes(10), Duration.ofMinutes(5));
    }

    /** A step that logs its name, and whose undo logs "undo name" or throws {@code undoFailure}. */
    RecoveryStep step(String name, RuntimeException undoFailure) {
        return new RecoveryStep() {
            @Override
            public void execute(StepContext c) {
                log.add(name);
            }

            @Override
            public void compensate(StepContext c) {
                if (undoFailure != null) {
                    throw undoFailure;
                }
                log.add("undo " + name);
            }
        };
    }

    RecoveryStep step(String name) {
        return step(name, null);
    }

    RecoveryStep failing(String name, Throwable t) {
        return c -> {
            log.add(name);
            if (t instanceof Error e) {
                throw e;
            }
            throw (Exception) t;
        };
    }

    void awaitEvent(Predicate<ExecutionEvent> p) throws InterruptedException {
        for (int i = 0; i < 30_000 && events.stream().noneMatch(p); i++) {
            Thread.sleep(1);
        }
        assertThat(events).anyMatch(p);
    }

    @Test
    void aStepWhoseOptionalDependencyFailedIsNotRunAndARunWhereNoStepSucceededFails() {
        Plan p = plan().step("restore-db", failing("restore-db", new IllegalStateException("exit 1")), s -> s.optional())
                .step("switch", step("switch"), s -> s.optional().dependsOn("restore-db")).build();

        ExecutionResult r = executor.run(p, ExecutionRequest.live(), LIMIT);

        assertThat(log).containsExactly("restore-db");
        assertThat(r.step("switch").orElseThrow().state()).isEqualTo(StepState.SKIPPED);
        assertThat(r.step("switch").orElseThrow().notes()).containsExactly("not run: its dependency restore-db failed");
        assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(r.reason()).isEqualTo("no step succeeded: restore-db (IllegalStateException: exit 1)");
        assertThat(r.achievedRto()).isEmpty();
        assertThat(r.rtoMet()).isFalse();
        assertThat(events).anyMatch(e -> "switch".equals(e.step()) && e.kind() == ExecutionEvent.Kind.SKIPPED
                && e.message().equals("not run: its dependency restore-db failed"));
    }

    @Test
    void aSuccessWithFailedOptionalStepsSaysSoAndIsNotClean() {
        Plan p = plan().step("notify", failing("notify", new IllegalStateException("smtp down")), s -> s.optional())
                .step("warm-cache", step("warm-cache"), s -> s.dependsOn("notify"))
                .step("preload", step("preload"), s -> s.dependsOn("warm-cache"))
                .step("restore", step("restore")).build();

        ExecutionResult r = executor.run(p, ExecutionRequest.live(), LIMIT);

        assertThat(log).containsExactlyInAnyOrder("notify", "restore");
        assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.succeededCleanly()).isFalse();
        assertThat(r.failedSteps()).containsExactly("notify");
        assertThat(r.reason()).isEqualTo("succeeded with 1 optional step failed: notify (IllegalStateException: smtp "
                + "down); not run as a dependency failed: warm-cache, preload");
        assertThat(r.step("preload").orElseThrow().notes()).containsExactly("not run: its dependency warm-cache was not run");
        ExecutionEvent finished = events.get(events.size() - 1);
        assertThat(finished.kind()).isEqualTo(ExecutionEvent.Kind.FINISHED);
        assertThat(finished.progress().percentDone()).isEqualTo(25.0);
    }

    @Test
    void aCleanSuccessHasNoReasonAndIsDoneToAHundredPercent() {
        ExecutionResult r = executor.run(plan().step("a", step("a")).build(), ExecutionRequest.live(), LIMIT);
        assertThat(r.succeededCleanly()).isTrue();
        assertThat(r.reason()).isEmpty();
        assertThat(events.get(events.size() - 1).progress().percentDone()).isEqualTo(100.0);
    }

    @Test
    void aFailedUndoIsReportedAsCompensationIncompleteNamingTheStep() {
        Plan p = plan().step("one", step("one"))
                .step("two", step("two", new IllegalStateException("undo exited 7")), s -> s.dependsOn("one"))
                .step("three", step("three", new RuntimeException()), s -> s.dependsOn("two"))
                .step("four", failing("four", new IllegalStateException("exit 3")), s -> s.dependsOn("three")).build();

        ExecutionResult r = executor.run(p, ExecutionRequest.live(), LIMIT);

        assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(r.reason()).startsWith("step four failed: IllegalStateException: exit 3; compensation incomplete: "
                + "two, three (undo failed");
        assertThat(r.compensationIncomplete()).containsExactly("two", "three");
        assertThat(r.succeededCleanly()).isFalse();
        StepOutcome two = r.step("two").orElseThrow();
        assertThat(two.state()).isEqualTo(StepState.SUCCEEDED);
        assertThat(two.compensated()).isFalse();
        assertThat(two.compensationFailed()).isTrue();
        assertThat(two.compensationError()).isEqualTo("IllegalStateException: undo exited 7");
        assertThat(r.step("three").orElseThrow().compensationError())
                .startsWith("RuntimeException (no message, thrown at ").contains("ExecutionOutcomeTest");
        assertThat(r.step("one").orElseThrow().state()).isEqualTo(StepState.COMPENSATED);
        assertThat(events).anyMatch(e -> "two".equals(e.step()) && e.kind() == ExecutionEvent.Kind.COMPENSATION_FAILED
                && e.message().startsWith("compensation failed: IllegalStateException: undo exited 7"));
        assertThat(events).noneMatch(e -> "two".equals(e.step()) && e.kind() == ExecutionEvent.Kind.COMPENSATED);
        assertThat(events.get(events.size() - 1).progress().percentDone()).isEqualTo(75.0);
    }

    @Test
    void aFailureWithoutAMessageIsDescribedByTheFirstMessageDownItsCauses() {
        Plan p = plan().step("boom", failing("boom", new IllegalStateException(null, new IOException("disk gone"))))
                .build();
        assertThat(executor.run(p, ExecutionRequest.live(), LIMIT).reason())
                .isEqualTo("step boom failed: IllegalStateException: IOException: disk gone");
    }

    @Test
    void anErrorIsReportedAsItsOwnType() {
        Plan deep = plan().step("deep", failing("deep", new StackOverflowError())).build();
        assertThat(executor.run(deep, ExecutionRequest.live(), LIMIT).reason())
                .startsWith("step deep failed: StackOverflowError (no message, thrown at ");
        Plan asserted = plan().step("check", failing("check", new AssertionError("rows differ"))).build();
        assertThat(executor.run(asserted, ExecutionRequest.live(), LIMIT).reason())
                .isEqualTo("step check failed: AssertionError: rows differ");
    }

    @Test
    void anAttemptThatIgnoresItsTimeoutIsSaidToHaveOverrunWithHowLongItRan() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RecoveryStep stubborn = c -> {
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    // the step ignores the interruption
                }
            }
        };
        Plan p = plan().step("stubborn", stubborn, s -> s.timeout(Duration.ofMillis(500))).build();
        Execution e = executor.start(p, ExecutionRequest.live());
        awaitEvent(ev -> "stubborn".equals(ev.step()) && ev.kind() == ExecutionEvent.Kind.RUNNING);
        clock.advance(Duration.ofSeconds(3));
        Thread.sleep(50); // the coordinator looks at the clock every poll and interrupts the attempt
        release.countDown();
        ExecutionResult r = e.await(LIMIT);
        assertThat(r.reason()).isEqualTo("step stubborn failed: attempt 1 timed out after 500 ms: it overran and "
                + "ran 3 s (the step ignored the interruption)");
    }

    @Test
    void approvingTwiceSaysTheStepWasDecidedAlready() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        Plan p = plan().step("switch", c -> hold.await(), s -> s.approval(ApprovalGate.of("ops", Duration.ofHours(1), "lead",
                Duration.ofHours(2)))).build();
        Execution e = executor.start(p, ExecutionRequest.live());
        awaitEvent(ev -> ev.kind() == ExecutionEvent.Kind.AWAITING_APPROVAL);
        e.approve("switch", "bob", "go");
        assertThatThrownBy(() -> e.approve("switch", "carol", "go too")).isInstanceOf(DrException.class)
                .hasMessageStartingWith("step switch was decided already (approved by bob); it is ")
                .message().doesNotContain("not awaiting");
        hold.countDown();
        assertThat(e.await(LIMIT).succeeded()).isTrue();
    }

    @Test
    void anApprovalThatTimesOutSaysSoInWords() throws Exception {
        Plan p = plan().step("switch", step("switch"), s -> s.approval(ApprovalGate.of("ops",
                Duration.ofMinutes(5), "lead", Duration.ofMinutes(15)))).build();
        Execution e = executor.start(p, ExecutionRequest.live());
        awaitEvent(ev -> ev.kind() == ExecutionEvent.Kind.AWAITING_APPROVAL);
        clock.advance(Duration.ofMinutes(16));
        assertThat(e.await(LIMIT).reason()).isEqualTo("step switch failed: approval not given within 15 min");
    }

    @Test
    void aNullStepAndAZeroTimeoutAreRefusedNamingTheStep() {
        assertThatThrownBy(() -> plan().step("a", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("step a: the RecoveryStep is null");
        assertThatThrownBy(() -> plan().step("a", step("a"), s -> s.timeout(Duration.ZERO)))
                .isInstanceOf(DrException.class).hasMessage("step a: timeout must be > 0, but was 0 s");
    }

    @Test
    void theSameIdIsNotRunTwiceAtOnce() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        Plan p = plan().step("s1", c -> hold.await()).build();
        Execution first = executor.start(p, ExecutionRequest.live().withId("fixed-1"));
        assertThatThrownBy(() -> executor.start(p, ExecutionRequest.live().withId("fixed-1")))
                .isInstanceOf(DrException.class).hasMessageStartingWith("execution fixed-1 is running already in "
                        + "this executor (started by ")
                .satisfies(t -> assertThat(((DrException) t).code()).isEqualTo(ErrorCode.ALREADY_EXISTS));
        hold.countDown();
        assertThat(first.await(LIMIT).succeeded()).isTrue();
        // once it ended, without a journal, the id is free again
        assertThat(executor.start(p, ExecutionRequest.live().withId("fixed-1")).await(LIMIT).succeeded()).isTrue();
    }

    @Test
    void anExecutionIsNotResumedWhileItsOwnerRunsIt() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        Plan p = plan().step("s1", c -> {
            log.add("s1");
            hold.await();
        }).build();
        try (SnapshotStore store = SnapshotStores.file(dir.resolve("journal"));
                RecoveryExecutor owner = RecoveryExecutor.builder().journal(store, "executions")
                        .pollInterval(Duration.ofMillis(1)).listener(events::add).build();
                RecoveryExecutor other = RecoveryExecutor.builder().journal(store, "executions").build()) {
            Execution running = owner.start(p, ExecutionRequest.live().by("alice").withId("run-2"));
            awaitEvent(ev -> "s1".equals(ev.step()) && ev.kind() == ExecutionEvent.Kind.RUNNING);

            assertThatThrownBy(() -> other.resume(p, "run-2")).isInstanceOf(DrException.class)
                    .hasMessageStartingWith("execution run-2 is running: it is held by alice on ")
                    .hasMessageContaining("(pid " + ProcessHandle.current().pid() + ", since ")
                    .satisfies(t -> assertThat(((DrException) t).code()).isEqualTo(ErrorCode.LOCKED));
            assertThatThrownBy(() -> other.start(p, ExecutionRequest.live().withId("run-2")))
                    .isInstanceOf(DrException.class).hasMessageContaining("execution run-2 exists in the journal");

            hold.countDown();
            ExecutionResult r = running.await(LIMIT);
            assertThat(r.succeeded()).as(r.reason()).isTrue();
            assertThat(log).containsExactly("s1");
            assertThat(store.list("executions/run-2/").map(o -> o.key()))
                    .as("the lease is given up at the end").noneMatch(k -> k.endsWith("/lease"));
        }
    }
}
