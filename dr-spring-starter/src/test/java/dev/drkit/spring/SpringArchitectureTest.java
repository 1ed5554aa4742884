package dev.drkit.spring;

import dev.drkit.test.architecture.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** dr-spring-starter uses only the public API of the other DR Kit modules. */
class SpringArchitectureTest {
    @Test
    void usesNoOtherModulesInternals() {
        ArchitectureRules.noForeignInternals("dev.drkit.spring").check(ArchitectureRules.load("dev.drkit.spring"));
    }
}
