package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SimulateRollbackCommandTest {

    private static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            int code = DrCommand.run(args);
            assertThat(code).as("exit code").isZero();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theDocumentedSimulationMeetsTheDetectionTargets() {
        String out = run("simulate", "rollback", "--baseline-error", "0.01", "--candidate-error", "0.05",
                "--alpha", "0.05", "--horizon", "20000", "--runs", "10000", "--seed", "1", "--json");
        JsonNode json = JsonMapper.builder().build().readTree(out);
        System.out.println(out);

        assertThat(json.get("falseRollbackRate").asDouble()).isLessThanOrEqualTo(0.05);
        assertThat(json.get("missedRollbackRate").asDouble()).isLessThanOrEqualTo(0.01);
        assertThat(json.get("meanCallsToRollback").asDouble()).isLessThanOrEqualTo(1.25 * 72.6);
        assertThat(json.get("medianCallsToRollback").asDouble()).isPositive();
        assertThat(json.get("p90CallsToRollback").asDouble())
                .isGreaterThanOrEqualTo(json.get("medianCallsToRollback").asDouble());
    }

    @Test
    void theSameSeedGivesTheSameFigures() {
        String first = run("simulate", "rollback", "--candidate-error", "0.05", "--runs", "300", "--json");
        String second = run("simulate", "rollback", "--candidate-error", "0.05", "--runs", "300", "--json");

        assertThat(first.replaceAll("\"elapsedMillis\" : \\d+", ""))
                .isEqualTo(second.replaceAll("\"elapsedMillis\" : \\d+", ""));
    }

    @Test
    void withoutJsonTheFiguresArePrintedForAPerson() {
        String out = run("simulate", "rollback", "--candidate-error", "0.2", "--runs", "200");

        assertThat(out).contains("calls to rollback: mean").contains("false rollbacks");
    }

    @Test
    void aGuardFromAConfigFileIsSimulatedWithItsOwnJudge(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("rollback_config.json");
        java.nio.file.Files.writeString(file, """
                {"guards": {"checkout": {"judge": {"alpha": 0.01, "regressionRatio": 5}}, "search": {}}}
                """);

        String out = run("simulate", "rollback", "--config", file.toString(), "--guard", "checkout",
                "--baseline-error", "0.01", "--candidate-error", "0.05", "--runs", "500", "--json");
        JsonNode json = JsonMapper.builder().build().readTree(out);

        assertThat(json.get("alpha").asDouble()).isEqualTo(0.01);
        assertThat(json.get("regressionRatio").asDouble()).isEqualTo(5.0);
        assertThat(json.get("informationLimit").asDouble()).isGreaterThan(100);
    }

    @Test
    void theHorizonIsTheJudgesAsWellAsTheTrialsWithoutTheSweep(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("rollback_config.json");
        java.nio.file.Files.writeString(file, """
                {"guards": {"checkout": {"judge": {"horizon": 1000}}, "huge": {"judge": {"horizon": 500000}}}}
                """);

        // The judge calibrated over 1000 calls, whether --horizon or the guard's judge says so.
        String given = run("simulate", "rollback", "--candidate-error", "0.02", "--horizon", "1000", "--runs", "300",
                "--json");
        String configured = run("simulate", "rollback", "--config", file.toString(), "--guard", "checkout",
                "--candidate-error", "0.02", "--runs", "300", "--json");
        String longer = run("simulate", "rollback", "--candidate-error", "0.02", "--horizon", "1000", "--config",
                file.toString(), "--guard", "huge", "--runs", "300", "--json");

        assertThat(configured.replaceAll("\"elapsedMillis\" : \\d+", ""))
                .isEqualTo(given.replaceAll("\"elapsedMillis\" : \\d+", ""));
        assertThat(longer.replaceAll("\"elapsedMillis\" : \\d+", ""))
                .isEqualTo(given.replaceAll("\"elapsedMillis\" : \\d+", ""));
        assertThat(JsonMapper.builder().build().readTree(configured).get("horizon").asLong()).isEqualTo(1000);
        assertThat(run("simulate", "rollback", "--config", file.toString(), "--guard", "checkout",
                "--candidate-error", "0.02", "--runs", "20")).contains("20 runs of at most 1000 calls");
        assertThat(failure("simulate", "rollback", "--config", file.toString(), "--guard", "huge",
                "--candidate-error", "0.02")).startsWith("dr: the judge of --guard huge in " + file
                + " has a horizon of 500000 calls, more than the 200000 a simulation runs; give --horizon");
    }

    @Test
    void anUnknownGuardInTheConfigIsAFailureNamingTheGuards(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("rollback_config.json");
        java.nio.file.Files.writeString(file, "{\"guards\": {\"checkout\": {}, \"search\": {}}}");
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = DrCommand.newCommandLine();
        cl.setErr(new java.io.PrintWriter(err));

        int code = cl.execute("simulate", "rollback", "--config", file.toString(), "--candidate-error", "0.05");

        assertThat(code).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--guard must name one of the guards").contains("checkout, search");
    }

    @Test
    void anInvalidAlphaIsAUsageErrorNamingTheField() {
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = DrCommand.newCommandLine();
        cl.setErr(new java.io.PrintWriter(err));
        int code = cl.execute("simulate", "rollback", "--candidate-error", "0.05", "--alpha", "1.5");

        assertThat(code).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("alpha must be in (0, 1), but was 1.5");
    }

    private static String failure(String... args) {
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = DrCommand.newCommandLine();
        cl.setErr(new java.io.PrintWriter(err));
        int code = cl.execute(args);

        assertThat(code).as("exit code of %s", String.join(" ", args)).isEqualTo(DrCommand.EXIT_USAGE);
        return err.toString();
    }

    @Test
    void theSweepPrintsEveryCellWithTheBaselineKnownAndLearnt() {
        String out = run("simulate", "rollback", "--sweep", "--baselines", "0.01,0.05", "--ratios", "2,10",
                "--runs", "200");

        assertThat(out).contains("mixture test").contains("known").contains("learnt");
        assertThat(out.lines().filter(l -> l.startsWith("1% ") || l.startsWith("5% ")).count()).isEqualTo(4);
        assertThat(out).containsPattern("5%\\s+10.0x\\s+3.6\\*").contains("known worst");
    }

    @Test
    void aSweepCellWhereNoTrialRolledBackShowsADashExplainedInTheLegendNotNaN() {
        // Ten calls at 0.1% and 0.15% errors: hardly any failure, so no trial rolls back.
        String out = run("simulate", "rollback", "--sweep", "--baselines", "0.001", "--ratios", "1.5",
                "--horizon", "10", "--runs", "50");

        assertThat(out).doesNotContain("NaN").contains("- where no trial rolled back");
        assertThat(out).containsPattern("(?m)^0\\.1%\\s+1\\.5x\\s+\\S+\\s+-\\s");
    }

    @Test
    void theSweepAsJsonHasOneEntryPerCell() {
        JsonNode json = JsonMapper.builder().build().readTree(run("simulate", "rollback", "--sweep", "--baselines",
                "0.02", "--ratios", "3,5", "--runs", "200", "--json"));

        assertThat(json.get("cells")).hasSize(2);
        JsonNode cell = json.get("cells").get(0);
        assertThat(cell.get("ratio").asDouble()).isEqualTo(3.0);
        assertThat(cell.get("known").get("missedRollbackRate").asDouble()).isLessThanOrEqualTo(0.01);
        assertThat(cell.get("learnt").get("ratioToInformationLimit").asDouble()).isPositive();
        // Learning the baseline costs any test: the learnt limit is above the known one.
        assertThat(cell.get("learntInformationLimit").asDouble()).isGreaterThan(cell.get("informationLimit").asDouble());
        assertThat(cell.get("learntToLearntLimit").asDouble()).isLessThan(cell.get("learnt")
                .get("ratioToInformationLimit").asDouble());
        assertThat(json.get("worstLearntToLearntLimit").asDouble())
                .isGreaterThanOrEqualTo(json.get("medianLearntToLearntLimit").asDouble());
        assertThat(json.get("worstKnown").asDouble()).isGreaterThanOrEqualTo(json.get("medianKnown").asDouble());
    }

    @Test
    void aSweepWithInvalidRangesIsAUsageErrorNamingTheFlag() {
        assertThat(failure("simulate", "rollback", "--sweep", "--baselines", "0.01,1.5"))
                .contains("--baselines must each be in (0, 1), but was 1.5");
        assertThat(failure("simulate", "rollback", "--sweep", "--ratios", "2,0.5"))
                .contains("--ratios must each be > 1, but was 0.5");
        assertThat(failure("simulate", "rollback", "--sweep", "--baselines", "0.2", "--ratios", "6"))
                .contains("--ratios times the largest baseline (0.2) must be < 1");
        assertThat(failure("simulate", "rollback", "--sweep", "--runs", "0")).contains("--runs must be > 0");
        assertThat(failure("simulate", "rollback", "--sweep", "--horizon", "-5")).contains("--horizon");
        assertThat(failure("simulate", "rollback", "--sweep", "--stable-calls-per-candidate-call", "0"))
                .contains("--stable-calls-per-candidate-call");
        assertThat(failure("simulate", "rollback", "--baselines", "0.01")).contains("--baselines and --ratios need --sweep");
        assertThat(failure("simulate", "rollback")).contains("--candidate-error is required without --sweep");
    }

    @Test
    void aRejectedValueIsNamedByTheOptionTypedNotByAFieldName() {
        assertThat(failure("simulate", "rollback", "--candidate-error", "1.5"))
                .isEqualTo("dr: --candidate-error must be in (0, 1), but was 1.5\n");
        assertThat(failure("simulate", "rollback", "--candidate-error", "0.05", "--baseline-error", "1.5"))
                .isEqualTo("dr: --baseline-error must be in (0, 1), but was 1.5\n");
        assertThat(failure("simulate", "rollback", "--candidate-error", "0.05", "--regression-ratio", "0.5"))
                .isEqualTo("dr: --regression-ratio must be > 1, but was 0.5\n");
        assertThat(failure("simulate", "rollback", "--sweep", "--regression-ratio", "0.5"))
                .isEqualTo("dr: --regression-ratio must be > 1, but was 0.5\n");
        assertThat(failure("simulate", "rollback", "--candidate-error", "0.05", "--baseline-error", "0.4"))
                .isEqualTo("dr: --regression-ratio times --baseline-error (0.4) must be < 1, but was 3.0\n");
        assertThat(failure("simulate", "rollback", "--candidate-error", "0.05", "--stable-calls-per-candidate-call",
                "-1")).isEqualTo("dr: --stable-calls-per-candidate-call must be >= 0, but was -1.0\n");
        assertThat(failure("simulate", "rollback", "--candidate-error", "0.05", "--runs", "0"))
                .isEqualTo("dr: --runs must be > 0, but was 0\n");
    }

    @Test
    void aCandidateBetterThanTheBaselineHasNoRegressionToDetect() {
        String out = run("simulate", "rollback", "--baseline-error", "0.01", "--candidate-error", "0.005",
                "--runs", "300");

        assertThat(out).startsWith("candidate 0.0050 vs baseline 0.0100")
                .contains("no regression to detect").containsPattern("false rollbacks 0\\.0\\d\\d\\d")
                .doesNotContain("NaN").doesNotContain("missed").doesNotContain("calls to rollback");

        JsonNode json = JsonMapper.builder().build().readTree(run("simulate", "rollback", "--baseline-error", "0.01",
                "--candidate-error", "0.005", "--runs", "300", "--json"));
        assertThat(json.get("regression").asBoolean()).isFalse();
        assertThat(json.get("missedRollbackRate").isNull()).isTrue();
        assertThat(json.get("meanCallsToRollback").isNull()).isTrue();
        assertThat(json.get("informationLimit").isNull()).isTrue();
        assertThat(json.get("falseRollbackRate").asDouble()).isBetween(0.0, 0.05);
    }

    @Test
    void aRegressionNoTrialRolledBackSaysSoInsteadOfNaN() {
        String out = run("simulate", "rollback", "--baseline-error", "0.01", "--candidate-error", "0.011",
                "--horizon", "5", "--runs", "20");

        assertThat(out).startsWith("regression 0.0110 vs baseline 0.0100")
                .contains("calls to rollback: none within 5 calls").contains("missed rollbacks 1.0000")
                .doesNotContain("NaN");
    }

    @Test
    void aHorizonAboveTheCapIsRefusedNamingTheMaximumBeforeAnythingRuns() {
        assertThat(failure("simulate", "rollback", "--candidate-error", "0.05", "--horizon", "100000000"))
                .startsWith("dr: --horizon must be at most 200000 calls").endsWith(", but was 100000000\n");
        assertThat(failure("simulate", "rollback", "--sweep", "--horizon", "200001"))
                .startsWith("dr: --horizon must be at most 200000 calls");
        assertThat(failure("simulate", "rollback", "--candidate-error", "0.05", "--horizon", "0"))
                .isEqualTo("dr: --horizon must be > 0, but was 0\n");

        assertThat(run("simulate", "rollback", "--candidate-error", "0.05", "--horizon", "200000", "--runs", "20"))
                .contains("20 runs of at most 200000 calls");
    }
}
