package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.backup.EntryWriter;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.backup.SourceView;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.core.store.internal.TemporaryFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** Damage and tampering through the command line: exit 3 naming the object, exit 2 only for a wrong password. */
class IntegrityCommandsTest {
    private Map<String, String> environment = Map.of("DR_PASSWORD", "correct horse");

    @TempDir
    Path dir;

    private Path repo;
    private Path data;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws IOException {
        repo = dir.resolve("repo");
        data = dir.resolve("orders");
        Files.createDirectories(data);
        Files.writeString(data.resolve("order.json"), "{\"id\":1}");
    }

    private int dr(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = DrCommand.newCommandLine(environment);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** Initializes a repository with two snapshots and returns the newest one's id. */
    private String twoSnapshots() throws IOException {
        assertThat(dr("init", "--repo", repo.toString())).isZero();
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isZero();
        Files.writeString(data.resolve("order.json"), "{\"id\":2}");
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isZero();
        assertThat(dr("snapshots", "--repo", repo.toString(), "--json")).isZero();
        JsonNode list = CliJson.MAPPER.readTree(out.toString());
        return list.get(0).get("id").asString(); // listed newest first
    }

    private Path keyFile() throws IOException {
        try (Stream<Path> keys = Files.list(repo.resolve("keys.d"))) {
            return keys.findFirst().orElseThrow();
        }
    }

    @Test
    void aDeletedHistoryHeadIsWarnedOfByListingsNamedWithItsRemedyAndRebuiltByRepairHistory() throws IOException {
        String newest = twoSnapshots();
        Path head;
        try (Stream<Path> all = Files.walk(repo)) {
            head = all.filter(p -> p.getFileName().toString().equals("head")).findFirst().orElseThrow();
        }
        Files.delete(head);

        assertThat(dr("snapshots", "--repo", repo.toString())).isZero();
        assertThat(err.toString()).contains("warning: cannot check the listing against the snapshot history: "
                + "history/head is missing");
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isEqualTo(DrCommand.EXIT_INTEGRITY);
        assertThat(err.toString()).contains("dr repair history").contains("was not saved");
        assertThat(dr("restore", "--repo", repo.toString(), newest, "--target", dir.resolve("r").toString()))
                .isEqualTo(DrCommand.EXIT_INTEGRITY);
        assertThat(err.toString()).contains("dr repair history").contains("--allow-unverified-history");

        assertThat(dr("repair", "history", "--repo", repo.toString())).isZero();
        assertThat(out.toString()).contains("rebuilt history/head (it was missing) from the archived entries 1 to 3");
        assertThat(err.toString()).contains("cannot be detected");
        assertThat(dr("verify", "--repo", repo.toString())).isZero();
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isZero();
        assertThat(dr("repair", "history", "--repo", repo.toString())).isZero();
        assertThat(out.toString()).contains("nothing to repair");
    }

    @Test
    void deletingTheNewestManifestFailsVerifyAndRestoreLatestNamingIt() throws IOException {
        String newest = twoSnapshots();
        Files.delete(repo.resolve("snapshots.d").resolve(newest));

        assertThat(dr("verify", "--repo", repo.toString(), "--read-data")).isEqualTo(3);
        assertThat(out.toString()).contains("problem: snapshots/" + newest).contains("FAILED");

        Path target = dir.resolve("restored");
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("snapshots/" + newest).contains("--allow-unverified-history");
        assertThat(target.resolve("orders/order.json")).doesNotExist();

        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString(),
                "--allow-unverified-history")).isZero();
        assertThat(target.resolve("orders/order.json")).hasContent("{\"id\":1}");
    }

    @Test
    void aBackupAfterThePacksWereDeletedIsExitThreeNamingThemAndItsSnapshotRestores() throws IOException {
        twoSnapshots();
        List<Path> packs;
        try (Stream<Path> files = Files.walk(repo.resolve("data.d"))) {
            packs = files.filter(Files::isRegularFile).toList();
        }
        for (Path pack : packs) {
            Files.delete(pack);
        }

        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).as(err.toString())
                .isEqualTo(DrCommand.EXIT_INTEGRITY);
        assertThat(err.toString()).contains("warning: " + packs.size() + " pack" + (packs.size() == 1 ? " " : "s ")
                + "the index listed", "data/" + packs.get(0).getFileName().toString().substring(0, 2) + "/",
                "was read from the sources and stored again", "run dr verify");
        assertThat(out.toString()).startsWith("snapshot ");
        assertThat(dr("restore", "latest", "--repo", repo.toString(), "--target", dir.resolve("back").toString()))
                .as(err.toString()).isZero();
        assertThat(dir.resolve("back/orders/order.json")).hasContent("{\"id\":2}");
        assertThat(dr("verify", "--repo", repo.toString())).as("the first snapshot's content is gone")
                .isEqualTo(DrCommand.EXIT_INTEGRITY);

        assertThat(dr("backup", "--repo", repo.toString(), data.toString(), "--json")).as(err.toString()).isZero();
        assertThat(CliJson.MAPPER.readTree(out.toString()).get("packsMissing").isEmpty()).isTrue();
    }

    @Test
    void anIndexFileDeletedFailsVerifyNamingItUntilRepairIndexRecordsItsRemoval() throws IOException {
        twoSnapshots();
        Path index;
        try (Stream<Path> files = Files.walk(repo.resolve("index.d"))) {
            index = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        Files.delete(index);
        String key = "index/" + index.getFileName();

        assertThat(dr("verify", "--repo", repo.toString())).isEqualTo(3);
        assertThat(out.toString()).contains("problem: " + key).contains("it was deleted");
        assertThat(dr("repair", "index", "--repo", repo.toString())).isZero();
        assertThat(out.toString()).contains("wrote a new index in place of 2 files (0 damaged, 1 missing)");
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data")).as(out.toString()).isZero();
        assertThat(out.toString()).doesNotContain(key);
        Path target = dir.resolve("restored");
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString())).isZero();
        assertThat(target.resolve("orders/order.json")).hasContent("{\"id\":2}");
    }

    @Test
    void withAnIndexFileDamagedOrDeletedEveryCommandPointsToRepairIndexAndNoneAdvisesPrune() throws IOException {
        assertThat(dr("init", "--repo", repo.toString())).isZero();
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isZero();
        Path index;
        try (Stream<Path> files = Files.walk(repo.resolve("index.d"))) {
            index = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        byte[] intact = Files.readAllBytes(index);
        byte[] flipped = intact.clone();
        flipped[intact.length / 2] ^= 0x01;
        Files.write(index, flipped);

        assertThat(dr("verify", "--repo", repo.toString())).isEqualTo(3);
        assertThat(out.toString()).contains("problem: index/" + index.getFileName())
                .contains("that no index lists: an index file is damaged or missing")
                .contains("run dr repair index first, not dr prune")
                .doesNotContain("interrupted backup").doesNotContain("run dr prune to remove");
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("is not in the index").contains("dr repair index");

        Files.delete(index);
        assertThat(dr("prune", "--repo", repo.toString(), "--dry-run")).isEqualTo(3);
        assertThat(err.toString()).contains("is not in the index").contains("dr repair index");
        Path target = dir.resolve("restored");
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString()))
                .as("damage, as the exit code table says").isEqualTo(3);
        assertThat(err.toString()).contains("dr repair index");
        assertThat(dr("verify", "--repo", repo.toString())).isEqualTo(3);
        assertThat(out.toString()).contains("run dr repair index first").doesNotContain("run dr prune to remove");

        assertThat(dr("repair", "index", "--repo", repo.toString())).isZero();
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data")).as(out.toString()).isZero();
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString())).isZero();
        assertThat(target.resolve("orders/order.json")).hasContent("{\"id\":1}");
    }

    @Test
    void aDamagedManifestOrIndexFileLeavesTheRestUsableAndRepairIndexPutsTheIndexBack() throws IOException {
        String newest = twoSnapshots();
        Path manifest = repo.resolve("snapshots.d").resolve(newest);
        byte[] bytes = Files.readAllBytes(manifest);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(manifest, bytes);

        assertThat(dr("snapshots", "--repo", repo.toString())).isZero();
        assertThat(out.toString()).contains("1 snapshot").doesNotContain(newest.substring(0, 8));
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isZero();
        assertThat(dr("prune", "--repo", repo.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("snapshots/" + newest).contains("Prune refused");
        assertThat(dr("forget", "--repo", repo.toString(), newest.substring(0, 8))).isZero();
        assertThat(out.toString()).contains("removed " + newest);
        assertThat(manifest).doesNotExist();

        Path index;
        try (Stream<Path> files = Files.walk(repo.resolve("index.d"))) {
            index = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        Files.write(index, java.util.Arrays.copyOf(Files.readAllBytes(index), 40));
        assertThat(dr("prune", "--repo", repo.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("dr repair index");
        assertThat(dr("repair", "index", "--repo", repo.toString())).isZero();
        assertThat(out.toString()).contains("wrote a new index").contains("1 damaged");
        assertThat(dr("repair", "index", "--repo", repo.toString(), "--read-data")).isZero();
        assertThat(out.toString()).contains("nothing to repair");
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data")).as(out.toString()).isZero();
        Path target = dir.resolve("restored");
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString(),
                "--allow-unverified-history")).isZero();
        assertThat(target.resolve("orders/order.json")).hasContent("{\"id\":2}");
    }

    @Test
    void verifyPrintsTheHistoryHeadAndFailsWhenTheHistoryNoLongerContainsAKeptOne() throws IOException {
        twoSnapshots();
        assertThat(dr("verify", "--repo", repo.toString())).isZero();
        Matcher head = Pattern.compile("history head: (\\d+:[0-9a-f]{64})").matcher(out.toString());
        assertThat(head.find()).isTrue();
        String kept = head.group(1);
        assertThat(dr("verify", "--repo", repo.toString(), "--expect-head", kept)).isZero();
        String other = kept.substring(0, kept.indexOf(':') + 1) + "0".repeat(64);
        assertThat(dr("verify", "--repo", repo.toString(), "--expect-head", other)).isEqualTo(3);
        assertThat(out.toString()).contains("problem: history/head").contains("rolled back");
        assertThat(dr("verify", "--repo", repo.toString(), "--expect-head", "nonsense")).isEqualTo(2);
        assertThat(err.toString()).contains("--expect-head must be <seq>:<64 hex digits> as verify prints it, "
                + "but was nonsense").doesNotContain("expectedHead");
    }

    @Test
    void forgetAndPruneKeepTheHistoryVerifiable() throws IOException {
        twoSnapshots();
        assertThat(dr("forget", "--repo", repo.toString(), "--keep-last", "1", "--prune")).isZero();
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data")).isZero();
        assertThat(out.toString()).doesNotContain("problem:").doesNotContain("note:").contains("ok:");
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", dir.resolve("r").toString()))
                .isZero();
        assertThat(dir.resolve("r/orders/order.json")).hasContent("{\"id\":2}");
    }

    @Test
    void aDamagedKeyFileIsExitThreeNamingItWhileAWrongPasswordIsExitTwo() throws IOException {
        twoSnapshots();
        Path key = keyFile();
        String keyName = "keys/" + key.getFileName();
        byte[] intact = Files.readAllBytes(key);

        environment = Map.of("DR_PASSWORD", "not the password");
        assertThat(dr("snapshots", "--repo", repo.toString())).isEqualTo(2);

        byte[] flipped = intact.clone();
        flipped[intact.length / 3] ^= 0x01;
        Files.write(key, flipped);
        assertThat(dr("snapshots", "--repo", repo.toString())).isEqualTo(3);
        assertThat(err.toString()).contains(keyName);
        environment = Map.of("DR_PASSWORD", "correct horse");
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data")).isEqualTo(3);
        assertThat(err.toString()).contains(keyName).contains("damaged");

        Files.write(key, new byte[intact.length]);
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", dir.resolve("r").toString()))
                .isEqualTo(3);
        assertThat(err.toString()).contains(keyName);

        Files.write(key, intact);
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data")).isZero();
    }

    @Test
    void aRemovedKeyFilePutBackIsExitThreeNamingIt() throws IOException {
        twoSnapshots();
        Path second = dir.resolve("second");
        Files.writeString(second, "second password");
        assertThat(dr("key", "add", "--repo", repo.toString(), "--new-password-file", second.toString())).isZero();
        assertThat(dr("key", "list", "--repo", repo.toString(), "--json")).isZero();
        String secondId = null;
        for (JsonNode k : CliJson.MAPPER.readTree(out.toString())) {
            if (!k.get("current").asBoolean()) {
                secondId = k.get("id").asString();
            }
        }
        byte[] removed = Files.readAllBytes(repo.resolve("keys.d").resolve(secondId));
        assertThat(dr("key", "remove", "--repo", repo.toString(), secondId)).isZero();
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isZero();
        assertThat(dr("verify", "--repo", repo.toString())).isZero();
        Files.write(repo.resolve("keys.d").resolve(secondId), removed);
        assertThat(dr("verify", "--repo", repo.toString())).isEqualTo(3);
        assertThat(out.toString()).contains("problem: keys/" + secondId).contains("put back");
    }

    @Test
    void aDeletedConfigIsExitThreeNamingIt() throws IOException {
        twoSnapshots();
        Files.delete(repo.resolve("config"));
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data")).isEqualTo(3);
        assertThat(err.toString()).contains("config").contains("missing");
        assertThat(dr("init", "--repo", repo.toString())).isEqualTo(3);
    }

    private java.util.List<Path> packFiles() throws IOException {
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> files = Files.walk(repo.resolve("data.d"))) {
                return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
                        .sorted().toList();
            } catch (java.nio.file.NoSuchFileException | java.io.UncheckedIOException e) {
                // a backup running meanwhile renamed a temporary file the walk had listed: look again
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    private static String packKey(Path pack) {
        String id = pack.getFileName().toString();
        return "data/" + id.substring(0, 2) + "/" + id;
    }

    @Test
    void aSubsetOfOnePercentReadsOnePackAndFindsDamageThatTheStructureCannotSee() throws IOException {
        twoSnapshots();
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data-subset", "0.01", "--seed", "26")).isZero();
        assertThat(out.toString()).contains("ok:").contains(" 1 pack read");
        for (Path pack : packFiles()) {
            byte[] bytes = Files.readAllBytes(pack);
            bytes[bytes.length - 10] ^= 0x01; // in the pack's sealed header
            Files.write(pack, bytes);
        }
        assertThat(dr("verify", "--repo", repo.toString())).isZero();

        assertThat(dr("verify", "--repo", repo.toString(), "--read-data-subset", "0.01", "--seed", "26"))
                .isEqualTo(3);
        assertThat(out.toString()).contains("problem: data/").contains("FAILED").contains(" 1 pack read");
    }

    @Test
    void aPackCutByOneByteFailsVerifyWithoutReadingDataNamingThePackAndBothSizes() throws IOException {
        twoSnapshots();
        Path pack = packFiles().get(0);
        long size = Files.size(pack);
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(pack.toFile(), "rw")) {
            file.setLength(size - 1);
        }

        assertThat(dr("verify", "--repo", repo.toString())).isEqualTo(3);
        assertThat(out.toString()).contains("problem: " + packKey(pack) + ": pack is " + (size - 1) + " bytes")
                .contains("make it " + size + " bytes").contains("0 packs read").contains("FAILED");
    }

    @Test
    void aSubsetChosenAtRandomNamesItsSeedSoThatTheRunCanBeRepeated() throws IOException {
        twoSnapshots();
        out.getBuffer().setLength(0);
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data-subset", "0.5")).isZero();
        Matcher chosen = Pattern.compile("packs chosen with seed (-?\\d+) \\(--seed \\1 reads")
                .matcher(out.toString());
        assertThat(chosen.find()).as(out.toString()).isTrue();
        out.getBuffer().setLength(0);
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data-subset", "0.5", "--seed", "7")).isZero();
        assertThat(out.toString()).doesNotContain("packs chosen with seed");
    }

    @Test
    void readDataWithReadDataSubsetAndASeedWithoutASubsetAreRefusedNamingTheOptions() throws IOException {
        twoSnapshots();
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data", "--read-data-subset", "0.5")).isEqualTo(2);
        assertThat(err.toString()).contains("--read-data reads every pack and --read-data-subset a share of them");
        assertThat(dr("verify", "--repo", repo.toString(), "--seed", "26")).isEqualTo(2);
        assertThat(err.toString()).contains("--seed chooses the packs of --read-data-subset");
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data-subset", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--read-data-subset must be a fraction of the packs within (0, 1], but was 0.0");
    }

    /**
     * Runs a backup, through the library, whose source fails once the backup has uploaded a
     * pack: it stops before it writes its index, as a {@code dr backup} killed then does.
     */
    private void backUpUntilAPackIsUploadedThenFail() throws IOException {
        Path lost = dir.resolve("lost");
        Files.createDirectories(lost);
        byte[] bytes = new byte[1_000_000];
        new java.util.Random(5).nextBytes(bytes);
        Files.write(lost.resolve("big.bin"), bytes);
        java.util.Set<Path> before = java.util.Set.copyOf(packFiles());
        SnapshotSource failing = new SnapshotSource() {
            @Override
            public String name() {
                return "lost";
            }

            @Override
            public SourceView begin() throws IOException {
                SourceView view = DirectorySource.of("lost", lost).begin();
                return new SourceView() {
                    @Override
                    public void writeTo(EntryWriter out) throws IOException {
                        view.writeTo(out);
                        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
                        while (before.containsAll(packFiles()) && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                        throw new IOException("the source's disk went away");
                    }

                    @Override
                    public void close() throws IOException {
                        view.close();
                    }
                };
            }
        };
        try (Repository r = Repository.open(SnapshotStores.file(repo), "correct horse".toCharArray(),
                RepositoryOptions.builder().packSize(64 * 1024).build())) {
            assertThatThrownBy(() -> r.backup(BackupRequest.of(failing))).isInstanceOf(DrException.class)
                    .hasMessageContaining("the source's disk went away");
        }
    }

    @Test
    void verifyNotesThePacksAndTemporaryFilesOfAnInterruptedBackupWithoutFailingAndPruneRemovesThem()
            throws IOException {
        twoSnapshots();
        int indexed = packFiles().size();
        backUpUntilAPackIsUploadedThenFail();
        int unindexed = packFiles().size() - indexed;
        assertThat(unindexed).isPositive();
        // A write of an index file killed two hours ago, named as the directory store names them.
        Path temporary = repo.resolve("index.d").resolve(TemporaryFiles.PREFIX + java.util.UUID.randomUUID());
        Files.write(temporary, new byte[100]);
        Files.setLastModifiedTime(temporary, java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofHours(2))));

        assertThat(dr("verify", "--repo", repo.toString())).as(out.toString()).isZero();
        assertThat(out.toString()).contains("note: " + unindexed + " pack" + (unindexed == 1 ? "" : "s")
                + " that no index lists and 1 temporary file, left by an interrupted backup or prune (or a backup "
                + "running now): run dr prune to remove them").contains("ok: ").doesNotContain("problem:");
        assertThat(out.toString().lines().filter(l -> l.contains("dr prune"))).hasSize(1);
        assertThat(dr("verify", "--repo", repo.toString(), "--json")).isZero();
        JsonNode report = CliJson.MAPPER.readTree(out.toString());
        assertThat(report.get("unindexedPacks").asInt()).isEqualTo(unindexed);
        assertThat(report.get("temporaryFiles").asInt()).isEqualTo(1);

        out.getBuffer().setLength(0);
        assertThat(dr("prune", "--repo", repo.toString(), "--grace", "PT0S", "--dry-run")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("would delete " + unindexed + (unindexed == 1 ? " pack," : " packs,"))
                .contains("would repack 0").contains(" to free, 1 temporary file of interrupted writes to delete");
        assertThat(temporary).exists();
        out.getBuffer().setLength(0);
        assertThat(dr("prune", "--repo", repo.toString(), "--grace", "PT0S")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("deleted " + unindexed + (unindexed == 1 ? " pack," : " packs,")).contains("1 temporary file of "
                + "interrupted writes deleted");
        assertThat(temporary).doesNotExist();
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data")).isZero();
        assertThat(out.toString()).doesNotContain("dr prune").contains("ok: ");
    }
}
