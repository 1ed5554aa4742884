package dev.drkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class ManualClockTest {
    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

    @Test
    void theClockMovesOnlyWhenToldAndOnlyForward() {
        ManualClock clock = ManualClock.at(T0);
        assertThat(clock.instant()).isEqualTo(T0);
        assertThat(clock.millis()).isEqualTo(T0.toEpochMilli());
        assertThat(clock.advance(Duration.ofMinutes(5))).isEqualTo(T0.plusSeconds(300));
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(300));
        clock.set(T0.plusSeconds(3600));
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(3600));
        clock.advance(Duration.ZERO);
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(3600));
    }

    @Test
    void goingBackwardsIsRefusedAndNamesTheValue() {
        ManualClock clock = ManualClock.at(T0);
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT)).hasMessageContaining("d must be >= 0");
        assertThatThrownBy(() -> clock.set(T0.minusMillis(1))).isInstanceOf(DrException.class)
                .hasMessageContaining("must not be before " + T0);
        assertThat(clock.instant()).isEqualTo(T0);
    }

    @Test
    void aClockInAnotherZoneSharesTheTime() {
        ManualClock clock = ManualClock.at(T0);
        Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));
        clock.advance(Duration.ofHours(1));
        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(paris.instant()).isEqualTo(T0.plusSeconds(3600));
        assertThat(clock.getZone()).isEqualTo(ZoneId.of("Z"));
    }
}
