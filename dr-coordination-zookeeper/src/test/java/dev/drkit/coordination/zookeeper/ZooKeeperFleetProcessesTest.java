package dev.drkit.coordination.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.test.fleet.FleetScenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three JVMs of {@link ZooKeeperFleetMember} against a three-server ZooKeeper ensemble: a
 * rollback on one is applied by all three, pushed by ZooKeeper's watches (the propagation times
 * are printed and written to {@code target/fleet-acceptance-zookeeper.txt}); the writer killed
 * with SIGKILL is replaced once its session expires; the next writer, stopped with SIGSTOP past
 * its session and resumed, has its next write refused by the fence; and no epoch has writes
 * from two members. {@code -Ddr.fleet.trials=N} runs N rollback trials (default 2).
 */
class ZooKeeperFleetProcessesTest {
    /** The ensemble's tick: sessions may last 2 to 20 ticks, so the TTL below is granted. */
    private static final int TICK_MILLIS = 500;
    private static final long TTL_MS = 3000;
    private static final long RENEW_MS = 1000;

    @TempDir
    Path tmp;

    @Test
    void threeJvmsRollBackTogetherReplaceAKilledWriterAndFenceAStoppedOne() throws Exception {
        int trials = Integer.getInteger("dr.fleet.trials", 2);
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, i, TICK_MILLIS, -1));
        }
        Path storeDir = Files.createDirectories(tmp.resolve("store")); // the fleet's data store; writes do not make it
        try (TestingCluster ensemble = new TestingCluster(specs)) {
            ensemble.start();
            String connect = ensemble.getConnectString() + "/fleet-" + UUID.randomUUID();
            try (SnapshotStore view = SnapshotStores.file(storeDir);
                    FleetScenario fleet = FleetScenario.start(List.of("z1", "z2", "z3"), ZooKeeperFleetMember.class,
                            id -> List.of(connect, storeDir.toString(), id, Long.toString(TTL_MS),
                                    Long.toString(RENEW_MS)))) {
                FleetScenario.Propagation propagation = fleet.rollbacks(trials);
                assertThat(propagation.warm()).hasSize(2 * trials).allSatisfy(us -> assertThat(us).isPositive());

                FleetScenario.Failover failover = fleet.failover(view);
                assertThat(failover.refusal()).contains("epoch " + failover.epochs().get(1));

                assertThat(fleet.checkWrites(view, failover)).containsKeys(failover.epochs().stream()
                        .map(Object::toString).toArray(String[]::new));

                String text = "fleet acceptance on a 3-server ZooKeeper ensemble (TTL " + TTL_MS + " ms, renew "
                        + RENEW_MS + " ms): " + FleetScenario.report(propagation, failover, null);
                System.out.print(text);
                Files.writeString(Path.of("target", "fleet-acceptance-zookeeper.txt"), text);
            }
        }
    }
}
