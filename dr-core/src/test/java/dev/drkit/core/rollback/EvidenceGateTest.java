package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.Hold;
import dev.drkit.api.rollback.HoldReason;
import dev.drkit.api.rollback.Observation;
import dev.drkit.api.rollback.VariantStats;
import dev.drkit.core.rollback.internal.VariantRecorder;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EvidenceGateTest {
    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    static final RolloutPlan PLAN = RolloutPlan.of(10, Duration.ofMinutes(1), 0.5, 1.0);
    static final GuardRules RULES = new GuardRules("g", null, JudgeConfig.DEFAULT, List.of(),
            new LatencySettings(0, 2.0, 5, Duration.ZERO));

    final Rollout rollout = new Rollout(1, new VariantRecorder(Long.MAX_VALUE), new VariantRecorder(Long.MAX_VALUE));
    final RoutingState<String> step0 = RoutingState.rolling(GuardState.ROLLING_OUT, version("v1"), version("v2"),
            rollout, 0, 0.5, T0);

    static ReleaseVersion<String> version(String name) {
        return new ReleaseVersion<>(name, name, CircuitBreaker.ofDefaults(name), null);
    }

    static EvidenceGate gate(boolean probes, MissingData noAnswer, MissingData noLatency) {
        return new EvidenceGate(PLAN, probes, 3, noAnswer, RULES, noLatency);
    }

    Observation observed(long stableCalls) {
        return new Observation("g", new VariantStats(stableCalls, 0, 0, 0, Duration.ZERO, Duration.ZERO, false),
                rollout.candidate.stats(false), 0.5, Duration.ZERO);
    }

    void candidateCalls(int n) {
        for (int i = 0; i < n; i++) {
            rollout.candidate.success(1_000);
        }
    }

    void polls(int n, Map<String, HealthStatus> last) {
        rollout.polls.addAndGet(n);
        rollout.lastProbes = last;
    }

    @Test
    void aStepWithoutItsCallsHoldsForTraffic() {
        candidateCalls(9);

        Hold h = gate(false, MissingData.HOLD, MissingData.HOLD).hold(step0, observed(100), T0.plusSeconds(3600));

        assertThat(h.reason()).isEqualTo(HoldReason.NO_TRAFFIC);
        assertThat(h.detail()).isEqualTo("step 0 has seen 9 of 10 candidate calls");
    }

    @Test
    void aStepWithItsCallsHoldsUntilItHasLastedItsDuration() {
        candidateCalls(10);
        EvidenceGate g = gate(false, MissingData.HOLD, MissingData.HOLD);

        assertThat(g.hold(step0, observed(100), T0.plusSeconds(59)).reason()).isEqualTo(HoldReason.STEP_DURATION);
        assertThat(g.hold(step0, observed(100), T0.plusSeconds(60))).isNull();
    }

    @Test
    void probesMustBePolledDownThresholdTimesSinceTheStepBeganAndBeHealthyAtTheLastPoll() {
        candidateCalls(10);
        polls(5, Map.of("db", HealthStatus.UP));
        RoutingState<String> later = RoutingState.rolling(GuardState.ROLLING_OUT, version("v1"), version("v2"),
                rollout, 1, 1.0, T0);
        candidateCalls(10);
        EvidenceGate g = gate(true, MissingData.HOLD, MissingData.HOLD);
        Instant now = T0.plusSeconds(60);

        assertThat(g.hold(later, observed(100), now).detail())
                .isEqualTo("candidate probes polled 0 of 3 times in step 1");
        polls(3, Map.of("db", HealthStatus.DOWN));
        assertThat(g.hold(later, observed(100), now).reason()).isEqualTo(HoldReason.PROBE_DOWN);
        polls(0, Map.of("db", HealthStatus.UP));
        assertThat(g.hold(later, observed(100), now)).isNull();
    }

    @Test
    void aSilentProbeHoldsUnlessSilenceIsIgnored() {
        candidateCalls(10);
        polls(3, Map.of());
        rollout.silentProbes = Set.of("db");
        Instant now = T0.plusSeconds(60);

        Hold h = gate(true, MissingData.HOLD, MissingData.HOLD).hold(step0, observed(100), now);
        assertThat(h.reason()).isEqualTo(HoldReason.PROBE_NO_DATA);
        assertThat(h.detail()).contains("db");
        assertThat(gate(true, MissingData.IGNORE, MissingData.HOLD).hold(step0, observed(100), now)).isNull();
    }

    @Test
    void latencyHoldsUntilBothVersionsHaveItsMinimumCallsUnlessIgnored() {
        candidateCalls(10);
        Instant now = T0.plusSeconds(60);

        Hold h = gate(false, MissingData.HOLD, MissingData.HOLD).hold(step0, observed(4), now);
        assertThat(h.reason()).isEqualTo(HoldReason.LATENCY_CALLS);
        assertThat(h.detail()).isEqualTo("latency needs 5 calls on each version, has 4 stable and 10 candidate");
        assertThat(gate(false, MissingData.HOLD, MissingData.IGNORE).hold(step0, observed(4), now)).isNull();
        assertThat(gate(false, MissingData.HOLD, MissingData.HOLD).hold(step0, observed(5), now)).isNull();
    }
}
