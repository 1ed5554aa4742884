package dev.drkit.core.recovery.internal;

import static dev.drkit.core.recovery.internal.Runs.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.recovery.StepState;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AttemptsTest {
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch never = new CountDownLatch(1);
    final Runs runs = new Runs(Runs.plan()
            .step("flaky", c -> {
                if (calls.incrementAndGet() < 3) {
                    throw new IllegalStateException("try " + calls.get());
                }
            }, s -> s.retry(3, Duration.ZERO))
            .step("broken", c -> {
                throw new IllegalStateException("always");
            }, s -> s.retry(2, Duration.ZERO))
            .step("stuck", c -> never.await(), s -> s.timeout(Duration.ofSeconds(30))).build());
    final Attempts attempts = new Attempts(runs.run, runs.rec);

    @AfterEach
    void close() {
        runs.executor.shutdownNow();
    }

    Signal next() throws InterruptedException {
        Signal s = runs.run.inbox.poll(30, TimeUnit.SECONDS);
        assertThat(s).as("a signal from the worker").isNotNull();
        return s;
    }

    @Test
    void aFailedAttemptIsRetriedUntilOneSucceeds() throws Exception {
        attempts.runAttempts(runs.run.step("flaky"));
        assertThat(runs.run.inbox).containsExactly(new Signal.AttemptStarted("flaky", 1),
                new Signal.AttemptStarted("flaky", 2), new Signal.AttemptStarted("flaky", 3),
                new Signal.StepDone("flaky", 3, null));
        assertThat(runs.run.step("flaky").notes).containsExactly("attempt 1 failed: IllegalStateException: try 1",
                "attempt 2 failed: IllegalStateException: try 2");
    }

    @Test
    void theLastFailureIsReportedWhenTheAttemptsRunOut() throws Exception {
        attempts.runAttempts(runs.run.step("broken"));
        runs.run.inbox.poll();
        runs.run.inbox.poll();
        Signal.StepDone done = (Signal.StepDone) runs.run.inbox.poll();
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(done.error()).hasMessage("always");
    }

    @Test
    void noAttemptStartsOnceTheRunIsStopping() {
        runs.run.stopping = true;
        attempts.runAttempts(runs.run.step("flaky"));
        Signal.StepDone done = (Signal.StepDone) runs.run.inbox.poll();
        assertThat(done.attempts()).isZero();
        assertThat(calls).hasValue(0);
    }

    @Test
    void anAttemptPastItsTimeoutByTheClockIsInterruptedAndReportedAsTimedOut() throws Exception {
        StepRun stuck = runs.run.step("stuck");
        attempts.launch(stuck);
        assertThat(stuck.state).isEqualTo(StepState.RUNNING);
        assertThat(next()).isEqualTo(new Signal.AttemptStarted("stuck", 1));
        attempts.interruptOverdue(T0.plus(Duration.ofSeconds(30)));
        assertThat(runs.run.inbox).isEmpty();
        assertThat(stuck.timedOut).isFalse();
        attempts.interruptOverdue(T0.plus(Duration.ofSeconds(31)));
        Signal.StepDone done = (Signal.StepDone) next();
        assertThat(done.error()).isInstanceOfSatisfying(DrException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(e).hasMessage("attempt 1 timed out after 30 s (ran 0 s)");
        });
    }

    @Test
    void stoppingInterruptsRunningAttemptsAndSettlesTheirSteps() throws Exception {
        StepRun stuck = runs.run.step("stuck");
        attempts.launch(stuck);
        next();
        attempts.stopAll();
        assertThat(stuck.state).isEqualTo(StepState.FAILED);
        assertThat(stuck.error).isEqualTo("interrupted: the execution stopped");
    }
}
