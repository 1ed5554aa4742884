package dev.drkit.core.recovery.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.recovery.ApprovalGate;
import dev.drkit.api.recovery.CompensationStrategy;
import dev.drkit.api.recovery.RecoveryPlan.PlannedStep;
import dev.drkit.api.recovery.RecoveryStep;
import dev.drkit.api.recovery.StepPolicy;
import dev.drkit.api.recovery.VerificationPhase;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.recovery.ExecutionRequest;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.ExecutionStatus;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.recovery.StepState;
import dev.drkit.core.recovery.Steps;
import dev.drkit.core.report.Runbook;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanFileReaderTest {
    static final Duration LIMIT = Duration.ofMinutes(1);

    @TempDir
    Path dir;

    HttpServer server;
    final List<String> posted = new CopyOnWriteArrayList<>();
    final PlanFileReader reader = PlanFileReader.builder().environment(Map.of("DR_PASSWORD", "correct horse")).build();
    final RecoveryExecutor executor = RecoveryExecutor.builder().pollInterval(Duration.ofMillis(1)).build();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", x -> {
            byte[] body = "orders: ok".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.createContext("/hook", x -> {
            posted.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        server.start();
        RecordingFailover.CALLS.clear();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        executor.close();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Plan read(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return reader.read(f);
    }

    static String yaml(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    static final String HEAD = "name: orders\nobjectives: {rto: 30m, rpo: 15m}\nsteps:\n";

    @Test
    void aYamlPlanBuildsTheSamePlanAsTheJavaBuilder() throws Exception {
        Plan fromFile = read("orders.yaml", yaml(
                "name: orders",
                "description: Bring orders back after data loss",
                "objectives: {rto: 30m, rpo: 15m}",
                "steps:",
                "  - name: approve",
                "    kind: approval",
                "    approvers: dba-oncall",
                "    escalateAfter: 5m",
                "    escalateTo: incident-commander",
                "    timeout: 20m",
                "  - name: fence",
                "    kind: command",
                "    run: [true]",
                "    dependsOn: approve",
                "    owner: dba",
                "    compensation: always",
                "  - name: failover",
                "    kind: failover",
                "    failover: orders-db",
                "    dependsOn: [fence]",
                "    timeout: 1h30m",
                "    retry: {attempts: 3, backoff: 10s, multiplier: 3}",
                "  - {name: check, kind: verify-http, url: '" + base() + "/health', dependsOn: failover, optional: true}",
                "verifications:",
                "  - {name: health, phase: after, tolerate: 2, http: {url: '" + base() + "/health'}}"));
        Plan fromJava = Plan.builder("orders").description("Bring orders back after data loss")
                .objectives(Duration.ofMinutes(30), Duration.ofMinutes(15))
                .step("approve", c -> {
                }, s -> s.approval(ApprovalGate.of("dba-oncall", Duration.ofMinutes(5), "incident-commander",
                        Duration.ofMinutes(20))))
                .step("fence", c -> {
                }, s -> s.dependsOn("approve").owner("dba").compensation(CompensationStrategy.ALWAYS))
                .step("failover", Steps.failover(new RecordingFailover()), s -> s.dependsOn("fence")
                        .timeout(Duration.ofMinutes(90)).retry(3, Duration.ofSeconds(10), 3))
                .step("check", c -> {
                }, s -> s.dependsOn("failover").optional())
                .build();
        assertThat(fromFile.shape()).isEqualTo(fromJava.shape());
        assertThat(fromFile.objectives()).isEqualTo(fromJava.objectives());
        assertThat(fromFile.description()).isEqualTo(fromJava.description());
        assertThat(fromFile.steps()).extracting(PlannedStep::policy)
                .containsExactlyElementsOf(fromJava.steps().stream().map(PlannedStep::policy).toList());
        assertThat(fromFile.verifications()).singleElement().satisfies(v -> {
            assertThat(v.phase()).isEqualTo(VerificationPhase.AFTER);
            assertThat(v.toleratedFailures()).isEqualTo(2);
        });
        assertThat(Runbook.of(fromFile).toMarkdown()).contains("Fail over orders-db primary -> standby")
                .contains("Check that GET " + base() + "/health answers 200");
    }

    @Test
    void aStepNameWithBlanksAtTheEndsOrALineBreakIsRefusedWithItsPath() {
        assertThatThrownBy(() -> reader.parse(HEAD + yaml(
                "  - {name: a, kind: command, run: [true]}",
                "  - {name: ' a ', kind: command, run: [true]}"), "p.yaml", dir))
                .isInstanceOf(DrException.class)
                .hasMessage("p.yaml: steps[1].name: must not start or end with a blank, but was \" a \"");
        assertThatThrownBy(() -> reader.parse(HEAD + yaml("  - {name: \"a\\nb\", kind: command, run: [true]}"), "p.yaml",
                dir)).hasMessage("p.yaml: steps[0].name: must not hold a control character (U+000A), but was \"a\\nb\"");
        assertThatThrownBy(() -> reader.parse("name: ' orders'\nobjectives: {rto: 30m, rpo: 15m}\nsteps:\n"
                + "  - {name: a, kind: command, run: [true]}\n", "p.yaml", dir))
                .hasMessageStartingWith("p.yaml: name: must not start or end with a blank");
    }

    @Test
    void anApprovalStepsRunbookStatesItsTimeLimitsOnceAndTruly() {
        Plan plan = reader.parse(HEAD + yaml("  - {name: approve, kind: approval, approvers: dba, timeout: 30s}"),
                "p.yaml", dir);
        assertThat(Runbook.of(plan).toMarkdown())
                .contains("| Approval | from dba before starting; escalate to dba after 15 s |\n"
                        + "| Time limit | 30 s to get the approval (unanswered, the step fails); then 5 min per attempt |")
                .doesNotContain("give up");
    }

    @Test
    void aCommandIsShownShellQuotedSoThatPastingItRunsTheSameWords() throws Exception {
        Plan plan = reader.parse(HEAD + yaml(
                "  - name: log",
                "    kind: command",
                "    run: [sh, -c, 'echo fenced >> /tmp/x/log.txt']",
                "    undo: [rm, -f, \"it's here.txt\", '', 'a`b`c']"), "p.yaml", dir);
        RecoveryStep step = plan.steps().get(0).step();
        assertThat(step.describe()).isEqualTo("Run `sh -c 'echo fenced >> /tmp/x/log.txt'`");
        assertThat(step.describeCompensation()).contains("Run ``rm -f 'it'\\''s here.txt' '' 'a`b`c'``");
        assertThat(Runbook.of(plan).toMarkdown()).contains("Run `sh -c 'echo fenced >> /tmp/x/log.txt'`.\n")
                .contains("| Undo | Run ``rm -f 'it'\\''s here.txt' '' 'a`b`c'`` (if a later step fails) |");

        List<String> words = List.of("printf", "%s\\n", "plain", "two words", "it's", "", "$HOME", "`id`", "a\\b", "*", "-x");
        Process p = new ProcessBuilder("sh", "-c", Check.Command.shellLine(words)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(out).as("the shell reads back the same words").isEqualTo(String.join("\n", words.subList(2,
                words.size())) + "\n");
        assertThat(Check.Command.shellLine(List.of("echo", "a\nb", "tab\tx"))).isEqualTo("echo $'a\\nb' $'tab\\tx'");
    }

    @Test
    void stepsDescribeTheirDurationsForAPersonNotInIso8601() throws Exception {
        Plan plan = read("p.yaml", HEAD
                + "  - {name: ok, kind: approval, approvers: dba, escalateAfter: 10m, escalateTo: lead, timeout: 30m}\n"
                + "  - {name: drain, kind: wait, duration: 90s, dependsOn: ok}\n"
                + "  - {name: up, kind: wait, until: {command: {run: 'true'}}, interval: 5s, dependsOn: drain}\n");
        String md = Runbook.of(plan).toMarkdown();
        assertThat(md).contains("Get approval from dba (escalate to lead after 10 min).")
                .contains("Wait 1 min 30 s.").contains("(checked every 5 s).")
                .doesNotContain("PT10M").doesNotContain("PT1M30S").doesNotContain("PT5S");
    }

    @Test
    void theJsonAndYamlFormsReadAlike() throws Exception {
        Plan yaml = read("p.yml", HEAD + "  - {name: a, kind: wait, duration: 5m}\n"
                + "  - {name: b, kind: verify-command, run: 'true', dependsOn: a, timeout: 45s}\n");
        Plan json = read("p.json", "{\"name\":\"orders\",\"objectives\":{\"rto\":\"PT30M\",\"rpo\":\"15m\"},"
                + "\"steps\":[{\"name\":\"a\",\"kind\":\"wait\",\"duration\":\"5m\"},"
                + "{\"name\":\"b\",\"kind\":\"verify-command\",\"run\":[\"true\"],\"dependsOn\":[\"a\"],"
                + "\"timeout\":\"45s\"}]}");
        assertThat(Runbook.of(json).toJson()).isEqualTo(Runbook.of(yaml).toJson());
        assertThat(json.step("b").orElseThrow().policy().timeout()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void aPlanFromAFileRunsOnTheExecutorLiveAndAsADrill() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("orders.csv"), "1,paid\n");
        Snapshot snap;
        try (SnapshotStore store = SnapshotStores.open(dir.resolve("repo").toString());
                Repository repo = Repository.init(store, "correct horse".toCharArray(),
                        RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).build())) {
            snap = repo.backup(BackupRequest.of(DirectorySource.of("orders", data))).snapshot();
        }
        Path marker = dir.resolve("fenced");
        Plan plan = read("run.yaml", HEAD + yaml(
                "  - {name: fence, kind: command, run: [touch, fenced], directory: ., undo: [rm, fenced]}",
                "  - {name: restore, kind: restore, repository: repo, target: restored, dependsOn: fence}",
                "  - {name: failover, kind: failover, failover: orders-db, dependsOn: restore}",
                "  - name: up",
                "    kind: wait",
                "    dependsOn: failover",
                "    interval: 10ms",
                "    until: {command: {run: [test, -f, fenced], directory: .}}",
                "  - {name: health, kind: verify-http, url: '" + base() + "/health', body: 'orders: ok', dependsOn: up}",
                "  - {name: tell, kind: notify, webhook: '" + base() + "/hook', subject: Orders back, dependsOn: health}"));

        ExecutionResult drill = executor.run(plan, ExecutionRequest.drill().withId("d1"), LIMIT);
        assertThat(drill.succeeded()).as(drill.reason()).isTrue();
        assertThat(marker).doesNotExist();
        assertThat(dir.resolve("restored")).doesNotExist();
        assertThat(drill.step("fence").orElseThrow().notes()).containsExactly("would run `touch fenced`");
        assertThat(drill.step("up").orElseThrow().notes()).anyMatch(n -> n.startsWith("would wait until command"));
        assertThat(RecordingFailover.CALLS).containsExactly("ready?");
        assertThat(posted).singleElement().asString().contains("[DRILL] Orders back");

        ExecutionResult live = executor.run(plan, ExecutionRequest.live().withId("l1"), LIMIT);
        assertThat(live.succeeded()).as(live.reason()).isTrue();
        assertThat(marker).exists();
        assertThat(dir.resolve("restored/orders/orders.csv")).hasContent("1,paid\n");
        assertThat(live.restoredDataAsOf()).isEqualTo(snap.time());
        assertThat(RecordingFailover.CALLS).containsExactly("ready?", "ready?", "failover l1/failover");
        assertThat(live.step("health").orElseThrow().notes()).containsExactly("GET " + base() + "/health answered 200");
    }

    @Test
    void aCheckNamesWhereTheRestoreWroteSoThatADrillChecksWhatItRestoredNotTheLiveTarget() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("zzz.txt"), "restored\n");
        try (SnapshotStore store = SnapshotStores.open(dir.resolve("repo").toString());
                Repository repo = Repository.init(store, "correct horse".toCharArray(),
                        RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).build())) {
            repo.backup(BackupRequest.of(DirectorySource.of("orders", data)));
        }
        // the live target holds a file the snapshot does not
        Files.writeString(Files.createDirectories(dir.resolve("live/orders")).resolve("a.txt"), "live only\n");
        Path scratch = dir.resolve("scratch");
        PlanFileReader drills = PlanFileReader.builder().environment(Map.of("DR_PASSWORD", "correct horse"))
                .drillScratch(scratch).build();
        Files.writeString(dir.resolve("a.yaml"), HEAD + yaml(
                "  - {name: restore-orders, kind: restore, repository: repo, target: live}",
                "  - {name: verify-data, kind: verify-command, dependsOn: restore-orders,",
                "     run: [test, -f, '${restore-orders.target}/orders/a.txt']}"));
        ExecutionResult wrong = executor.run(drills.read(dir.resolve("a.yaml")), ExecutionRequest.drill().withId("d1"),
                LIMIT);
        assertThat(wrong.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(wrong.reason()).isEqualTo("step verify-data failed: `test -f " + scratch.resolve("d1")
                + "/orders/a.txt` exited 1, expected 0");

        Files.writeString(dir.resolve("zzz.yaml"), HEAD + yaml(
                "  - {name: restore-orders, kind: restore, repository: repo, target: live}",
                "  - {name: verify-data, kind: verify-command, dependsOn: restore-orders,",
                "     run: [test, -f, '${restore-orders.target}/orders/zzz.txt']}",
                "  - {name: by-variable, kind: verify-command, dependsOn: restore-orders,",
                "     run: [sh, -c, 'test -f \"$DR_TARGET_RESTORE_ORDERS/orders/zzz.txt\"']}"));
        Plan plan = drills.read(dir.resolve("zzz.yaml"));
        ExecutionResult drill = executor.run(plan, ExecutionRequest.drill().withId("d2"), LIMIT);
        assertThat(drill.succeeded()).as(drill.reason()).isTrue();
        assertThat(dir.resolve("live/orders/zzz.txt")).doesNotExist();
        assertThat(Files.getPosixFilePermissions(scratch.resolve("d2")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));

        ExecutionResult live = executor.run(plan, ExecutionRequest.live().withId("l1"), LIMIT);
        assertThat(live.succeeded()).as(live.reason()).isTrue();
        assertThat(live.step("verify-data").orElseThrow().notes()).singleElement().asString()
                .startsWith("`test -f " + dir.resolve("live") + "/orders/zzz.txt` exited 0");
    }

    @Test
    void aRestoreTargetThatNamesNoRestoreStepIsNamedWithItsPath() {
        rejects("t.yaml", HEAD + yaml("  - {name: restore, kind: restore, repository: repo, target: live}",
                "  - {name: check, kind: verify-command, run: [test, -d, '${restor.target}/orders'], dependsOn: restore}"),
                "t.yaml: steps[1].run: ${restor.target} names no restore step; restore steps: restore");
        rejects("v.yaml", HEAD + yaml("  - {name: restore, kind: restore, repository: repo, target: live}",
                "verifications:",
                "  - {name: data, command: {run: [test, -d, '${restore.target}/orders']}}"),
                "v.yaml: verifications[0].command.run: ${restore.target}: a verification runs outside the steps and "
                        + "cannot name a restore's target; check it in a verify-command step that depends on restore");
    }

    @Test
    void aFailingCommandFailsItsStepAndTheCompensationUndoesTheEarlierOnes() throws Exception {
        Plan plan = read("fail.yaml", HEAD + yaml(
                "  - {name: fence, kind: command, run: [touch, fenced], directory: ., undo: [rm, fenced]}",
                "  - {name: check, kind: verify-command, run: [sh, -c, 'echo replica lags; exit 3'], dependsOn: fence}"));
        ExecutionResult r = executor.run(plan, ExecutionRequest.live(), LIMIT);
        assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(r.reason()).isEqualTo("step check failed: `sh -c echo replica lags; exit 3` exited 3, expected 0: "
                + "replica lags");
        assertThat(r.step("fence").orElseThrow().state()).isEqualTo(StepState.COMPENSATED);
        assertThat(dir.resolve("fenced")).doesNotExist();
    }

    @Test
    void aCommandPastItsTimeoutIsKilled() throws Exception {
        Plan plan = read("slow.yaml", HEAD + "  - {name: slow, kind: command, run: [sleep, '600'], timeout: 200ms}\n");
        ExecutionResult r = executor.run(plan, ExecutionRequest.live(), LIMIT);
        assertThat(r.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(r.reason()).contains("attempt 1 timed out after 200 ms (ran ");
    }

    void rejects(String name, String text, String message) {
        assertThatThrownBy(() -> read(name, text)).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG)).hasMessage(message);
    }

    @Test
    void anUnknownStepKindIsNamedWithItsPath() {
        rejects("p.yaml", HEAD + "  - {name: a, kind: wait, duration: 1s}\n  - {name: b, kind: reboot}\n",
                "p.yaml: steps[1].kind: unknown step kind 'reboot'; known: approval, command, failover, notify, "
                        + "restore, verify-command, verify-http, wait");
    }

    @Test
    void aCycleIsNamedAtItsFirstStep() {
        rejects("p.yaml", HEAD + yaml("  - {name: a, kind: wait, duration: 1s, dependsOn: c}",
                "  - {name: b, kind: wait, duration: 1s, dependsOn: a}",
                "  - {name: c, kind: wait, duration: 1s, dependsOn: b}"),
                "p.yaml: steps[0].dependsOn: dependency cycle: a -> c -> b -> a");
    }

    @Test
    void aMissingFieldIsNamedWithItsPath() {
        rejects("p.yaml", HEAD + "  - {name: a, kind: restore, repository: repo}\n",
                "p.yaml: steps[0].target: missing");
        rejects("p.json", "{\"name\":\"x\",\"steps\":[]}", "p.json: objectives: missing");
    }

    @Test
    void aBadDurationIsNamedWithItsPath() {
        rejects("p.yaml", HEAD + yaml("  - {name: a, kind: wait, duration: 1s}", "  - {name: b, kind: wait, duration: 1s}",
                "  - {name: c, kind: wait, duration: 1s, timeout: x}"),
                "p.yaml: steps[2].timeout: bad duration 'x' (write 30s, 5m, 1h30m, 250ms or PT5M)");
        rejects("p.yaml", "name: p\nobjectives: {rto: 0s, rpo: 1m}\nsteps: []\n",
                "p.yaml: objectives.rto: must be > 0, but was PT0S");
    }

    @Test
    void otherMistakesAreNamedWithTheirPaths() {
        rejects("p.yaml", HEAD + "  - {name: a, kind: wait, duration: 1s, dependson: b}\n",
                "p.yaml: steps[0].dependson: unknown field; known: compensation, dependsOn, description, duration, "
                        + "interval, kind, name, optional, owner, retry, timeout, until");
        rejects("p.yaml", HEAD + "  - {name: a, kind: wait, duration: 1s, dependsOn: [b]}\n",
                "p.yaml: steps[0].dependsOn: unknown step 'b'; steps: a");
        rejects("p.yaml", HEAD + "  - {name: a, kind: wait, duration: 1s}\n  - {name: a, kind: wait, duration: 2s}\n",
                "p.yaml: steps[1].name: duplicate step name 'a' (first at steps[0])");
        rejects("p.yaml", HEAD + "  - {name: a, kind: failover, failover: payments}\n",
                "p.yaml: steps[0].failover: no Failover named 'payments'; known: orders-db");
        rejects("p.yaml", HEAD + "  - {name: a, kind: wait, duration: 1s, retry: {attempts: 0}}\n",
                "p.yaml: steps[0].retry.attempts: must be >= 1, but was 0");
        rejects("p.yaml", HEAD + "  - {name: a, kind: verify-http, url: 'ftp://x'}\n",
                "p.yaml: steps[0].url: must be an http or https URL, but was 'ftp://x'");
        rejects("p.yaml", HEAD + "  - {name: a, kind: approval, approvers: ops, timeout: 5m, escalateAfter: 10m}\n",
                "p.yaml: steps[0]: timeout must be > escalateAfter (PT10M), but was PT5M");
        assertThatThrownBy(() -> read("p.yaml", "name: [")).hasMessageStartingWith("p.yaml: not valid YAML at line 1")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aDependencyOrAKeyGivenTwiceIsRefused() {
        rejects("p.yaml", HEAD + yaml("  - {name: a, kind: wait, duration: 1s}", "  - {name: c, kind: wait, duration: 1s}",
                "  - {name: b, kind: wait, duration: 1s, dependsOn: [c, a, c]}"),
                "p.yaml: steps[2].dependsOn: names step 'c' twice");
        assertThatThrownBy(() -> read("p.yaml", "name: one\nname: two\nobjectives: {rto: 5m, rpo: 5m}\n"
                + "steps: [{name: a, kind: wait, duration: 1s}]\n")).isInstanceOf(DrException.class)
                .hasMessage("p.yaml: not valid YAML at line 2, column 7: key \"name\" is given twice");
        assertThatThrownBy(() -> read("p.json", "{\"name\":\"x\",\"objectives\":{\"rto\":\"5m\",\"rto\":\"1m\","
                + "\"rpo\":\"5m\"},\"steps\":[{\"name\":\"a\",\"kind\":\"wait\",\"duration\":\"1s\"}]}"))
                .isInstanceOf(DrException.class).hasMessageStartingWith("p.json: not valid JSON at line 1")
                .hasMessageEndingWith(": key \"rto\" is given twice");
    }

    @Test
    void aFailoverRegisteredOnTheReaderComesBeforeTheServiceLoader() throws Exception {
        RecordingFailover mine = new RecordingFailover() {
            @Override
            public String describe() {
                return "mine";
            }
        };
        Plan plan = PlanFileReader.builder().failover("orders-db", mine).build()
                .parse(HEAD + "  - {name: a, kind: failover, failover: orders-db}\n", "p.yaml", dir);
        assertThat(plan.steps().get(0).step().describe()).isEqualTo("Fail over mine");
        assertThat(StepPolicy.DEFAULT.timeout()).isEqualTo(plan.steps().get(0).policy().timeout());
    }

    @Test
    void textFieldsReadVariablesOfTheEnvironmentAndAnUnsetOneIsNamedWithItsPath() {
        PlanFileReader withVars = PlanFileReader.builder()
                .environment(Map.of("DR_SERVICE_URL", "http://orders:8080", "EMPTY", "")).build();
        Plan plan = withVars.parse(HEAD + yaml(
                "  - {name: a, kind: verify-http, url: '${DR_SERVICE_URL}/health'}",
                "  - {name: b, kind: command, run: [echo, '${EMPTY:-none}', '$${HOME}'], dependsOn: a}"), "p.yaml", dir);
        assertThat(plan.steps().get(0).step().describe()).contains("http://orders:8080/health");
        assertThat(plan.steps().get(1).step().describe()).as("quoted as a shell reads it back")
                .contains("echo none '${HOME}'");

        assertThatThrownBy(() -> withVars.parse(HEAD + "  - {name: a, kind: restore, repository: '${DR_REPOSITORY}', "
                + "target: /srv}\n", "p.yaml", dir)).isInstanceOfSatisfying(DrException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessage("p.yaml: steps[0].repository: ${DR_REPOSITORY} is not set in the environment "
                        + "(write ${DR_REPOSITORY:-default} for a default)");
    }
}
