package dev.drkit.test.fleet;

import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditLogConfig;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.audit.AuditVerification;
import dev.drkit.core.audit.AuditVerifier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Several {@link FleetMember} JVMs and the acceptance checks of a coordinated fleet: a rollback
 * on one instance reaches the others ({@link #rollbacks(int)}), the writer killed with SIGKILL is
 * replaced and the next one, stopped with SIGSTOP past its TTL and resumed, is refused by the
 * fence ({@link #failover(SnapshotStore)}), the instances keep serving while the coordinator is
 * unreachable and reconverge after ({@link #outage(Runnable, Runnable, Duration)}), and no epoch
 * has records from two members ({@link #membersByEpoch(SnapshotStore)}) nor, in the fleet's
 * audit log, events from two members or one record twice
 * ({@link #auditedMembersByEpoch(SnapshotStore)}). Times are the
 * machine's wall clock, which the JVMs share. Failures are {@link AssertionError}s naming what
 * a member printed.
 */
public final class FleetScenario implements AutoCloseable {
    /** How long any one expected line is waited for. */
    public static final Duration WAIT = Duration.ofSeconds(120);

    /**
     * Propagation times of rollbacks, in microseconds.
     *
     * @param warm one per other member and trial after the first
     * @param cold those of the first trial, which warms the JVMs up
     */
    public record Propagation(List<Long> warm, List<Long> cold) {
        /** Copies the lists. */
        public Propagation {
            warm = List.copyOf(warm);
            cold = List.copyOf(cold);
        }

        /**
         * Returns a percentile of the warm propagations.
         *
         * @param p the percentile, 0 to 100
         * @return the value in milliseconds
         */
        public double percentileMillis(double p) {
            List<Long> sorted = new ArrayList<>(warm);
            Collections.sort(sorted);
            return sorted.get(Math.max(0, (int) Math.ceil(p / 100 * sorted.size()) - 1)) / 1000.0;
        }
    }

    /**
     * What the failover checks measured.
     *
     * @param epochs the writer's epochs: the killed one's, the stopped one's, the third's
     * @param killReplacedMicros from SIGKILL until another member printed that it writes
     * @param stopReplacedMicros from SIGSTOP until the third member printed that it writes
     * @param refusal the line of the resumed writer's refused write
     */
    public record Failover(List<Long> epochs, long killReplacedMicros, long stopReplacedMicros, String refusal) {
        /** Copies the list. */
        public Failover {
            epochs = List.copyOf(epochs);
        }
    }

    /**
     * What an outage of the coordinator showed.
     *
     * @param answersWhileDown each member's answers to calls made during the outage
     * @param reconvergedMicros from the coordinator's return until every member applied a
     *     decision made after it
     * @param errorsBeforeReconverging the commands refused while the coordinator's clients recovered
     */
    public record Outage(Map<String, List<String>> answersWhileDown, long reconvergedMicros,
            int errorsBeforeReconverging) {
        /** Copies the map. */
        public Outage {
            answersWhileDown = Map.copyOf(answersWhileDown);
        }
    }

    /** A member JVM and the lines it printed. */
    public static final class Member {
        private final String id;
        private final Process process;
        private final PrintWriter in;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        Member(String id, Process process) {
            this.id = id;
            this.process = process;
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            reader = new Thread(() -> {
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

        /** Returns the member's id. @return the id */
        public String id() {
            return id;
        }

        /** Returns what the member printed so far. @return the lines */
        public List<String> lines() {
            return List.copyOf(lines);
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
                if (!process.isAlive() && reader.isAlive() && System.nanoTime() - deadline < 0) {
                    reader.join(1000); // the lines it printed before it exited
                    continue;
                }
                if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                    throw new AssertionError(id + " did not print " + what + (process.isAlive() ? " within " + WAIT
                            : " before it exited") + "; it printed " + lines);
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

        int lastWriterLine() {
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("WRITER ")) {
                    return i;
                }
            }
            throw new AssertionError(id + " never wrote");
        }
    }

    private final List<Member> members = new ArrayList<>();

    private FleetScenario() {
    }

    /**
     * Starts one JVM per member with the test's class path and waits until each is ready.
     *
     * @param memberIds the members' ids
     * @param mainClass the class whose {@code main} opens the coordinator and store and calls
     *     {@link FleetMember#run}
     * @param arguments the arguments of one member's {@code main}, given its id
     * @return the running fleet, which the caller closes
     * @throws IOException when a JVM cannot start
     * @throws InterruptedException when interrupted while waiting
     */
    public static FleetScenario start(List<String> memberIds, Class<?> mainClass,
            Function<String, List<String>> arguments) throws IOException, InterruptedException {
        FleetScenario fleet = new FleetScenario();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            for (String id : memberIds) {
                List<String> command = new ArrayList<>(List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
                        System.getProperty("java.class.path"), mainClass.getName()));
                command.addAll(arguments.apply(id));
                Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                fleet.members.add(new Member(id, p));
            }
            for (Member m : fleet.members) {
                m.await(0, "READY"::equals, "READY");
            }
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            fleet.close();
            throw e;
        }
        return fleet;
    }

    /** Returns the members. @return the members, in start order */
    public List<Member> members() {
        return List.copyOf(members);
    }

    /**
     * Rolls the guard back on one member, waits until every member applied it, and undoes it
     * everywhere, once to warm up and then {@code trials} times, the origin going round.
     *
     * @param trials the measured trials
     * @return the propagation times
     * @throws InterruptedException when interrupted while waiting
     */
    public Propagation rollbacks(int trials) throws InterruptedException {
        List<Long> warm = new ArrayList<>();
        List<Long> cold = new ArrayList<>();
        for (int t = 0; t <= trials; t++) {
            Member origin = members.get(t % members.size());
            Map<Member, Integer> seen = decide(members, origin, "rollback", "ROLLED_BACK");
            long decided = origin.micros(seen.get(origin));
            for (Member m : members) {
                if (m != origin) {
                    (t == 0 ? cold : warm).add(m.micros(seen.get(m)) - decided);
                }
            }
            decide(members, origin, "undo", "ROLLING_OUT");
        }
        return new Propagation(warm, cold);
    }

    /** Sends a decision to one member and waits until each of {@code among} printed it; returns the lines' indexes. */
    private static Map<Member, Integer> decide(List<Member> among, Member origin, String command, String state)
            throws InterruptedException {
        Map<Member, Integer> from = new HashMap<>();
        among.forEach(m -> from.put(m, m.lines.size()));
        origin.send(command);
        Map<Member, Integer> seen = new HashMap<>();
        for (Member m : among) {
            seen.put(m, m.await(from.get(m), l -> l.startsWith("DECISION " + state + " "), "the decision " + state));
        }
        return seen;
    }

    /**
     * Kills the writer with SIGKILL and waits for another to take over; stops that one with
     * SIGSTOP until the third takes over, resumes it and waits for its write to be refused.
     * Needs three members.
     *
     * @param store a view of the store the members write into, to see their records
     * @return what was measured
     * @throws InterruptedException when interrupted while waiting
     */
    public Failover failover(SnapshotStore store) throws InterruptedException {
        Member first = awaitWriter(0, members);
        long firstEpoch = first.writerEpoch();
        List<Member> rest = new ArrayList<>(members);
        rest.remove(first);
        long killedAt = nowMicros();
        first.process.destroyForcibly().waitFor();
        Member second = awaitWriter(firstEpoch, rest);
        long secondEpoch = second.writerEpoch();
        long replacedAt = second.micros(second.lastWriterLine());
        if (secondEpoch <= firstEpoch) {
            throw new AssertionError("the new writer's epoch " + secondEpoch + " is not above " + firstEpoch);
        }
        Member third = rest.get(0) == second ? rest.get(1) : rest.get(0);
        // Stop it while it works: once its second record under the new epoch landed (written
        // after the first one's audit event, so that the epoch has both).
        awaitRecord(store, second, secondEpoch, "1");
        int before = second.lines.size();
        signal(second, "STOP");
        long stoppedAt = nowMicros();
        awaitWriter(secondEpoch, List.of(third));
        long thirdEpoch = third.writerEpoch();
        signal(second, "CONT");
        int refused = second.await(before, l -> l.startsWith("REFUSED "), "a refused write");
        // The new holder has announced the lease; its first record may still be on its way. Its
        // second is written after the first's audit event.
        awaitRecord(store, third, thirdEpoch, "1");
        return new Failover(List.of(firstEpoch, secondEpoch, thirdEpoch), replacedAt - killedAt,
                third.micros(third.lastWriterLine()) - stoppedAt, second.lines.get(refused));
    }

    /**
     * Rolls the guard back everywhere, takes the coordinator away for a while, calls through the
     * guard on every live member during the outage, brings the coordinator back and undoes the
     * rollback on one member (again while the coordinator's clients still refuse), until every
     * member applied it.
     *
     * @param down makes the coordinator unreachable
     * @param up makes it reachable again
     * @param length how long it stays unreachable
     * @return the answers while down and the time to reconverge
     * @throws InterruptedException when interrupted while waiting
     */
    public Outage outage(Runnable down, Runnable up, Duration length) throws InterruptedException {
        List<Member> live = members.stream().filter(m -> m.process.isAlive()).toList();
        Member origin = live.get(0);
        decide(live, origin, "rollback", "ROLLED_BACK");
        down.run();
        long downAt = System.nanoTime();
        Map<String, List<String>> answers = new HashMap<>();
        while (System.nanoTime() - downAt < length.toNanos() - 500_000_000L) {
            for (Member m : live) {
                int from = m.lines.size();
                m.send("call");
                int at = m.await(from, l -> l.startsWith("CALL ") || l.startsWith("ERROR call"), "an answer");
                answers.computeIfAbsent(m.id, k -> new ArrayList<>()).add(m.lines.get(at).split(" ")[1]);
            }
            Thread.sleep(1000);
        }
        Thread.sleep(Math.max(0, (length.toNanos() - (System.nanoTime() - downAt)) / 1_000_000));
        up.run();
        long upAt = nowMicros();
        Map<Member, Integer> from = new HashMap<>();
        live.forEach(m -> from.put(m, m.lines.size()));
        int errors = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        int originFrom = from.get(origin);
        while (true) {
            int sent = origin.lines.size();
            origin.send("undo");
            int at = origin.await(sent, l -> l.startsWith("DECISION ROLLING_OUT ") || l.startsWith("ERROR undo"),
                    "the undone rollback or its refusal");
            // An undo reported as failed may still have landed: its decision counts whenever it shows.
            if (origin.lines.get(at).startsWith("DECISION ") || origin.lines.subList(originFrom, origin.lines.size())
                    .stream().anyMatch(l -> l.startsWith("DECISION ROLLING_OUT "))) {
                break;
            }
            errors++;
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(origin.id + " could not undo the rollback within " + WAIT + " of the"
                        + " coordinator's return; it printed " + origin.lines);
            }
            Thread.sleep(250);
        }
        long last = 0;
        for (Member m : live) {
            int at = m.await(from.get(m), l -> l.startsWith("DECISION ROLLING_OUT "), "the decision after the outage");
            last = Math.max(last, m.micros(at));
        }
        return new Outage(answers, last - upAt, errors);
    }

    /**
     * Checks what the writers left after {@link #failover(SnapshotStore)}: each of its epochs has
     * records and audit events, every epoch's records and events come from one member (the
     * same), the audit log passes {@link #auditedMembersByEpoch(SnapshotStore)}, and no member
     * found a record of its own written before.
     *
     * @param store a view of the store the members write into
     * @param failover what the failover measured
     * @return member ids by epoch
     * @throws AssertionError naming the first epoch, record or member at fault
     */
    public Map<String, Set<String>> checkWrites(SnapshotStore store, Failover failover) {
        Map<String, Set<String>> records = membersByEpoch(store);
        Map<String, Set<String>> audited = auditedMembersByEpoch(store);
        for (long epoch : failover.epochs()) {
            if (!records.containsKey(Long.toString(epoch)) || !audited.containsKey(Long.toString(epoch))) {
                throw new AssertionError("epoch " + epoch + " has no records or no audit events: records " + records
                        + ", audited " + audited);
            }
        }
        records.forEach((epoch, ids) -> {
            if (ids.size() != 1) {
                throw new AssertionError("epoch " + epoch + " has records from " + ids);
            }
        });
        audited.forEach((epoch, ids) -> {
            if (!ids.equals(records.get(epoch))) {
                throw new AssertionError("epoch " + epoch + " has audit events from " + ids + " but records from "
                        + records.get(epoch));
            }
        });
        for (Member m : members) {
            m.lines.stream().filter(l -> l.startsWith("DUPLICATE ")).findFirst().ifPresent(l -> {
                throw new AssertionError(m.id + " wrote a record twice: " + l);
            });
        }
        return records;
    }

    /**
     * Lists which members wrote records under each epoch.
     *
     * @param store a view of the store the members write into
     * @return member ids by epoch
     */
    public static Map<String, Set<String>> membersByEpoch(SnapshotStore store) {
        Map<String, Set<String>> out = new HashMap<>();
        for (ObjectInfo o : store.list("jobs/").toList()) {
            String[] parts = o.key().split("/");
            out.computeIfAbsent(parts[2], k -> new HashSet<>()).add(parts[1]);
        }
        return out;
    }

    /**
     * Reads the fleet's audit log and checks it: its chain verifies, no record is audited twice,
     * the epochs never go back along the chain, and every audited record is in the store.
     *
     * @param store a view of the store the members write into
     * @return the members whose events the log holds, by epoch
     * @throws AssertionError naming the first record that breaks a check
     */
    public static Map<String, Set<String>> auditedMembersByEpoch(SnapshotStore store) {
        AuditVerification verification = AuditVerifier.verify(store, FleetMember.AUDIT_PREFIX, null, null);
        if (!verification.intact()) {
            throw new AssertionError("the fleet's audit log does not verify: " + verification.problem()
                    + "; segments near it: " + segmentsNear(store, verification.firstBadSeq()));
        }
        Map<String, Set<String>> out = new HashMap<>();
        Set<String> audited = new HashSet<>();
        long lastEpoch = 0;
        try (AuditLog log = AuditLog.store(store, FleetMember.AUDIT_PREFIX, AuditLogConfig.DEFAULT)) {
            for (AuditRecord r : log.records(AuditFilter.all().withAction(FleetMember.AUDIT_ACTION))) {
                long epoch = Long.parseLong(r.details().get("epoch"));
                if (!audited.add(r.target())) {
                    throw new AssertionError("record " + r.target() + " is audited twice, again at seq " + r.seq());
                }
                if (epoch < lastEpoch) {
                    throw new AssertionError("the audit log goes back from epoch " + lastEpoch + " to " + epoch
                            + " at seq " + r.seq());
                }
                if (store.stat(r.target()).isEmpty()) {
                    throw new AssertionError("audited record " + r.target() + " (seq " + r.seq() + ") is not in "
                            + store.describe());
                }
                lastEpoch = epoch;
                out.computeIfAbsent(Long.toString(epoch), k -> new HashSet<>()).add(r.actor());
            }
        }
        return out;
    }

    /** Lists the audit segments whose first record is within five of a sequence number, with their lines' heads. */
    private static String segmentsNear(SnapshotStore store, long seq) {
        StringBuilder out = new StringBuilder();
        for (ObjectInfo o : store.list(FleetMember.AUDIT_PREFIX + "/").toList()) {
            String name = o.key().substring(o.key().lastIndexOf('/') + 1);
            long first;
            try {
                first = Long.parseLong(name.substring(0, Math.max(0, name.indexOf('.'))));
            } catch (NumberFormatException e) {
                out.append("\n  ").append(o.key()).append(" (not a segment name)");
                continue;
            }
            if (Math.abs(first - seq) <= 5) {
                out.append("\n  ").append(o.key()).append(" ").append(o.size()).append(" bytes:");
                for (String line : new String(store.get(o.key()), StandardCharsets.UTF_8).split("\n")) {
                    out.append("\n    ").append(line, 0, Math.min(line.length(), 240));
                }
            }
        }
        return out.toString();
    }

    /**
     * Formats the figures for a report file.
     *
     * @param propagation the rollbacks' propagation
     * @param failover the failover, or {@code null}
     * @param outage the outage, or {@code null}
     * @return one paragraph
     */
    public static String report(Propagation propagation, @Nullable Failover failover, @Nullable Outage outage) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%d propagations after a warm-up trial "
                + "(cold: %s ms): p50 %.1f ms, p99 %.1f ms, max %.1f ms; in trial order: %s ms", propagation.warm()
                .size(), propagation.cold().stream().map(us -> us / 1000).toList(), propagation.percentileMillis(50),
                propagation.percentileMillis(99), propagation.percentileMillis(100), propagation.warm().stream()
                .map(us -> us / 1000).toList()));
        if (failover != null) {
            text.append(String.format(Locale.ROOT, "; SIGKILLed writer replaced after %.0f ms, SIGSTOPped writer"
                    + " replaced after %.0f ms, epochs %s, resumed writer: %s", failover.killReplacedMicros() / 1000.0,
                    failover.stopReplacedMicros() / 1000.0, failover.epochs(), failover.refusal()));
        }
        if (outage != null) {
            text.append(String.format(Locale.ROOT, "; coordinator unreachable: answers %s, reconverged %.0f ms after"
                    + " its return (%d refused attempts first)", outage.answersWhileDown(),
                    outage.reconvergedMicros() / 1000.0, outage.errorsBeforeReconverging()));
        }
        return text.append(System.lineSeparator()).toString();
    }

    /** Waits for the writer's record number {@code n} under the epoch. */
    private static void awaitRecord(SnapshotStore store, Member writer, long epoch, String n)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String key = "jobs/" + writer.id + "/" + epoch + "/" + n;
        while (store.stat(key).isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(writer.id + " wrote no record " + key + " under epoch " + epoch);
            }
            Thread.sleep(5);
        }
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

    /** Resumes stopped members and kills every member. */
    @Override
    public void close() {
        for (Member m : members) {
            if (m.process.isAlive()) {
                signal(m, "CONT");
            }
            m.process.destroyForcibly();
        }
    }
}
