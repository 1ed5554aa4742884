package dev.drkit.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.test.fault.FaultProxy;
import dev.drkit.test.fleet.FleetScenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three JVMs of {@link FleetMember} against one S3Proxy, each reaching it through a
 * {@link FaultProxy}: a rollback on one is applied by all three (the propagation times are
 * printed and written to {@code target/fleet-acceptance.txt}); with S3 unreachable for 10 s
 * every instance keeps serving on its last decision, and after it returns a new decision
 * reaches all; the writer killed with SIGKILL is replaced; the next writer, stopped with
 * SIGSTOP past its TTL and resumed, has its next write refused by the fence; and no epoch has
 * writes from two members. {@code -Ddr.fleet.trials=N} runs N rollback trials (default 2);
 * {@code -Ddr.fleet.breakerOpenMs=N} sets how long the members' store circuit breakers stay open
 * (default 2000; the store's own default is 30 s, and reconverging after the outage waits for it).
 */
@ExtendWith(S3ProxyExtension.class)
class FleetProcessesAcceptanceTest {
    private static final long TTL_MS = 3000;
    private static final long RENEW_MS = 1000;
    private static final long POLL_MS = 100;
    private static final Duration OUTAGE = Duration.ofSeconds(10);

    private final S3ProxyServer server;

    FleetProcessesAcceptanceTest(S3ProxyServer server) {
        this.server = server;
    }

    @Test
    void threeJvmsRollBackTogetherRideOutAnOutageReplaceAKilledWriterAndFenceAStoppedOne() throws Exception {
        int trials = Integer.getInteger("dr.fleet.trials", 2);
        long breakerOpenMs = Long.getLong("dr.fleet.breakerOpenMs", 2000);
        String prefix = "fleet-jvms-" + UUID.randomUUID();
        try (FaultProxy s3 = new FaultProxy(server.endpoint().getPort());
                S3Store view = S3Store.open(server.config(S3ProxyServer.BUCKET, prefix).build());
                FleetScenario fleet = FleetScenario.start(List.of("m1", "m2", "m3"), FleetMember.class,
                        id -> List.of(s3.endpoint().toString(), S3ProxyServer.BUCKET, prefix,
                                S3ProxyServer.SECRET_KEY, id, Long.toString(TTL_MS), Long.toString(RENEW_MS),
                                Long.toString(POLL_MS), Long.toString(breakerOpenMs)))) {
            FleetScenario.Propagation propagation = fleet.rollbacks(trials);
            assertThat(propagation.warm()).hasSize(2 * trials).allSatisfy(us -> assertThat(us).isPositive());

            FleetScenario.Outage outage = fleet.outage(s3::down, s3::up, OUTAGE);
            assertThat(outage.answersWhileDown()).hasSize(3).allSatisfy((id, answers) ->
                    assertThat(answers).isNotEmpty().containsOnly("v1")); // the last decision: rolled back

            FleetScenario.Failover failover = fleet.failover(view);
            assertThat(failover.refusal()).contains("epoch " + failover.epochs().get(1) + " of lease writer",
                    "newer holder");

            assertThat(fleet.checkWrites(view, failover)).containsKeys(failover.epochs().stream()
                    .map(Object::toString).toArray(String[]::new));

            String text = "fleet acceptance on S3Proxy (TTL " + TTL_MS + " ms, renew " + RENEW_MS + " ms, poll "
                    + POLL_MS + " ms, store breaker open " + breakerOpenMs + " ms): "
                    + FleetScenario.report(propagation, failover, outage);
            System.out.print(text);
            Files.writeString(Path.of("target", "fleet-acceptance.txt"), text);
        }
    }
}
