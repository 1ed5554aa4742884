package dev.drkit.core.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import org.junit.jupiter.api.Test;

/** {@link Coordinators} finds providers by scheme and names what is wrong with a URI. */
class CoordinatorsTest {
    private final CoordinatorConfig config = CoordinatorConfig.ofDefaults("a");

    @Test
    void aSchemeWithoutAProviderNamesTheInstalledOnes() {
        assertThatThrownBy(() -> Coordinators.open("zookeeper://zk1:2181/orders", config))
                .isInstanceOf(DrException.class)
                .satisfies(e -> assertThat(((DrException) e).code())
                        .isEqualTo(ErrorCode.UNKNOWN_SCHEME))
                .hasMessageContaining("No coordinator is installed for scheme 'zookeeper'")
                .hasMessageContaining("installed schemes: []")
                .hasMessageContaining("dr-coordination-zookeeper");
    }

    @Test
    void blankMalformedAndSchemelessUrisAreRefused() {
        assertThatThrownBy(() -> Coordinators.open(" ", config)).isInstanceOf(DrException.class)
                .hasMessage("Coordinator URI must not be empty");
        assertThatThrownBy(() -> Coordinators.open("zookeeper://zk 1", config)).isInstanceOf(DrException.class)
                .hasMessageStartingWith("Malformed coordinator URI");
        assertThatThrownBy(() -> Coordinators.open("zk1:2181", config)).isInstanceOf(DrException.class)
                .hasMessageContaining("scheme");
    }
}
