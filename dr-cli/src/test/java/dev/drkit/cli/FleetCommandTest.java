package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.Coordinators;
import dev.drkit.core.coordination.StoreCoordinator;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
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
    private Clock clock = Clock.systemUTC();

    private int dr(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = DrCommand.newCommandLine(Map.of());
        ((DrCommand) cl.getCommand()).clock = clock;
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
    void aHolderThatStoppedWithoutReleasingIsShownWithItsLastRenewalAndMarkedExpiredOnceThatIsOlderThanTheTtl() {
        Path repo = dir.resolve("repo");
        try (SnapshotStore store = SnapshotStores.file(repo)) {
            // a manual coordinator that is never ticked again renews nothing: a holder that stopped
            StoreCoordinator a = StoreCoordinator.manual(store, CoordinatorConfig.of("orders-a"));
            long epoch = a.lease("writer").tryAcquire().orElseThrow().epoch();
            Instant written = store.stat(String.format("coordination/leases/writer/%020d", epoch))
                    .orElseThrow().lastModified();

            clock = Clock.fixed(written.plusSeconds(15), ZoneOffset.UTC);
            assertThat(dr("fleet", "status", "--repo", repo.toString())).isZero();
            assertThat(out.toString()).contains("holder   orders-a (last renewed 15 s ago, TTL 15 s)\n")
                    .contains("epoch    " + epoch);

            clock = Clock.fixed(written.plusSeconds(192), ZoneOffset.UTC);
            assertThat(dr("fleet", "status", "--repo", repo.toString())).isZero();
            assertThat(out.toString())
                    .contains("holder   orders-a (expired? last renewed 3 min 12 s ago, TTL 15 s)\n");

            assertThat(dr("fleet", "status", "--repo", repo.toString(), "--json")).isZero();
            JsonNode json = CliJson.MAPPER.readTree(out.toString());
            assertThat(json.get("holder").asString()).isEqualTo("orders-a");
            assertThat(json.get("epoch").asLong()).isEqualTo(epoch);
            assertThat(json.get("lastRenewed").asString()).isEqualTo(written.toString());
            assertThat(json.get("ageMillis").asLong()).isEqualTo(192_000);
            assertThat(json.get("ttlMillis").asLong()).isEqualTo(15_000);
            assertThat(json.get("expired").asBoolean()).isTrue();

            // a store's timestamp ahead of this host's clock reads as just renewed, not as a negative age
            clock = Clock.fixed(written.minusSeconds(5), ZoneOffset.UTC);
            assertThat(dr("fleet", "status", "--repo", repo.toString())).isZero();
            assertThat(out.toString()).contains("holder   orders-a (last renewed 0 s ago, TTL 15 s)");
            a.close();
        }
    }

    @Test
    void aLookWritesNothingIntoTheStore() throws Exception {
        Path repo = dir.resolve("repo");
        try (SnapshotStore store = SnapshotStores.file(repo);
                StoreCoordinator a = StoreCoordinator.manual(store, CoordinatorConfig.of("orders-a"))) {
            a.lease("writer").tryAcquire().orElseThrow();
            a.membership("orders").join();
            Map<Path, FileTime> before = files(repo);

            assertThat(dr("fleet", "status", "--repo", repo.toString(), "--group", "orders")).isZero();
            assertThat(out.toString()).contains("holder   orders-a (last renewed").contains("members  orders-a");
            assertThat(files(repo)).isEqualTo(before);
        }
    }

    @Test
    void anAnnouncementThatNamesAnotherMemberThanItsKeyIsReportedAndNotListed() {
        Path repo = dir.resolve("repo");
        try (SnapshotStore store = SnapshotStores.file(repo);
                StoreCoordinator a = StoreCoordinator.manual(store, CoordinatorConfig.of("orders-a"))) {
            a.membership("orders").join();
            store.put("coordination/members/orders/orders-b",
                    "dr-member/1\nmember=orders-x\nannouncement=1\n".getBytes(StandardCharsets.UTF_8));
            store.put("coordination/members/orders/orders-c", "not an announcement".getBytes(StandardCharsets.UTF_8));

            assertThat(dr("fleet", "status", "--repo", repo.toString(), "--group", "orders"))
                    .isEqualTo(DrCommand.EXIT_INTEGRITY);
            assertThat(out.toString()).contains("members  orders-a\n")
                    .contains("problem  The announcement coordination/members/orders/orders-b names member "
                            + "'orders-x', but its key names 'orders-b'\n")
                    .contains("problem  The object coordination/members/orders/orders-c is not a dr-member/1 object");

            assertThat(dr("fleet", "status", "--repo", repo.toString(), "--group", "orders", "--json"))
                    .isEqualTo(DrCommand.EXIT_INTEGRITY);
            JsonNode json = CliJson.MAPPER.readTree(out.toString());
            assertThat(json.get("members").toString()).isEqualTo("[\"orders-a\"]");
            assertThat(json.get("inconsistent").get(0).get("key").asString())
                    .isEqualTo("coordination/members/orders/orders-b");
            assertThat(json.get("inconsistent").get(0).get("problem").asString()).contains("'orders-x'");
            assertThat(json.get("inconsistent").get(1).get("key").asString())
                    .isEqualTo("coordination/members/orders/orders-c");
        }
    }

    @Test
    void aHoldingWhoseEpochIsNotItsKeysIsReportedAndItsHolderNotShown() {
        Path repo = dir.resolve("repo");
        try (SnapshotStore store = SnapshotStores.file(repo)) {
            store.createLocationIfMissing();
            store.put("coordination/leases/writer/00000000000000000005", ("dr-lease/1\nholder=orders-z\nepoch=9\n"
                    + "status=HELD\nrenewals=0\nttl-ms=15000\nwriter=orders-z\nnonce=1\n")
                    .getBytes(StandardCharsets.UTF_8));

            assertThat(dr("fleet", "status", "--repo", repo.toString())).isEqualTo(DrCommand.EXIT_INTEGRITY);
            assertThat(out.toString()).contains("holder   none\n").contains("epoch    -")
                    .contains("problem  The lease object coordination/leases/writer/00000000000000000005 says "
                            + "epoch 9, but its key says epoch 5");
        }
    }

    /** Every file and directory under a directory, hidden ones too, with its modification time. */
    private static Map<Path, FileTime> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            Map<Path, FileTime> files = new TreeMap<>();
            for (Path p : walk.toList()) {
                files.put(root.relativize(p), Files.getLastModifiedTime(p));
            }
            return files;
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
