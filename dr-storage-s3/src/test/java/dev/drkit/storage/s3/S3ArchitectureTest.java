package dev.drkit.storage.s3;

import dev.drkit.test.architecture.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** dr-storage-s3 uses only the public API of the other DR Kit modules. */
class S3ArchitectureTest {
    @Test
    void usesNoOtherModulesInternals() {
        ArchitectureRules.noForeignInternals("dev.drkit.storage.s3").check(ArchitectureRules.load("dev.drkit.storage.s3"));
    }
}
