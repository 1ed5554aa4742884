package dev.drkit.core.incident;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.drkit.core.fuzz.ParserInvariant;

/** Fuzzes the Alertmanager webhook body, which arrives from the network. */
class AlertmanagerPayloadFuzzTest {
    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void parseEndsInAPayloadOrADrException(byte[] body) {
        byte[] input = ParserInvariant.bounded(body);
        ParserInvariant.check("AlertmanagerPayload.parse", () -> AlertmanagerPayload.parse(input));
    }
}
