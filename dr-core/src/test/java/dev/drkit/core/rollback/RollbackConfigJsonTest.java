package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackConfigJsonTest {
    private static final String FULL = """
            {
              "guards": {
                "checkout": {
                  "judge": { "alpha": 0.01, "baselineSource": "configured", "baselineRate": 0.02, "regressionRatio": 4 },
                  "plan": { "steps": [ { "weight": 0.01, "minCalls": 200 }, { "weight": 0.25, "minDuration": "5m" },
                                       { "weight": 1.0, "minCalls": 1000, "minDuration": "PT1H" } ] },
                  "circuitBreaker": { "failureRateThreshold": 40, "ignoreExceptions": ["java.lang.IllegalArgumentException"] },
                  "probes": { "interval": "5s", "timeout": "500ms", "downThreshold": 2 },
                  "latency": { "maxP99Ratio": 1.5, "minCalls": 100, "slack": "2ms" },
                  "retryOnStable": true,
                  "revertWindow": "30m"
                },
                "search": {}
              }
            }
            """;

    private static String withGuard(String guardJson) {
        return "{\"guards\": {\"checkout\": " + guardJson + "}}";
    }

    private static void rejects(String json, String message) {
        assertThatThrownBy(() -> RollbackConfigJson.parse(json)).isInstanceOfSatisfying(DrException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void aFileIsReadWithDefaultsForEverySettingLeftOut(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rollback_config.json");
        Files.writeString(file, FULL);

        RollbackConfig config = RollbackConfigJson.read(file);

        assertThat(config.guards().keySet()).containsExactly("checkout", "search");
        GuardConfig checkout = config.guard("checkout");
        assertThat(checkout.judge().alpha()).isEqualTo(0.01);
        assertThat(checkout.judge().baselineSource()).isEqualTo(BaselineSource.CONFIGURED);
        assertThat(checkout.judge().horizon()).isEqualTo(JudgeConfig.DEFAULT_HORIZON);
        assertThat(checkout.plan().steps()).extracting(RolloutStep::weight).containsExactly(0.01, 0.25, 1.0);
        assertThat(checkout.plan().step(1).minDuration()).isEqualTo(Duration.ofMinutes(5));
        assertThat(checkout.plan().step(2).minDuration()).isEqualTo(Duration.ofHours(1));
        assertThat(checkout.circuitBreaker().failureRateThreshold()).isEqualTo(40f);
        assertThat(checkout.circuitBreaker().ignoreExceptions()).containsExactly("java.lang.IllegalArgumentException");
        assertThat(checkout.probes().timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(checkout.latency().slack()).isEqualTo(Duration.ofMillis(2));
        assertThat(checkout.retryOnStable()).isTrue();
        assertThat(checkout.revertWindow()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.guard("search")).isEqualTo(GuardConfig.DEFAULT);
    }

    @Test
    void aGuardBuiltFromTheFileUsesItsSettings() {
        GuardConfig checkout = RollbackConfigJson.parse(FULL).guard("checkout");

        GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder("checkout").config(checkout)
                .stable("v1", Greeter.saying("hello")).candidate("v2", () -> Greeter.saying("hi")).build();

        assertThat(g.candidateWeight()).isEqualTo(0.01);
        g.close();
    }

    @Test
    void alphaOutsideTheOpenUnitIntervalIsRejectedNamingTheFieldAndTheValue() {
        rejects(withGuard("{\"judge\": {\"alpha\": 1.5}}"),
                "guards.checkout.judge.alpha must be in (0, 1), but was 1.5");
        rejects(withGuard("{\"judge\": {\"alpha\": 0}}"),
                "guards.checkout.judge.alpha must be in (0, 1), but was 0.0");
    }

    @Test
    void aNegativeWeightIsRejectedNamingTheStep() {
        rejects(withGuard("{\"plan\": {\"steps\": [{\"weight\": 0.1}, {\"weight\": -0.5}]}}"),
                "guards.checkout.plan.steps[1].weight must be in (0, 1], but was -0.5");
    }

    @Test
    void stepsThatDoNotIncreaseAreRejectedNamingTheStep() {
        rejects(withGuard("{\"plan\": {\"steps\": [{\"weight\": 0.5}, {\"weight\": 0.25}]}}"),
                "guards.checkout.plan.steps[1].weight must be > steps[0].weight (0.5), but was 0.25");
        rejects(withGuard("{\"plan\": {\"steps\": []}}"), "guards.checkout.plan.steps must not be empty, but was []");
    }

    @Test
    void unknownSettingsWrongTypesAndBadDurationsAreRejectedNamingTheField() {
        assertThatThrownBy(() -> RollbackConfigJson.parse(withGuard("{\"judge\": {\"alhpa\": 0.1}}")))
                .hasMessageStartingWith("guards.checkout.judge.alhpa is not a known setting");
        rejects(withGuard("{\"judge\": {\"alpha\": \"high\"}}"),
                "guards.checkout.judge.alpha must be a number, but was \"high\"");
        rejects(withGuard("{\"probes\": {\"timeout\": \"soon\"}}"),
                "guards.checkout.probes.timeout must be a duration such as \"PT5S\" or \"5s\", but was \"soon\"");
        rejects(withGuard("{\"judge\": {\"baselineSource\": \"GUESSED\"}}"),
                "guards.checkout.judge.baselineSource must be one of [CONFIGURED, OBSERVED], but was \"GUESSED\"");
        rejects(withGuard("{\"probes\": {\"downThreshold\": 0}}"),
                "guards.checkout.probes.downThreshold must be > 0, but was 0");
        rejects(withGuard("{\"gradualBatches\": 2.5}"), "guards.checkout.gradualBatches must be a whole number, but was 2.5");
    }

    @Test
    void durationsAreWrittenAsPlanFilesWriteThemAndANegativeOneIsRefusedNamingTheField() {
        GuardConfig g = RollbackConfigJson.parse(withGuard("{\"revertWindow\": \"1h30m\", \"probes\": {\"timeout\": "
                + "\"1s 500ms\"}, \"latency\": {\"slack\": \"2MS\"}}")).guard("checkout");
        assertThat(g.revertWindow()).isEqualTo(Duration.ofMinutes(90));
        assertThat(g.probes().timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(g.latency().slack()).isEqualTo(Duration.ofMillis(2));

        rejects(withGuard("{\"revertWindow\": \"-5m\"}"),
                "guards.checkout.revertWindow must be a duration of 0 or more, but was \"-5m\"");
        rejects(withGuard("{\"latency\": {\"slack\": \"PT-1S\"}}"),
                "guards.checkout.latency.slack must be a duration of 0 or more, but was \"PT-1S\"");
        rejects(withGuard("{\"revertWindow\": \"5 minutes\"}"),
                "guards.checkout.revertWindow must be a duration such as \"PT5S\" or \"5s\", but was \"5 minutes\"");
        rejectsProperties(Map.of("revert-window", "-1h"),
                "dr.guards.checkout.revert-window must be a duration of 0 or more, but was -1h");
        assertThat(fromProperties(Map.of("revert-window", "1h 5m")).revertWindow()).isEqualTo(Duration.ofMinutes(65));
    }

    @Test
    void malformedJsonAndAMissingFileAreReportedPlainly(@TempDir Path dir) {
        assertThatThrownBy(() -> RollbackConfigJson.parse("{\"guards\": ")).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG));
        assertThatThrownBy(() -> RollbackConfigJson.read(dir.resolve("absent.json")))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> RollbackConfigJson.parse(FULL).guard("payments"))
                .hasMessage("no guard named 'payments' (guards: checkout, search)");
    }

    @Test
    void anyValidConfigurationRoundTripsThroughJson() {
        long seed = 20260105L;
        qt().withFixedSeed(seed).withExamples(200)
                .forAll(doubles().between(1e-4, 0.5), doubles().between(1e-4, 0.2), integers().between(1, 6),
                        longs().between(0, 100_000))
                .checkAssert((alpha, rate, steps, minCalls) -> {
                    List<RolloutStep> list = new ArrayList<>();
                    for (int i = 1; i <= steps; i++) {
                        list.add(new RolloutStep((double) i / steps, minCalls + i, Duration.ofMillis(minCalls * i)));
                    }
                    GuardConfig g = GuardConfig.DEFAULT
                            .withJudge(JudgeConfig.DEFAULT.withAlpha(alpha).withRegressionRatio(2)
                                    .withConfiguredBaseline(rate))
                            .withPlan(new RolloutPlan(list)).withShadow(minCalls % 2 == 0)
                            .withRevertWindow(Duration.ofSeconds(minCalls));
                    RollbackConfig config = new RollbackConfig(Map.of("g", g));

                    assertThat(RollbackConfigJson.parse(RollbackConfigJson.write(config)))
                            .as("seed %d", seed).isEqualTo(config);
                });
    }

    private static GuardConfig fromProperties(Map<String, String> settings) {
        return RollbackConfigJson.fromProperties("dr.guards", Map.of("checkout", settings)).guard("checkout");
    }

    private static void rejectsProperties(Map<String, String> settings, String message) {
        assertThatThrownBy(() -> fromProperties(settings)).isInstanceOfSatisfying(DrException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void propertiesBindTheSameModelAsTheFile() {
        Map<String, String> props = new java.util.LinkedHashMap<>();
        props.put("judge.alpha", "0.01");
        props.put("judge.baseline-source", "configured");
        props.put("judge.baseline-rate", "0.02");
        props.put("judge.regression-ratio", "4");
        props.put("plan.steps[0].weight", "0.01");
        props.put("plan.steps[0].min-calls", "200");
        props.put("plan.steps.1.weight", "0.25");
        props.put("plan.steps.1.min-duration", "5m");
        props.put("plan.steps[2].weight", "1.0");
        props.put("plan.steps[2].min-calls", "1000");
        props.put("plan.steps[2].min-duration", "PT1H");
        props.put("circuit-breaker.failure-rate-threshold", "40");
        props.put("circuit-breaker.ignore-exceptions", "java.lang.IllegalArgumentException");
        props.put("probes.interval", "5s");
        props.put("probes.timeout", "500ms");
        props.put("probes.down-threshold", "2");
        props.put("latency.max-p99-ratio", "1.5");
        props.put("latency.min-calls", "100");
        props.put("latency.slack", "2ms");
        props.put("retry-on-stable", "true");
        props.put("revert-window", "30m");

        assertThat(fromProperties(props)).isEqualTo(RollbackConfigJson.parse(FULL).guard("checkout"));
        assertThat(fromProperties(Map.of())).isEqualTo(GuardConfig.DEFAULT);
    }

    @Test
    void aPlanMayListWeightsThatShareItsGates() {
        GuardConfig g = fromProperties(Map.of("plan.steps", "0.1, 0.5,1", "plan.min-calls", "200",
                "plan.min-duration", "1m", "shadow", "true", "gradual-batches", "2"));
        assertThat(g.plan()).isEqualTo(RolloutPlan.of(200, Duration.ofMinutes(1), 0.1, 0.5, 1.0));
        assertThat(g.shadow()).isTrue();
        assertThat(g.gradualBatches()).isEqualTo(2);
        assertThat(RollbackConfigJson.parse(withGuard("{\"plan\": {\"minCalls\": 7, \"steps\": [0.5, {\"weight\": 1}]}}"))
                .guard("checkout").plan()).isEqualTo(RolloutPlan.of(7, Duration.ZERO, 0.5, 1.0));
    }

    @Test
    void aBadPropertyIsNamedInKebabCaseWithItsValue() {
        rejectsProperties(Map.of("judge.alpha", "2"), "dr.guards.checkout.judge.alpha must be in (0, 1), but was 2.0");
        rejectsProperties(Map.of("judge.max-consecutive-failures", "-1"),
                "dr.guards.checkout.judge.max-consecutive-failures must be >= 0, but was -1");
        rejectsProperties(Map.of("latency.slack", "soon"),
                "dr.guards.checkout.latency.slack must be a duration such as \"PT5S\" or \"5s\", but was soon");
        rejectsProperties(Map.of("shadow", "maybe"), "dr.guards.checkout.shadow must be true or false, but was maybe");
        rejectsProperties(Map.of("plan.steps", "0.5,0.2"),
                "dr.guards.checkout.plan.steps[1].weight must be > steps[0].weight (0.5), but was 0.2");
        assertThatThrownBy(() -> fromProperties(Map.of("circuit-breaker.failure-rate-treshold", "10")))
                .hasMessageStartingWith("dr.guards.checkout.circuit-breaker.failure-rate-treshold is not a known "
                        + "setting; did you mean 'failure-rate-threshold'?");
    }
}
