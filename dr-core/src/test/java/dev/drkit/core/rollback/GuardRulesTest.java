package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.Judge;
import dev.drkit.api.rollback.Observation;
import dev.drkit.api.rollback.RollbackTrigger;
import dev.drkit.api.rollback.TriggerKind;
import dev.drkit.api.rollback.VariantStats;
import dev.drkit.api.rollback.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GuardRulesTest {
    static final JudgeConfig JUDGE = JudgeConfig.DEFAULT.withConfiguredBaseline(0.01).withAbsoluteLimits(5, true);
    static final LatencySettings LATENCY = new LatencySettings(0, 2.0, 100, Duration.ofMillis(1));

    static VariantStats stats(long calls, long failures, long consecutive, Duration p99, boolean open) {
        return new VariantStats(calls, failures, 0, consecutive, p99, p99, open);
    }

    static Observation observation(VariantStats candidate) {
        return new Observation("g", stats(1_000, 10, 0, Duration.ofMillis(10), false), candidate, 0.1, Duration.ZERO);
    }

    static GuardRules rules(List<RollbackTrigger> triggers) {
        return new GuardRules("g", null, JUDGE, triggers, LATENCY);
    }

    static RollbackTrigger trigger(String name, Optional<String> answer) {
        return new RollbackTrigger() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Optional<String> evaluate(Observation o) {
                return answer;
            }
        };
    }

    @Test
    void anOpenCircuitIsACircuitBreakerBreachNamedByItsRule() {
        GuardRules.Breach b = rules(List.of()).evaluate(observation(stats(20, 1, 1, Duration.ofMillis(10), true)))
                .breach();

        assertThat(b).isNotNull();
        assertThat(b.rule()).isEqualTo(GuardRules.Rule.CIRCUIT_OPEN);
        assertThat(b.kind()).isEqualTo(TriggerKind.CIRCUIT_BREAKER);
        assertThat(b.trigger()).isEqualTo("circuitOpen");
    }

    @Test
    void consecutiveFailuresAreACircuitBreakerBreach() {
        GuardRules.Breach b = rules(List.of()).evaluate(observation(stats(20, 5, 5, Duration.ofMillis(10), false)))
                .breach();

        assertThat(b.rule()).isEqualTo(GuardRules.Rule.CONSECUTIVE_FAILURES);
        assertThat(b.kind()).isEqualTo(TriggerKind.CIRCUIT_BREAKER);
    }

    @Test
    void theSequentialTestIsAJudgeBreachNamedAfterTheJudge() {
        GuardRules.Breach b = rules(List.of()).evaluate(observation(stats(100, 30, 0, Duration.ofMillis(10), false)))
                .breach();

        assertThat(b.rule()).isEqualTo(GuardRules.Rule.SEQUENTIAL_TEST);
        assertThat(b.kind()).isEqualTo(TriggerKind.JUDGE);
        assertThat(b.trigger()).isEqualTo("sequential");
        assertThat(b.verdict().decision()).isEqualTo(Decision.ROLLBACK);
    }

    @Test
    void aCustomJudgeIsTakenAtItsWordWhateverItsEvidenceSays() {
        Judge strict = new Judge() {
            @Override
            public Verdict judge(Observation o) {
                return new Verdict(Decision.ROLLBACK, "no", new Evidence(0, 0, 0, 0, 0, 0, 0, 0, 0,
                        java.util.Map.of("rule", "circuitOpen")));
            }
        };
        GuardRules.Breach b = new GuardRules("g", strict, JUDGE, List.of(), LATENCY)
                .evaluate(observation(VariantStats.EMPTY)).breach();

        assertThat(b.rule()).isEqualTo(GuardRules.Rule.CUSTOM_JUDGE);
        assertThat(b.kind()).isEqualTo(TriggerKind.JUDGE);
    }

    @Test
    void aTriggerThatThrowsIsSkippedAndTheNextOneIsAsked() {
        RollbackTrigger broken = new RollbackTrigger() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public Optional<String> evaluate(Observation o) {
                throw new IllegalStateException("metrics source down");
            }
        };
        GuardRules.Breach b = rules(List.of(broken, trigger("queue", Optional.empty()),
                trigger("depth", Optional.of("queue too deep")))).evaluate(observation(VariantStats.EMPTY)).breach();

        assertThat(b.rule()).isEqualTo(GuardRules.Rule.TRIGGER);
        assertThat(b.kind()).isEqualTo(TriggerKind.CUSTOM);
        assertThat(b.trigger()).isEqualTo("depth");
        assertThat(b.verdict().reason()).isEqualTo("queue too deep");
    }

    @Test
    void latencyBreachesOnlyOnceBothVersionsHaveTheirMinimumCalls() {
        GuardRules r = rules(List.of());
        VariantStats slow = stats(100, 0, 0, Duration.ofMillis(50), false);
        VariantStats slowButFew = stats(99, 0, 0, Duration.ofMillis(50), false);

        GuardRules.Breach b = r.evaluate(observation(slow)).breach();
        assertThat(b.rule()).isEqualTo(GuardRules.Rule.LATENCY);
        assertThat(b.kind()).isEqualTo(TriggerKind.LATENCY);
        assertThat(b.verdict().evidence().extra()).containsEntry("candidateP99", "PT0.05S");

        assertThat(r.evaluate(observation(slowButFew)).breach()).isNull();
        assertThat(r.latencyHasData(observation(slowButFew))).isFalse();
        assertThat(r.latencyHasData(observation(slow))).isTrue();
    }

    @Test
    void aCandidateInTheHistogramBucketExactlyTwiceTheStablesIsATieNotABreach() {
        // the guard's buckets from 8.39 and 16.78 ms end at 9,437,183 and 18,874,367 ns
        Observation tie = new Observation("g", new VariantStats(1_000, 10, 0, 0, Duration.ofNanos(9_437_183),
                Duration.ofNanos(9_437_183), false), new VariantStats(1_000, 0, 0, 0, Duration.ofNanos(18_874_367),
                Duration.ofNanos(18_874_367), false), 0.5, Duration.ZERO);

        assertThat(rules(List.of()).evaluate(tie).breach()).isNull();
    }

    @Test
    void theCandidatesP99DecidesOnlyOnceTenOfItsCallsLieAboveItItsP95Before() {
        GuardRules r = rules(List.of());
        VariantStats fewSlow = new VariantStats(999, 0, 0, 0, Duration.ofMillis(10), Duration.ofMillis(50), false);
        VariantStats fewSlowOfMore = new VariantStats(1_000, 0, 0, 0, Duration.ofMillis(10), Duration.ofMillis(50),
                false);
        VariantStats manySlow = new VariantStats(200, 0, 0, 0, Duration.ofMillis(50), Duration.ofMillis(50), false);

        assertThat(r.evaluate(observation(fewSlow)).breach()).isNull();
        assertThat(r.evaluate(observation(fewSlowOfMore)).breach().verdict().reason())
                .isEqualTo("candidate p99 50 ms exceeds 2.0x stable p99 10 ms");
        assertThat(r.evaluate(observation(manySlow)).breach().verdict().reason())
                .isEqualTo("candidate p95 50 ms (its p99 until it has 1,000 calls, 200 so far) exceeds 2.0x stable p99 10 ms");
    }

    @Test
    void aHealthyCandidateHasNoBreachAndTheJudgesVerdict() {
        GuardRules.Ruling ruling = rules(List.of()).evaluate(observation(stats(2_000, 5, 0, Duration.ofMillis(11),
                false)));

        assertThat(ruling.breach()).isNull();
        assertThat(ruling.verdict().decision()).isEqualTo(Decision.PROMOTE);
    }
}
