package dev.drkit.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.rollback.GuardState;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.StoreCoordinator;
import dev.drkit.core.rollback.GuardedRelease;
import dev.drkit.test.fault.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Guards of three instances share decisions through one S3 bucket (S3Proxy, reached through a
 * fault proxy): a rollback reaches every instance's guard of that name and no other guard, and
 * an outage of S3 leaves every instance on its last decision until S3 answers again.
 */
@ExtendWith(S3ProxyExtension.class)
class S3FleetRollbackTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final S3ProxyServer server;
    private final List<AutoCloseable> opened = new ArrayList<>();

    S3FleetRollbackTest(S3ProxyServer server) {
        this.server = server;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private GuardedRelease<Function<String, String>> guard(String name, StoreCoordinator c) {
        GuardedRelease<Function<String, String>> g = GuardedRelease.<Function<String, String>>builder(name)
                .stable("v1", s -> "v1 " + s).candidate("v2", () -> s -> "v2 " + s).coordinator(c).build();
        opened.add(g);
        return g;
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aRollbackReachesEveryInstanceAndSurvivesAnOutageOfTheBucket() throws Exception {
        FaultProxy proxy = new FaultProxy(server.port());
        opened.add(proxy);
        String prefix = "fleet-" + UUID.randomUUID();
        List<GuardedRelease<Function<String, String>>> checkout = new ArrayList<>();
        List<GuardedRelease<Function<String, String>>> search = new ArrayList<>();
        for (String m : List.of("a", "b", "c")) {
            S3Store store = S3Store.open(server.config(S3ProxyServer.BUCKET, prefix, proxy.endpoint()).build());
            opened.add(store);
            StoreCoordinator c = StoreCoordinator.open(store, CoordinatorConfig.builder(m)
                    .ttl(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(50)).build());
            opened.add(c);
            checkout.add(guard("checkout", c));
            search.add(guard("search", c));
        }

        checkout.get(1).rollback("ops", "5xx on v2");
        await("checkout rolled back on every instance",
                () -> checkout.stream().allMatch(g -> g.state() == GuardState.ROLLED_BACK));
        assertThat(search).allSatisfy(g -> assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT));

        proxy.down();
        search.get(0).rollback("ops", "latency on v2 while S3 is down");
        assertThat(search.get(0).state()).isEqualTo(GuardState.ROLLED_BACK);
        for (GuardedRelease<Function<String, String>> g : search.subList(1, 3)) {
            assertThat(g.state()).isEqualTo(GuardState.ROLLING_OUT);
            assertThat(g.<String>call("k", f -> f.apply("x"))).isIn("v1 x", "v2 x");
        }
        assertThat(checkout).allSatisfy(g -> assertThat(g.<String>call("k", f -> f.apply("x"))).isEqualTo("v1 x"));
        proxy.up();

        await("search rolled back on every instance after the outage",
                () -> search.stream().allMatch(g -> g.state() == GuardState.ROLLED_BACK)
                        && search.get(0).pendingFleetDecisions() == 0);
        assertThat(search.get(2).lastFleetDecision()).hasValueSatisfying(d -> {
            assertThat(d.member()).isEqualTo("a");
            assertThat(d.version()).isEqualTo("v2");
        });
        assertThat(checkout).allSatisfy(g -> assertThat(g.state()).isEqualTo(GuardState.ROLLED_BACK));
    }
}
