package dev.drkit.cli;

import dev.drkit.test.architecture.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** dr-cli uses only the public API of the other DR Kit modules. */
class CliArchitectureTest {
    @Test
    void usesNoOtherModulesInternals() {
        ArchitectureRules.noForeignInternals("dev.drkit.cli").check(ArchitectureRules.load("dev.drkit.cli"));
    }
}
