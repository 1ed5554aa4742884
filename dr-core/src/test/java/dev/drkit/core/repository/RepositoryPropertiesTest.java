package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.internal.FastCdc;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.PropertyTests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invariants of the repository over generated trees, with fixed seeds printed on failure. */
class RepositoryPropertiesTest {
    private static final String[] NAMES = {"a", "b.txt", "data.bin", "Ünïcødé", "名前", "space name", "x-y_z",
        ".hidden", "emoji ✓", "UPPER", "nested", "z"};

    @TempDir
    Path tmp;

    private int run;

    @Test
    void restoreOfABackupEqualsTheTree() {
        PropertyTests.qt(12).forAll(longs().all(), integers().between(0, 25))
                .checkAssert((seed, files) -> {
                    Path root = tmp.resolve("case" + run++);
                    Path src = root.resolve("src");
                    Random random = new Random(seed);
                    generate(src, random, files);
                    try (SnapshotStore store = SnapshotStores.memory();
                            Repository repo = Repository.init(store, "pw".toCharArray(),
                                    RepositoryTest.fastOptions().build())) {
                        repo.backup(BackupRequest.of(DirectorySource.of("src", src)));
                        repo.restore("latest", root.resolve("out"), RestoreOptions.all());
                        assertThat(Trees.describe(root.resolve("out/src"), true))
                                .as("tree of seed %d, %d files (QuickTheories seed %d)", seed, files,
                                        PropertyTests.seed())
                                .isEqualTo(Trees.describe(src, true));
                    }
                });
    }

    @Test
    void restoringSnapshotKOfAChainOfMutationsEqualsTreeK() {
        PropertyTests.qt(6).forAll(longs().all(), integers().between(2, 5))
                .checkAssert((seed, steps) -> {
                    Path root = tmp.resolve("chain" + run++);
                    Path src = root.resolve("src");
                    Random random = new Random(seed);
                    generate(src, random, 8);
                    List<Map<String, String>> states = new ArrayList<>();
                    List<String> ids = new ArrayList<>();
                    try (SnapshotStore store = SnapshotStores.memory();
                            Repository repo = Repository.init(store, "pw".toCharArray(),
                                    RepositoryTest.fastOptions().build())) {
                        for (int k = 0; k < steps; k++) {
                            if (k > 0) {
                                mutate(src, random);
                            }
                            states.add(Trees.describe(src, false));
                            ids.add(repo.backup(BackupRequest.of(DirectorySource.of("src", src))).snapshotId());
                        }
                        for (int k = 0; k < steps; k++) {
                            Path out = root.resolve("out" + k);
                            repo.restore(ids.get(k), out, RestoreOptions.all());
                            assertThat(Trees.describe(out.resolve("src"), false))
                                    .as("snapshot %d of chain seed %d (QuickTheories seed %d)", k, seed,
                                            PropertyTests.seed())
                                    .isEqualTo(states.get(k));
                        }
                        assertThat(repo.verify(VerifyOptions.readAllData()).problems()).isEmpty();
                    }
                });
    }

    @Test
    void anInsertionIntoAFileChangesOnlyTheChunksNearIt() {
        FastCdc cdc = new FastCdc(4096, 16384, 65536, 1);
        PropertyTests.qt(40)
                .forAll(longs().all(), integers().between(100_000, 1_500_000), integers().between(0, 1_000_000),
                        integers().between(1, 5000))
                .checkAssert((seed, size, where, length) -> {
                    Random random = new Random(seed);
                    byte[] before = new byte[size];
                    random.nextBytes(before);
                    int at = Math.min(where, size);
                    byte[] insert = new byte[length];
                    random.nextBytes(insert);
                    byte[] after = new byte[size + length];
                    System.arraycopy(before, 0, after, 0, at);
                    System.arraycopy(insert, 0, after, at, length);
                    System.arraycopy(before, at, after, at + length, size - at);
                    Set<String> old = chunkSet(cdc, before);
                    // Every chunk of the new content that the old content lacks lies near the insertion.
                    long lo = Long.MAX_VALUE;
                    long hi = -1;
                    int fresh = 0;
                    int off = 0;
                    for (String chunk : chunkList(cdc, after)) {
                        int n = Integer.parseInt(chunk.substring(chunk.indexOf(':') + 1));
                        if (!old.contains(chunk)) {
                            fresh++;
                            lo = Math.min(lo, off);
                            hi = Math.max(hi, off + n);
                        }
                        off += n;
                    }
                    assertThat(fresh).as("new chunks (seed %d, QuickTheories seed %d)", seed, PropertyTests.seed())
                            .isPositive();
                    assertThat(lo).as("first new chunk after inserting %d bytes at %d of %d (seed %d)", length, at,
                            size, seed).isGreaterThanOrEqualTo(at - (long) cdc.maxSize());
                    assertThat(hi).as("end of the new chunks after inserting %d bytes at %d of %d (seed %d)", length,
                            at, size, seed).isLessThanOrEqualTo(at + length + 3L * cdc.maxSize());
                });
    }

