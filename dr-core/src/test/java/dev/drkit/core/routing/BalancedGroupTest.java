package dev.drkit.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A balanced group of named fake backends, with a manual clock for ejections. */
class BalancedGroupTest {
    private final ManualClock clock = ManualClock.at(Instant.parse("2026-03-01T12:00:00Z"));
    private final Set<String> down = new HashSet<>();
    private final Set<String> failing = new HashSet<>();
    private final Map<String, Integer> served = new HashMap<>();
    private final List<AuditEvent> audit = new ArrayList<>();

    private HealthProbe probe(String name) {
        return () -> down.contains(name) ? ProbeResult.down("refused") : ProbeResult.up();
    }

    private BalancedGroup.Builder<String> group(Balance balance, String... names) {
        BalancedGroup.Builder<String> b = BalancedGroup.<String>builder("search").balance(balance).clock(clock)
                .auditSink(audit::add);
        for (String n : names) {
            b.member(n, n, probe(n));
        }
        return b;
    }

    private String serve(String member) {
        if (failing.contains(member)) {
            throw new IllegalStateException(member + " answered 503");
        }
        served.merge(member, 1, Integer::sum);
        return member;
    }

    @Test
    void roundRobinTakesEachMemberInTurnAndSkipsDownOnes() {
        BalancedGroup<String> g = group(Balance.ROUND_ROBIN, "a", "b", "c").build();
        for (int i = 0; i < 30; i++) {
            g.call(this::serve);
        }
        assertThat(served).containsEntry("a", 10).containsEntry("b", 10).containsEntry("c", 10);

        down.add("b");
        g.probe();
        served.clear();
        for (int i = 0; i < 30; i++) {
            g.call(this::serve);
        }
        assertThat(served).doesNotContainKey("b").containsEntry("a", 15).containsEntry("c", 15);
        assertThat(audit).extracting(AuditEvent::action).contains("group.member.down");

        down.clear();
        g.probe();
        assertThat(g.members()).allSatisfy(m -> assertThat(m.eligible()).isTrue());
    }

    @Test
    void leastOutstandingSendsANewCallToTheMemberWithFewestInFlight() throws Exception {
        BalancedGroup<String> g = group(Balance.LEAST_OUTSTANDING, "a", "b").build();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> slow = pool.submit(() -> g.call(m -> {
                started.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return m;
            }));
            started.await(60, TimeUnit.SECONDS);
            String busy = g.members().stream().filter(m -> m.outstanding() == 1).findFirst().orElseThrow().name();
            for (int i = 0; i < 5; i++) {
                assertThat(g.<String>call(m -> m)).isNotEqualTo(busy);
            }
            release.countDown();
            assertThat(slow.get(60, TimeUnit.SECONDS)).isEqualTo(busy);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMemberFailingCallsInARowIsEjectedForTheEjectionTimeAndItsCallsRetriedElsewhere() {
        BalancedGroup<String> g = group(Balance.ROUND_ROBIN, "a", "b", "c")
                .ejection(3, Duration.ofSeconds(30), 50).build();
        failing.add("b");

        for (int i = 0; i < 30; i++) {
            assertThat(g.<String>call(this::serve)).isNotEqualTo("b");
        }

        assertThat(g.members()).filteredOn(m -> m.name().equals("b")).singleElement().satisfies(m -> {
            assertThat(m.ejectedUntil()).isNotNull();
            assertThat(m.failures()).isEqualTo(3);
        });
        assertThat(g.retries()).isEqualTo(3);
        assertThat(audit).extracting(AuditEvent::action).containsOnlyOnce("group.eject");

        failing.clear();
        clock.advance(Duration.ofSeconds(30));
        assertThat(g.members()).allSatisfy(m -> assertThat(m.eligible()).isTrue());
        served.clear();
        for (int i = 0; i < 3; i++) {
            g.call(this::serve);
        }
        assertThat(served).containsKey("b");
    }

    @Test
    void ejectionNeverTakesMoreThanItsShareOfTheMembers() {
        BalancedGroup<String> g = group(Balance.ROUND_ROBIN, "a", "b").ejection(1, Duration.ofSeconds(30), 50)
                .retryBudget(0.0, 0).build();
        failing.add("a");
        failing.add("b");
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> g.call(this::serve)).isInstanceOf(IllegalStateException.class);
        }
        assertThat(g.members()).filteredOn(m -> m.ejectedUntil() != null).hasSize(1);
    }

    @Test
    void theRetryBudgetStopsRetriesFromMultiplyingAnOutage() {
        BalancedGroup<String> g = group(Balance.ROUND_ROBIN, "a", "b", "c").ejection(1000, Duration.ofSeconds(1), 0)
                .retryBudget(0.1, 2).build();
        failing.addAll(List.of("a", "b", "c"));
        int calls = 100;
        for (int i = 0; i < calls; i++) {
            assertThatThrownBy(() -> g.call(this::serve)).isInstanceOf(IllegalStateException.class);
        }
        // 2 at first, then one per 10 calls.
        assertThat(g.retries()).isBetween(2L + calls / 10 - 1, 2L + calls / 10);
    }

    @Test
    void noEligibleMemberIsAClearError() {
        BalancedGroup<String> g = group(Balance.ROUND_ROBIN, "a", "b").build();
        down.addAll(List.of("a", "b"));
        g.probe();
        assertThatThrownBy(() -> g.call(this::serve)).isInstanceOfSatisfying(DrException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.getMessage()).contains("search", "a DOWN", "b DOWN");
        });
        assertThatThrownBy(() -> group(Balance.ROUND_ROBIN, "a").member("a", "a", probe("a")))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("unique"));
        assertThatThrownBy(() -> group(Balance.ROUND_ROBIN, "a").retryBudget(1.5, 0))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("retryRatio"));
        assertThatThrownBy(() -> BalancedGroup.<String>builder("empty").build())
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("members"));
    }
}
