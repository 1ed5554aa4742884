package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.journal.RecordFeed;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code dr unlock} and the remedy a locked repository's message names, against a file repository. */
class UnlockCommandTest {
    @TempDir
    Path dir;

    private Path repo;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws IOException {
        repo = dir.resolve("repo");
        Path data = Files.createDirectories(dir.resolve("orders"));
        Files.writeString(data.resolve("order-1.json"), "{\"id\":1}");
        assertThat(dr("init", "--repo", repo.toString())).isZero();
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isZero();
    }

    private int dr(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = DrCommand.newCommandLine(Map.of("DR_PASSWORD", "correct horse"));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** Writes a lock as a backup's would be, 25 minutes from expiring. */
    private void lock(String id, String host, long pid) throws IOException {
        Instant now = Instant.now();
        Files.createDirectories(repo.resolve("locks.d"));
        Files.writeString(repo.resolve("locks.d").resolve(id), "{\"owner\":\"root\",\"host\":\"" + host
                + "\",\"pid\":" + pid + ",\"exclusive\":false,\"created\":\"" + now + "\",\"expires\":\""
                + now.plus(Duration.ofMinutes(25)) + "\"}");
    }

    /** The pid of a process that ran and ended, as a backup killed with kill -9 leaves in its lock. */
    private static long endedPid() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor();
        assertThat(ProcessHandle.of(p.pid()).filter(ProcessHandle::isAlive)).isEmpty();
        return p.pid();
    }

    @Test
    void pruneRemovesTheLockOfABackupKilledOnThisHostAndUnlockDoesTooButBothKeepAnotherHostsLock() throws Exception {
        String host = RepositoryOptions.DEFAULT.host();
        long dead = endedPid();
        lock("killed", host, dead);
        assertThat(dr("prune", "--repo", repo.toString())).as(err.toString()).isZero();
        assertThat(repo.resolve("locks.d/killed")).doesNotExist();

        lock("killed", host, dead);
        lock("elsewhere", "another-" + host, dead);
        assertThat(dr("unlock", "--repo", repo.toString())).isZero();
        assertThat(out.toString()).contains(
                "removed locks/killed: shared lock of root on " + host + " (pid " + dead + ", its process is gone)",
                "kept locks/elsewhere: shared lock of root on another-" + host + " (pid " + dead + ", live, until ",
                "removed 1 lock, kept 1 (live:");
        assertThat(repo.resolve("locks.d/killed")).doesNotExist();

        assertThat(dr("prune", "--repo", repo.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("locks/elsewhere", "it expires at ", "'dr unlock' (Repository.unlock) "
                + "removes it after then").doesNotContain("process is gone");

        assertThat(dr("unlock", "--repo", repo.toString(), "--remove-all", "--json")).isZero();
        JsonNode result = CliJson.MAPPER.readTree(out.toString());
        assertThat(result.get("removed").get(0).get("key").asString()).isEqualTo("locks/elsewhere");
        assertThat(result.get("removed").get(0).get("state").asString()).isEqualTo("LIVE");
        assertThat(result.get("removed").get(0).get("kind").asString()).isEqualTo("repository");
        assertThat(result.get("kept").isEmpty()).isTrue();
        assertThat(dr("prune", "--repo", repo.toString())).isZero();
    }

    @Test
    void aJournalsWriterLockIsNamedAsSuchAndKeptWhileLive() {
        RepositoryOptions options = RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).host("ops-1")
                .actor("watcher").build();
        long pid = ProcessHandle.current().pid();
        try (SnapshotStore store = SnapshotStores.file(repo);
                Repository r = Repository.open(store, "correct horse".toCharArray(), options);
                Journal running = r.manualJournal(RecordFeed.named("orders"), JournalOptions.DEFAULT)) {
            assertThat(dr("unlock", "--repo", repo.toString())).isZero();
            assertThat(out.toString()).contains("kept journal-locks/orders: journal writer lock of watcher on ops-1 "
                    + "(pid " + pid + ", live, until ").doesNotContain("shared lock");

            assertThat(dr("unlock", "--repo", repo.toString(), "--json")).isZero();
            JsonNode kept = CliJson.MAPPER.readTree(out.toString()).get("kept");
            assertThat(kept).hasSize(1);
            assertThat(kept.get(0).get("kind").asString()).isEqualTo("journal-writer");
            // besides its kind, a lock reads as the library's LockInfo does, field for field
            ObjectNode lock = (ObjectNode) kept.get(0).deepCopy();
            lock.remove("kind");
            assertThat(lock.toString()).isEqualTo(CliJson.COMPACT.writeValueAsString(r.locks().get(0)));
            assertThat(kept.get(0).propertyNames()).containsExactly("key", "kind", "owner", "host", "pid",
                    "exclusive", "expires", "state");
        }
    }

    @Test
    void theHelpSaysWhenEachKindOfLockExpires() {
        assertThat(dr("unlock", "--help")).isZero();
        assertThat(out.toString().replaceAll("\\s+", " ")).contains(
                "a repository lock, locks/<id>, expires 30 minutes after its last refresh",
                "a journal writer lock, journal-locks/<source>,", "5 minutes after");
    }

    @Test
    void theHelpOfRemoveAllWarnsThatNoProcessMayRunAnywhere() {
        assertThat(dr("unlock", "--help")).isZero();
        assertThat(out.toString().replaceAll("\\s+", " ")).contains("DANGER: remove EVERY lock",
                "NO dr process", "on ANY host", "kill -9",
                "Taking a repository lock removes by itself the locks this host's gone processes left");
    }
}
