package dev.drkit.storage.s3;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.FencingToken;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.FencedStore;
import dev.drkit.core.coordination.StoreCoordinator;
import dev.drkit.core.coordination.WriterLease;
import dev.drkit.core.rollback.GuardEvent;
import dev.drkit.core.rollback.GuardedRelease;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * One instance of a fleet, run as its own JVM by {@link FleetProcessesAcceptanceTest}: a guard
 * {@code checkout} rolling out v2 and a writer lease whose holder writes fenced records every
 * 50 ms, all coordinated through one S3 bucket. Prints one line per event, with the wall clock
 * in microseconds (the instances share the machine's clock):
 * {@code READY}, {@code DECISION <state> <micros>}, {@code WRITER <epoch> <micros>},
 * {@code REFUSED <epoch> <micros> <message>}. Reads commands from stdin: {@code rollback},
 * {@code undo}, {@code quit}.
 *
 * <p>Arguments: endpoint, bucket, prefix, secret key, member id, TTL ms, renew ms, poll ms.
 */
public final class FleetMember {
    private FleetMember() {
    }

    private static long micros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /**
     * Runs the instance until {@code quit} or end of input.
     *
     * @param args endpoint, bucket, prefix, secret key, member id, TTL ms, renew ms, poll ms
     * @throws Exception when it cannot start
     */
    public static void main(String[] args) throws Exception {
        S3Store store = S3Store.open(S3StoreConfig.builder(args[1]).prefix(args[2]).endpoint(URI.create(args[0]))
                .region("us-east-1").pathStyle(true)
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY,
                        args[3])))
                .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(200)).build());
        StoreCoordinator coordinator = StoreCoordinator.open(store, CoordinatorConfig.builder(args[4])
                .ttl(Duration.ofMillis(Long.parseLong(args[5]))).renewInterval(Duration.ofMillis(Long.parseLong(args[6])))
                .pollInterval(Duration.ofMillis(Long.parseLong(args[7]))).build());
        GuardedRelease<Function<String, String>> guard = GuardedRelease.<Function<String, String>>builder("checkout")
                .stable("v1", s -> "v1 " + s).candidate("v2", () -> s -> "v2 " + s).coordinator(coordinator)
                .listener(e -> {
                    if (e instanceof GuardEvent.RolledBack || e instanceof GuardEvent.RollbackUndone) {
                        say("DECISION " + (e instanceof GuardEvent.RolledBack ? "ROLLED_BACK" : "ROLLING_OUT") + " "
                                + micros());
                    }
                })
                .build();
        WriterLease writer = WriterLease.campaign(coordinator, "writer");
        FencedStore fenced = FencedStore.of(store, writer);
        Thread job = new Thread(() -> writeWhileWriter(writer, fenced, args[4]), "fenced-writer");
        job.setDaemon(true);
        job.start();
        say("READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            switch (line.trim()) {
                case "rollback" -> guard.rollback("ops", "bad release");
                case "undo" -> guard.undoRollback("ops", "next trial");
                case "quit" -> {
                    guard.close();
                    writer.close();
                    coordinator.close();
                    store.close();
                    System.exit(0);
                }
                default -> say("UNKNOWN " + line);
            }
        }
        System.exit(0);
    }

    /**
     * While this instance holds the writer lease, writes a record every 50 ms with the token of
     * the holding it started under, looking at nothing but the fence: a holder paused past its
     * lease and resumed keeps writing until the fence refuses it.
     */
    private static void writeWhileWriter(WriterLease writer, FencedStore fenced, String member) {
        while (true) {
            try {
                Optional<FencingToken> ran = writer.runIfWriter(() -> {
                    FencingToken token = writer.token().orElseThrow();
                    say("WRITER " + token.epoch() + " " + micros());
                    long i = 0;
                    while (true) {
                        fenced.put("jobs/" + member + "/" + token.epoch() + "/" + (i++),
                                Long.toString(micros()).getBytes(StandardCharsets.UTF_8));
                        sleep(50);
                    }
                });
                if (ran.isEmpty()) {
                    sleep(20);
                }
            } catch (DrException e) {
                if (e.code() == ErrorCode.STALE_EPOCH) {
                    say("REFUSED " + micros() + " " + e.getMessage().replace('\n', ' '));
                } else {
                    say("WRITE-ERROR " + e.code() + " " + e.getMessage().replace('\n', ' '));
                    sleep(100);
                }
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
