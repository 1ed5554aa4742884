package dev.drkit.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer continues a log only under the key (or keylessness) its last record was written
 * with: a log written with another key, or keyed while the writer has none, or unkeyed while it
 * has one, is refused at open and left as it was, so that no record breaks the chain.
 */
class AuditLogKeyTest {
    private static final String KEY = "right-audit-key-4d1e";
    private static final String OTHER = "other-audit-key-93ba";

    @TempDir
    Path dir;

    private static AuditLogConfig keyed(String key) {
        return AuditLogConfig.builder().hmacKey(key.getBytes(StandardCharsets.UTF_8)).build();
    }

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** A file log of six events and the closing digest, written with a config. */
    private Path logOf(AuditLogConfig config) {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.file(file, config)) {
            for (int i = 1; i <= 6; i++) {
                log.append(AuditLogTest.event(i));
            }
        }
        return file;
    }

    private static void assertRefused(Path file, AuditLogConfig config, String mismatch) throws IOException {
        byte[] before = Files.readAllBytes(file);
        assertThatThrownBy(() -> AuditLog.file(file, config))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                    assertThat(e.input()).isEqualTo(file.toString());
                    assertThat(e.getMessage()).startsWith("refusing to append to audit log " + file + ": " + mismatch)
                            .contains("nothing was appended").doesNotContain(KEY).doesNotContain(OTHER);
                });
        assertThat(Files.readAllBytes(file)).as("the log is left as it was").isEqualTo(before);
    }

    @Test
    void aLogWrittenWithAnotherKeyIsRefusedAndStillVerifiesWithItsOwn() throws IOException {
        Path file = logOf(keyed(KEY));

        assertRefused(file, keyed(OTHER), "the log was written with another HMAC key than this writer's");

        AuditVerification v = AuditVerifier.verify(file, bytes(KEY), null);
        assertThat(v.intact()).as(v.problem()).isTrue();
        assertThat(v.records()).isEqualTo(7);
    }

    @Test
    void aKeyedLogIsRefusedToAWriterWithoutAKey() throws IOException {
        Path file = logOf(keyed(KEY));

        assertRefused(file, AuditLogConfig.DEFAULT, "the log is keyed and this writer has no HMAC key");
        assertThatThrownBy(() -> AuditLog.file(file)).isInstanceOf(DrException.class);

        assertThat(AuditVerifier.verify(file, bytes(KEY), null).intact()).isTrue();
    }

    @Test
    void anUnkeyedLogIsRefusedToAWriterWithAKey() throws IOException {
        Path file = logOf(AuditLogConfig.DEFAULT);

        assertRefused(file, keyed(KEY), "the log is not keyed and this writer has an HMAC key");

        assertThat(AuditVerifier.verify(file, null, null).intact()).isTrue();
    }

    @Test
    void theLogsOwnKeyContinuesTheChain() {
        Path file = logOf(keyed(KEY));
        try (AuditLog log = AuditLog.file(file, keyed(KEY))) {
            assertThat(log.record(AuditLogTest.event(8)).seq()).isEqualTo(8);
        }
        Path unkeyed = dir.resolve("unkeyed.jsonl");
        try (AuditLog log = AuditLog.file(unkeyed)) {
            log.append(AuditLogTest.event(1));
        }
        try (AuditLog log = AuditLog.file(unkeyed)) {
            log.append(AuditLogTest.event(2));
        }
        AuditVerification v = AuditVerifier.verify(file, bytes(KEY), null);
        assertThat(v.intact()).as(v.problem()).isTrue();
        assertThat(v.records()).isEqualTo(9);
        assertThat(AuditVerifier.verify(unkeyed, null, null).intact()).isTrue();
    }

    @Test
    void aTornTailIsNotCutOffWhenTheKeyIsRefused() throws IOException {
        Path file = logOf(keyed(KEY));
        Files.writeString(file, "{\"seq\":8,\"time\":\"20", StandardOpenOption.APPEND);

        assertRefused(file, keyed(OTHER), "the log was written with another HMAC key");

        try (AuditLog log = AuditLog.file(file, keyed(KEY))) {
            log.append(AuditLogTest.event(9));
        }
        List<AuditRecord> records = AuditVerifier.read(file, AuditFilter.ALL);
        assertThat(records.get(7).action()).isEqualTo(AuditRecord.REPAIR_ACTION);
        assertThat(AuditVerifier.verify(file, bytes(KEY), null).intact()).isTrue();
    }

    @Test
    void aStoreLogIsRefusedToAWriterWithAnotherKeyOrNone() {
        SnapshotStore store = SnapshotStores.memory();
        try (AuditLog log = AuditLog.store(store, "audit", keyed(KEY))) {
            log.append(AuditLogTest.event(1));
        }
        Map<String, Long> before = store.list("audit/").collect(Collectors.toMap(o -> o.key(), o -> o.size()));

        for (AuditLogConfig wrong : List.of(keyed(OTHER), AuditLogConfig.DEFAULT)) {
            assertThatThrownBy(() -> AuditLog.store(store, "audit", wrong))
                    .isInstanceOfSatisfying(DrException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                        assertThat(e.getMessage()).startsWith("refusing to append to audit log ")
                                .contains("audit/").contains("nothing was appended").doesNotContain(KEY)
                                .doesNotContain(OTHER);
                    });
        }
        assertThat(store.list("audit/").collect(Collectors.toMap(o -> o.key(), o -> o.size()))).isEqualTo(before);
        try (AuditLog log = AuditLog.store(store, "audit", keyed(KEY))) {
            log.append(AuditLogTest.event(2));
        }
        assertThat(AuditVerifier.verify(store, "audit", bytes(KEY), null).intact()).isTrue();
    }
}
