package dev.drkit.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.PropertyTests;
import dev.drkit.testkit.store.ForwardingStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.generators.SourceDSL;

class AuditLogTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path dir;

    static AuditEvent event(int i) {
        return new AuditEvent(T0.plusSeconds(i), i % 2 == 0 ? "alice" : "system", i % 3 == 0 ? "restore" : "plan.step",
                "target-" + (i % 4), AuditOutcome.SUCCESS, Map.of("i", Integer.toString(i), "quote", "a\"b\\c\n"));
    }

    private Path logWith(int n, AuditLogConfig config) {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.file(file, config)) {
            for (int i = 1; i <= n; i++) {
                log.append(event(i));
            }
        }
        return file;
    }

    private static List<String> lines(Path file) throws IOException {
        return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    private static void write(Path file, List<String> lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    @Test
    void anIntactLogVerifiesAndRecordsReadBackAsAppended() {
        Path file = logWith(10, AuditLogConfig.DEFAULT);
        AuditVerification v = AuditVerifier.verify(file, null, null);
        assertThat(v.intact()).as(v.problem()).isTrue();
        assertThat(v.records()).isEqualTo(11); // ten events and the closing digest
        List<AuditRecord> records = AuditVerifier.read(file, AuditFilter.all());
        assertThat(records).hasSize(11);
        assertThat(records.get(3).event()).isEqualTo(event(4));
        assertThat(records.get(10).isDigest()).isTrue();
    }

    @Test
    void anEditedRecordIsNamedBySequenceNumber() throws IOException {
        Path file = logWith(10, AuditLogConfig.DEFAULT);
        List<String> lines = lines(file);
        lines.set(3, lines.get(3).replace("\"actor\":\"alice\"", "\"actor\":\"mallory\""));
        write(file, lines);
        AuditVerification v = AuditVerifier.verify(file, null, null);
        assertThat(v.intact()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(4);
        assertThat(v.problem()).contains("record 4 was altered");
    }

    @Test
    void aDeletedRecordIsNamedBySequenceNumber() throws IOException {
        Path file = logWith(10, AuditLogConfig.DEFAULT);
        List<String> lines = lines(file);
        lines.remove(6);
        write(file, lines);
        AuditVerification v = AuditVerifier.verify(file, null, null);
        assertThat(v.firstBadSeq()).isEqualTo(7);
        assertThat(v.problem()).contains("record 7 is missing");
    }

    @Test
    void swappedRecordsAreNamedBySequenceNumber() throws IOException {
        Path file = logWith(10, AuditLogConfig.DEFAULT);
        List<String> lines = lines(file);
        String a = lines.get(2);
        lines.set(2, lines.get(3));
        lines.set(3, a);
        write(file, lines);
        assertThat(AuditVerifier.verify(file, null, null).firstBadSeq()).isEqualTo(3);
    }

    @Test
    void aRecordRewrittenWithARecomputedHashBreaksTheLinkToTheNext() throws Exception {
        Path file = logWith(10, AuditLogConfig.DEFAULT);
        List<String> lines = lines(file);
        String edited = lines.get(3).replace("\"actor\":\"alice\"", "\"actor\":\"mallory\"");
        String body = edited.substring(0, edited.lastIndexOf(",\"hash\":\""));
        // An unkeyed chain hashes each body with plain SHA-256, which a forger can recompute.
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(body.getBytes(StandardCharsets.UTF_8)));
        String rehashed = body + ",\"hash\":\"" + sha256 + "\"}";
        assertThat(rehashed).isNotEqualTo(lines.get(3));
        lines.set(3, rehashed);
        write(file, lines);
        AuditVerification v = AuditVerifier.verify(file, null, null);
        assertThat(v.firstBadSeq()).isEqualTo(5);
        assertThat(v.problem()).contains("does not follow record 4");
    }

    @Test
    void aKeyedChainCannotBeVerifiedWithoutItsKeyOrRebuiltByOthers() {
        byte[] key = "0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        Path file = logWith(5, AuditLogConfig.builder().hmacKey(key).build());
        assertThat(AuditVerifier.verify(file, key, null).intact()).isTrue();
        assertThat(AuditVerifier.verify(file, null, null).firstBadSeq()).isEqualTo(1);
    }

    @Test
    void aKeyThatIsNotTheLogsIsReportedAsAKeyMismatchNotAsTampering() {
        byte[] key = "0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        byte[] other = "fedcba9876543210".getBytes(StandardCharsets.UTF_8);
        Path unkeyed = logWith(3, AuditLogConfig.DEFAULT);
        AuditVerification withKey = AuditVerifier.verify(unkeyed, key, null);
        assertThat(withKey.keyMismatch()).isTrue();
        assertThat(withKey.firstBadSeq()).isEqualTo(1);
        assertThat(withKey.problem()).contains("not keyed").doesNotContain("was altered:");

        Path keyed = dir.resolve("keyed.jsonl");
        try (AuditLog log = AuditLog.file(keyed, AuditLogConfig.builder().hmacKey(key).build())) {
            log.append(event(1));
        }
        AuditVerification wrong = AuditVerifier.verify(keyed, other, null);
        assertThat(wrong.keyMismatch()).isTrue();
        assertThat(wrong.problem()).contains("another key");
        AuditVerification none = AuditVerifier.verify(keyed, null, null);
        assertThat(none.keyMismatch()).isTrue();
        assertThat(none.problem()).contains("the log is keyed");
        assertThat(AuditVerifier.verify(keyed, key, null).intact()).isTrue();
    }

    @Test
    void aStoreWithoutAnyRecordUnderThePrefixIsNotAnIntactEmptyLog() {
        SnapshotStore store = SnapshotStores.memory();
        assertThatThrownBy(() -> AuditVerifier.verify(store, "audit", null, null))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("no audit log under prefix 'audit'");
    }

    @Test
    void aCutOffTailIsDetectedWithADigestKeptElsewhere() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        List<AuditDigest> published = new ArrayList<>();
        try (AuditLog log = AuditLog.file(file, AuditLogConfig.builder().digestEvery(4).build())) {
            log.onDigest(published::add);
            for (int i = 1; i <= 10; i++) {
                log.append(event(i));
            }
        }
        // digests after records 4 and 9 (seq 5 and 10), and the closing one after record 10
        assertThat(published).extracting(AuditDigest::seq).containsExactly(5L, 10L, 13L);
        AuditDigest last = published.get(published.size() - 1);
        assertThat(AuditVerifier.verify(file, null, last).intact()).isTrue();
        List<String> lines = lines(file);
        write(file, lines.subList(0, 8));
        assertThat(AuditVerifier.verify(file, null, null).intact()).isTrue();
        AuditVerification v = AuditVerifier.verify(file, null, last);
        assertThat(v.firstBadSeq()).isEqualTo(9);
        assertThat(v.problem()).contains("tail was cut off");
    }

    @Test
    void aReopenedLogContinuesTheChainAndCutsOffATornLastLine() throws IOException {
        Path file = logWith(3, AuditLogConfig.DEFAULT);
        Files.writeString(file, "{\"seq\":5,\"time\":\"20", java.nio.file.StandardOpenOption.APPEND);
        try (AuditLog log = AuditLog.file(file)) {
            // records 1-3, the closing digest 4, and the repair record 5 written on opening
            assertThat(log.head()).map(AuditDigest::seq).contains(5L);
            AuditRecord r = log.record(event(7));
            assertThat(r.seq()).isEqualTo(6);
        }
        assertThat(AuditVerifier.verify(file, null, null).intact()).isTrue();
    }

    @Test
    void cuttingOffATornLastRecordLeavesARepairRecordInTheChain() throws IOException {
        Path file = logWith(3, AuditLogConfig.DEFAULT);
        List<String> lines = lines(file);
        String last = lines.get(lines.size() - 1);
        String half = last.substring(0, last.length() / 2);
        lines.remove(lines.size() - 1);
        write(file, lines);
        long offset = Files.size(file);
        Files.writeString(file, half, java.nio.file.StandardOpenOption.APPEND);
        long cut = half.getBytes(StandardCharsets.UTF_8).length;
        AuditRecord before;
        try (AuditLog log = AuditLog.file(file)) {
            before = log.records(AuditFilter.ALL).get(2);
            log.append(event(9));
        }
        AuditVerification v = AuditVerifier.verify(file, null, null);
        assertThat(v.intact()).isTrue();
        List<AuditRecord> records = AuditVerifier.read(file, AuditFilter.ALL);
        AuditRecord repair = records.get(3);
        assertThat(repair.action()).isEqualTo(AuditRecord.REPAIR_ACTION);
        assertThat(repair.seq()).isEqualTo(before.seq() + 1);
        assertThat(repair.details()).containsEntry("cutBytes", Long.toString(cut))
                .containsEntry("offset", Long.toString(offset))
                .containsEntry("afterSeq", Long.toString(before.seq()))
                .containsEntry("afterHash", before.hash());
        assertThat(records.get(4).details()).containsEntry("i", "9");
    }

    @Test
    void aTornLastLineIsReportedByVerification() throws IOException {
        Path file = logWith(3, AuditLogConfig.DEFAULT);
        Files.writeString(file, "{\"seq\":5,\"ti", java.nio.file.StandardOpenOption.APPEND);
        AuditVerification v = AuditVerifier.verify(file, null, null);
        assertThat(v.firstBadSeq()).isEqualTo(5);
        assertThat(v.problem()).contains("incomplete");
    }

    @Test
    void recordsAreFilteredByTimeActorActionAndTarget() {
        try (AuditLog log = AuditLog.file(dir.resolve("a.jsonl"))) {
            for (int i = 1; i <= 12; i++) {
                log.append(event(i));
            }
            assertThat(log.records(AuditFilter.all().withActor("alice"))).hasSize(6);
            assertThat(log.records(AuditFilter.all().withAction("restore"))).hasSize(4);
            assertThat(log.records(AuditFilter.all().withAction("plan.*"))).hasSize(8);
            assertThat(log.records(AuditFilter.all().withTarget("target-1"))).extracting(AuditRecord::seq)
                    .containsExactly(1L, 5L, 9L);
            assertThat(log.records(AuditFilter.all().withTime(T0.plusSeconds(3), T0.plusSeconds(5))))
                    .extracting(AuditRecord::seq).containsExactly(3L, 4L);
        }
    }

    @Test
    void aStoreLogWritesSegmentsThatVerifyAndReopen() {
        SnapshotStore store = SnapshotStores.memory();
        AuditLogConfig config = AuditLogConfig.builder().storeSegmentRecords(4).digestEvery(100).build();
        try (AuditLog log = AuditLog.store(store, "audit", config)) {
            for (int i = 1; i <= 10; i++) {
                log.append(event(i));
            }
        }
        assertThat(store.list("audit/").count()).isEqualTo(3);
        try (AuditLog log = AuditLog.store(store, "audit", config)) {
            assertThat(log.record(event(11)).seq()).isEqualTo(12);
            assertThat(log.verify().intact()).isTrue();
            assertThat(log.records(AuditFilter.all().withAction("restore"))).hasSize(3);
        }
        assertThat(AuditVerifier.verify(store, "audit", null, null).intact()).isTrue();
    }

    @Test
    void aListingThatLeavesOutSegmentsOnceIsReadAgainAndARealGapIsStillNamed() {
        SnapshotStore memory = SnapshotStores.memory();
        AtomicInteger listings = new AtomicInteger();
        // The first listing leaves out a segment, as a listing taken while writers append may on
        // some S3-compatible servers; the next ones are whole.
        SnapshotStore flaky = new ForwardingStore(memory) {
            @Override
            public ListPage list(String prefix, String pageToken, int pageSize) {
                ListPage page = super.list(prefix, pageToken, pageSize);
                if (listings.getAndIncrement() > 0) {
                    return page;
                }
                List<ObjectInfo> some = new ArrayList<>(page.objects());
                some.remove(1);
                return new ListPage(some, page.nextToken());
            }
        };
        AuditLogConfig config = AuditLogConfig.builder().storeSegmentRecords(1).digestEvery(100).build();
        try (AuditLog log = AuditLog.store(memory, "audit", config)) {
            for (int i = 1; i <= 5; i++) {
                log.append(event(i));
            }
        }
        assertThat(AuditVerifier.verify(flaky, "audit", null, null).intact()).isTrue();
        assertThat(listings.get()).isEqualTo(2);
        try (AuditLog log = AuditLog.store(flaky, "audit", config)) {
            listings.set(0);
            assertThat(log.records(AuditFilter.all())).extracting(AuditRecord::seq).startsWith(1L, 2L, 3L, 4L, 5L);
        }

        memory.delete(memory.list("audit/").toList().get(2).key());
        AuditVerification broken = AuditVerifier.verify(memory, "audit", null, null);
        assertThat(broken.intact()).isFalse();
        assertThat(broken.problem()).contains("record 3 is missing");
    }

    @Test
    void writersTakingTurnsOnAStoreLogKeepOneChainWithEveryRecordOnce() {
        SnapshotStore store = SnapshotStores.memory();
        AuditLogConfig config = AuditLogConfig.builder().storeSegmentRecords(2).digestEvery(3).build();
        AuditLog first = AuditLog.store(store, "audit", config);
        AuditLog second = AuditLog.store(store, "audit", config); // read the store before first wrote
        for (int i = 1; i <= 3; i++) {
            first.append(event(i));
        }
        first.flush();
        for (int i = 4; i <= 7; i++) {
            second.append(event(i)); // its first segment's key is taken: renumbered after first's records
        }
        second.flush();
        first.append(event(8)); // first's tail is stale in turn
        first.close();
        second.close();

        AuditVerification verification = AuditVerifier.verify(store, "audit", null, null);
        assertThat(verification.intact()).as(verification.problem()).isTrue();
        try (AuditLog reader = AuditLog.store(store, "audit", config)) {
            List<AuditRecord> records = reader.records(AuditFilter.all());
            assertThat(records).extracting(AuditRecord::seq)
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, records.size()).boxed().toList());
            assertThat(records).filteredOn(r -> !r.isDigest()).extracting(AuditRecord::time)
                    .containsExactly(java.util.stream.IntStream.rangeClosed(1, 8)
                            .mapToObj(i -> T0.plusSeconds(i)).toArray(Instant[]::new));
            assertThat(records).filteredOn(AuditRecord::isDigest).isNotEmpty();
        }
    }

    @Test
    void aSegmentWhoseCreateLandedButFailedIsNotWrittenTwiceAndItsDigestIsPublishedOnceStored() {
        AtomicInteger creates = new AtomicInteger();
        SnapshotStore store = new ForwardingStore(SnapshotStores.memory()) {
            @Override
            public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
                Optional<ObjectInfo> done = super.putIfAbsent(key, data);
                if (creates.incrementAndGet() == 2) {
                    throw new DrException(ErrorCode.UNAVAILABLE, "the answer was lost", key);
                }
                return done;
            }
        };
        AuditLogConfig config = AuditLogConfig.builder().storeSegmentRecords(1).digestEvery(3).build();
        List<AuditDigest> published = new ArrayList<>();
        try (AuditLog log = AuditLog.store(store, "audit", config)) {
            log.onDigest(published::add);
            log.append(event(1));
            assertThatThrownBy(() -> log.append(event(2))).isInstanceOf(DrException.class); // landed all the same
            log.append(event(3)); // its digest follows: 3 records since the start
            log.append(event(4));
        }
        AuditVerification verification = AuditVerifier.verify(store, "audit", null, null);
        assertThat(verification.intact()).as(verification.problem()).isTrue();
        try (AuditLog reader = AuditLog.store(store, "audit", config)) {
            List<AuditRecord> records = reader.records(AuditFilter.all());
            assertThat(records).filteredOn(r -> !r.isDigest()).extracting(AuditRecord::time)
                    .containsExactly(T0.plusSeconds(1), T0.plusSeconds(2), T0.plusSeconds(3), T0.plusSeconds(4));
            assertThat(published).isNotEmpty().allSatisfy(d -> assertThat(records)
                    .anySatisfy(r -> assertThat(r.digest()).isEqualTo(d)));
        }
    }

    @Test
    void aSecondWriterOfTheSameFileIsRefusedUntilTheFirstCloses() {
        Path file = dir.resolve("a.jsonl");
        try (AuditLog first = AuditLog.file(file)) {
            first.append(event(1));
            assertThatThrownBy(() -> AuditLog.file(file)).isInstanceOfSatisfying(DrException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.LOCKED);
                assertThat(e.input()).isEqualTo(file.toString());
                assertThat(e.getMessage()).contains("audit log " + file + " is written by another process",
                        file + ".lock", "one writer per file", "each instance needs its own file");
            });
            first.append(event(2)); // the refused writer took nothing from the first
        }
        try (AuditLog second = AuditLog.file(file)) {
            assertThat(second.record(event(3)).seq()).isEqualTo(4); // after two events and the closing digest
        }
        AuditVerification v = AuditVerifier.verify(file, null, null);
        assertThat(v.intact()).as(v.problem()).isTrue();
        assertThat(AuditVerifier.read(file, AuditFilter.all())).filteredOn(r -> !r.isDigest())
                .extracting(AuditRecord::event).containsExactly(event(1), event(2), event(3));
    }

    @Test
    void aLogOpenedToReadSeesItsWritersRecordsWithoutTakingItsLockAndAppendsNothing() {
        Path file = dir.resolve("read.jsonl");
        try (AuditLog reader = AuditLog.fileToRead(file, AuditLogConfig.builder().build())) {
            assertThat(reader.records(AuditFilter.all())).as("a missing file reads as empty").isEmpty();
        }
        try (AuditLog writer = AuditLog.file(file)) {
            writer.append(event(1));
            writer.flush();
            try (AuditLog reader = AuditLog.fileToRead(file, AuditLogConfig.builder().build())) {
                assertThat(reader.records(AuditFilter.all())).extracting(AuditRecord::event).containsExactly(event(1));
                assertThat(reader.verify().intact()).isTrue();
                assertThatThrownBy(() -> reader.append(event(9))).isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE);
                    assertThat(e.getMessage()).isEqualTo("audit log " + file + " was opened to read: it appends "
                            + "nothing while its writer keeps it");
                });
            }
            writer.append(event(2)); // the reader's close released nothing of the writer's
            assertThatThrownBy(() -> AuditLog.file(file)).isInstanceOfSatisfying(DrException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCKED));
        }
        assertThat(AuditVerifier.read(file, AuditFilter.all())).filteredOn(r -> !r.isDigest())
                .extracting(AuditRecord::event).containsExactly(event(1), event(2));
    }

    /** Runs {@link AuditWriterChild} in a JVM of its own and returns what it printed. */
    private static String otherProcess(Path file, int records, String... more) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-cp", System.getProperty("java.class.path"), AuditWriterChild.class.getName(),
                file.toString(), Integer.toString(records)));
        command.addAll(List.of(more));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(child.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void anotherProcessIsRefusedWhileTheWriterReadsAndVerifiesItsOwnLog() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog first = AuditLog.file(file)) {
            first.append(event(1));
            // Reading the file in the writer's process opens and closes it: that must not let a second writer in.
            assertThat(first.records(AuditFilter.all())).hasSize(1);
            assertThat(first.verify().intact()).isTrue();
            assertThat(AuditVerifier.verify(file, null, null).intact()).isTrue();

            assertThat(otherProcess(file, 5)).contains("refused LOCKED", "audit log " + file,
                    "another process", "its own file");

            first.append(event(2));
        }
        AuditVerification v = AuditVerifier.verify(file, null, null);
        assertThat(v.intact()).as(v.problem()).isTrue();
        assertThat(AuditVerifier.read(file, AuditFilter.all())).filteredOn(r -> !r.isDigest())
                .extracting(r -> r.event().actor()).containsExactly("system", "alice");
    }

    @Test
    void aWriterKilledWithoutClosingLeavesNoLockBehindAndTheNextOneContinuesTheChain() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        assertThat(otherProcess(file, 3, "crash")).contains("appended 3");
        try (AuditLog restarted = AuditLog.file(file)) {
            assertThat(restarted.record(event(4)).seq()).isEqualTo(4);
        }
        assertThat(otherProcess(file, 2)).contains("appended 2");
        AuditVerification v = AuditVerifier.verify(file, null, null);
        assertThat(v.intact()).as(v.problem()).isTrue();
        assertThat(AuditVerifier.read(file, AuditFilter.all())).filteredOn(r -> !r.isDigest()).hasSize(6);
    }

    @Test
    void appendingAfterCloseIsRefused() {
        AuditLog log = AuditLog.file(dir.resolve("a.jsonl"));
        log.close();
        assertThatThrownBy(() -> log.append(event(1))).isInstanceOf(DrException.class)
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.ILLEGAL_STATE);
    }

    @Test
    void anyDeletedOrSwappedRecordIsNamed() throws IOException {
        Path file = logWith(30, AuditLogConfig.DEFAULT);
        List<String> original = lines(file);
        PropertyTests.qt(100)
                .forAll(SourceDSL.integers().between(0, original.size() - 2), SourceDSL.booleans().all())
                .checkAssert((i, swap) -> {
                    List<String> edited = new ArrayList<>(original);
                    if (swap) {
                        edited.set(i, original.get(i + 1));
                        edited.set(i + 1, original.get(i));
                    } else {
                        edited.remove((int) i);
                    }
                    Path f = dir.resolve("edited.jsonl");
                    try {
                        write(f, edited);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                    assertThat(AuditVerifier.verify(f, null, null).firstBadSeq())
                            .as("%s at line %d (seed %d)", swap ? "swap" : "delete", i, PropertyTests.seed())
                            .isEqualTo(i + 1L);
                });
    }

    @Test
    void everySingleByteEditOfARecordIsDetected() throws IOException {
        Path file = logWith(6, AuditLogConfig.DEFAULT);
        byte[] original = Files.readAllBytes(file);
        PropertyTests.qt(200)
                .forAll(SourceDSL.integers().between(0, original.length - 2), SourceDSL.integers().between(1, 255))
                .checkAssert((pos, delta) -> {
                    byte[] copy = original.clone();
                    copy[pos] = (byte) (copy[pos] + delta);
                    Path f = dir.resolve("edited.jsonl");
                    try {
                        Files.write(f, copy);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                    assertThat(AuditVerifier.verify(f, null, null).intact())
                            .as("edit at byte %d (seed %d)", pos, PropertyTests.seed()).isFalse();
                });
    }
}
