package dev.drkit.cli;

import static dev.drkit.cli.PlanCommandTest.dr;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.audit.AuditVerifier;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code dr plan run} ends: past --wait, on a termination signal, with optional or undo failures. */
class PlanRunEndingsTest {
    @TempDir
    Path dir;

    /** Four command steps, each appending to {@code done} and undone by appending {@code undo-N}. */
    Path comp(String four) throws Exception {
        return Files.writeString(dir.resolve("comp.yaml"), String.join("\n",
                "name: comp",
                "objectives: {rto: 30m, rpo: 30m}",
                "steps:",
                "  - {name: one, kind: command, run: [sh, -c, 'echo one >> done'], directory: ., "
                        + "undo: [sh, -c, 'echo undo-one >> done']}",
                "  - {name: two, kind: command, run: [sh, -c, 'echo two >> done'], directory: ., dependsOn: one, "
                        + "undo: [sh, -c, 'echo undo-two >> done; exit 7']}",
                "  - {name: three, kind: command, run: [sh, -c, 'sleep 30; echo three >> done'], directory: ., "
                        + "dependsOn: two, undo: [sh, -c, 'echo undo-three >> done']}",
                "  - {name: four, kind: command, run: [sh, -c, '" + four + "'], directory: ., dependsOn: three}",
                ""));
    }

    /** Whether a process runs: alive and not a zombie that nobody reaped (a container's init may not). */
    static boolean runs(ProcessHandle h) throws Exception {
        Path stat = Path.of("/proc", Long.toString(h.pid()), "stat");
        if (!h.isAlive() || !Files.exists(stat)) {
            return false;
        }
        String s = Files.readString(stat);
        return !s.substring(s.lastIndexOf(')') + 1).strip().startsWith("Z");
    }

    List<AuditRecord> audit(Path log) throws Exception {
        return AuditVerifier.read(log, AuditFilter.all());
    }

