package dev.drkit.test.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.BackupResult;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.PruneOptions;
import dev.drkit.core.repository.PruneResult;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.VerifyOptions;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.test.fault.FaultProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup engine end to end on a store against its real server: init, full and incremental
 * backup, restore byte for byte, verify, forget and prune; and a backup cut off by a lost
 * server, which leaves no snapshot, then completed through a server that still fails. A store
 * module subclasses it:
 *
 * <pre>{@code
 * class MyRepositoryEndToEndTest extends RepositoryEndToEndContract {
 *     protected SnapshotStore newStore() { ... }
 *     protected int serverPort() { ... }
 *     protected SnapshotStore openThrough(FaultProxy proxy, String prefix, int maxAttempts,
 *             MeterRegistry registry) { ... }
 * }
 * }</pre>
 */
public abstract class RepositoryEndToEndContract {
    private static final char[] PASSWORD = "correct horse battery".toCharArray();

    /** A directory of the test's own. */
    @TempDir
    protected Path tmp;

    /**
     * Opens a store on an empty prefix of the server.
     *
     * @return the store; the test closes it
     */
    protected abstract SnapshotStore newStore();

    /**
     * Returns the server's loopback port, for fault proxies in front of it.
     *
     * @return the port
     */
    protected abstract int serverPort();

    /**
     * Opens a store on {@code prefix} through a fault proxy.
     *
     * @param proxy the proxy in front of the server
     * @param prefix the prefix, the same for calls with the same value
     * @param maxAttempts how many times a request is tried in all
     * @param registry where the store's {@code dr.store.*} meters go
     * @return the store; the test closes it
     */
    protected abstract SnapshotStore openThrough(FaultProxy proxy, String prefix, int maxAttempts,
            MeterRegistry registry);

    /**
     * Options for small, quick repositories: cheap key derivation, small chunks and packs.
     *
     * @return the options
     */
    protected static RepositoryOptions options() {
        return RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).chunkSizes(4096, 16384, 65536)
                .packSize(256 * 1024).threads(2).host("e2e").build();
    }

    @Test
    void initBackupIncrementRestoreVerifyForgetAndPrune() throws IOException {
        Path source = tree(tmp.resolve("src"), 1);
        try (SnapshotStore store = newStore()) {
            try (Repository repo = Repository.init(store, PASSWORD, options())) {
                BackupResult full = repo.backup(BackupRequest.of(DirectorySource.of("app", source)));
                assertThat(full.bytesAdded()).isPositive();

                Files.writeString(source.resolve("notes/changed.txt"), "a new line\n".repeat(1000));
                BackupResult incremental = repo.backup(BackupRequest.of(DirectorySource.of("app", source)));
                assertThat(incremental.filesChanged() + incremental.filesNew()).isEqualTo(1);
                assertThat(incremental.bytesAdded()).isLessThan(full.bytesAdded() / 4);
            }
            try (Repository repo = Repository.open(store, PASSWORD, options())) {
                assertThat(repo.snapshots()).hasSize(2);
                repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
                assertThat(contents(tmp.resolve("out/app"))).isEqualTo(contents(source));
                assertThat(repo.verify(VerifyOptions.readAllData()).problems()).isEmpty();

                assertThat(repo.forget(RetentionPolicy.builder().keepLast(1).build(), false).removed()).hasSize(1);
                PruneResult pruned = repo.prune(new PruneOptions(Duration.ZERO, 0.2, false));
                assertThat(pruned.dryRun()).isFalse();
                assertThat(repo.verify(VerifyOptions.readAllData()).problems()).isEmpty();
                repo.restore("latest", tmp.resolve("again"), RestoreOptions.all());
                assertThat(contents(tmp.resolve("again/app"))).isEqualTo(contents(source));
            }
        }
    }

    @Test
    void aBackupCutOffByALostServerLeavesNoSnapshotAndARetryCompletes() throws Exception {
        Path source = tree(tmp.resolve("src"), 2);
        String prefix = "e2e-" + UUID.randomUUID();
        try (FaultProxy cut = new FaultProxy(serverPort())) {
            try (SnapshotStore store = openThrough(cut, prefix, 2, new SimpleMeterRegistry());
                    Repository repo = Repository.init(store, PASSWORD, options())) {
                cut.cutAfter(1 << 20);
                assertThatThrownBy(() -> repo.backup(BackupRequest.of(DirectorySource.of("app", source))),
                        "backup of \"app\" with the connection cut after 1 MiB must throw DrException with code "
                                + "UNAVAILABLE")
                        .isInstanceOfSatisfying(DrException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
            }
        }

        // The operator runs the backup again, in a new process, while the server still stumbles
        // (through a proxy of its own, so that stragglers of the first run cannot take its faults).
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (FaultProxy flaky = new FaultProxy(serverPort())) {
            flaky.failNext(3);
            try (SnapshotStore store = openThrough(flaky, prefix, 5, registry);
                    Repository repo = Repository.open(store, PASSWORD, options())) {
                assertThat(repo.snapshots()).as("no partial snapshot is visible").isEmpty();
                repo.backup(BackupRequest.of(DirectorySource.of("app", source)));

                assertThat(repo.snapshots()).hasSize(1);
                repo.restore("latest", tmp.resolve("out"), RestoreOptions.all());
                assertThat(contents(tmp.resolve("out/app"))).isEqualTo(contents(source));
                assertThat(repo.verify(VerifyOptions.readAllData()).problems()).isEmpty();
            }
            assertThat(flaky.injected()).isEqualTo(3);
            assertThat(registry.find("dr.store.requests").tag("outcome", "unavailable").counters()
                    .stream().mapToDouble(c -> c.count()).sum()).isEqualTo(3);
        }
    }

    /**
     * Writes a small tree: random (incompressible) files, a duplicate, text, an empty file and
     * a nested directory.
     *
     * @param root where
     * @param seed the random data's seed
     * @return {@code root}
     * @throws IOException when a file cannot be written
     */
    public static Path tree(Path root, long seed) throws IOException {
        Random random = new Random(seed);
        Files.createDirectories(root.resolve("data/nested"));
        Files.createDirectories(root.resolve("notes"));
        for (int i = 0; i < 4; i++) {
            byte[] data = new byte[300_000 + random.nextInt(200_000)];
            random.nextBytes(data);
            Files.write(root.resolve("data/blob-" + i + ".bin"), data);
        }
        byte[] copy = Files.readAllBytes(root.resolve("data/blob-0.bin"));
        Files.write(root.resolve("data/nested/duplicate.bin"), copy);
        Files.writeString(root.resolve("notes/readme.txt"), "DR Kit end to end\n".repeat(5000));
        Files.writeString(root.resolve("notes/changed.txt"), "an old line\n".repeat(1000));
        Files.write(root.resolve("notes/empty"), new byte[0]);
        return root;
    }

    /**
     * Returns every regular file under a root, by relative path, with its SHA-256 in hex.
     *
     * @param root the root
     * @return path to digest
     * @throws IOException when a file cannot be read
     */
    public static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                files.put(root.relativize(p).toString(), HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return files;
    }
}
