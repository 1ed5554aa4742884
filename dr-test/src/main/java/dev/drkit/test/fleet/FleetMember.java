package dev.drkit.test.fleet;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.coordination.FencingToken;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditLogConfig;
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
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The body of one fleet instance, run in its own JVM by a module's {@code main} that opens the
 * coordinator and the store: a guard {@code checkout} rolling out v2 with the coordinator, and
 * a writer lease whose holder writes a fenced record {@code jobs/<member>/<epoch>/<n>} every
 * 50 ms and, after each, appends an event naming it to the fleet's audit log in the same store
 * ({@link #AUDIT_PREFIX}, action {@link #AUDIT_ACTION}, opened through the fence when a holding
 * starts, one segment per event). Prints one line per event, with the wall clock in
 * microseconds (the instances share the machine's clock): {@code READY},
 * {@code DECISION <state> <micros>}, {@code WRITER <epoch> <micros>},
 * {@code REFUSED <micros> <message>}, {@code DUPLICATE <key> <micros>} for a record
 * found written before, {@code CALL <answer> <micros>}, {@code ERROR
 * <command> <micros> <message>} for a command that failed. Reads commands
 * from stdin: {@code rollback}, {@code undo}, {@code call} (one call through the guard),
 * {@code quit}.
 */
public final class FleetMember {
    /** The key prefix of the fleet's audit log. */
    public static final String AUDIT_PREFIX = "audit";
    /** The action of the audit event a writer appends for each record. */
    public static final String AUDIT_ACTION = "fleet.job";

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
        // Record numbers go on across the holdings of one epoch (a holding whose write failed,
        // for instance through a store outage, is run again under the same epoch).
        long[] epochAndNext = {0, 0};
        while (true) {
            try {
                Optional<FencingToken> ran = writer.runIfWriter(() -> {
                    FencingToken token = writer.token().orElseThrow();
                    say("WRITER " + token.epoch() + " " + micros());
                    // Opened as the holding starts: it continues after the last holder's records.
                    AuditLog audit = AuditLog.store(fenced, AUDIT_PREFIX,
                            AuditLogConfig.builder().storeSegmentRecords(1).build());
                    if (epochAndNext[0] != token.epoch()) {
                        epochAndNext[0] = token.epoch();
                        epochAndNext[1] = 0;
                    }
                    while (true) {
                        String key = "jobs/" + member + "/" + token.epoch() + "/" + (epochAndNext[1]++);
                        byte[] value = Long.toString(micros()).getBytes(StandardCharsets.UTF_8);
                        // Created once: a key written before is a record written twice, unless
                        // it holds these bytes (a create retried after its first attempt landed).
                        if (fenced.putIfAbsent(key, value).isEmpty() && !Arrays.equals(fenced.get(key), value)) {
                            say("DUPLICATE " + key + " " + micros());
                        }
                        audit.append(new AuditEvent(Instant.now(), member, AUDIT_ACTION, key, AuditOutcome.SUCCESS,
                                Map.of("epoch", Long.toString(token.epoch()))));
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
