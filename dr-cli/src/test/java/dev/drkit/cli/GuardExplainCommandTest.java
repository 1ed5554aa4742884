package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.rollback.GuardConfig;
import dev.drkit.core.rollback.GuardedRelease;
import dev.drkit.core.rollback.RolloutPlan;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class GuardExplainCommandTest {
    @TempDir
    Path dir;

    /** A real guard whose candidate always fails, rolled back by the judge, its decisions in an audit file. */
    private Path rolledBack() {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.file(file)) {
            GuardedRelease<IntUnaryOperator> g = GuardedRelease.<IntUnaryOperator>builder("pricing")
                    .stable("v1", x -> x)
                    .candidate("v2", () -> x -> {
                        throw new IllegalStateException("broken");
                    })
                    .config(GuardConfig.DEFAULT.withPlan(RolloutPlan.of(50, Duration.ZERO, 0.5)))
                    .auditSink(log)
                    .build();
            for (int i = 0; i < 200 && g.state() != GuardState.ROLLED_BACK; i++) {
                try {
                    g.call(i, f -> f.applyAsInt(1));
                } catch (IllegalStateException expected) {
                    // the candidate's failure, as a caller sees it
                }
            }
            assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
            g.close();
        }
        return file;
    }

    @Test
    void explainPrintsTheSignalStatisticThresholdsCountsAndConfigurationVersionOfEachDecision() {
        Path file = rolledBack();

        AuditCommandTest.Run run = AuditCommandTest.dr("guard", "explain", "pricing", "--file", file.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("rollout.start").contains("rollback.automatic by system")
                .containsPattern("signal +sequentialTest|signal +consecutiveFailures|signal +circuitOpen")
                .containsPattern("statistic +-?[0-9.]+").containsPattern("rollbackThreshold +[0-9.]+")
                .containsPattern("candidateFailures +[1-9]").containsPattern("callsTaken +[1-9]")
                .containsPattern("timeTaken +PT").containsPattern("configVersion +[0-9a-f]{12}");
    }

    @Test
    void explainRefusesALogWithAnAlteredFieldNamingTheFirstBadRecord() throws java.io.IOException {
        Path file = rolledBack();
        java.util.List<String> lines = java.nio.file.Files.readAllLines(file);
        int at = -1;
        for (int i = 0; i < lines.size() && at < 0; i++) {
            if (lines.get(i).contains("\"rollback.automatic\"")) {
                at = i;
            }
        }
        assertThat(at).isNotNegative();
        lines.set(at, lines.get(at).replace("\"rollback.automatic\"", "\"rollback.manual\""));
        java.nio.file.Files.writeString(file, String.join("\n", lines) + "\n");

        AuditCommandTest.Run run = AuditCommandTest.dr("guard", "explain", "pricing", "--file", file.toString());

        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).hasSize(1).first().asString()
                .contains("TAMPERED at seq " + (at + 1)).contains("record " + (at + 1) + " was altered");
    }

    @Test
    void explainAsJsonGivesOneLinePerDecision() {
        Path file = rolledBack();

        AuditCommandTest.Run run = AuditCommandTest.dr("guard", "explain", "pricing", "--file", file.toString(),
                "--last", "1", "--json");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines().count()).isEqualTo(1);
        JsonNode line = JsonMapper.builder().build().readTree(run.out());
        assertThat(line.get("action").asString()).isEqualTo("rollback.automatic");
        assertThat(line.get("details").get("signal").asString()).isNotBlank();
    }

    @Test
    void anUnknownGuardOrABadCountIsAUsageErrorNamingIt() {
        Path file = rolledBack();

        AuditCommandTest.Run unknown = AuditCommandTest.dr("guard", "explain", "ghost", "--file", file.toString());
        AuditCommandTest.Run badLast = AuditCommandTest.dr("guard", "explain", "pricing", "--file", file.toString(),
                "--last", "0");

        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("no decision of guard 'ghost'");
        assertThat(badLast.exit()).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(badLast.err()).contains("--last must be > 0");
    }

    @Test
    void actorsActionsAndDetailsFromTheAuditLogAreEscaped() {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.file(file)) {
            log.append(new AuditEvent(Instant.parse("2026-12-01T10:00:00Z"), "mallory\u001b[8m", "operator.guard.pause",
                    "pricing", AuditOutcome.SUCCESS, Map.of("reason", "line one\n#9 fake decision")));
        }

        AuditCommandTest.Run run = AuditCommandTest.dr("guard", "explain", "pricing", "--file", file.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("by mallory\\x1b[8m").contains("line one\\n#9 fake decision")
                .doesNotContain("\u001b");
        assertThat(run.out().lines()).noneMatch(l -> l.startsWith("#9"));
    }
}
