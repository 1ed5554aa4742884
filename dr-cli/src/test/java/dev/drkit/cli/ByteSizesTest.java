package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class ByteSizesTest {
    @Test
    void smallCountsAreWholeBytes() {
        assertThat(ByteSizes.format(0)).isEqualTo("0 B");
        assertThat(ByteSizes.format(16)).isEqualTo("16 B");
        assertThat(ByteSizes.format(1023)).isEqualTo("1023 B");
    }

    @Test
    void largerCountsTakeTheLargestUnitThatKeepsOneOrMore() {
        assertThat(ByteSizes.format(1024)).isEqualTo("1.0 KiB");
        assertThat(ByteSizes.format(1536)).isEqualTo("1.5 KiB");
        assertThat(ByteSizes.format(200_000)).isEqualTo("195.3 KiB");
        assertThat(ByteSizes.format(12L << 20)).isEqualTo("12.0 MiB");
        assertThat(ByteSizes.format((3L << 30) + (1L << 29))).isEqualTo("3.5 GiB");
        assertThat(ByteSizes.format(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
    }

    @Test
    void aCountJustBelowTheNextUnitDoesNotPrint1024() {
        assertThat(ByteSizes.format((1L << 20) - 1)).isEqualTo("1.0 MiB");
        assertThat(ByteSizes.format((1L << 20) - 60)).isEqualTo("1023.9 KiB");
    }

    @Test
    void theDecimalPointIsAPointInEveryLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            assertThat(ByteSizes.format(1536)).isEqualTo("1.5 KiB");
        } finally {
            Locale.setDefault(before);
        }
    }
}