    private static List<String> chunkList(FastCdc cdc, byte[] data) {
        List<String> out = new ArrayList<>();
        for (int off = 0; off < data.length; ) {
            int n = cdc.cut(data, off, data.length - off);
            out.add(Trees.sha256(java.util.Arrays.copyOfRange(data, off, off + n)) + ":" + n);
            off += n;
        }
        return out;
    }

    private static Set<String> chunkSet(FastCdc cdc, byte[] data) {
        return new HashSet<>(chunkList(cdc, data));
    }

    /** Writes a tree of {@code files} files with nesting, empty files, duplicates and odd names. */
    static void generate(Path src, Random random, int files) {
        try {
            Files.createDirectories(src);
            List<Path> dirs = new ArrayList<>(List.of(src));
            List<byte[]> contents = new ArrayList<>();
            for (int i = 0; i < files; i++) {
                Path dir = dirs.get(random.nextInt(dirs.size()));
                if (random.nextInt(4) == 0 && dirs.size() < 8) {
                    Path sub = dir.resolve(NAMES[random.nextInt(NAMES.length)] + "-d" + i);
                    Files.createDirectories(sub);
                    dirs.add(sub);
                    dir = sub;
                }
                byte[] data;
                if (!contents.isEmpty() && random.nextInt(5) == 0) {
                    data = contents.get(random.nextInt(contents.size()));
                } else {
                    data = content(random);
                }
                contents.add(data);
                Path file = dir.resolve(NAMES[random.nextInt(NAMES.length)] + "-" + i);
                Files.write(file, data);
                if (random.nextInt(6) == 0) {
                    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                }
            }
            if (random.nextBoolean()) {
                Files.createDirectories(src.resolve("empty-dir"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] content(Random random) {
        int kind = random.nextInt(5);
        int size = switch (kind) {
            case 0 -> 0;
            case 1 -> random.nextInt(100);
            case 2 -> random.nextInt(20_000);
            default -> random.nextInt(200_000);
        };
        byte[] data = new byte[size];
        if (kind == 3) {
            for (int i = 0; i < size; i++) {
                data[i] = (byte) ('a' + random.nextInt(4));
            }
        } else {
            random.nextBytes(data);
        }
        return data;
    }

    /** Adds, deletes, rewrites or inserts into files of the tree. */
    static void mutate(Path src, Random random) {
        try {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(src)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            int changes = 1 + random.nextInt(3);
            for (int c = 0; c < changes; c++) {
                int op = files.isEmpty() ? 0 : random.nextInt(4);
                switch (op) {
                    case 0 -> Files.write(src.resolve("added-" + random.nextInt(1_000_000)), content(random));
                    case 1 -> Files.deleteIfExists(files.get(random.nextInt(files.size())));
                    case 2 -> Files.write(files.get(random.nextInt(files.size())), content(random));
                    default -> {
                        Path f = files.get(random.nextInt(files.size()));
                        if (Files.exists(f)) {
                            byte[] old = Files.readAllBytes(f);
                            int at = old.length == 0 ? 0 : random.nextInt(old.length);
                            byte[] ins = new byte[1 + random.nextInt(500)];
                            random.nextBytes(ins);
                            byte[] next = new byte[old.length + ins.length];
                            System.arraycopy(old, 0, next, 0, at);
                            System.arraycopy(ins, 0, next, at, ins.length);
                            System.arraycopy(old, at, next, at + ins.length, old.length - at);
                            Files.write(f, next);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
