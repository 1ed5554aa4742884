package dev.drkit.test;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.drkit.test.architecture.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** dr-core, dr-test and dr-test-kit keep the module rules. */
class ModuleArchitectureTest {
    private static final JavaClasses CORE = ArchitectureRules.load("dev.drkit.core");
    private static final JavaClasses KIT = ArchitectureRules.load("dev.drkit.test");
    private static final JavaClasses API_KIT = ArchitectureRules.load("dev.drkit.testkit");

    @Test
    void coreDoesNotDependOnSpring() {
        ArchitectureRules.noSpring("dev.drkit.core").check(CORE);
    }

    @Test
    void coreUsesNoOtherModulesInternals() {
        ArchitectureRules.noForeignInternals("dev.drkit.core").check(CORE);
    }

    @Test
    void testKitUsesNoOtherModulesInternals() {
        ArchitectureRules.noForeignInternals("dev.drkit.test").check(KIT);
    }

    @Test
    void theApiTestKitUsesOnlyTheApi() {
        ArchitectureRules.onlyTheApi("dev.drkit.testkit").check(API_KIT);
    }
}
