package dev.drkit.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.ObjectInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three JVMs of {@link FleetMember} against one S3Proxy: a rollback on one is applied by all
 * three (the propagation times are printed and written to
 * {@code target/fleet-acceptance.txt}); the writer killed with SIGKILL is replaced; the next
 * writer, stopped with SIGSTOP past its TTL and resumed, has its next write refused by the
 * fence; and no epoch has writes from two members. {@code -Ddr.fleet.trials=N} runs N rollback
 * trials (default 2).
 */
@ExtendWith(S3ProxyExtension.class)
class FleetProcessesAcceptanceTest {
    private static final long TTL_MS = 3000;
    private static final long RENEW_MS = 1000;
    private static final long POLL_MS = 100;
    private static final Duration WAIT = Duration.ofSeconds(120);

    private final S3ProxyServer server;
    private final List<Member> members = new ArrayList<>();

    FleetProcessesAcceptanceTest(S3ProxyServer server) {
        this.server = server;
    }

    /** A child JVM and the lines it printed. */
    private static final class Member {
        final String id;
        final Process process;
        final PrintWriter in;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Member(String id, Process process) {
            this.id = id;
            this.process = process;
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    lines.add("EOF " + e);
                }
            }, "fleet-member-" + id);
            reader.setDaemon(true);
            reader.start();
        }

        void send(String command) {
            in.println(command);
        }

        /** Waits for a line after index {@code from} matching the predicate; returns its index. */
        int await(int from, Predicate<String> match, String what) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                for (int i = from; i < lines.size(); i++) {
                    if (match.test(lines.get(i))) {
                        return i;
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError(id + " did not print " + what + " within " + WAIT + "; it printed "
                            + lines);
                }
                Thread.sleep(5);
            }
        }

        long micros(int line) {
            return Long.parseLong(lines.get(line).split(" ")[2]);
        }

        /** The highest epoch this member printed as writer, 0 when none. */
        long writerEpoch() {
            return lines.stream().filter(l -> l.startsWith("WRITER ")).mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                    .max().orElse(0);
        }
    }

    @AfterEach
    void stopMembers() {
        for (Member m : members) {
            if (m.process.isAlive()) {
                signal(m, "CONT");
            }
            m.process.destroyForcibly();
        }
    }

    private static void signal(Member m, String sig) {
        try {
            new ProcessBuilder("kill", "-" + sig, Long.toString(m.process.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long nowMicros() {
        return System.currentTimeMillis() * 1000;
    }

    @Test
    void threeJvmsRollBackTogetherReplaceAKilledWriterAndFenceAStoppedOne() throws Exception {
        int trials = Integer.getInteger("dr.fleet.trials", 2);
        String prefix = "fleet-jvms-" + UUID.randomUUID();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String id : List.of("m1", "m2", "m3")) {
            Process p = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"), FleetMember.class.getName(), server.endpoint().toString(),
                    S3ProxyServer.BUCKET, prefix, S3ProxyServer.SECRET_KEY, id, Long.toString(TTL_MS),
                    Long.toString(RENEW_MS), Long.toString(POLL_MS))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            members.add(new Member(id, p));
        }
        for (Member m : members) {
            m.await(0, "READY"::equals, "READY");
        }

        // 1. A rollback on one instance reaches the other two.
        // Trial 0 warms the JVMs up (class loading, the first requests); it is reported apart.
        List<Long> propagation = new ArrayList<>();
        List<Long> cold = new ArrayList<>();
        for (int t = 0; t <= trials; t++) {
            Member origin = members.get(t % 3);
            Map<Member, Integer> from = new HashMap<>();
            members.forEach(m -> from.put(m, m.lines.size()));
            origin.send("rollback");
            Map<Member, Integer> seen = new HashMap<>();
            for (Member m : members) {
                seen.put(m, m.await(from.get(m), l -> l.startsWith("DECISION ROLLED_BACK "), "the rollback"));
            }
            long decided = origin.micros(seen.get(origin));
            for (Member m : members) {
                if (m != origin) {
                    (t == 0 ? cold : propagation).add(m.micros(seen.get(m)) - decided);
                }
            }
            members.forEach(m -> from.put(m, m.lines.size()));
            origin.send("undo");
            for (Member m : members) {
                m.await(from.get(m), l -> l.startsWith("DECISION ROLLING_OUT "), "the undone rollback");
            }
        }
        assertThat(propagation).hasSize(2 * trials).allSatisfy(us -> assertThat(us).isPositive());

        // 2. The writer killed with SIGKILL is replaced.
        Member first = awaitWriter(0, members);
        long firstEpoch = first.writerEpoch();
        List<Member> rest = new ArrayList<>(members);
        rest.remove(first);
        long killedAt = nowMicros();
        first.process.destroyForcibly().waitFor();
        Member second = awaitWriter(firstEpoch, rest);
        long secondEpoch = second.writerEpoch();
        long replacedAt = second.micros(lastWriterLine(second));
        assertThat(secondEpoch).isGreaterThan(firstEpoch);

        // 3. The next writer stopped with SIGSTOP past its TTL and resumed is refused by the fence.
        Member third = rest.get(0) == second ? rest.get(1) : rest.get(0);
        // Stop it while it works: once its first record under the new epoch landed.
        awaitFirstRecord(prefix, second, secondEpoch);
        int before = second.lines.size();
        signal(second, "STOP");
        long stoppedAt = nowMicros();
        awaitWriter(secondEpoch, List.of(third));
        long thirdEpoch = third.writerEpoch();
        signal(second, "CONT");
        int refused = second.await(before, l -> l.startsWith("REFUSED "), "a refused write");
        assertThat(second.lines.get(refused)).contains("epoch " + secondEpoch + " of lease writer", "newer holder");

        // The new holder has announced the lease; its first record may still be on its way.
        awaitFirstRecord(prefix, third, thirdEpoch);

        // 4. No epoch wrote from two members.
        Map<String, Set<String>> membersByEpoch = new HashMap<>();
        try (S3Store store = S3Store.open(server.config(S3ProxyServer.BUCKET, prefix).build())) {
            for (ObjectInfo o : store.list("jobs/").toList()) {
                String[] parts = o.key().split("/");
                membersByEpoch.computeIfAbsent(parts[2], k -> new HashSet<>()).add(parts[1]);
            }
        }
        assertThat(membersByEpoch).containsKeys(Long.toString(firstEpoch), Long.toString(secondEpoch),
                Long.toString(thirdEpoch));
        assertThat(membersByEpoch.values()).allSatisfy(s -> assertThat(s).hasSize(1));

        report(propagation, cold, replacedAt - killedAt, stoppedAt, third.micros(lastWriterLine(third)), trials);
    }

    private void awaitFirstRecord(String prefix, Member writer, long epoch) throws InterruptedException {
        try (S3Store store = S3Store.open(server.config(S3ProxyServer.BUCKET, prefix).build())) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (store.list("jobs/" + writer.id + "/" + epoch + "/").findAny().isEmpty()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError(writer.id + " wrote nothing under epoch " + epoch);
                }
                Thread.sleep(5);
            }
        }
    }

    private static int lastWriterLine(Member m) {
        for (int i = m.lines.size() - 1; i >= 0; i--) {
            if (m.lines.get(i).startsWith("WRITER ")) {
                return i;
            }
        }
        throw new AssertionError(m.id + " never wrote");
    }

    /** Waits until one of the members is writer with an epoch above {@code above}; returns it. */
    private static Member awaitWriter(long above, List<Member> candidates) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            for (Member m : candidates) {
                if (m.writerEpoch() > above) {
                    return m;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no writer above epoch " + above + " within " + WAIT);
            }
            Thread.sleep(5);
        }
    }

    private static void report(List<Long> propagation, List<Long> cold, long killReplacedUs, long stoppedAt, long takenOverAt,
            int trials) throws IOException {
        List<Long> sorted = new ArrayList<>(propagation);
        Collections.sort(sorted);
        long p50 = sorted.get((int) Math.ceil(0.50 * sorted.size()) - 1);
        long p99 = sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1);
        String text = String.format(Locale.ROOT, "fleet acceptance: %d trials after one to warm up"
                + " (cold: %s ms), %d propagations: p50 %.1f ms, p99 %.1f ms, max %.1f ms;"
                + " SIGKILLed writer replaced after %.0f ms; SIGSTOPped writer replaced after %.0f ms"
                + " (TTL %d ms, renew %d ms, poll %d ms); propagations in ms, in trial order: %s%n", trials,
                cold.stream().map(us -> Long.toString(us / 1000)).toList(), sorted.size(), p50 / 1000.0, p99 / 1000.0,
                sorted.get(sorted.size() - 1) / 1000.0, killReplacedUs / 1000.0, (takenOverAt - stoppedAt) / 1000.0,
                TTL_MS, RENEW_MS, POLL_MS, propagation.stream().map(us -> Long.toString(us / 1000)).toList());
        System.out.print(text);
        Files.writeString(Path.of("target", "fleet-acceptance.txt"), text);
    }
}
