package dev.drkit.core.rollback;

import java.time.Instant;
import dev.drkit.testkit.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import org.junit.jupiter.api.Test;

class VersionedValueTest {
    final ManualClock clock = ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"));

    VersionedValue<Integer> limit() {
        return VersionedValue.of("rate-limit", 100, clock, b -> b.config(GuardedReleaseTest.CONFIG));
    }

    static void use(VersionedValue<Integer> v, int calls) {
        for (int i = 0; i < calls; i++) {
            try {
                v.call("tenant-" + i, limit -> {
                    if (limit > 1000) {
                        throw new IllegalStateException("database overloaded at limit " + limit);
                    }
                    return limit;
                });
            } catch (IllegalStateException expected) {
                // the bad revision's failure reaches the caller
            }
        }
    }

    @Test
    void aChangeIsRolledOutToAShareOfKeysAndPromotedOnEvidence() {
        VersionedValue<Integer> v = limit();

        v.set(200, "alice", "more headroom");
        assertThat(v.state()).isEqualTo(GuardState.ROLLING_OUT);
        assertThat(v.candidate()).map(VersionedValue.Revision::value).contains(200);
        assertThat(v.current().value()).isEqualTo(100);

        use(v, 10_000);

        assertThat(v.state()).isEqualTo(GuardState.PROMOTED);
        assertThat(v.current().number()).isEqualTo(2);
        assertThat(v.get("anyone")).isEqualTo(200);
    }

    @Test
    void aBadChangeIsRolledBackAutomatically() {
        VersionedValue<Integer> v = limit();
        v.set(5_000, "alice", "no limits");

        use(v, 5_000);

        assertThat(v.state()).isEqualTo(GuardState.ROLLED_BACK);
        assertThat(v.current().value()).isEqualTo(100);
        assertThat(v.history()).extracting(VersionedValue.Revision::value).containsExactly(100, 5_000);
    }

    @Test
    void anyEarlierRevisionCanBeRestoredAtOnce() {
        VersionedValue<Integer> v = limit();
        v.set(200, "alice", "step 1");
        v.guard().promote("alice", "fine");
        v.set(300, "alice", "step 2");
        v.guard().promote("alice", "fine");
        v.set(400, "alice", "step 3");

        RollbackEvent e = v.rollbackTo(1, "bob", "back to the original");

        assertThat(e.toVersion()).isEqualTo("r1");
        assertThat(v.current().number()).isEqualTo(1);
        assertThat(v.candidate()).isEmpty();
        assertThat(v.get("anyone")).isEqualTo(100);
        assertThat(v.history()).hasSize(4);
        assertThatThrownBy(() -> v.rollbackTo(9, "bob", "?")).isInstanceOfSatisfying(DrException.class,
                x -> assertThat(x.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(v.set(250, "carol", "try again").number()).isEqualTo(5);
    }

    @Test
    void aSecondChangeWhileOneIsRollingOutIsRefused() {
        VersionedValue<Integer> v = limit();
        v.set(200, "alice", "first");

        assertThatThrownBy(() -> v.set(300, "bob", "second")).isInstanceOfSatisfying(DrException.class,
                x -> assertThat(x.code()).isEqualTo(ErrorCode.ILLEGAL_STATE));
        assertThat(v.history()).hasSize(2);

    }
}