    @Test
    void aRunPastItsWaitIsCancelledItsStepsStoppedAndUndoneAndItsEndRecorded() throws Exception {
        Path plan = comp("exit 3");
        Path audit = dir.resolve("w.jsonl");

        AuditCommandTest.Run run = dr("plan", "run", "--file", plan.toString(), "--live", "--wait", "500ms",
                "--audit", audit.toString());

        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.err()).contains("dr: execution ", " did not end within --wait 500 ms; cancelling it");
        assertThat(run.out()).contains("): CANCELLED: cancelled by ", "--wait 500 ms was reached")
                .contains("compensation incomplete: two")
                .contains("steps left done: two; undone: one");
        assertThat(Files.readAllLines(dir.resolve("done"))).doesNotContain("three", "four")
                .contains("undo-one", "undo-two");
        assertThat(audit(audit)).extracting(AuditRecord::action).contains("plan.cancel", "plan.finish");
        assertThat(audit(audit)).filteredOn(r -> r.action().equals("plan.finish")).singleElement()
                .satisfies(r -> assertThat(r.details()).containsEntry("status", "CANCELLED"));
    }

    @Test
    void aFailedUndoIsNamedInTheResultAndTheReport() throws Exception {
        Path plan = Files.writeString(dir.resolve("undo.yaml"), String.join("\n",
                "name: undo",
                "objectives: {rto: 30m, rpo: 30m}",
                "steps:",
                "  - {name: one, kind: command, run: ['true'], undo: ['true']}",
                "  - {name: two, kind: command, run: ['true'], dependsOn: one, undo: [sh, -c, 'exit 7']}",
                "  - {name: four, kind: command, run: [sh, -c, 'exit 3'], dependsOn: two}",
                ""));
        Path report = dir.resolve("run.md");

        AuditCommandTest.Run run = dr("plan", "run", "--file", plan.toString(), "--live", "--report", report.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("two                  COMPENSATION_FAILED compensation failed: ")
                .containsPattern("FAILED: step four failed: .*exited 3.*; compensation incomplete: two \\(undo failed");
        assertThat(report).content().contains("| two | SUCCEEDED, undo FAILED | 1 |")
                .contains("| one | COMPENSATED | 1 |");
    }

    @Test
    void optionalFailuresSkipTheirDependentsAndExitFour() throws Exception {
        Path plan = Files.writeString(dir.resolve("opt.yaml"), String.join("\n",
                "name: opt",
                "objectives: {rto: 30m, rpo: 30m}",
                "steps:",
                "  - {name: restore-db, kind: command, run: ['false'], optional: true}",
                "  - {name: switch, kind: command, run: [touch, switched], directory: ., optional: true, "
                        + "dependsOn: restore-db}",
                ""));
        AuditCommandTest.Run allFailed = dr("plan", "run", "--file", plan.toString(), "--live");
        assertThat(allFailed.exit()).as(allFailed.out() + allFailed.err()).isEqualTo(1);
        assertThat(allFailed.out()).contains("switch               SKIPPED             not run: its dependency "
                + "restore-db failed").contains("(LIVE): FAILED: no step succeeded: restore-db (")
                .contains("RTO not measured").contains("  0%] (plan)");
        assertThat(dir.resolve("switched")).doesNotExist();

        Files.writeString(plan, Files.readString(plan) + "  - {name: fence, kind: command, run: ['true']}\n");
        AuditCommandTest.Run partly = dr("plan", "run", "--file", plan.toString(), "--live");
        assertThat(partly.exit()).as(partly.out() + partly.err()).isEqualTo(4);
        assertThat(partly.out()).contains("(LIVE): SUCCEEDED (not clean): succeeded with 1 optional step failed: "
                + "restore-db (").contains("not run as a dependency failed: switch");
    }

    @Test
    void aResumeOfARunningExecutionIsRefusedAndATerminationSignalCancelsTheRun() throws Exception {
        Path plan = comp("true");
        Path journal = dir.resolve("jr");
        Path audit = dir.resolve("w.jsonl");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), DrCommand.class.getName(), "plan", "run",
                "--file", plan.toString(), "--live", "--journal", journal.toString(), "--id", "run-2", "--audit",
                audit.toString(), "--actor", "ops-1"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        List<ProcessHandle> children;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !(line.contains("three ") && line.contains("RUNNING"))) {
                output.append(line).append('\n');
            }
            assertThat(line).as("the run reached step three: " + output).isNotNull();
            for (int i = 0; i < 500 && p.descendants().noneMatch(h -> h.info().commandLine().orElse("")
                    .contains("sleep 30")); i++) {
                Thread.sleep(10);
            }
            children = p.descendants().toList();
            assertThat(children).as("the step's command runs").isNotEmpty();

            AuditCommandTest.Run resume = dr("plan", "run", "--file", plan.toString(), "--live", "--journal",
                    journal.toString(), "--resume", "run-2");
            assertThat(resume.exit()).as(resume.out() + resume.err()).isEqualTo(1);
            assertThat(resume.err()).contains("execution run-2 is running: it is held by ops-1 on ",
                    "(pid " + p.pid() + ", since ");
            assertThat(resume.out()).doesNotContain("RUNNING");

            p.toHandle().destroy(); // SIGTERM, leaving the output to read
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            while ((line = out.readLine()) != null) {
                output.append(line).append('\n');
            }
        } finally {
            p.destroyForcibly();
        }
        assertThat(output).contains("dr: stopping: cancelling execution run-2");
        for (ProcessHandle child : children) {
            assertThat(runs(child)).as("the step's command (pid %s) was killed", child.pid()).isFalse();
        }
        assertThat(Files.readAllLines(dir.resolve("done"))).doesNotContain("three").contains("undo-one", "undo-two");
        assertThat(audit(audit)).filteredOn(r -> r.action().equals("plan.finish")).singleElement()
                .satisfies(r -> assertThat(r.details()).containsEntry("status", "CANCELLED")
                        .containsEntry("reason", "cancelled by ops-1: the dr process was asked to stop; "
                                + "compensation incomplete: two (undo failed: the change may still be in place)"));
        AuditCommandTest.Run again = dr("plan", "run", "--file", plan.toString(), "--live", "--journal",
                journal.toString(), "--resume", "run-2");
        assertThat(again.err()).contains("execution run-2 has finished already (CANCELLED)");
    }
}
