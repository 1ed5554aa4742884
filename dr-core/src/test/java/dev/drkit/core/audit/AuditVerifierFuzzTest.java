package dev.drkit.core.audit;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.fuzz.ParserInvariant;
import dev.drkit.core.store.SnapshotStores;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes audit logs as a verifier or reader meets them: lines altered by anyone who can write
 * the file or the store. The verdict may be anything; the verifier must not fail otherwise.
 */
class AuditVerifierFuzzTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void verifyReportsOnAnyText(FuzzedDataProvider data) {
        boolean keyed = data.consumeBoolean();
        String text = new String(ParserInvariant.bounded(data.consumeRemainingAsBytes()), StandardCharsets.UTF_8);
        ParserInvariant.check("AuditVerifier.verify", () -> AuditVerifier.verify(new StringReader(text),
                keyed ? KEY : null, null));
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void storeLogVerifiesOrIsRefused(FuzzedDataProvider data) {
        SnapshotStore store = SnapshotStores.memory();
        int segments = data.consumeInt(1, 3);
        for (int i = 0; i < segments; i++) {
            byte[] segment = ParserInvariant.bounded(i == segments - 1 ? data.consumeRemainingAsBytes()
                    : data.consumeBytes(data.consumeInt(0, 2048)));
            store.put(String.format("audit/%020d.jsonl", i), segment);
        }
        ParserInvariant.check("AuditVerifier.verify(store)", () -> AuditVerifier.verify(store, "audit/", KEY, null));
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void readFiltersAnyFile(byte[] bytes) throws Exception {
        Path file = Files.createTempFile("audit", ".log");
        try {
            Files.write(file, ParserInvariant.bounded(bytes));
            ParserInvariant.check("AuditVerifier.read", () -> AuditVerifier.read(file, AuditFilter.all()));
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
