package dev.drkit.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void durationsBelowASecondKeepThreeSignificantDigitsInTheirUnit() {
        assertThat(Durations.human(Duration.ofNanos(25_165_823))).isEqualTo("25.2 ms");
        assertThat(Durations.human(Duration.ofNanos(81_919))).isEqualTo("81.9 \u00b5s");
        assertThat(Durations.human(Duration.ofNanos(1_500_000))).isEqualTo("1.5 ms");
        assertThat(Durations.human(Duration.ofMillis(250))).isEqualTo("250 ms");
        assertThat(Durations.human(Duration.ofNanos(420))).isEqualTo("420 ns");
    }

    @Test
    void longerDurationsKeepTheirUnitsAndZeroIsZeroSeconds() {
        assertThat(Durations.human(Duration.ofMinutes(65))).isEqualTo("1 h 5 min");
        assertThat(Durations.human(Duration.ofSeconds(30))).isEqualTo("30 s");
        assertThat(Durations.human(Duration.ZERO)).isEqualTo("0 s");
        assertThat(Durations.human(Duration.ofMillis(-250))).isEqualTo("-250 ms");
    }
}
