package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.core.repository.JournalRecord;
import dev.drkit.core.repository.Repository;
import dev.drkit.postgres.BaseBackup;
import dev.drkit.postgres.Lsn;
import dev.drkit.postgres.PostgresBackups;
import dev.drkit.postgres.PostgresServer;
import dev.drkit.postgres.WalStreamer;
import dev.drkit.spring.actuate.DrActuatorAutoConfiguration;
import dev.drkit.spring.actuate.DrEndpoint;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** One test per condition of {@link DrPostgresAutoConfiguration}, against a real PostgreSQL. */
class DrPostgresAutoConfigurationTest {
    private static final AtomicInteger REPOS = new AtomicInteger();
    private static PostgresServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.start();
        server.execute("SELECT pg_create_physical_replication_slot('app_a', true)",
                "SELECT pg_create_physical_replication_slot('app_b', true)",
                "SELECT pg_create_physical_replication_slot('app_c', true)",
                "SELECT pg_create_physical_replication_slot('app_d', true)", "CREATE TABLE orders (id int)");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, DrAutoConfiguration.class,
                        DrPostgresAutoConfiguration.class, DrActuatorAutoConfiguration.class))
                .withBean(DataSource.class, () -> {
                    PGSimpleDataSource ds = new PGSimpleDataSource();
                    ds.setURL(server.url());
                    ds.setUser(PostgresServer.SUPERUSER);
                    ds.setPassword(PostgresServer.PASSWORD);
                    return ds;
                })
                .withPropertyValues("management.endpoints.web.exposure.include=dr",
                        "dr.repository.uri=mem:pg-" + REPOS.incrementAndGet(), "dr.repository.password=pw",
                        "dr.repository.init-if-missing=true", "dr.repository.kdf.memory-kib=1024",
                        "dr.repository.kdf.iterations=1", "spring.datasource.password=" + PostgresServer.PASSWORD);
    }

    @Test
    void theDataSourcesServerIsStreamedAndTheEndpointShowsTheBaseBackupTheLsnAndTheLag() {
        runner().withPropertyValues("dr.postgres.enabled=true", "dr.postgres.slot=app_a",
                "dr.postgres.flush-interval=200ms", "dr.postgres.base-backup-on-start=true").run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(DrPostgres.class).hasBean("drPostgresMeters");
            DrPostgres postgres = ctx.getBean(DrPostgres.class);
            Lsn target;
            try (Connection c = server.superuser(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO orders VALUES (1)");
                try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_flush_lsn()::text")) {
                    rs.next();
                    target = Lsn.parse(rs.getString(1));
                }
            }
            assertThat(postgres.streamer().awaitStreamed(target, Duration.ofMinutes(3))).isTrue();

            @SuppressWarnings("unchecked")
            Map<String, Object> view = (Map<String, Object>) ctx.getBean(DrEndpoint.class).overview().get("postgres");
            assertThat(view).containsEntry("slot", "app_a").containsEntry("streaming", true)
                    .containsKeys("slotLagBytes", "lastFlush");
            assertThat(Lsn.parse((String) view.get("streamedLsn"))).isGreaterThanOrEqualTo(target);
            @SuppressWarnings("unchecked")
            Map<String, Object> base = (Map<String, Object>) view.get("lastBaseBackup");
            assertThat(base).containsEntry("snapshot", postgres.lastBaseBackup().orElseThrow().snapshotId());

            Health health = ctx.getBean("drPostgresHealthIndicator", HealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("slot", "app_a").containsKey("slotLagBytes");

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ctx.getBean("drPostgresMeters", MeterBinder.class).bindTo(registry);
            assertThat(registry.get("dr.postgres.slot.lag").tag("slot", "app_a").gauge().value())
                    .isGreaterThanOrEqualTo(0);
        });
    }

    private static void awaitStreamedUpToNow(DrPostgres postgres) throws Exception {
        Lsn target;
        try (Connection c = server.superuser(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_flush_lsn()::text")) {
            rs.next();
            target = Lsn.parse(rs.getString(1));
        }
        assertThat(postgres.streamer().awaitStreamed(target, Duration.ofMinutes(3))).isTrue();
    }

    private static Set<String> walChunks(Repository repository, DrPostgres postgres) {
        return repository.journalAt("_pgwal-" + postgres.streamer().systemId()).orElseThrow().records().stream()
                .map(JournalRecord::path).collect(Collectors.toSet());
    }

    /** The end of a WAL chunk, from its record's name: {@code <timeline>/<start>-<end>-<segment size>}, in hex. */
    private static long chunkEnd(String path) {
        String[] range = path.substring(path.indexOf('/') + 1).split("-");
        return Long.parseUnsignedLong(range[1], 16);
    }

    @Test
    void eachBaseBackupForgetsTheWalOlderThanTheOldestBaseBackupLeft() {
        runner().withPropertyValues("dr.postgres.enabled=true", "dr.postgres.slot=app_c",
                "dr.postgres.flush-interval=200ms", "dr.postgres.base-backup-on-start=true").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            DrPostgres postgres = ctx.getBean(DrPostgres.class);
            Repository repository = ctx.getBean(Repository.class);
            BaseBackup first = postgres.lastBaseBackup().orElseThrow();
            server.execute("INSERT INTO orders VALUES (2)", "SELECT pg_switch_wal()");
            // The slot may hold WAL from before the first base backup (the server is shared): once
            // it is all streamed, the next base backup's forgetting meets every such chunk, rather
            // than the ones that arrive after it.
            awaitStreamedUpToNow(postgres);
            BaseBackup second = postgres.baseBackup();
            awaitStreamedUpToNow(postgres);
            long firstStart = first.startLsn().segmentStart(16 << 20).value();
            long secondStart = second.startLsn().segmentStart(16 << 20).value();
            Set<String> chunks = walChunks(repository, postgres);
            assertThat(chunks).as("what the first base backup needs is kept").isNotEmpty()
                    .allMatch(c -> chunkEnd(c) > firstStart);
            Set<String> onlyTheFirstNeeds = chunks.stream().filter(c -> chunkEnd(c) <= secondStart)
                    .collect(Collectors.toSet());
            assertThat(onlyTheFirstNeeds).isNotEmpty();

            // Retention forgets the first base backup; the next base backup takes its WAL along.
            repository.forget(RetentionPolicy.builder().keepLast(1).build(), false);
            assertThat(PostgresBackups.of(repository, server.connection()).baseBackups())
                    .extracting(BaseBackup::snapshotId).containsExactly(second.snapshotId());
            server.execute("INSERT INTO orders VALUES (3)", "SELECT pg_switch_wal()");
            awaitStreamedUpToNow(postgres);
            postgres.baseBackup();
            awaitStreamedUpToNow(postgres);
            Set<String> after = walChunks(repository, postgres);
            assertThat(after).doesNotContainAnyElementsOf(onlyTheFirstNeeds).isNotEmpty()
                    .allMatch(c -> chunkEnd(c) > secondStart);
            assertThat(postgres.forgetUnneededWal()).as("nothing more to forget").isZero();
        });
    }

    @Test
    void streamingThatStopsOnAFailureStartsAgainFromTheSlotAndLosesNothing() {
        runner().withPropertyValues("dr.postgres.enabled=true", "dr.postgres.slot=app_d",
                "dr.postgres.flush-interval=200ms", "dr.postgres.restart-delay=100ms").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            DrPostgres postgres = ctx.getBean(DrPostgres.class);
            WalStreamer first = postgres.streamer();
            // The server ends the replication connection, as a restart of the server does.
            server.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
                    + "WHERE slot_name = 'app_d' AND active_pid IS NOT NULL");
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (postgres.streamer() == first || !postgres.streamer().isRunning()) {
                assertThat(System.nanoTime() - deadline).as("streaming started again within 2 minutes").isNegative();
                Thread.sleep(20);
            }
            assertThat(first.isRunning()).isFalse();
            assertThat(postgres.restarts()).isEqualTo(1);
            server.execute("INSERT INTO orders VALUES (4)", "SELECT pg_switch_wal()");
            awaitStreamedUpToNow(postgres);
            Health health = ctx.getBean("drPostgresHealthIndicator", HealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
        });
        runner().withPropertyValues("dr.postgres.enabled=true", "dr.postgres.slot=app_d",
                "dr.postgres.restart-delay=0s").run(ctx -> assertThat(ctx).hasFailed().getFailure()
                        .rootCause().hasMessage("dr.postgres.restart-delay must be > 0, but was PT0S"));
    }

    @Test
    void theHealthContributorIsDownOnceStreamingStops() {
        runner().withPropertyValues("dr.postgres.enabled=true", "dr.postgres.slot=app_b").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            ctx.getBean(DrPostgres.class).streamer().close();
            Health health = ctx.getBean("drPostgresHealthIndicator", HealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("streaming", false);
        });
    }

    @Test
    void withoutDrPostgresEnabledNothingStreams() {
        runner().run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(DrPostgres.class));
    }

    @Test
    void withoutDrPostgresOnTheClassPathNothingStreams() {
        runner().withClassLoader(new FilteredClassLoader(WalStreamer.class))
                .withPropertyValues("dr.postgres.enabled=true", "dr.postgres.slot=app_b")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(DrPostgres.class));
    }

    @Test
    void aMissingSlotStopsTheApplicationNamingTheProperty() {
        runner().withPropertyValues("dr.postgres.enabled=true", "dr.postgres.slot=no_such_slot")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause().hasMessageContaining("slot")
                        .satisfies(e -> assertThat(stackMessages(ctx.getStartupFailure()))
                                .contains("dr.postgres.slot")));
    }

    @Test
    void aWrongPasswordStopsTheApplicationNamingTheProperty() {
        runner().withPropertyValues("dr.postgres.enabled=true", "dr.postgres.slot=app_b", "dr.postgres.password=wrong")
                .run(ctx -> assertThat(stackMessages(ctx.getStartupFailure())).contains("dr.postgres.password"));
    }

    private static String stackMessages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable e = t; e != null; e = e.getCause()) {
            b.append(e.getMessage()).append('\n');
        }
        return b.toString();
    }
}
