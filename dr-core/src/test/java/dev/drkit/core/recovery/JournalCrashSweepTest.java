package dev.drkit.core.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.testkit.store.CrashPoint;
import dev.drkit.testkit.store.CrashingStore;
import dev.drkit.testkit.store.InMemoryStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash sweep of the recovery execution journal: an execution of fence, restore, switch
 * and unfence is stopped at every write to its journal, before the write and right after it.
 * After each stop a new executor on the same store must read the journal without an integrity
 * error, resume the execution to success when it had started and not finished, and then run
 * the next execution to success. The figures are printed for {@code RELIABILITY.md}.
 */
class JournalCrashSweepTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final String ID = "exec-crash";

    @TempDir
    Path dir;

    private static RecoveryExecutor executor(SnapshotStore store) {
        return RecoveryExecutor.builder().journal(store, "executions").pollInterval(Duration.ofMillis(1)).build();
    }

    @Test
    void anExecutionStoppedAtAnyJournalWriteResumesToSuccessAndTheNextExecutionSucceeds() throws Exception {
        Plan plan = CrashPlans.plan(dir.resolve("effects"), "none", dir.resolve("marker"));
        CrashPoint counting = CrashPoint.never();
        try (RecoveryExecutor ex = executor(new CrashingStore(new InMemoryStore(), counting))) {
            assertThat(ex.run(plan, ExecutionRequest.live().withId(ID), LIMIT).succeeded()).isTrue();
        }
        long mutations = counting.mutations();
        assertThat(mutations).isGreaterThanOrEqualTo(9); // start, four steps running and done, finish
        List<String> failures = new ArrayList<>();
        int covered = 0;
        int survived = 0;
        int resumed = 0;
        for (long k = 1; k <= mutations; k++) {
            for (CrashPoint.Moment moment : CrashPoint.Moment.values()) {
                CrashPoint point = CrashPoint.at(k, moment);
                InMemoryStore store = new InMemoryStore();
                Throwable stopped = null;
                try (RecoveryExecutor ex = executor(new CrashingStore(store, point))) {
                    ex.run(plan, ExecutionRequest.live().withId(ID), LIMIT);
                } catch (Throwable t) {
                    stopped = t;
                }
                covered++;
                // the last mutation gives up the execution's lease after its finish was written:
                // a crash there leaves a finished execution, whose lease expires
                boolean afterTheFinish = k == mutations && stopped == null;
                if (!point.crashed() || (stopped == null && !afterTheFinish)) {
                    failures.add(point + ": the execution did not stop (" + stopped + ")");
                    continue;
                }
                try (RecoveryExecutor ex = executor(store)) {
                    if (ex.unfinished().contains(ID)) {
                        ExecutionResult r = ex.resume(plan, ID).await(LIMIT);
                        if (!r.succeeded()) {
                            throw new AssertionError("the resumed execution ended " + r.status());
                        }
                        resumed++;
                    }
                    ExecutionResult next = ex.run(plan, ExecutionRequest.live().withId("next"), LIMIT);
                    if (!next.succeeded()) {
                        throw new AssertionError("the next execution ended " + next.status());
                    }
                    if (!ex.unfinished().isEmpty()) {
                        throw new AssertionError("unfinished after the next execution: " + ex.unfinished());
                    }
                    survived++;
                } catch (Throwable t) {
                    failures.add(point + ": " + t);
                }
            }
        }
        System.out.println("crash sweep: recovery journal: " + mutations + " mutations, " + covered
                + " crash points covered, " + survived + " survived (" + resumed + " resumed)");
        assertThat(failures).isEmpty();
        assertThat(resumed).isPositive();
    }
}
