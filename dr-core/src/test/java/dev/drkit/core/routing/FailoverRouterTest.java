package dev.drkit.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.coordination.Lease;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.recovery.Failover;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.StoreCoordinator;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A primary/standby router driven by hand: probes, a real lease on a {@code mem:} coordinator, a recording failover and a file audit log. */
class FailoverRouterTest {
    @TempDir
    Path dir;

    private final ManualClock clock = ManualClock.at(Instant.parse("2026-03-01T12:00:00Z"));
    private final AtomicReference<HealthStatus> primaryHealth = new AtomicReference<>(HealthStatus.UP);
    private final AtomicReference<HealthStatus> standbyHealth = new AtomicReference<>(HealthStatus.UP);
    private final RecordingFailover failover = new RecordingFailover();
    private AuditLog audit;

    @BeforeEach
    void openAudit() {
        audit = AuditLog.file(dir.resolve("audit.log"));
    }

    @AfterEach
    void closeAudit() {
        audit.close();
    }

    private HealthProbe probe(String name, AtomicReference<HealthStatus> health) {
        return HealthProbe.named(name, () -> switch (health.get()) {
            case UP -> ProbeResult.up();
            case DEGRADED -> ProbeResult.degraded("slow");
            case DOWN -> ProbeResult.down("refused");
        });
    }

    private FailoverRouter.Builder<String> router() {
        return FailoverRouter.<String>builder("orders-db")
                .primary("eu-west-1", "west", probe("west", primaryHealth))
                .standby("eu-central-1", "central", probe("central", standbyHealth))
                .failureThreshold(3).failover(failover).auditSink(audit).clock(clock);
    }

    private List<AuditRecord> switches() {
        return audit.records(AuditFilter.all()).stream().filter(r -> r.action().startsWith("router.")).toList();
    }

    @Test
    void theStandbyTakesOverAfterNFailedProbeRoundsWithTheEpochHandedToTheFailover() {
        try (FailoverRouter<String> router = router().build()) {
            assertThat(router.<String>call(c -> c + ":select")).isEqualTo("west:select");
            primaryHealth.set(HealthStatus.DOWN);
            router.probe();
            router.probe();
            assertThat(router.active()).isEqualTo("eu-west-1");
            router.probe();

            assertThat(router.active()).isEqualTo("eu-central-1");
            assertThat(router.failedOver()).isTrue();
            assertThat(router.<String>call(c -> c + ":select")).isEqualTo("central:select");
            assertThat(router.epoch()).isEqualTo(1);
            assertThat(failover.calls).containsExactly("failover orders-db:epoch-1");
            assertThat(switches()).singleElement().satisfies(r -> {
                assertThat(r.action()).isEqualTo("router.failover");
                assertThat(r.outcome()).isEqualTo(AuditOutcome.SUCCESS);
                assertThat(r.details()).containsEntry("epoch", "1").containsEntry("trigger", "probes")
                        .containsEntry("from", "eu-west-1").containsEntry("to", "eu-central-1");
            });
        }
    }

    @Test
    void aLapsedPrimaryLeaseFailsOverAtOnceAboveTheLeaseEpoch() {
        AtomicLong ticker = new AtomicLong();
        try (SnapshotStore store = SnapshotStores.memory();
                StoreCoordinator primarySide = StoreCoordinator.manual(store, CoordinatorConfig.builder("primary")
                        .ttl(Duration.ofSeconds(3)).ticker(ticker::get).build());
                StoreCoordinator routerSide = StoreCoordinator.manual(store, CoordinatorConfig.builder("router")
                        .ttl(Duration.ofSeconds(3)).ticker(ticker::get).build())) {
            Lease held = primarySide.lease("orders-db.primary");
            long epoch = held.tryAcquire().orElseThrow().epoch();
            try (FailoverRouter<String> router = router().primaryLease(routerSide.lease("orders-db.primary"))
                    .build()) {
                router.probe();
                assertThat(router.active()).isEqualTo("eu-west-1");

                // The primary's side stops renewing: the router sees no renewal for the TTL.
                for (int i = 0; i < 40; i++) {
                    ticker.addAndGet(Duration.ofMillis(100).toNanos());
                    routerSide.tick();
                    router.probe();
                }

                assertThat(router.active()).isEqualTo("eu-central-1");
                assertThat(router.epoch()).isGreaterThan(epoch);
                assertThat(router.switches()).singleElement().satisfies(s -> {
                    assertThat(s.trigger()).isEqualTo("lease-lapsed");
                    assertThat(s.reason()).contains("lease of primary eu-west-1 lapsed");
                });
                assertThat(primaryHealth.get()).isEqualTo(HealthStatus.UP);
            }
        }
    }

