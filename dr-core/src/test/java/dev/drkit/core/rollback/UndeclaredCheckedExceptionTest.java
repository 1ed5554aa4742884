package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.TriggerKind;
import dev.drkit.testkit.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Checked exceptions thrown without being declared (Lombok's {@code @SneakyThrows}, Kotlin,
 * Groovy) are failures like any other: counted, and passed to the caller unchanged.
 */
class UndeclaredCheckedExceptionTest {
    final ManualClock clock = ManualClock.at(Instant.parse("2026-01-05T10:00:00Z"));

    @SuppressWarnings("unchecked")
    static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }

    static final IOException DISK = new IOException("disk");

    static final Greeter THROWS_IO = who -> {
        throw sneaky(DISK);
    };

    GuardedRelease<Greeter> guard(GuardConfig config, Greeter stable, Greeter candidate) {
        return GuardedRelease.<Greeter>builder("greeter").config(config).clock(clock)
                .stable("v1", stable).candidate("v2", () -> candidate).build();
    }

    @Test
    void aCandidateThrowingAnUndeclaredIOExceptionIsCountedRolledBackAndTheCallerGetsTheSameException() {
        GuardedRelease<Greeter> g = guard(GuardedReleaseTest.CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO,
                0.5, 1.0)), Greeter.saying("hello"), THROWS_IO);

        int thrown = 0;
        for (int i = 0; i < 5_000; i++) {
            try {
                g.call("user-" + i, s -> s.greet("x"));
            } catch (Throwable t) {
                assertThat(t).isSameAs(DISK);
                thrown++;
            }
        }

        assertThat(thrown).isPositive();
        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
        RollbackEvent e = g.lastRollback().orElseThrow();
        assertThat(e.triggerKind()).isEqualTo(TriggerKind.JUDGE);
        assertThat(e.verdict().evidence().candidateFailures()).isEqualTo(e.verdict().evidence().candidateCalls())
                .isPositive();
        assertThat(thrown).isEqualTo(e.verdict().evidence().candidateCalls());
    }

    @Test
    void aStableVersionThrowingAnUndeclaredIOExceptionIsCountedAndPassedOn() {
        GuardedRelease<Greeter> g = guard(GuardedReleaseTest.CONFIG.withPlan(RolloutPlan.of(50, Duration.ZERO,
                0.5, 1.0)), THROWS_IO, Greeter.saying("hi"));
        String key = "user-0";
        for (int i = 0; g.routeOf(key) != dev.drkit.api.rollback.Variant.STABLE; i++) {
            key = "user-" + i;
        }

        Throwable caught = null;
        try {
            GuardedReleaseTest.greet(g, key);
        } catch (Throwable t) {
            caught = t;
        }

        assertThat(caught).isSameAs(DISK);
        assertThat(g.observe().stable().calls()).isEqualTo(1);
        assertThat(g.observe().stable().failures()).isEqualTo(1);
    }

    @Test
    void inShadowACandidateThrowingAnUndeclaredIOExceptionIsAFailureAndTheCallerGetsTheStableResult() {
        GuardedRelease<Greeter> g = guard(GuardedReleaseTest.CONFIG.withShadow(true).withPlan(RolloutPlan.of(50,
                Duration.ZERO, 1.0)), Greeter.saying("hello"), THROWS_IO);

        for (int i = 0; i < 200 && g.state() == GuardState.ROLLING_OUT; i++) {
            assertThat(GuardedReleaseTest.greet(g, "user-" + i)).isEqualTo("hello x");
        }

        assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK);
        assertThat(g.lastRollback().orElseThrow().verdict().evidence().candidateFailures()).isPositive();
    }
}
