package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.Variant;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.StoreCoordinator;
import dev.drkit.core.store.SnapshotStores;
import dev.drkit.testkit.store.FaultInjectingStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guards given one shared coordinator ({@code mem:} store, polled every 10 ms) decide as a
 * fleet: a decision on one instance reaches the guard of the same name on every instance and
 * no other guard; a late instance applies what the fleet decided; an instance cut off from the
 * coordinator keeps serving on its last decision and catches up when it comes back.
 */
class FleetRollbackTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    private SnapshotStore backend;
    private FaultInjectingStore faulty;

    @BeforeEach
    void openStore() {
        backend = SnapshotStores.memory();
        faulty = FaultInjectingStore.wrap(backend).build();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        backend.close();
    }

    private StoreCoordinator instance(String member) {
        StoreCoordinator c = StoreCoordinator.open(faulty, CoordinatorConfig.builder(member)
                .ttl(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10)).build());
        opened.add(c);
        return c;
    }

    private GuardedRelease<Greeter> guard(String name, StoreCoordinator c) {
        GuardedRelease<Greeter> g = GuardedRelease.<Greeter>builder(name)
                .stable("v1", Greeter.saying("hello"))
                .candidate("v2", () -> Greeter.saying("hi"))
                .coordinator(c)
                .auditSink(audit::add)
                .build();
        opened.add(g);
        return g;
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void aRollbackOnOneInstanceRollsBackThatGuardOnEveryInstanceAndNoOtherGuard() throws Exception {
        List<GuardedRelease<Greeter>> checkout = new ArrayList<>();
        List<GuardedRelease<Greeter>> search = new ArrayList<>();
        for (String m : List.of("a", "b", "c")) {
            StoreCoordinator c = instance(m);
            checkout.add(guard("checkout", c));
            search.add(guard("search", c));
        }

        checkout.get(0).rollback("ops", "bad release");

        // A guard's state turns ROLLED_BACK just before its rollback is audited, so the audit
        // records are awaited as well: seen right after the state, one could still be missing.
        await("checkout rolled back and audited everywhere",
                () -> checkout.stream().allMatch(g -> g.state() == GuardState.ROLLED_BACK)
                        && checkoutRollbacksAudited() == 3);
        assertThat(checkout).allSatisfy(g -> {
            assertThat(g.stableVersion()).isEqualTo("v1");
            assertThat(g.<String>call("k", s -> s.greet("x"))).isEqualTo("hello x");
            assertThat(g.lastFleetDecision()).hasValueSatisfying(d -> {
                assertThat(d.kind()).isEqualTo(FleetDecision.Kind.ROLLBACK);
                assertThat(d.version()).isEqualTo("v2");
                assertThat(d.member()).isEqualTo("a");
                assertThat(d.sequence()).isEqualTo(1);
            });
        });
        assertThat(search).allSatisfy(g -> assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT));
        assertThat(checkout.get(1).lastRollback()).hasValueSatisfying(e -> {
            assertThat(e.actor()).isEqualTo("fleet:a:ops");
            assertThat(e.reason()).contains("fleet decision 1 from a: bad release");
        });
        assertThat(audit).filteredOn(e -> e.action().startsWith("rollback.") && e.target().equals("checkout"))
                .extracting(AuditEvent::actor).containsExactlyInAnyOrder("ops", "fleet:a:ops", "fleet:a:ops");
    }

    private long checkoutRollbacksAudited() {
        return audit.stream().filter(e -> e.action().startsWith("rollback.") && e.target().equals("checkout"))
                .count();
    }

    @Test
    void automaticRollbacksPromotionsPausesAndResumesReachEveryInstance() throws Exception {
        List<GuardedRelease<Greeter>> orders = new ArrayList<>();
        List<GuardedRelease<Greeter>> payments = new ArrayList<>();
        for (String m : List.of("a", "b", "c")) {
            StoreCoordinator c = instance(m);
            orders.add(guard("orders", c));
            payments.add(guard("payments", c));
        }

        orders.get(1).pause("ops");
        await("orders paused everywhere", () -> orders.stream().allMatch(g -> g.state() == GuardState.PAUSED));
        orders.get(2).resume("ops");
        await("orders resumed everywhere", () -> orders.stream().allMatch(g -> g.state() == GuardState.ROLLING_OUT));
        orders.get(0).promote("ops", "looks good");
        await("orders promoted everywhere", () -> orders.stream().allMatch(g -> g.state() == GuardState.PROMOTED
                && g.stableVersion().equals("v2")));

        assertThat(payments.get(2).rollbackOnAlert("HighErrorRate", "5xx above 2%")).isPresent();
        await("payments rolled back everywhere",
                () -> payments.stream().allMatch(g -> g.state() == GuardState.ROLLED_BACK));
        assertThat(payments.get(0).lastRollback()).hasValueSatisfying(e ->
                assertThat(e.reason()).contains("from c: 5xx above 2%"));
        assertThat(orders).allSatisfy(g -> assertThat(g.state()).isEqualTo(GuardState.PROMOTED));
    }

    @Test
    void anInstanceStartedAfterARollbackAppliesIt() throws Exception {
        GuardedRelease<Greeter> first = guard("checkout", instance("a"));
        first.rollback("ops", "bad release");
        await("published", () -> first.pendingFleetDecisions() == 0
                && first.lastFleetDecision().orElseThrow().sequence() == 1);

        GuardedRelease<Greeter> late = guard("checkout", instance("late"));

        await("late instance rolled back", () -> late.state() == GuardState.ROLLED_BACK);
        assertThat(late.routeOf("any")).isEqualTo(Variant.STABLE);
    }

    @Test
    void instancesKeepServingOnTheirLastDecisionWhileTheCoordinatorIsDownAndReconverge() throws Exception {
        List<GuardedRelease<Greeter>> checkout = new ArrayList<>();
        for (String m : List.of("a", "b", "c")) {
            checkout.add(guard("checkout", instance(m)));
        }
        checkout.get(0).pause("ops");
        await("paused everywhere", () -> checkout.stream().allMatch(g -> g.state() == GuardState.PAUSED));

        faulty.takeDown();
        checkout.get(0).rollback("ops", "bad release while the store is down");

        assertThat(checkout.get(0).state()).isEqualTo(GuardState.ROLLED_BACK);
        await("the decision waits", () -> checkout.get(0).pendingFleetDecisions() == 1);
        for (GuardedRelease<Greeter> other : checkout.subList(1, 3)) {
            assertThat(other.state()).isEqualTo(GuardState.PAUSED);
            assertThat(other.<String>call("k", s -> s.greet("x"))).isIn("hello x", "hi x");
        }

        faulty.bringUp();

        await("rolled back everywhere", () -> checkout.stream().allMatch(g -> g.state() == GuardState.ROLLED_BACK));
        assertThat(checkout.get(0).pendingFleetDecisions()).isZero();
        assertThat(checkout.get(2).lastFleetDecision()).hasValueSatisfying(d -> {
            assertThat(d.sequence()).isEqualTo(2);
            assertThat(d.kind()).isEqualTo(FleetDecision.Kind.ROLLBACK);
        });
    }

    @Test
    void aRollbackThatRacesAPromotionWinsOnEveryInstance() throws Exception {
        StoreCoordinator a = instance("a");
        StoreCoordinator b = instance("b");
        GuardedRelease<Greeter> ga = guard("checkout", a);
        GuardedRelease<Greeter> gb = guard("checkout", b);
        faulty.takeDown();
        ga.rollback("ops", "bad");
        gb.promote("other-ops", "good");
        faulty.bringUp();

        await("both on v1", () -> ga.state() == GuardState.ROLLED_BACK && gb.state() == GuardState.ROLLED_BACK
                && ga.pendingFleetDecisions() == 0 && gb.pendingFleetDecisions() == 0);
        assertThat(ga.stableVersion()).isEqualTo("v1");
        assertThat(gb.stableVersion()).isEqualTo("v1");
    }

    @Test
    void aGuardTakesOneCoordinatorAndANameTheCoordinatorAccepts() {
        StoreCoordinator a = instance("a");
        StoreCoordinator b = instance("b");
        GuardedReleaseBuilder<Greeter> builder = GuardedRelease.<Greeter>builder("checkout")
                .stable("v1", Greeter.saying("hello")).coordinator(a);

        assertThatThrownBy(() -> builder.coordinator(b))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.input()).isEqualTo("coordinator");
                    assertThat(e.getMessage()).contains("checkout", "coordinator already (a)");
                });
        assertThatThrownBy(() -> GuardedRelease.<Greeter>builder("check out").coordinator(a))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("name", "check out");
                });
    }
}
