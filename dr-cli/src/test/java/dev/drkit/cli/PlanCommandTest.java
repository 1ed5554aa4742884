package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.audit.AuditVerifier;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PlanCommandTest {
    static final String PASSWORD = "correct horse";
    static final Path EXAMPLE = Path.of("..", "examples", "plans", "restore-orders.yaml");

    @TempDir
    Path dir;

    static AuditCommandTest.Run dr(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DrCommand.newCommandLine(Map.of("DR_PASSWORD", PASSWORD));
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new AuditCommandTest.Run(exit, out.toString(), err.toString());
    }

    Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    /** A repository with one snapshot of a directory holding orders.csv. */
    void repository() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("orders.csv"), "1,paid\n");
        try (SnapshotStore store = SnapshotStores.open(dir.resolve("repo").toString());
                Repository repo = Repository.init(store, PASSWORD.toCharArray(),
                        RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).build())) {
            repo.backup(BackupRequest.of(DirectorySource.of("orders", data)));
        }
    }

    static final String PLAN = String.join("\n",
            "name: orders",
            "objectives: {rto: 30m, rpo: 1d}",
            "steps:",
            "  - {name: fence, kind: command, run: [touch, fenced], directory: ., undo: [rm, fenced]}",
            "  - {name: restore, kind: restore, repository: repo, target: restored, dependsOn: fence}",
            "  - {name: check, kind: verify-command, run: [test, -f, fenced], directory: ., dependsOn: restore}",
            "");

    @Test
    void validateAcceptsTheShippedExampleAndRenderMakesItsRunbook() {
        AuditCommandTest.Run ok = dr("plan", "validate", "--file", EXAMPLE.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).startsWith("restore-orders.yaml: plan restore-orders is valid: 8 steps (approve, "
                + "stop-writes, restore, restored-data, start-writes, serving, orders-readable, tell-the-channel), RTO 30 min, RPO 15 min");
        AuditCommandTest.Run md = dr("plan", "render", "--file", EXAMPLE.toString());
        assertThat(md.exit()).as(md.err()).isZero();
        assertThat(md.out()).startsWith("# Runbook: restore-orders").contains("### 3. restore")
                .contains("Restore snapshot latest of /var/backups/orders into /srv/orders/data")
                .contains("dba-oncall");
    }

    @Test
    void renderOfTheShippedExampleVerifiesUndoesAndEscalatesAsTheFileSays() {
        AuditCommandTest.Run md = dr("plan", "render", "--file", EXAMPLE.toString());
        assertThat(md.exit()).as(md.err()).isZero();
        String out = md.out();
        assertThat(out).contains("## Verify recovery\n\n- [ ] **restored-data** (step 4): Check that command `sh -c "
                        + "'test -s \"${restore.target}/orders/orders.db\"'` exits 0")
                .contains("- [ ] **orders-readable** (step 7): Check that GET "
                        + "http://localhost:8080/orders/health answers 200")
                .doesNotContain("No automated check");
        // only stop-writes has an undo in the file
        assertThat(out.split("\\| Undo \\|", -1)).hasSize(2);
        assertThat(out).contains("| Undo | Run `systemctl start orders-writer` (if a later step fails) |")
                .contains("Undo the completed steps that have an undo, in this order")
                .contains("1. stop-writes (dba): Run `systemctl start orders-writer`\n")
                .doesNotContain("\n1. approve").doesNotContain("\n1. restore");
        assertThat(out).contains("Get approval from dba-oncall (escalate to incident-commander after 10 min).")
                .contains("(checked every 5 s)").doesNotContain("PT10M").doesNotContain("PT5S");
    }

    @Test
    void validateNamesTheFieldPathAndExitsTwo() throws Exception {
        Path bad = write("bad.yaml", "name: p\nobjectives: {rto: 5m, rpo: 5m}\nsteps:\n"
                + "  - {name: a, kind: wait, duration: 1s}\n  - {name: b, kind: wait, duration: 1s}\n"
                + "  - {name: c, kind: wait, duration: 1s, timeout: x}\n");
        AuditCommandTest.Run run = dr("plan", "validate", "--file", bad.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("dr: bad.yaml: steps[2].timeout: bad duration 'x'");
        Path kind = write("kind.json", "{\"name\":\"p\",\"objectives\":{\"rto\":\"5m\",\"rpo\":\"5m\"},"
                + "\"steps\":[{\"name\":\"a\",\"kind\":\"reboot\"}]}");
        AuditCommandTest.Run unknown = dr("plan", "run", "--file", kind.toString(), "--drill");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("dr: kind.json: steps[0].kind: unknown step kind 'reboot'");
    }

    @Test
    void runRehearsesADrillThenRecoversLiveWithAuditAndReport() throws Exception {
        repository();
        Path plan = write("orders.yaml", PLAN);
        Path audit = dir.resolve("audit.jsonl");
        Path report = dir.resolve("drill.md");
        AuditCommandTest.Run drill = dr("plan", "run", "--file", plan.toString(), "--drill", "--audit", audit.toString(),
                "--report", report.toString(), "--actor", "ana", "--id", "drill-1");
        // the check looks for the fence's file, which a drill does not make
        assertThat(drill.exit()).as(drill.out()).isEqualTo(1);
        assertThat(drill.out()).contains("fence                COMPENSATED", "would run `touch fenced`")
                .contains("execution drill-1 of plan orders (DRILL): FAILED: step check failed: `test -f fenced` exited 1")
                .contains("RTO not measured (objective 30 min): -");
        assertThat(dir.resolve("restored")).doesNotExist();
        // the restore step has no undo: it is not reported as undone
        assertThat(report).content().startsWith("# Plan run: orders").contains("| restore | SUCCEEDED | 1 |")
                .contains("nothing to undo").contains("| fence | COMPENSATED | 1 |");

        AuditCommandTest.Run live = dr("plan", "run", "--file", plan.toString(), "--live", "--audit", audit.toString(),
                "--actor", "ana", "--incident", "INC-9");
        assertThat(live.exit()).as(live.out() + live.err()).isZero();
        assertThat(live.out()).contains("restore              RUNNING", "(plan)               FINISHED")
                .containsPattern("RTO .* \\(objective 30 min\\): met").contains("RPO").contains(": met");
        assertThat(dir.resolve("restored/orders/orders.csv")).hasContent("1,paid\n");
        List<AuditRecord> records = AuditVerifier.read(audit, AuditFilter.all());
        assertThat(records).extracting(AuditRecord::action).contains("plan.start", "plan.step", "plan.finish");
        assertThat(records).filteredOn(r -> r.action().equals("plan.finish")).last()
                .satisfies(r -> assertThat(r.details()).containsEntry("incident", "INC-9").containsKey("rto")
                        .containsEntry("rtoMet", "true").containsEntry("mode", "LIVE"));
        assertThat(AuditVerifier.verify(audit, null, null).intact()).isTrue();
    }

    @Test
    void runPrintsTheResultAsJson() throws Exception {
        Path plan = write("one.json", "{\"name\":\"one\",\"objectives\":{\"rto\":\"5m\",\"rpo\":\"5m\"},"
                + "\"steps\":[{\"name\":\"a\",\"kind\":\"command\",\"run\":[\"true\"]}]}");
        AuditCommandTest.Run run = dr("plan", "run", "--file", plan.toString(), "--live", "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("{").contains("\"status\" : \"SUCCEEDED\"").contains("\"planName\" : \"one\"");
        assertThat(run.err()).contains("a                    SUCCEEDED");
    }

    @Test
    void anApprovalGateIsPassedWithApprove() throws Exception {
        Path plan = write("gate.yaml", "name: gate\nobjectives: {rto: 5m, rpo: 5m}\nsteps:\n"
                + "  - {name: ok, kind: approval, approvers: dba, timeout: 10m}\n"
                + "  - {name: go, kind: command, run: ['true'], dependsOn: ok}\n");
        AuditCommandTest.Run run = dr("plan", "run", "--file", plan.toString(), "--live", "--approve", "ok",
                "--actor", "ana");
        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(run.out()).contains("AWAITING_APPROVAL", "APPROVED", "approved by ana: approved with --approve");
    }

    @Test
    void anApproveThatNamesNoApprovalStepIsRefusedBeforeAnythingRuns() throws Exception {
        Path plan = write("gate.yaml", "name: gate\nobjectives: {rto: 5m, rpo: 5m}\nsteps:\n"
                + "  - {name: ok, kind: approval, approvers: dba, timeout: 10m}\n"
                + "  - {name: go, kind: command, run: [touch, ran], directory: ., dependsOn: ok}\n");
        for (String step : List.of("nosuchstep", "go")) {
            AuditCommandTest.Run run = dr("plan", "run", "--file", plan.toString(), "--live", "--approve", "ok",
                    "--approve", step);
            assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(2);
            assertThat(run.err()).contains("--approve " + step + ": plan gate has no approval step " + step
                    + "; its approval steps: ok");
            assertThat(run.out()).doesNotContain("STARTED");
        }
        assertThat(dir.resolve("ran")).doesNotExist();
    }

    @Test
    void aDrillIsNotResumedLive() throws Exception {
        Path plan = write("drill.yaml", "name: drill\nobjectives: {rto: 5m, rpo: 5m}\nsteps:\n"
                + "  - {name: one, kind: command, run: [touch, one], directory: .}\n"
                + "  - {name: two, kind: command, run: [touch, two], directory: ., dependsOn: one}\n");
        Path journal = dir.resolve("journal");
        AuditCommandTest.Run drill = dr("plan", "run", "--file", plan.toString(), "--drill", "--journal",
                journal.toString(), "--id", "run-D");
        assertThat(drill.exit()).as(drill.out() + drill.err()).isZero();
        try (SnapshotStore store = SnapshotStores.open(journal.toString())) {
            List<String> keys = store.list("executions/run-D/").map(o -> o.key()).sorted().toList();
            store.delete(keys.get(keys.size() - 1)); // the finish entry: as if the run had been killed
        }
        AuditCommandTest.Run live = dr("plan", "run", "--file", plan.toString(), "--live", "--journal",
                journal.toString(), "--resume", "run-D");
        assertThat(live.exit()).as(live.out() + live.err()).isEqualTo(2);
        assertThat(live.err()).contains("execution run-D ran DRILL; resume it with --drill (--live was given)");
        assertThat(dir.resolve("one")).doesNotExist();
        assertThat(dir.resolve("two")).doesNotExist();
        AuditCommandTest.Run asDrill = dr("plan", "run", "--file", plan.toString(), "--drill", "--journal",
                journal.toString(), "--resume", "run-D");
        assertThat(asDrill.exit()).as(asDrill.out() + asDrill.err()).isZero();
        assertThat(asDrill.out()).contains("resumed DRILL run of plan drill");
    }

    @Test
    void anInterruptedRunResumesFromItsJournalWithoutRepeatingDoneSteps() throws Exception {
        Path plan = write("long.yaml", String.join("\n",
                "name: long",
                "objectives: {rto: 30m, rpo: 30m}",
                "steps:",
                "  - {name: fence, kind: command, run: [sh, -c, 'echo x >> fenced'], directory: .}",
                "  - name: ready",
                "    kind: wait",
                "    dependsOn: fence",
                "    interval: 10ms",
                "    until: {command: {run: [test, -f, go], directory: .}}",
                ""));
        Path journal = dir.resolve("journal");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DrCommand.class.getName(), "plan", "run", "--file",
                plan.toString(), "--live", "--journal", journal.toString(), "--id", "run-1"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !(line.contains("ready ") && line.contains("RUNNING"))) {
                // the run has reached the wait
            }
            assertThat(line).as("the run reached the wait step").isNotNull();
        } finally {
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(dir.resolve("fenced")).hasContent("x\n");
        AuditCommandTest.Run asDrill = dr("plan", "run", "--file", plan.toString(), "--drill", "--journal",
                journal.toString(), "--resume", "run-1");
        assertThat(asDrill.exit()).as(asDrill.out() + asDrill.err()).isEqualTo(2);
        assertThat(asDrill.err()).contains("execution run-1 ran LIVE; resume it with --live (--drill was given)");
        assertThat(asDrill.out()).doesNotContain("resumed");
        AuditCommandTest.Run again = dr("plan", "run", "--file", plan.toString(), "--live", "--journal",
                journal.toString(), "--id", "run-1");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("execution run-1 exists in the journal and has not finished; "
                + "resume it with --resume run-1 instead of --id run-1");
        Files.writeString(dir.resolve("go"), "");
        AuditCommandTest.Run resumed = dr("plan", "run", "--file", plan.toString(), "--live", "--journal",
                journal.toString(), "--resume", "run-1");
        assertThat(resumed.exit()).as(resumed.out() + resumed.err()).isZero();
        assertThat(resumed.out()).contains("resumed LIVE run of plan long", "completed before the interruption")
                .contains("was running when the execution stopped; it runs again")
                .contains("execution run-1 of plan long (LIVE): SUCCEEDED");
        assertThat(resumed.out().indexOf("was running when the execution stopped"))
                .isLessThan(resumed.out().indexOf("RUNNING"));
        assertThat(dir.resolve("fenced")).hasContent("x\n");
        AuditCommandTest.Run finished = dr("plan", "run", "--file", plan.toString(), "--live", "--journal",
                journal.toString(), "--id", "run-1");
        assertThat(finished.exit()).isEqualTo(1);
        assertThat(finished.err()).contains("execution run-1 has finished already (SUCCEEDED); choose another --id");
        AuditCommandTest.Run noJournal = dr("plan", "run", "--file", plan.toString(), "--live", "--resume", "run-1");
        assertThat(noJournal.exit()).isEqualTo(2);
        assertThat(noJournal.err()).contains("--resume needs the --journal");
    }

    @Test
    void namesFromThePlanFileWithControlCharactersAreRefusedNamingTheFieldWithoutEchoingThem() throws Exception {
        Path plan = write("odd.yaml", "name: \"odd\\e[31m\"\nobjectives: {rto: 5m, rpo: 5m}\nsteps:\n"
                + "  - {name: a, kind: command, run: ['true']}\n");
        AuditCommandTest.Run valid = dr("plan", "validate", "--file", plan.toString());
        assertThat(valid.exit()).as(valid.err()).isEqualTo(2);
        assertThat(valid.err()).contains("odd.yaml: name: must not hold a control character (U+001B)")
                .doesNotContain("\u001b");
        Path step = write("step.yaml", "name: odd\nobjectives: {rto: 5m, rpo: 5m}\nsteps:\n"
                + "  - {name: \"a\\nb\", kind: command, run: ['true']}\n");
        AuditCommandTest.Run run = dr("plan", "run", "--file", step.toString(), "--live");
        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("step.yaml: steps[0].name: must not hold a control character (U+000A), "
                + "but was \"a\\").doesNotContain("a\nb");
    }

    @Test
    void aDrillChecksWhatItRestoredAndDeletesItAfterwardsUnlessAskedToKeepIt() throws Exception {
        repository();
        // the live target holds a file the snapshot does not
        Files.writeString(Files.createDirectories(dir.resolve("live/orders")).resolve("a.txt"), "live only\n");
        String head = "objectives: {rto: 30m, rpo: 1d}\nsteps:\n"
                + "  - {name: restore-orders, kind: restore, repository: repo, target: live}\n"
                + "  - {name: verify-data, kind: verify-command, dependsOn: restore-orders,\n";
        Path wrong = write("plan2.yaml", "name: p2\n" + head + "     run: [test, -f, '${restore-orders.target}/orders/a.txt']}\n");
        Path drills = dir.resolve("drills");
        AuditCommandTest.Run failed = dr("plan", "run", "--file", wrong.toString(), "--drill", "--drill-dir",
                drills.toString(), "--id", "d1");
        assertThat(failed.exit()).as(failed.out() + failed.err()).isEqualTo(1);
        assertThat(failed.out()).contains("FAILED: step verify-data failed: `test -f " + drills.resolve("d1")
                + "/orders/a.txt` exited 1")
                .contains("drill data restored into " + drills.resolve("d1") + " was removed (--keep-drill-data keeps it)");
        assertThat(drills.resolve("d1")).doesNotExist();

        Path right = write("plan3.yaml", "name: p3\n" + head + "     run: [test, -f, '${restore-orders.target}/orders/orders.csv']}\n");
        AuditCommandTest.Run kept = dr("plan", "run", "--file", right.toString(), "--drill", "--drill-dir",
                drills.toString(), "--id", "d2", "--keep-drill-data");
        assertThat(kept.exit()).as(kept.out() + kept.err()).isZero();
        assertThat(kept.out()).contains("drill data kept in " + drills.resolve("d2") + " (--keep-drill-data)");
        assertThat(drills.resolve("d2/orders/orders.csv")).hasContent("1,paid\n");
        assertThat(Files.getPosixFilePermissions(drills.resolve("d2"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(dir.resolve("live/orders/orders.csv")).doesNotExist();
    }

    @Test
    void aDrillsRtoCountsTheWaitsItSkippedThatALiveRunWouldTake() throws Exception {
        Path plan = write("waitp.yaml", "name: w\nobjectives: {rto: 1m, rpo: 1d}\nsteps:\n"
                + "  - {name: pause, kind: wait, duration: 5m}\n"
                + "  - {name: after, kind: verify-command, dependsOn: pause, run: ['true']}\n");
        AuditCommandTest.Run run = dr("plan", "run", "--file", plan.toString(), "--drill");
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("would wait 5 min (counted in the drill's RTO)")
                .containsPattern("\nRTO [0-9.]+ m?s \\+ 5 min of planned waits = 5 min( [0-9.]+ m?s)? \\(objective 1 min\\): "
                        + "MISSED\n");
    }
}
