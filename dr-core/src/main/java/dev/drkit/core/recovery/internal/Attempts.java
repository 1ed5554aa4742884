package dev.drkit.core.recovery.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.recovery.StepPolicy;
import dev.drkit.core.recovery.ExecutionEvent.Kind;
import dev.drkit.core.recovery.StepState;
import dev.drkit.core.report.Durations;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Runs a step's attempts on the step executor: each attempt bounded by the step's timeout
 * (the coordinator interrupts an attempt that overran, by the clock), failures retried with
 * exponential backoff through Resilience4j, the outcome reported to the coordinator's inbox.
 */
final class Attempts {
    private final RunState run;
    private final Recorder rec;

    Attempts(RunState run, Recorder rec) {
        this.run = run;
        this.rec = rec;
    }

    /** Marks the step RUNNING and submits its attempts. */
    void launch(StepRun s) {
        s.state = StepState.RUNNING;
        if (s.startedAt == null) {
            s.startedAt = run.now();
        }
        run.cfg.stepExecutor().submit(() -> runAttempts(s));
    }

    /** Runs a step's attempts on a worker thread until one succeeds, retries run out, or the run stops. */
    void runAttempts(StepRun s) {
        StepPolicy policy = s.planned.policy();
        Duration backoff = policy.backoff().isZero() ? Duration.ofMillis(1) : policy.backoff();
        Retry retry = Retry.of(run.id + "/" + s.name(), RetryConfig.custom()
                .maxAttempts(policy.maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialBackoff(backoff, policy.backoffMultiplier()))
                .retryOnException(e -> !run.stopping)
                .build());
        Retry.Context<Object> rc = retry.context();
        if (run.stopping) {
            done(s, 0, new DrException(ErrorCode.CANCELLED, "the execution stopped", s.name()));
            return;
        }
        int attempt = 0;
        while (true) {
            attempt++;
            Instant began = run.now();
            synchronized (s) {
                s.thread = Thread.currentThread();
                s.attemptStartedAt = began;
                s.timedOut = false;
            }
            run.inbox.add(new Signal.AttemptStarted(s.name(), attempt));
            Throwable failure = null;
            try {
                s.planned.step().execute(new RunContext(run, s, attempt));
            } catch (Throwable t) {
                failure = t;
            }
            Duration ran = Duration.between(began, run.now());
            boolean timedOut;
            synchronized (s) {
                s.thread = null;
                timedOut = s.timedOut;
                Thread.interrupted();
            }
            if (failure == null && !timedOut) {
                rc.onComplete();
                done(s, attempt, null);
                return;
            }
            if (failure instanceof Error error && !timedOut) {
                done(s, attempt, error); // reported as itself, not retried
                return;
            }
            Exception e = timedOut ? overran(s, attempt, ran)
                    : failure instanceof Exception ex ? ex : new RuntimeException(failure);
            if (run.stopping) {
                done(s, attempt, e);
                return;
            }
            s.notes.add("attempt " + attempt + " failed: " + RunState.describe(e));
            try {
                rc.onError(e);
            } catch (Exception exhausted) {
                done(s, attempt, e);
                return;
            }
        }
    }

    /**
     * The failure of an attempt that was interrupted at its timeout: how long it ran says
     * whether it stopped when interrupted or overran, ignoring the interruption.
     */
    private static DrException overran(StepRun s, int attempt, Duration ran) {
        Duration timeout = s.planned.policy().timeout();
        boolean ignored = ran.compareTo(timeout.multipliedBy(2)) > 0 && ran.minus(timeout).toMillis() >= 1000;
        return new DrException(ErrorCode.TIMEOUT, "attempt " + attempt + " timed out after " + Durations.human(timeout)
                + (ignored ? ": it overran and ran " + Durations.human(ran) + " (the step ignored the interruption)"
                        : " (ran " + Durations.human(ran) + ")"), s.name());
    }

    private void done(StepRun s, int attempts, Throwable error) {
        run.inbox.add(new Signal.StepDone(s.name(), attempts, error));
    }

    /** Interrupts every running attempt that has overrun its step's timeout by the clock. */
    void interruptOverdue(Instant now) {
        for (StepRun s : run.steps()) {
            if (s.state != StepState.RUNNING) {
                continue;
            }
            synchronized (s) {
                Instant st = s.attemptStartedAt;
                if (s.thread != null && st != null && !s.timedOut
                        && Duration.between(st, now).compareTo(s.planned.policy().timeout()) > 0) {
                    s.timedOut = true;
                    s.thread.interrupt();
                }
            }
        }
    }

    /**
     * Stops the run's attempts: interrupts those running and waits, up to the longest of
     * their timeouts by the clock, for them to report back; a step that never does is
     * abandoned as FAILED.
     */
    void stopAll() {
        run.stopping = true;
        Duration longest = Duration.ZERO;
        for (StepRun s : run.steps()) {
            if (s.state == StepState.RUNNING) {
                synchronized (s) {
                    if (s.thread != null) {
                        s.thread.interrupt();
                    }
                }
                if (s.planned.policy().timeout().compareTo(longest) > 0) {
                    longest = s.planned.policy().timeout();
                }
            }
        }
        Instant deadline = run.now().plus(longest);
        while (run.anyIn(StepState.RUNNING)) {
            Signal sig;
            try {
                sig = run.inbox.poll(run.cfg.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (sig instanceof Signal.StepDone d) {
                settle(d);
            } else if (run.now().isAfter(deadline)) {
                abandonRunning();
            }
        }
    }

    private void settle(Signal.StepDone d) {
        StepRun s = run.step(d.step());
        s.attempts = Math.max(s.attempts, d.attempts());
        s.endedAt = run.now();
        if (d.error() == null) {
            s.state = StepState.SUCCEEDED;
            run.completionOrder.add(s.name());
            rec.journalStep(s, StepState.SUCCEEDED);
        } else if (d.attempts() == 0) {
            s.state = StepState.SKIPPED;
            rec.publish(s.name(), Kind.SKIPPED, 0, "not run: the execution stopped");
        } else {
            s.state = StepState.FAILED;
            s.error = "interrupted: the execution stopped";
            rec.journalStep(s, StepState.FAILED);
            rec.publish(s.name(), Kind.FAILED, d.attempts(), s.error);
        }
    }

    private void abandonRunning() {
        for (StepRun s : run.steps()) {
            if (s.state == StepState.RUNNING) {
                s.state = StepState.FAILED;
                s.endedAt = run.now();
                s.error = "did not stop when interrupted; abandoned";
                rec.publish(s.name(), Kind.FAILED, s.attempts, s.error);
            }
        }
    }
}
