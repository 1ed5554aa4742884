package dev.drkit.core.recovery.internal;

import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.recovery.Verification;
import dev.drkit.api.recovery.VerificationPhase;
import dev.drkit.core.recovery.ExecutionEvent.Kind;
import dev.drkit.core.recovery.VerificationOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The steady-state verifications of an execution: BEFORE and AFTER ones run once, retrying
 * a DOWN answer as often as they tolerate failures; THROUGHOUT ones run at every check and
 * fail once their DOWN answers exceed their tolerance. A probe that throws answers DOWN.
 */
final class Verifier {
    /** Waits between two checks of one verification; returns false when interrupted. */
    @FunctionalInterface
    interface Pause {
        boolean pause(Duration d);
    }

    private final RunState run;
    private final Recorder rec;
    private final Pause pause;
    private final List<VerificationOutcome> outcomes = new ArrayList<>();
    private final Map<String, Integer> throughoutFailures = new HashMap<>();
    private final Map<String, Integer> throughoutChecks = new HashMap<>();

    Verifier(RunState run, Recorder rec, Pause pause) {
        this.run = run;
        this.rec = rec;
        this.pause = pause;
    }

    /** Sleeps on the calling thread: verification retries wait in real time. */
    static boolean sleep(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    List<VerificationOutcome> outcomes() {
        return outcomes;
    }

    /**
     * Runs the verifications of a phase once each, allowing their tolerated failures as retries.
     *
     * @return why the first failing one failed, or null when all passed
     */
    @Nullable String verifyOnce(VerificationPhase phase) {
        for (Verification v : run.plan.verifications()) {
            if (v.phase() != phase) {
                continue;
            }
            int failures = 0;
            int checks = 0;
            ProbeResult r;
            do {
                r = probe(v);
                checks++;
                if (r.status() == HealthStatus.DOWN) {
                    failures++;
                }
            } while (r.status() == HealthStatus.DOWN && failures <= v.toleratedFailures()
                    && pause.pause(run.cfg.pollInterval()));
            boolean passed = r.status() != HealthStatus.DOWN;
            record(v, passed, checks, failures, r.detail());
            if (!passed) {
                return "verification " + v.name() + " (" + phase + ") failed " + failures + " times: " + r.detail();
            }
        }
        return null;
    }

    /**
     * Runs every THROUGHOUT verification once.
     *
     * @return why the first one past its tolerance failed, or null
     */
    @Nullable String checkThroughout() {
        for (Verification v : run.plan.verifications()) {
            if (v.phase() != VerificationPhase.THROUGHOUT) {
                continue;
            }
            ProbeResult r = probe(v);
            int failures = throughoutFailures.merge(v.name(), r.status() == HealthStatus.DOWN ? 1 : 0, Integer::sum);
            int checks = throughoutChecks.merge(v.name(), 1, Integer::sum);
            if (failures > v.toleratedFailures()) {
                record(v, false, checks, failures, r.detail());
                return "verification " + v.name() + " failed " + failures + " times (tolerates "
                        + v.toleratedFailures() + "): " + r.detail();
            }
        }
        return null;
    }

    /**
     * Runs the AFTER verifications, then records the THROUGHOUT ones as passed within tolerance.
     *
     * @return why the first failing AFTER verification failed, or null
     */
    @Nullable String verifyAfter() {
        String failed = verifyOnce(VerificationPhase.AFTER);
        if (failed != null) {
            return failed;
        }
        for (Verification v : run.plan.verifications()) {
            if (v.phase() == VerificationPhase.THROUGHOUT) {
                outcomes.add(new VerificationOutcome(v.name(), v.phase(), true,
                        throughoutChecks.getOrDefault(v.name(), 0), throughoutFailures.getOrDefault(v.name(), 0),
                        "within tolerance", run.now()));
            }
        }
        return null;
    }

    private static ProbeResult probe(Verification v) {
        try {
            return v.probe().check();
        } catch (Exception e) {
            return ProbeResult.down(RunState.describe(e));
        }
    }

    private void record(Verification v, boolean passed, int checks, int failures, String detail) {
        outcomes.add(new VerificationOutcome(v.name(), v.phase(), passed, checks, failures, detail, run.now()));
        rec.audit("plan.verify", run.plan.name() + "/" + v.name(), passed ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE,
                Map.of("phase", v.phase().name(), "checks", Integer.toString(checks), "detail", detail));
        rec.publish(null, passed ? Kind.VERIFIED : Kind.VERIFICATION_FAILED, 0, "verification " + v.name() + " "
                + (passed ? "passed" : "failed") + ": " + detail);
    }
}
