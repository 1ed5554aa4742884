package dev.drkit.core.recovery.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.recovery.VerificationPhase;
import dev.drkit.core.recovery.ExecutionEvent.Kind;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.VerificationOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerifierTest {
    final List<Duration> pauses = new ArrayList<>();

    static HealthProbe answering(ProbeResult... answers) {
        List<ProbeResult> left = new ArrayList<>(List.of(answers));
        return () -> left.size() > 1 ? left.remove(0) : left.get(0);
    }

    Verifier verifier(Runs runs) {
        return new Verifier(runs.run, runs.rec, d -> pauses.add(d));
    }

    static Plan.Builder plan() {
        return Runs.plan().step("a", c -> {
        });
    }

    @Test
    void aVerificationRetriesItsToleratedFailuresThenPasses() {
        Runs runs = new Runs(plan().verify("orders", answering(ProbeResult.down("503"), ProbeResult.up("200")),
                VerificationPhase.AFTER, 1).build());
        Verifier v = verifier(runs);
        assertThat(v.verifyOnce(VerificationPhase.BEFORE)).isNull();
        assertThat(v.outcomes()).isEmpty();
        assertThat(v.verifyAfter()).isNull();
        assertThat(pauses).containsExactly(Duration.ofMillis(1));
        assertThat(v.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.passed()).isTrue();
            assertThat(o.checks()).isEqualTo(2);
            assertThat(o.failures()).isEqualTo(1);
        });
        assertThat(runs.kinds()).containsExactly(Kind.VERIFIED);
    }

    @Test
    void aVerificationFailsPastItsToleranceAndAThrowingProbeCountsAsDown() {
        Runs runs = new Runs(plan().verify("orders", () -> {
            throw new IllegalStateException("connection refused");
        }, VerificationPhase.BEFORE, 2).build());
        Verifier v = verifier(runs);
        assertThat(v.verifyOnce(VerificationPhase.BEFORE))
                .isEqualTo("verification orders (BEFORE) failed 3 times: IllegalStateException: connection refused");
        assertThat(pauses).hasSize(2);
        assertThat(runs.kinds()).containsExactly(Kind.VERIFICATION_FAILED);
        assertThat(runs.actions()).containsExactly("plan.verify");
    }

    @Test
    void anInterruptedPauseEndsTheRetries() {
        Runs runs = new Runs(plan().verify("orders", answering(ProbeResult.down("503"), ProbeResult.up("200")),
                VerificationPhase.BEFORE, 5).build());
        Verifier v = new Verifier(runs.run, runs.rec, d -> false);
        assertThat(v.verifyOnce(VerificationPhase.BEFORE)).contains("failed 1 times: 503");
    }

    @Test
    void aThroughoutVerificationAbortsOnceItsFailuresExceedTheTolerance() {
        Runs runs = new Runs(plan().verify("latency", answering(ProbeResult.down("slow"), ProbeResult.up("ok"),
                ProbeResult.down("slow"), ProbeResult.down("slower")), VerificationPhase.THROUGHOUT, 2).build());
        Verifier v = verifier(runs);
        assertThat(v.checkThroughout()).isNull();
        assertThat(v.checkThroughout()).isNull();
        assertThat(v.checkThroughout()).isNull();
        assertThat(v.checkThroughout()).isEqualTo("verification latency failed 3 times (tolerates 2): slower");
        assertThat(v.outcomes()).extracting(VerificationOutcome::checks).containsExactly(4);
    }

    @Test
    void aThroughoutVerificationWithinToleranceIsRecordedAsPassedAtTheEnd() {
        Runs runs = new Runs(plan().verify("latency", answering(ProbeResult.down("slow"), ProbeResult.up("ok")),
                VerificationPhase.THROUGHOUT, 1).build());
        Verifier v = verifier(runs);
        v.checkThroughout();
        v.checkThroughout();
        assertThat(v.verifyAfter()).isNull();
        assertThat(v.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.passed()).isTrue();
            assertThat(o.checks()).isEqualTo(2);
            assertThat(o.failures()).isEqualTo(1);
            assertThat(o.lastDetail()).isEqualTo("within tolerance");
        });
    }
}
