package dev.drkit.coordination.zookeeper;

import dev.drkit.test.architecture.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** dr-coordination-zookeeper uses only the public API of the other DR Kit modules. */
class ZooKeeperArchitectureTest {
    @Test
    void usesNoOtherModulesInternals() {
        ArchitectureRules.noForeignInternals("dev.drkit.coordination.zookeeper")
                .check(ArchitectureRules.load("dev.drkit.coordination.zookeeper"));
    }
}
