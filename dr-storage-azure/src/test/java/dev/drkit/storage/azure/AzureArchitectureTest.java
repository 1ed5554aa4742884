package dev.drkit.storage.azure;

import dev.drkit.test.architecture.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** dr-storage-azure uses only the public API of the other DR Kit modules. */
class AzureArchitectureTest {
    @Test
    void usesNoOtherModulesInternals() {
        ArchitectureRules.noForeignInternals("dev.drkit.storage.azure").check(ArchitectureRules.load("dev.drkit.storage.azure"));
    }
}
