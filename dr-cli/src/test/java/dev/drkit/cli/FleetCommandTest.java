package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.Coordinators;
import dev.drkit.core.coordination.StoreCoordinator;
import dev.drkit.core.store.SnapshotStores;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** {@code dr fleet status}: the holder, epoch and members of a fleet, from its store or from ZooKeeper. */
class FleetCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int dr(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = DrCommand.newCommandLine(Map.of());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void statusReadsTheFleetFromTheRepositoryStore() {
        Path repo = dir.resolve("repo");
        try (SnapshotStore store = SnapshotStores.file(repo);
                Coordinator a = StoreCoordinator.open(store, CoordinatorConfig.ofDefaults("orders-a"));
                Coordinator b = StoreCoordinator.open(store, CoordinatorConfig.ofDefaults("orders-b"))) {
            long epoch = a.lease("writer").tryAcquire().orElseThrow().epoch();
            a.membership("orders").join();
            b.membership("orders").join();

            assertThat(dr("fleet", "status", "--repo", repo.toString(), "--group", "orders")).isZero();
            assertThat(out.toString()).contains("lease    writer").contains("holder   orders-a")
                    .contains("epoch    " + epoch).contains("members  orders-a, orders-b");

            assertThat(dr("fleet", "status", "--repo", repo.toString(), "--group", "orders", "--json")).isZero();
            JsonNode json = CliJson.MAPPER.readTree(out.toString());
            assertThat(json.get("holder").asString()).isEqualTo("orders-a");
            assertThat(json.get("epoch").asLong()).isEqualTo(epoch);
            assertThat(json.get("members").toString()).isEqualTo("[\"orders-a\",\"orders-b\"]");

            a.lease("writer").release();
            assertThat(dr("fleet", "status", "--repo", repo.toString(), "--group", "orders")).isZero();
            assertThat(out.toString()).contains("holder   none").contains("epoch    -");
        }
    }

    @Test
    void statusReadsTheFleetFromZooKeeper() throws Exception {
        // the build points java.io.tmpdir at target/tmp, where the server keeps its data
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        try (TestingServer zk = new TestingServer(true)) {
            String uri = "zookeeper://" + zk.getConnectString() + "/orders";
            try (Coordinator a = Coordinators.open(uri, CoordinatorConfig.ofDefaults("orders-a"));
                    Coordinator b = Coordinators.open(uri, CoordinatorConfig.ofDefaults("orders-b"))) {
                a.lease("writer").tryAcquire().orElseThrow();
                a.lease("writer").release();
                long epoch = b.lease("writer").tryAcquire().orElseThrow().epoch();
                a.membership("dr").join();
                b.membership("dr").join();

                assertThat(dr("fleet", "status", "--coordinator", uri, "--json")).isZero();
                JsonNode json = CliJson.MAPPER.readTree(out.toString());
                assertThat(json.get("backend").asString()).isEqualTo(uri);
                assertThat(json.get("holder").asString()).isEqualTo("orders-b");
                assertThat(json.get("epoch").asLong()).isEqualTo(epoch).isEqualTo(2);
                assertThat(json.get("members").toString()).isEqualTo("[\"orders-a\",\"orders-b\"]");
            }
        }
    }

    @Test
    void badBackendsAreRefusedWithTheirExitCodes() throws Exception {
        assertThat(dr("fleet", "status")).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--repo").contains("--coordinator");
        assertThat(dr("fleet", "status", "--repo", dir.toString(), "--coordinator", "zookeeper://zk:2181"))
                .isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(dr("fleet", "status", "--coordinator", "zookeepr://zk:2181")).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("No coordinator is installed for scheme 'zookeepr'")
                .contains("installed schemes: [zookeeper]");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThat(dr("fleet", "status", "--coordinator", "zookeeper://127.0.0.1:" + port + "?connectTimeout=PT1S"))
                .isEqualTo(DrCommand.EXIT_FAILED);
        assertThat(err.toString()).contains("No ZooKeeper server of 127.0.0.1:" + port + " answered within PT1S");
    }

    @Test
    void aRepositoryDirectoryThatDoesNotExistIsRefusedAndNotCreated() throws Exception {
        Path missing = dir.resolve("no-such-repo");
        assertThat(dr("fleet", "status", "--repo", missing.toString())).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--repo: " + missing + " does not exist");
        assertThat(out.toString()).isEmpty();
        assertThat(missing).doesNotExist();

        assertThat(dr("fleet", "status", "--repo", missing.toUri().toString(), "--json"))
                .isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains(missing + " does not exist");
        assertThat(missing).doesNotExist();

        Path file = Files.writeString(dir.resolve("a-file"), "not a repository");
        assertThat(dr("fleet", "status", "--repo", file.toString())).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--repo: " + file + " is not a directory");
        assertThat(file).hasContent("not a repository");
    }

    @Test
    void theBackendIsEscaped() {
        Path repo = dir.resolve("re\u001b[2Jpo");
        try (SnapshotStore store = SnapshotStores.file(repo);
                Coordinator a = StoreCoordinator.open(store, CoordinatorConfig.ofDefaults("orders-a"))) {
            a.membership("orders").join();
            assertThat(dr("fleet", "status", "--repo", repo.toString(), "--group", "orders")).isZero();
            assertThat(out.toString()).contains("re\\x1b[2Jpo").doesNotContain("\u001b");
        }
    }
}
