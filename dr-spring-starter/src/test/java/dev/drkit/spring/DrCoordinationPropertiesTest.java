package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.StoreCoordinator;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.store.ForwardingStore;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The {@code dr.coordination.*} properties: when a coordinator is opened, its settings, and bad values named. */
class DrCoordinationPropertiesTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class))
            .withPropertyValues("dr.repository.password=fleet-secret", "dr.repository.init-if-missing=true",
                    "dr.repository.kdf.memory-kib=64", "dr.repository.kdf.iterations=1");

    private static DrException failure(AssertableApplicationContext ctx) {
        Throwable t = ctx.getStartupFailure();
        while (t != null && !(t instanceof DrException)) {
            t = t.getCause();
        }
        assertThat(t).as("a DrException stopped the application").isNotNull();
        return (DrException) t;
    }

    @Test
    void aRepositoryStoreCarriesTheCoordinationByDefault() {
        runner.withPropertyValues("dr.repository.uri=mem:fleet-default", "dr.coordination.member-id=orders-1",
                "dr.coordination.ttl=30s", "spring.application.name=orders").run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    StoreCoordinator c = (StoreCoordinator) ctx.getBean(Coordinator.class);
                    assertThat(c.memberId()).isEqualTo("orders-1");
                    assertThat(c.config().ttl()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(c.config().renewInterval()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(ctx.getBean(DrCoordination.class).status().members()).containsExactly("orders-1");
                    assertThat(ctx.getBean(DrCoordination.class).status().group()).isEqualTo("orders");
                });
    }

    @Test
    void noRepositoryNoUriOrDisabledMeansNoCoordinator() {
        runner.run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(Coordinator.class)
                .doesNotHaveBean(DrCoordination.class));
        runner.withPropertyValues("dr.repository.uri=mem:fleet-off", "dr.coordination.enabled=false")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(Coordinator.class));
    }

    @Test
    void aTtlNotLongerThanTheRenewIntervalIsNamed() {
        runner.withPropertyValues("dr.repository.uri=mem:fleet-ttl", "dr.coordination.ttl=5s",
                "dr.coordination.renew-interval=10s").run(ctx -> {
                    DrException e = failure(ctx);
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).startsWith("dr.coordination.ttl must be longer than "
                            + "dr.coordination.renew-interval (PT10S)").contains("but was PT5S");
                });
    }

    @Test
    void badMemberIdsLeasesAndIntervalsAreNamed() {
        runner.withPropertyValues("dr.repository.uri=mem:fleet-bad", "dr.coordination.member-id=-a/b")
                .run(ctx -> assertThat(failure(ctx).getMessage()).startsWith("dr.coordination.member-id must be"));
        runner.withPropertyValues("dr.repository.uri=mem:fleet-bad", "dr.coordination.lease=a b")
                .run(ctx -> assertThat(failure(ctx).getMessage()).startsWith("dr.coordination.lease must be"));
        runner.withPropertyValues("dr.repository.uri=mem:fleet-bad", "dr.coordination.poll-interval=0s")
                .run(ctx -> assertThat(failure(ctx).getMessage()).startsWith("dr.coordination.poll-interval must be > 0"));
        runner.withPropertyValues("dr.coordination.uri=zookeepr://zk:2181")
                .run(ctx -> assertThat(failure(ctx).getMessage()).startsWith("dr.coordination.uri is not a usable "
                        + "coordinator URI").contains("installed schemes: [zookeeper]"));
        runner.withPropertyValues("dr.coordination.uri=zookeeper://zk:99999/x")
                .run(ctx -> assertThat(failure(ctx).getMessage()).startsWith("dr.coordination.uri is not a usable "
                        + "coordinator URI").contains("malformed server 'zk:99999'"));
    }

    @Test
    void anUnreachableZooKeeperAtStartUpIsNamed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing answers there
        }
        runner.withPropertyValues("dr.coordination.uri=zookeeper://127.0.0.1:" + port + "/orders",
                "dr.coordination.connect-timeout=2s").run(ctx -> {
                    DrException e = failure(ctx);
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.getMessage()).startsWith("dr.coordination.uri names a coordination service that did "
                            + "not answer within dr.coordination.connect-timeout (PT2S)")
                            .contains("127.0.0.1:" + port);
                    assertThat(e.input()).startsWith("dr.coordination.uri=");
                });
    }

    /** A store that reads but refuses every write, as a repository made read-only does. */
    private static final class UnwritableStore extends ForwardingStore {
        UnwritableStore(SnapshotStore delegate) {
            super(delegate);
        }

        private DrException refused(String key) {
            return new DrException(ErrorCode.IO_FAILURE, "Cannot write '" + key + "': Operation not permitted", key);
        }

        @Override
        public ObjectInfo put(String key, byte[] data) {
            throw refused(key);
        }

        @Override
        public java.util.Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
            throw refused(key);
        }

        @Override
        public java.util.Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
            throw refused(key);
        }

        @Override
        public void delete(String key) {
            throw refused(key);
        }
    }

    @Test
    void aRepositoryThatCannotBeWrittenIsNamedAsSuchNotAsNeedingZooKeeper() {
        SnapshotStore memory = SnapshotStores.memory();
        Repository.init(memory, "fleet-secret".toCharArray(), RepositoryOptions.builder()
                .kdf(new KdfParams(64, 1, 1)).build()).close();
        runner.withBean(SnapshotStore.class, () -> new UnwritableStore(memory))
                .withPropertyValues("dr.repository.uri=mem:read-only").run(ctx -> {
                    DrException e = failure(ctx);
                    assertThat(e.code()).isEqualTo(ErrorCode.IO_FAILURE);
                    assertThat(e.input()).isEqualTo("dr.repository.uri");
                    assertThat(e.getMessage()).startsWith("The repository at dr.repository.uri cannot be written (")
                            .contains("Operation not permitted", "backups could not be either")
                            .doesNotContain("ZooKeeper");
                });
    }
}
