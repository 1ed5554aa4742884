package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.spring.actuate.DrActuatorAutoConfiguration;
import dev.drkit.spring.actuate.DrEndpoint;
import dev.drkit.spring.actuate.DrSecretsSanitizer;
import dev.drkit.spring.actuate.ReplicationHealthIndicator;
import dev.drkit.testkit.store.FaultInjectingStore;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * {@code dr.replication.*}: the starter's backups are copied to a secondary repository as they
 * are committed and its journals ship their segments there; the secondaries here are file
 * stores that the test opens on its own, as an operator restoring in the other region would.
 */
class DrReplicationTest {
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path dir;

    private Path data;
    private Path primary;
    private Path secondary;
    private ApplicationContextRunner runner;

    @BeforeEach
    void setUp() throws Exception {
        data = Files.createDirectories(dir.resolve("orders"));
        Files.writeString(data.resolve("ledger.csv"), "id,amount\n1,100\n");
        primary = dir.resolve("primary");
        secondary = dir.resolve("secondary");
        runner = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class))
                .withPropertyValues("dr.repository.uri=file:" + primary, "dr.repository.password=pw",
                        "dr.repository.init-if-missing=true", "dr.repository.kdf.memory-kib=1024",
                        "dr.repository.kdf.iterations=1", "dr.repository.kdf.parallelism=1");
    }

    private static DrException failure(AssertableApplicationContext ctx) {
        Throwable t = ctx.getStartupFailure();
        while (t != null && !(t instanceof DrException)) {
            t = t.getCause();
        }
        assertThat(t).as("a DrException stopped the application").isNotNull();
        return (DrException) t;
    }

    /** The content of the file of that name somewhere under a directory, if any. */
    private static Optional<String> find(Path root, String name) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            Optional<Path> file = files.filter(p -> p.getFileName().toString().equals(name)).findFirst();
            return file.isPresent() ? Optional.of(Files.readString(file.get())) : Optional.empty();
        }
    }

    @Test
    void aScheduledBackupIsCopiedToTheSecondaryWhichRestoresIt() throws Exception {
        String[] id = new String[1];
        runner.withPropertyValues("dr.backup.sources=" + data, "dr.backup.schedule.interval=1h",
                "dr.backup.schedule.initial-delay=0s", "dr.replication.uri=file:" + secondary,
                "dr.replication.init-if-missing=true").run(ctx -> {
                    assertThat(ctx).hasNotFailed().hasSingleBean(DrReplication.class);
                    DrBackups backups = ctx.getBean(DrBackups.class);
                    // The copy is made before the backup returns, so before the backups know of it.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
                    while (backups.latest().isEmpty() && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    id[0] = backups.latest().map(Snapshot::id).orElseThrow();
                });
        try (SnapshotStore store = SnapshotStores.file(secondary);
                Repository offsite = Repository.open(store, "pw".toCharArray())) {
            assertThat(offsite.snapshots()).extracting(Snapshot::id).containsExactly(id[0]);
            Path target = dir.resolve("restored");
            offsite.restore(id[0], target, RestoreOptions.all());
            assertThat(find(target, "ledger.csv")).contains("id,amount\n1,100\n");
        }
    }

    @Test
    void aBackupOnDemandIsInTheSecondaryWhenItReturnsUnderTheSecondarysOwnPassword() throws Exception {
        try (SnapshotStore store = SnapshotStores.file(secondary)) {
            Repository.init(store, "offsite-pw".toCharArray(), RepositoryOptions.builder()
                    .kdf(new KdfParams(1024, 1, 1)).build()).close();
        }
        Path passwordFile = Files.writeString(dir.resolve("offsite-password"), "offsite-pw\n");
        runner.withPropertyValues("dr.backup.sources=" + data, "dr.backup.schedule.interval=1h",
                "dr.backup.schedule.initial-delay=1h", "dr.replication.uri=file:" + secondary,
                "dr.replication.password-file=" + passwordFile).run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    String id = ctx.getBean(DrBackups.class).backupNow(BackupKind.FULL).snapshot().id();
                    try (SnapshotStore store = SnapshotStores.file(secondary);
                            Repository offsite = Repository.open(store, "offsite-pw".toCharArray())) {
                        assertThat(offsite.snapshots()).extracting(Snapshot::id).containsExactly(id);
                    }
                });
    }

    @Test
    void journalSegmentsAreShippedToTheSecondaryAsTheyBecomeDurable() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("events"));
        runner.withPropertyValues("dr.backup.continuous.enabled=true", "dr.backup.continuous.directories=" + watched,
                "dr.backup.continuous.flush-interval=50ms", "dr.backup.continuous.stable-for=10ms",
                "dr.replication.uri=file:" + secondary, "dr.replication.init-if-missing=true").run(ctx -> {
                    assertThat(ctx).hasNotFailed().hasSingleBean(DrJournals.class);
                    Files.writeString(watched.resolve("order-42.json"), "{\"id\":42}");
                    // The application keeps running: the change reaches the secondary without a close.
                    Optional<String> restored = Optional.empty();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
                    for (int i = 0; restored.isEmpty() && System.nanoTime() < deadline; i++) {
                        Path target = dir.resolve("restored-" + i);
                        try (SnapshotStore store = SnapshotStores.file(secondary);
                                Repository offsite = Repository.open(store, "pw".toCharArray())) {
                            offsite.restoreLatest("events", target, RestoreOptions.all());
                            restored = find(target, "order-42.json");
                        } catch (DrException e) {
                            // nothing shipped yet: no repository, or no journal of the source, so far
                        }
                        if (restored.isEmpty()) {
                            Thread.sleep(50);
                        }
                    }
                    assertThat(restored).contains("{\"id\":42}");
                });
    }

    @Test
    void withoutTheUriThereIsNoSecondary() {
        runner.run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(DrReplication.class));
    }

    @Test
    void aSecondaryThatHoldsNoRepositoryStopsTheApplicationUnlessItMayBeCreated() {
        runner.withPropertyValues("dr.replication.uri=file:" + secondary).run(ctx -> {
            DrException e = failure(ctx);
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(e.getMessage()).startsWith("dr.replication.uri: ")
                    .contains("set dr.replication.init-if-missing=true");
        });
    }

    @Test
    void aWrongSecondaryPasswordSaysWhereItCameFrom() throws Exception {
        try (SnapshotStore store = SnapshotStores.file(secondary)) {
            Repository.init(store, "offsite-pw".toCharArray(), RepositoryOptions.builder()
                    .kdf(new KdfParams(1024, 1, 1)).build()).close();
        }
        runner.withPropertyValues("dr.replication.uri=file:" + secondary).run(ctx -> {
            DrException e = failure(ctx);
            assertThat(e.code()).isEqualTo(ErrorCode.WRONG_PASSWORD);
            assertThat(e.getMessage()).startsWith("dr.replication.uri: ").contains("dr.repository.password")
                    .doesNotContain("offsite-pw");
        });
    }

    @Test
    void theRepositoryItselfIsNoSecondary() {
        runner.withPropertyValues("dr.replication.uri=file:" + primary).run(ctx -> assertThat(failure(ctx)
                .getMessage()).startsWith("dr.replication.uri names the repository of dr.repository.uri itself"));
    }

    @Test
    void theBackupsOfAnApplicationsOwnRepositoryAreCopiedToo() {
        try (SnapshotStore store = SnapshotStores.memory();
                Repository own = Repository.init(store, "pw".toCharArray(), RepositoryOptions.builder()
                        .kdf(new KdfParams(1024, 1, 1)).build())) {
            runner.withBean(Repository.class, () -> own).withPropertyValues("dr.backup.sources=" + data,
                    "dr.backup.schedule.interval=1h", "dr.backup.schedule.initial-delay=1h",
                    "dr.replication.uri=file:" + secondary, "dr.replication.init-if-missing=true").run(ctx -> {
                        assertThat(ctx).hasNotFailed();
                        String id = ctx.getBean(DrBackups.class).backupNow(BackupKind.FULL).snapshot().id();
                        Repository offsite = ctx.getBean(DrReplication.class).secondary().orElseThrow();
                        assertThat(offsite.snapshots()).extracting(Snapshot::id).containsExactly(id);
                    });
        }
    }

    @Test
    void aSecondaryUnreachableAtStartDoesNotStopTheApplicationAndIsCaughtUpWhenItOpens() throws Exception {
        FaultInjectingStore offsite = initializedOffsite();
        offsite.takeDown();
        OffsiteConfiguration.store = offsite;
        withOffsite().run(ctx -> {
            assertThat(ctx).hasNotFailed();
            DrReplication replication = ctx.getBean(DrReplication.class);
            assertThat(replication.state()).isEqualTo(DrReplication.State.CONNECTING);
            assertThat(replication.secondary()).isEmpty();
            Health degraded = ctx.getBean("drReplicationHealthIndicator", HealthIndicator.class).health();
            assertThat(degraded.getStatus()).isEqualTo(ReplicationHealthIndicator.DEGRADED);
            assertThat(degraded.getDetails()).containsEntry("state", "CONNECTING")
                    .hasEntrySatisfying("problem", p -> assertThat(p.toString()).startsWith("unavailable: "))
                    .containsKey("nextAttempt");
            assertThat(ctx.getBean(DrEndpoint.class).overview()).containsKey("replication");

            // The primary takes backups while the secondary's region is down.
            DrBackups backups = ctx.getBean(DrBackups.class);
            String whileDown = backups.backupNow(BackupKind.FULL).snapshot().id();

            offsite.bringUp();
            await().atMost(Duration.ofSeconds(WAIT_SECONDS))
                    .until(() -> replication.state() == DrReplication.State.OPEN);
            await().atMost(Duration.ofSeconds(WAIT_SECONDS))
                    .until(() -> replication.sectionView().containsKey("catchUp"));
            assertThat(snapshotsIn(secondary)).containsExactly(whileDown);
            assertThat(ctx.getBean("drReplicationHealthIndicator", HealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.UP);

            // From now on each backup is in the secondary when it returns.
            String afterwards = backups.backupNow(BackupKind.INCREMENTAL).snapshot().id();
            assertThat(snapshotsIn(secondary)).containsExactlyInAnyOrder(whileDown, afterwards);
        });
    }

    @Test
    void aSecondaryThatFailsAfterStartLeavesTheBackupStandingAndTheHealthDegraded() throws Exception {
        FaultInjectingStore offsite = initializedOffsite();
        OffsiteConfiguration.store = offsite;
        withOffsite().run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(DrReplication.class).state()).isEqualTo(DrReplication.State.OPEN);
            DrBackups backups = ctx.getBean(DrBackups.class);
            HealthIndicator health = ctx.getBean("drReplicationHealthIndicator", HealthIndicator.class);
            offsite.takeDown();
            String first = backups.backupNow(BackupKind.FULL).snapshot().id();
            assertThat(backups.latest()).map(Snapshot::id).contains(first);
            Health degraded = health.health();
            assertThat(degraded.getStatus()).isEqualTo(ReplicationHealthIndicator.DEGRADED);
            assertThat(degraded.getDetails()).hasEntrySatisfying("lastBackupCopyError",
                    e -> assertThat(e.toString()).startsWith("secondary 0 (repository ").contains("injected fault"));

            offsite.bringUp();
            String second = backups.backupNow(BackupKind.INCREMENTAL).snapshot().id();
            assertThat(snapshotsIn(secondary)).containsExactlyInAnyOrder(first, second);
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        });
    }

    @Test
    void aSecondaryThatAnswersLateWithoutARepositoryFailsWithoutStoppingTheApplication() throws Exception {
        FaultInjectingStore empty = FaultInjectingStore.wrap(SnapshotStores.file(secondary)).build();
        empty.takeDown();
        OffsiteConfiguration.store = empty;
        withOffsite().run(ctx -> {
            assertThat(ctx).hasNotFailed();
            DrReplication replication = ctx.getBean(DrReplication.class);
            empty.bringUp();
            await().atMost(Duration.ofSeconds(WAIT_SECONDS))
                    .until(() -> replication.state() == DrReplication.State.FAILED);
            assertThat(replication.problem()).hasValueSatisfying(p -> assertThat(p).startsWith("not-found: ")
                    .contains("set dr.replication.init-if-missing=true"));
            Health health = ctx.getBean("drReplicationHealthIndicator", HealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(ReplicationHealthIndicator.DEGRADED);
            assertThat(health.getDetails()).containsEntry("state", "FAILED");
            assertThat(ctx.getBean(DrBackups.class).backupNow(BackupKind.FULL).snapshot()).isNotNull();
        });
    }

    /** A secondary repository in a file store the test can take down, under the password "pw". */
    private FaultInjectingStore initializedOffsite() {
        FaultInjectingStore offsite = FaultInjectingStore.wrap(SnapshotStores.file(secondary)).build();
        Repository.init(offsite, "pw".toCharArray(), RepositoryOptions.builder().kdf(new KdfParams(1024, 1, 1))
                .build()).close();
        return offsite;
    }

    /** The runner with the actuator, backups on demand, and the secondary in {@link OffsiteConfiguration#store}. */
    private ApplicationContextRunner withOffsite() {
        return runner.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class,
                DrActuatorAutoConfiguration.class)).withUserConfiguration(OffsiteConfiguration.class)
                .withPropertyValues("management.endpoints.web.exposure.include=dr", "dr.backup.sources=" + data,
                        "dr.backup.schedule.interval=1h", "dr.backup.schedule.initial-delay=1h",
                        "dr.replication.uri=file:" + secondary);
    }

    /** The snapshot ids in the secondary, read as an operator in the other region would. */
    private static java.util.List<String> snapshotsIn(Path store) {
        try (SnapshotStore s = SnapshotStores.file(store); Repository r = Repository.open(s, "pw".toCharArray())) {
            return r.snapshots().stream().map(Snapshot::id).toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The application's own secondary, in a store the test controls. */
    @Configuration(proxyBeanMethods = false)
    static class OffsiteConfiguration {
        static volatile SnapshotStore store;

        @Bean(destroyMethod = "close")
        DrReplication drReplication(DrSettings settings) {
            return DrReplication.open(settings, store);
        }
    }

    @Test
    void theSecondarysPasswordIsMaskedWhereverItAppears() {
        runner.withPropertyValues("dr.replication.uri=file:" + secondary, "dr.replication.init-if-missing=true",
                "dr.replication.password=offsite-pw").run(ctx -> {
                    DrSecretsSanitizer sanitizer = new DrSecretsSanitizer(ctx.getBean(DrProperties.class));
                    PropertySource<?> env = new MapPropertySource("env", Map.of("OFFSITE_PASSWORD", "offsite-pw"));
                    assertThat(sanitizer.apply(new SanitizableData(env, "OFFSITE_PASSWORD", "offsite-pw")).getValue())
                            .isEqualTo(SanitizableData.SANITIZED_VALUE);
                    assertThat(sanitizer.apply(new SanitizableData(env, "dr.replication.password", "offsite-pw"))
                            .getValue()).isEqualTo(SanitizableData.SANITIZED_VALUE);
                    assertThat(ctx.getBean(DrProperties.class).toString()).doesNotContain("offsite-pw");
                });
    }

    @Test
    void aReplicationPasswordWithoutAUriStopsTheApplication() {
        runner.withPropertyValues("dr.replication.password=offsite-pw").run(ctx -> assertThat(failure(ctx)
                .getMessage()).startsWith("dr.replication.uri must be set when other dr.replication.* properties are")
                .doesNotContain("offsite-pw"));
    }
}