    @Test
    void failbackIsTheOperatorsByDefaultAndAutomaticUnderAPolicy() {
        try (FailoverRouter<String> manual = router().build()) {
            manual.failover("alice", "maintenance of eu-west-1");
            for (int i = 0; i < 10; i++) {
                manual.probe();
            }
            assertThat(manual.active()).isEqualTo("eu-central-1");
            manual.failback("alice", "maintenance done");
            assertThat(manual.active()).isEqualTo("eu-west-1");
            assertThat(manual.epoch()).isEqualTo(2);
            assertThat(failover.calls).containsExactly("failover orders-db:epoch-1", "failback orders-db:epoch-2");
            assertThat(switches()).extracting(AuditRecord::action, AuditRecord::actor)
                    .containsExactly(tuple("router.failover", "alice"),
                            tuple("router.failback", "alice"));
            assertThatThrownBy(() -> manual.failback("alice", "again"))
                    .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code())
                            .isEqualTo(ErrorCode.ILLEGAL_STATE));
        }
        try (FailoverRouter<String> auto = router().failback(FailbackPolicy.afterHealthyRounds(2)).build()) {
            primaryHealth.set(HealthStatus.DOWN);
            auto.probe();
            auto.probe();
            auto.probe();
            assertThat(auto.failedOver()).isTrue();
            primaryHealth.set(HealthStatus.UP);
            auto.probe();
            assertThat(auto.failedOver()).isTrue();
            auto.probe();
            assertThat(auto.failedOver()).isFalse();
            assertThat(auto.switches()).extracting(RouterSwitch::trigger).containsExactly("probes", "policy");
        }
    }

    @Test
    void aFailingFailoverLeavesCallsWhereTheyWereAndIsAudited() {
        failover.fail = true;
        try (FailoverRouter<String> router = router().failureThreshold(1).build()) {
            primaryHealth.set(HealthStatus.DOWN);
            router.probe();
            assertThat(router.active()).isEqualTo("eu-west-1");
            assertThat(switches()).singleElement().satisfies(r -> {
                assertThat(r.outcome()).isEqualTo(AuditOutcome.FAILURE);
                assertThat(r.details().get("error")).contains("standby not promotable");
            });
            failover.fail = false;
            router.probe();
            assertThat(router.active()).isEqualTo("eu-central-1");
            assertThat(router.epoch()).isEqualTo(1);
        }
    }

    @Test
    void aDownStandbyIsNotFailedOverToAutomatically() {
        try (FailoverRouter<String> router = router().failureThreshold(1).build()) {
            primaryHealth.set(HealthStatus.DOWN);
            standbyHealth.set(HealthStatus.DOWN);
            router.probe();
            assertThat(router.active()).isEqualTo("eu-west-1");
            assertThat(failover.calls).isEmpty();
        }
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> router().failureThreshold(0)).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.getMessage()).contains("failureThreshold"));
        assertThatThrownBy(() -> FailoverRouter.<String>builder("r").primary("a", "a", probe("a", primaryHealth))
                .build()).isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("standby"));
        assertThatThrownBy(() -> router().failover(failover)).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.getMessage()).contains("failover is set twice"));
        assertThatThrownBy(() -> FailbackPolicy.afterHealthyRounds(0)).isInstanceOf(DrException.class);
    }

    private static final class RecordingFailover implements Failover {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile boolean fail;

        @Override
        public String describe() {
            return "orders-db eu-west-1 -> eu-central-1";
        }

        @Override
        public void verifyReady() {
        }

        @Override
        public void failover(String idempotencyKey) throws Exception {
            if (fail) {
                throw new IllegalStateException("standby not promotable");
            }
            calls.add("failover " + idempotencyKey);
        }

        @Override
        public void failback(String idempotencyKey) {
            calls.add("failback " + idempotencyKey);
        }
    }
}
