package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.journal.RecordFeed;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.spring.actuate.DrActuatorAutoConfiguration;
import dev.drkit.spring.actuate.DrEndpoint;
import dev.drkit.spring.actuate.DrMeterBinder;
import dev.drkit.spring.actuate.JournalHealthIndicator;
import dev.drkit.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Continuous protection in the starter: the conditions, the lag against the RPO, the meter and the endpoint. */
@ExtendWith(OutputCaptureExtension.class)
class DrJournalsTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void continuousProtectionStartsAJournalPerDirectoryWhenEnabled() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("orders"));
        runner.withPropertyValues("dr.repository.uri=file:" + dir.resolve("repo"), "dr.repository.password=pw",
                "dr.repository.init-if-missing=true", "dr.repository.kdf.memory-kib=1024",
                "dr.repository.kdf.iterations=1", "dr.repository.kdf.parallelism=1",
                "dr.backup.continuous.enabled=true",
                "dr.backup.continuous.directories=" + watched, "dr.backup.continuous.rpo=3s",
                "dr.backup.continuous.heartbeat-every=30s").run(ctx -> {
                    assertThat(ctx).hasNotFailed().hasSingleBean(DrJournals.class);
                    DrJournals journals = ctx.getBean(DrJournals.class);
                    assertThat(journals.statuses()).extracting(s -> s.source()).containsExactly("orders");
                    assertThat(journals.rpo()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(ctx.getBean(DrProperties.class).backup().continuous().heartbeatEvery())
                            .isEqualTo(Duration.ofSeconds(30));
                });
    }

    @Test
    void withoutTheSwitchNoJournalRuns() {
        runner.withPropertyValues("dr.repository.uri=mem:j", "dr.repository.password=pw",
                "dr.repository.init-if-missing=true", "dr.repository.kdf.memory-kib=1024",
                "dr.repository.kdf.iterations=1", "dr.repository.kdf.parallelism=1")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(DrJournals.class));
    }

    @Test
    void aMissingWatchedDirectoryStopsTheApplicationNamingIt() {
        Path missing = dir.resolve("missing");
        runner.withPropertyValues("dr.repository.uri=mem:m", "dr.repository.password=pw",
                "dr.repository.init-if-missing=true", "dr.repository.kdf.memory-kib=1024",
                "dr.repository.kdf.iterations=1", "dr.repository.kdf.parallelism=1",
                "dr.backup.continuous.enabled=true", "dr.backup.continuous.directories=" + missing)
                .run(ctx -> assertThat(ctx).getFailure().hasStackTraceContaining("dr.backup.continuous.directories")
                        .hasStackTraceContaining(missing.toString()));
    }

    @Test
    void aDirectoryAnotherProcessJournalsAlreadyStopsTheApplicationNamingTheSourceAndItsWriter() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("orders"));
        Path repoDir = dir.resolve("repo");
        try (SnapshotStore store = SnapshotStores.file(repoDir);
                Repository other = Repository.init(store, "pw".toCharArray(), RepositoryOptions.builder()
                        .kdf(new KdfParams(1024, 1, 1)).host("ops-2").actor("watcher").build());
                Journal running = other.manualJournal(RecordFeed.named("orders"), JournalOptions.DEFAULT)) {
            runner.withPropertyValues("dr.repository.uri=file:" + repoDir, "dr.repository.password=pw",
                    "dr.repository.kdf.memory-kib=1024", "dr.repository.kdf.iterations=1",
                    "dr.repository.kdf.parallelism=1", "dr.backup.continuous.enabled=true",
                    "dr.backup.continuous.directories=" + watched).run(ctx -> assertThat(ctx).getFailure()
                            .hasStackTraceContaining("dr.backup.continuous.directories: Source 'orders' is journaled "
                                    + "already by watcher on ops-2"));
        }
    }

    @Test
    void healthIsDownWhileAChangeWaitsLongerThanTheRpoAndTheLagIsAMeterAndInTheEndpoint() {
        ManualClock clock = ManualClock.at(Instant.parse("2026-12-04T10:00:00Z"));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (SnapshotStore store = SnapshotStores.memory();
                Repository repo = Repository.init(store, "pw".toCharArray(), RepositoryOptions.builder()
                        .kdf(new KdfParams(256, 1, 1)).clock(clock).meters(meters).build())) {
            RecordFeed feed = RecordFeed.named("outbox", clock);
            Journal journal = repo.manualJournal(feed, JournalOptions.DEFAULT);
            DrJournals journals = new DrJournals(List.of(journal), Duration.ofSeconds(2));
            JournalHealthIndicator health = new JournalHealthIndicator(journals);
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);

            feed.append("k", "v".getBytes(StandardCharsets.UTF_8));
            clock.advance(Duration.ofSeconds(3));
            assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
            assertThat(meters.get("dr.backup.journal.lag").tag("source", "outbox").gauge().value()).isEqualTo(3.0);
            DrEndpoint endpoint = new DrEndpoint(new DrGuards(List.of()), null, null, null,
                    DrProperties.Security.DEFAULT, false, Clock.systemUTC()).withJournals(journals);
            @SuppressWarnings("unchecked")
            Map<String, Object> view = (Map<String, Object>) endpoint.overview().get("journal");
            assertThat(view).containsEntry("lagSeconds", 3.0).containsEntry("rpoMet", false);

            journal.flush();
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            assertThat(meters.get("dr.backup.journal.lag").gauge().value()).isZero();
            journals.close();
        }
    }

    @Test
    void aJournalWhoseWriterLockAnotherWriterTookOverTurnsTheHealthDownNamingTheSourceAndTheHolder(
            CapturedOutput output) throws Exception {
        Path watched = Files.createDirectories(dir.resolve("orders"));
        ManualClock clock = ManualClock.at(Instant.now());
        long pid = ProcessHandle.current().pid();
        try (SnapshotStore store = SnapshotStores.memory();
                Repository app = Repository.init(store, "pw".toCharArray(), RepositoryOptions.builder()
                        .kdf(new KdfParams(256, 1, 1)).host("app-1").actor("dr-spring").clock(clock).build())) {
            runner.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class,
                    DrActuatorAutoConfiguration.class))
                    .withBean(Repository.class, () -> app)
                    .withPropertyValues("dr.backup.continuous.enabled=true",
                            "dr.backup.continuous.directories=" + watched, "dr.backup.continuous.flush-interval=50ms",
                            "dr.backup.continuous.stable-for=10ms", "management.endpoints.web.exposure.include=dr",
                            // The clock's jump plays a stall; a heartbeat in it would refresh the lock.
                            "dr.backup.continuous.heartbeat-every=1h")
                    .run(ctx -> {
                        assertThat(ctx).hasNotFailed();
                        HealthIndicator health = ctx.getBean("drJournalHealthIndicator", HealthIndicator.class);
                        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                        SimpleMeterRegistry meters = new SimpleMeterRegistry();
                        ctx.getBean(DrMeterBinder.class).bindTo(meters);
                        assertThat(meters.get("dr.backup.journal.writer.lock.lost").tag("source", "orders").gauge()
                                .value()).isZero();

                        // This instance stalled past its lock's expiry: a dr watch on another host takes the source.
                        clock.advance(Duration.ofMinutes(6));
                        String holder = "watcher on ops-2 (pid " + pid + ", since " + clock.instant() + ")";
                        try (Repository other = Repository.open(store, "pw".toCharArray(), RepositoryOptions.builder()
                                .kdf(new KdfParams(256, 1, 1)).host("ops-2").actor("watcher").clock(clock).build());
                                Journal taker = other.manualJournal(RecordFeed.named("orders", clock),
                                        JournalOptions.DEFAULT)) {
                            // The application's journal finds out at its next flush.
                            Files.writeString(watched.resolve("ledger.csv"), "id,amount\n1,100\n");
                            // The journal's thread records the loss (the health turns DOWN) and then
                            // logs it: both are awaited, so that a thread descheduled between the two
                            // on a loaded machine does not leave the log line missing below.
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                            while ((health.health().getStatus() == Status.UP || !output.getOut()
                                    .contains("took the writer lock of source 'orders'"))
                                    && System.nanoTime() - deadline < 0) {
                                Thread.sleep(20);
                            }
                            Health down = health.health();
                            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                            assertThat(down.getDetails()).containsEntry("writerLockLost", Map.of("orders", holder));
                            assertThat(meters.get("dr.backup.journal.writer.lock.lost").tag("source", "orders")
                                    .gauge().value()).isEqualTo(1.0);
                            @SuppressWarnings("unchecked")
                            Map<String, Object> view = (Map<String, Object>) ctx.getBean(DrEndpoint.class).overview()
                                    .get("journal");
                            assertThat(view).containsEntry("writerLockLost", Map.of("orders", holder));
                            // Logged once at ERROR, naming the directory and the new holder; nothing is taken back.
                            taker.flush();
                            assertThat(other.locks()).extracting(l -> l.host()).containsExactly("ops-2");
                            assertThat(output.getOut().lines().filter(l -> l.contains("ERROR")
                                    && l.contains("took the writer lock of source 'orders'"))).singleElement()
                                    .asString().contains("'" + watched.toAbsolutePath().normalize() + "'")
                                    .contains(holder).contains("restart this instance");
                        }
                    });
        }
    }
}
