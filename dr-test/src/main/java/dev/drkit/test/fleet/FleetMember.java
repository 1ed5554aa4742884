package dev.drkit.test.fleet;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.coordination.FencingToken;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.FencedStore;
import dev.drkit.core.coordination.WriterLease;
import dev.drkit.core.rollback.GuardEvent;
import dev.drkit.core.rollback.GuardedRelease;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Function;

/**
 * The body of one fleet instance, run in its own JVM by a module's {@code main} that opens the
 * coordinator and the store: a guard {@code checkout} rolling out v2 with the coordinator, and
 * a writer lease whose holder writes a fenced record {@code jobs/<member>/<epoch>/<n>} every
 * 50 ms. Prints one line per event, with the wall clock in microseconds (the instances share the
 * machine's clock): {@code READY}, {@code DECISION <state> <micros>}, {@code WRITER <epoch>
 * <micros>}, {@code REFUSED <micros> <message>}, {@code CALL <answer> <micros>}, {@code ERROR
 * <command> <micros> <message>} for a command that failed. Reads commands
 * from stdin: {@code rollback}, {@code undo}, {@code call} (one call through the guard),
 * {@code quit}.
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
     * Runs the instance until {@code quit} or the end of input, then exits the JVM.
     *
     * @param coordinator the fleet's coordinator, closed at the end
     * @param store where the writer writes, fenced; closed at the end
     * @param memberId this instance's id
     * @throws IOException when stdin cannot be read
     */
    public static void run(Coordinator coordinator, SnapshotStore store, String memberId) throws IOException {
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
        Thread job = new Thread(() -> writeWhileWriter(writer, fenced, memberId), "fenced-writer");
        job.setDaemon(true);
        job.start();
        say("READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        long calls = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            try {
                switch (line.trim()) {
                    case "rollback" -> guard.rollback("ops", "bad release");
                    case "undo" -> guard.undoRollback("ops", "next trial");
                    case "call" -> {
                        String key = memberId + "-" + (calls++);
                        say("CALL " + guard.call(key, f -> f.apply(key)).split(" ")[0] + " " + micros());
                    }
                    case "quit" -> {
                        guard.close();
                        writer.close();
                        coordinator.close();
                        store.close();
                        System.exit(0);
                    }
                    default -> say("UNKNOWN " + line);
                }
            } catch (RuntimeException e) {
                say("ERROR " + line.trim() + " " + micros() + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
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
