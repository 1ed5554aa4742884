package dev.drkit.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FuzzDurationTest {
    @Test
    void durationsReadAsSecondsWithAnOptionalUnit() {
        assertThat(FuzzDuration.seconds("90")).isEqualTo(90);
        assertThat(FuzzDuration.seconds("20s")).isEqualTo(20);
        assertThat(FuzzDuration.seconds(" 5M ")).isEqualTo(300);
        assertThat(FuzzDuration.seconds("2h")).isEqualTo(7200);
    }

    @Test
    void aValueThatIsNotADurationIsRefusedNamingTheProperty() {
        for (String bad : new String[] {"", "m", "0s", "-5", "1.5m", "20d", "ten"}) {
            assertThatThrownBy(() -> FuzzDuration.seconds(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("dr.fuzz.duration must be a positive number");
        }
    }
}
