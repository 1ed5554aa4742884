package dev.drkit.core.report;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.drkit.core.fuzz.ParserInvariant;
import java.nio.charset.StandardCharsets;

/** Fuzzes the runbook JSON that {@code dr report} and operators read back. */
class RunbookFuzzTest {
    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void parseEndsInARunbookOrADrException(byte[] text) {
        String json = new String(ParserInvariant.bounded(text), StandardCharsets.UTF_8);
        ParserInvariant.check("Runbook.parse", () -> Runbook.parse(json));
    }
}
