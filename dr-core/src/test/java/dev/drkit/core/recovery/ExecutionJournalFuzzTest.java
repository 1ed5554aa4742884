package dev.drkit.core.recovery;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.fuzz.ParserInvariant;
import dev.drkit.core.store.SnapshotStores;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * Fuzzes the recovery execution journal as a restarted executor reads it: the entries of one
 * execution (the input split at {@code 0x1E}, at most eight), then {@code unfinished()} and
 * {@code resume}, which replays them. {@code $SHAPE} in an entry stands for the plan's shape, so
 * that inputs get past the check that the journal belongs to the plan.
 */
class ExecutionJournalFuzzTest {
    private static final byte SEPARATOR = 0x1E;
    private static final int MAX_ENTRIES = 8;
    private static final String ID = "exec-fuzz";

    private static Plan plan() {
        return Plan.builder("orders-db").objectives(Duration.ofMinutes(15), Duration.ofMinutes(10))
                .step("fence", c -> {
                })
                .step("restore", c -> c.put("snapshot", "snap-7"), s -> s.dependsOn("fence"))
                .step("unfence", c -> {
                }, s -> s.dependsOn("restore"))
                .build();
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void resumeEndsInAResultOrADrException(byte[] data) {
        byte[] input = ParserInvariant.bounded(data);
        ParserInvariant.check("ExecutionJournal replay", () -> {
            Plan plan = plan();
            try (SnapshotStore store = SnapshotStores.memory();
                    RecoveryExecutor executor = RecoveryExecutor.builder().journal(store, "executions")
                            .pollInterval(Duration.ofMillis(1)).build()) {
                int seq = 0;
                int from = 0;
                for (int i = 0; i <= input.length && seq < MAX_ENTRIES; i++) {
                    if (i == input.length || input[i] == SEPARATOR) {
                        String entry = new String(Arrays.copyOfRange(input, from, i), StandardCharsets.UTF_8)
                                .replace("$SHAPE", plan.shape());
                        store.put(String.format("executions/%s/%08d.json", ID, seq++),
                                entry.getBytes(StandardCharsets.UTF_8));
                        from = i + 1;
                    }
                }
                executor.unfinished();
                try {
                    executor.resume(plan, ID).await(Duration.ofSeconds(20));
                } catch (DrException e) {
                    if (e.code() == ErrorCode.TIMEOUT) {
                        throw new AssertionError("the resumed execution did not end", e);
                    }
                    throw e;
                }
            }
        });
    }
}
