package dev.drkit.core.rollback;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.drkit.core.fuzz.ParserInvariant;
import java.nio.charset.StandardCharsets;

/** Fuzzes {@code rollback_config.json}, which operators edit by hand. */
class RollbackConfigJsonFuzzTest {
    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void parseEndsInAConfigOrADrException(byte[] text) {
        String json = new String(ParserInvariant.bounded(text), StandardCharsets.UTF_8);
        ParserInvariant.check("RollbackConfigJson.parse", () -> RollbackConfigJson.parse(json));
    }
}
