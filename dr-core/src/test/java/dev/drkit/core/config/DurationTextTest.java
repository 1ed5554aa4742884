package dev.drkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {
    private static final long SEED = 20261207L;

    @Test
    void numbersWithUnitsAreSummed() {
        assertThat(DurationText.parse("30s")).contains(Duration.ofSeconds(30));
        assertThat(DurationText.parse("250ms")).contains(Duration.ofMillis(250));
        assertThat(DurationText.parse("1h30m")).contains(Duration.ofMinutes(90));
        assertThat(DurationText.parse("1h 30m")).contains(Duration.ofMinutes(90));
        assertThat(DurationText.parse(" 2d ")).contains(Duration.ofDays(2));
        assertThat(DurationText.parse("5M")).contains(Duration.ofMinutes(5));
    }

    @Test
    void isoEightSixOhOneIsAcceptedInEitherCase() {
        assertThat(DurationText.parse("PT30S")).contains(Duration.ofSeconds(30));
        assertThat(DurationText.parse("pt1h30m")).contains(Duration.ofMinutes(90));
        assertThat(DurationText.parse("P2D")).contains(Duration.ofDays(2));
    }

    @Test
    void aBareZeroIsZeroButOtherNumbersNeedAUnit() {
        assertThat(DurationText.parse("0")).contains(Duration.ZERO);
        assertThat(DurationText.parse(" 0 ")).contains(Duration.ZERO);
        for (String bad : new String[] {"1", "30", "00", "0.5", "-0", "0 0"}) {
            assertThat(DurationText.parse(bad)).as("'%s'", bad).isEmpty();
        }
    }

    @Test
    void textInNeitherFormIsRefused() {
        for (String bad : new String[] {"", " ", "x", "30", "s", "1.5h", "30 seconds", "-5s", "5s ago", "PT", "P1W",
                "99999999999999999999s", "9999999999999999d"}) {
            assertThat(DurationText.parse(bad)).as("'%s'", bad).isEmpty();
        }
    }

    @Test
    void whatToStringWritesIsReadBack() {
        qt().withFixedSeed(SEED).withExamples(1_000).forAll(longs().between(0, 10L * 365 * 24 * 3600 * 1000))
                .checkAssert(millis -> assertThat(DurationText.parse(Duration.ofMillis(millis).toString()))
                        .contains(Duration.ofMillis(millis)));
    }

    @Test
    void hoursMinutesAndSecondsWrittenWithUnitsAreReadAsTheirSum() {
        qt().withFixedSeed(SEED).withExamples(1_000)
                .forAll(integers().between(0, 1000), integers().between(0, 59), integers().between(0, 59))
                .checkAssert((h, m, s) -> assertThat(DurationText.parse(h + "h" + m + "m" + s + "s"))
                        .contains(Duration.ofHours(h).plusMinutes(m).plusSeconds(s)));
    }
}
