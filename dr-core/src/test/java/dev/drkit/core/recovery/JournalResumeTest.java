package dev.drkit.core.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalResumeTest {
    static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** Runs the plan in a child JVM until it hangs at {@code hangAt}, then kills the JVM. */
    static void runAndKill(Path journal, Path effects, String hangAt, String id, String mode) throws Exception {
        Path marker = journal.resolveSibling("marker-" + id);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashingExecutionMain.class.getName(), journal.toString(), effects.toString(), hangAt,
                marker.toString(), id, mode)
                .redirectErrorStream(true).redirectOutput(journal.resolveSibling("child-" + id + ".log").toFile())
                .start();
        try {
            for (int i = 0; i < 60_000 && !Files.exists(marker) && child.isAlive(); i++) {
                Thread.sleep(1);
            }
            assertThat(marker).as("the child reached step %s; its log: %s", hangAt,
                    journal.resolveSibling("child-" + id + ".log")).exists();
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static RecoveryExecutor executor(SnapshotStore store) {
        return RecoveryExecutor.builder().journal(store, "executions").pollInterval(Duration.ofMillis(1)).build();
    }

    static List<ObjectInfo> entries(SnapshotStore store, String id) {
        return store.list("executions/" + id + "/").filter(o -> !o.key().endsWith("/lease")).toList();
    }

    @Test
    void anExecutionKilledMidwayResumesFromItsLastCompletedStep() throws Exception {
        Path journal = dir.resolve("journal");
        Path effects = dir.resolve("effects");
        runAndKill(journal, effects, "switch", "exec-1", "LIVE");
        assertThat(CrashPlans.effects(effects)).containsExactly("fence exec-1/fence", "restore exec-1/restore",
                "switch exec-1/switch");
        try (SnapshotStore store = SnapshotStores.file(journal); RecoveryExecutor ex = executor(store)) {
            assertThat(ex.unfinished()).containsExactly("exec-1");
            Plan plan = CrashPlans.plan(effects, "none", dir.resolve("m"));
            java.time.Instant resumedAt = java.time.Instant.now();
            ExecutionResult r = ex.resume(plan, "exec-1").await(LIMIT);
            // the step that runs again counts from its new start, not across the time nobody ran it
            assertThat(r.step("switch").orElseThrow().startedAt()).isAfterOrEqualTo(resumedAt);
            assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(r.resumed()).isTrue();
            assertThat(r.step("fence").orElseThrow().resumed()).isTrue();
            assertThat(r.step("switch").orElseThrow().resumed()).isFalse();
            assertThat(r.achievedRpo()).isPresent();
            assertThat(ex.unfinished()).isEmpty();
            assertThatThrownBy(() -> ex.resume(plan, "exec-1")).isInstanceOf(DrException.class)
                    .hasMessageContaining("has finished already");
        }
        // completed steps did not run again; the interrupted one ran again with the same idempotency key
        assertThat(CrashPlans.effects(effects)).containsExactly("fence exec-1/fence", "restore exec-1/restore",
                "switch exec-1/switch", "switch exec-1/switch", "unfence exec-1/unfence");
    }

    @Test
    void aJournalWhoseTailWasLostResumesByRunningTheLostStepsAgain() throws Exception {
        Path journal = dir.resolve("journal");
        Path effects = dir.resolve("effects");
        runAndKill(journal, effects, "switch", "exec-2", "LIVE");
        try (SnapshotStore store = SnapshotStores.file(journal); RecoveryExecutor ex = executor(store)) {
            List<ObjectInfo> entries = entries(store, "exec-2");
            // start, fence running, fence done, restore running, restore done, (switch running): lose restore done on
            assertThat(entries).hasSizeGreaterThanOrEqualTo(5);
            for (ObjectInfo e : entries.subList(4, entries.size())) {
                store.delete(e.key());
            }
            ExecutionResult r = ex.resume(CrashPlans.plan(effects, "none", dir.resolve("m")), "exec-2").await(LIMIT);
            assertThat(r.succeeded()).isTrue();
            assertThat(r.step("restore").orElseThrow().resumed()).isFalse();
        }
        assertThat(CrashPlans.effects(effects)).containsSubsequence("restore exec-2/restore", "switch exec-2/switch",
                "restore exec-2/restore", "switch exec-2/switch", "unfence exec-2/unfence");
    }

    @Test
    void aTornLastJournalEntryIsDiscardedAndTheExecutionResumes() throws Exception {
        Path journal = dir.resolve("journal");
        Path effects = dir.resolve("effects");
        runAndKill(journal, effects, "switch", "exec-3", "DRILL");
        try (SnapshotStore store = SnapshotStores.file(journal); RecoveryExecutor ex = executor(store)) {
            List<ObjectInfo> entries = entries(store, "exec-3");
            String last = entries.get(entries.size() - 1).key();
            byte[] whole = store.get(last);
            store.put(last, Arrays.copyOf(whole, whole.length / 2));
            ExecutionResult r = ex.resume(CrashPlans.plan(effects, "none", dir.resolve("m")), "exec-3").await(LIMIT);
            assertThat(r.succeeded()).isTrue();
            assertThat(r.mode()).hasToString("DRILL");
        }
    }

    @Test
    void aJournalDamagedBeforeItsTailFailsClearlyNamingTheEntry() throws Exception {
        Path journal = dir.resolve("journal");
        Path effects = dir.resolve("effects");
        runAndKill(journal, effects, "switch", "exec-4", "LIVE");
        try (SnapshotStore store = SnapshotStores.file(journal); RecoveryExecutor ex = executor(store)) {
            List<ObjectInfo> entries = entries(store, "exec-4");
            store.put(entries.get(2).key(), "{\"type\":".getBytes());
            Plan plan = CrashPlans.plan(effects, "none", dir.resolve("m"));
            assertThatThrownBy(() -> ex.resume(plan, "exec-4")).isInstanceOf(DrException.class)
                    .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.INTEGRITY))
                    .hasMessageContaining("entry executions/exec-4/00000002.json cannot be read");
            store.delete(entries.get(1).key());
            assertThatThrownBy(() -> ex.resume(plan, "exec-4")).hasMessageContaining(
                    "entry executions/exec-4/00000001.json is missing");
        }
    }

    @Test
    void aJournalEntryWithAMalformedFieldFailsAsDamageNamingTheEntryAndTheField() throws Exception {
        try (SnapshotStore store = SnapshotStores.memory(); RecoveryExecutor ex = executor(store)) {
            Plan plan = CrashPlans.plan(dir.resolve("e"), "none", dir.resolve("m"));
            ex.run(plan, ExecutionRequest.live().withId("x2"), LIMIT);
            List<ObjectInfo> entries = entries(store, "x2");
            store.delete(entries.get(entries.size() - 1).key()); // the finish entry: the execution is unfinished again
            String start = new String(store.get(entries.get(0).key()), java.nio.charset.StandardCharsets.UTF_8);
            store.put(entries.get(0).key(), start.replace("\"mode\":\"LIVE\"", "\"mode\":7").getBytes());
            assertThatThrownBy(() -> ex.resume(plan, "x2")).isInstanceOf(DrException.class)
                    .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.INTEGRITY))
                    .hasMessageContaining("entry executions/x2/00000000.json cannot be replayed: field 'mode'");
            store.put(entries.get(0).key(), start.getBytes());
            String step = new String(store.get(entries.get(2).key()), java.nio.charset.StandardCharsets.UTF_8);
            store.put(entries.get(2).key(), step.replaceFirst("\"at\":\"[^\"]*\"", "\"at\":\"soon\"").getBytes());
            assertThatThrownBy(() -> ex.resume(plan, "x2")).isInstanceOf(DrException.class)
                    .hasMessageContaining("entry executions/x2/00000002.json cannot be replayed: field 'at' is not an instant");
        }
    }

    @Test
    void resumingWithAPlanOfAnotherShapeIsRefused() throws Exception {
        try (SnapshotStore store = SnapshotStores.memory(); RecoveryExecutor ex = executor(store)) {
            Plan plan = CrashPlans.plan(dir.resolve("e"), "none", dir.resolve("m"));
            ex.run(plan, ExecutionRequest.live().withId("x1"), LIMIT);
            assertThatThrownBy(() -> ex.start(plan, ExecutionRequest.live().withId("x1")))
                    .hasMessageContaining("execution x1 has finished already (SUCCEEDED); choose another id");
            Plan other = Plan.builder("orders-db").objectives(Duration.ofMinutes(1), Duration.ofMinutes(1))
                    .step("fence", c -> {
                    }).build();
            store.delete(entries(store, "x1").get(entries(store, "x1").size() - 1).key());
            assertThatThrownBy(() -> ex.start(plan, ExecutionRequest.live().withId("x1")))
                    .hasMessageContaining("execution x1 exists in the journal and has not finished; resume it");
            assertThatThrownBy(() -> ex.resume(plan, "x1", ExecutionMode.DRILL)).isInstanceOf(DrException.class)
                    .hasMessageContaining("execution x1 ran LIVE; resume it as a LIVE run (DRILL was asked for)")
                    .extracting(e -> ((DrException) e).input()).isEqualTo("mode");
            assertThatThrownBy(() -> ex.resume(other, "x1")).hasMessageContaining("of another shape");
            assertThatThrownBy(() -> ex.resume(plan, "nope")).hasMessageContaining("has no execution nope");
        }
    }
}
