package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.incident.Incident;
import dev.drkit.api.recovery.VerificationPhase;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.audit.AuditVerification;
import dev.drkit.core.audit.AuditVerifier;
import dev.drkit.core.incident.IncidentManager;
import dev.drkit.core.recovery.ExecutionRequest;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.recovery.Steps;
import dev.drkit.core.report.Durations;
import dev.drkit.core.report.PostIncidentReport;
import dev.drkit.core.report.ReportInput;
import dev.drkit.core.report.Runbook;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.BackupResult;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.RestoreResult;
import dev.drkit.core.repository.VerifyOptions;
import dev.drkit.core.repository.VerifyReport;
import dev.drkit.core.rollback.GuardConfig;
import dev.drkit.core.rollback.GuardedRelease;
import dev.drkit.core.rollback.RolloutPlan;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dr demo}: a complete drill on a {@code file:} repository in a work directory, told
 * in plain words. The state of a small orders service is backed up (full, then incremental);
 * a bad pricing release is rolled back automatically, with its evidence; the orders are
 * destroyed; the recovery plan restores and verifies them; the achieved RTO and RPO are
 * compared with the objectives; the audit log is verified. It leaves {@code audit.jsonl},
 * {@code report.md} and {@code runbook.md} in the work directory and exits 0 only when
 * every stage succeeded.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a complete drill on a file: repository: back up, roll back a bad release, destroy data, "
                + "restore and verify it with a recovery plan, report RTO/RPO, verify the audit log.")
public final class DemoCommand implements Callable<Integer> {
    /** The recovery time objective of the demo's plan. */
    static final Duration RTO = Duration.ofMinutes(1);
    /** The recovery point objective of the demo's plan. */
    static final Duration RPO = Duration.ofMinutes(15);
    private static final int ORDERS = 400;
    private static final char[] PASSWORD = "demo-password".toCharArray();

    @Spec
    CommandSpec spec;

    @Option(names = "--workdir", paramLabel = "DIR",
            description = "Where the drill runs and leaves audit.jsonl, report.md and runbook.md "
                    + "(default: a new temporary directory).")
    @Nullable Path workdir;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the simulated traffic (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--key-file", paramLabel = "K",
            description = "Key the drill's audit.jsonl with the HMAC key in K (verify it with dr audit verify --key-file K).")
    @Nullable Path keyFile;

    private PrintWriter out;
    private int stage;
    private final List<String> passed = new ArrayList<>();

    /** Creates the command. */
    public DemoCommand() {
    }

    /** The interface both pricing versions implement. */
    interface PricingEngine {
        /**
         * Prices an order.
         *
         * @param cents the list price
         * @return the price to charge
         */
        long price(long cents);
    }

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        try {
            return drill();
        } catch (Exception | Error e) {
            out.println("  FAILED at stage " + stage + ": " + e.getMessage());
            out.println("The drill did not complete: " + passed.size() + " of 6 stages succeeded.");
            out.flush();
            throw e;
        }
    }

    private int drill() throws Exception {
        byte @Nullable [] key = AuditKeyFile.read(keyFile);
        Path dir = workdir != null ? workdir.toAbsolutePath() : Files.createTempDirectory("dr-demo-");
        Files.createDirectories(dir);
        Path service = dir.resolve("service");
        Path orders = service.resolve("orders");
        Path auditFile = dir.resolve("audit.jsonl");
        Path repoDir = dir.resolve("repository");
        if (Files.exists(repoDir) || Files.exists(auditFile) || Files.exists(service)) {
            throw new DrException(ErrorCode.ALREADY_EXISTS, "the work directory " + dir + " holds an earlier drill "
                    + "(repository/, service/ or audit.jsonl); give an empty or new --workdir", dir.toString());
        }
        long t0 = System.nanoTime();
        say("DR Kit demo: a disaster-recovery drill for a small orders service.");
        say("Work directory: " + dir);
        say("Repository:     file:" + repoDir + " (encrypted, deduplicated)");
        say("");

        try (SnapshotStore store = SnapshotStores.open("file:" + repoDir);
                AuditLog audit = AuditKeyFile.openForAppend(auditFile, keyFile)) {
            RepositoryOptions options = RepositoryOptions.builder().actor("dr-demo").audit(audit).build();
            IncidentManager incidents = IncidentManager.builder().audit(audit).build();

            // 1. Backups
            step("Back up the service's state");
            writeOrders(orders, new SplittableRandom(seed));
            Map<String, String> manifest;
            BackupResult incremental;
            try (Repository repo = Repository.init(store, PASSWORD.clone(), options)) {
                DirectorySource source = DirectorySource.of("orders", orders);
                BackupResult full = repo.backup(BackupRequest.builder().source(source).kind(BackupKind.FULL)
                        .tags("demo").build());
                detail("full backup " + full.snapshot().shortId() + ": " + full.snapshot().files() + " files, "
                        + ByteSizes.format(full.bytesRead()) + " read, " + ByteSizes.format(full.bytesStored())
                        + " stored, in "
                        + Durations.human(full.duration()));
                int changed = changeSomeOrders(orders, new SplittableRandom(seed + 1));
                incremental = repo.backup(BackupRequest.builder().source(source).kind(BackupKind.INCREMENTAL)
                        .parent(full.snapshotId()).tags("demo").build());
                detail("incremental backup " + incremental.snapshot().shortId() + " after " + changed
                        + " orders changed: " + incremental.filesNew() + " new, " + incremental.filesChanged()
                        + " changed, " + incremental.filesUnchanged() + " unchanged; only "
                        + ByteSizes.format(incremental.bytesAdded()) + " added");
                manifest = checksums(orders);
            }
            done("two snapshots committed");

            // 2. Guarded release
            step("Roll out pricing v2, which fails under load");
            RollbackEvent rollback = badRelease(audit);
            Evidence ev = rollback.verdict().evidence();
            detail("rolled back automatically by the " + rollback.triggerKind().name().toLowerCase(Locale.ROOT)
                    + " (" + rollback.trigger() + "), " + rollback.fromVersion() + " -> " + rollback.toVersion());
            detail("evidence: " + ev.candidateFailures() + " failures in " + ev.candidateCalls()
                    + " candidate calls (" + percent(ev.candidateRate()) + ") against a baseline of "
                    + percent(ev.baselineRate()) + "; statistic " + String.format(Locale.ROOT, "%.2f", ev.statistic())
                    + " >= threshold " + String.format(Locale.ROOT, "%.2f", ev.rollbackThreshold()));
            detail("reason: " + rollback.verdict().reason());
            Incident rollbackIncident = incidents.openFor(rollback);
            detail("incident " + rollbackIncident.id() + " opened (" + rollbackIncident.severity() + ")");
            done("every call is back on pricing v1");

            // 3. Disaster
            step("Destroy the orders");
            int destroyed = destroy(orders, new SplittableRandom(seed + 2));
            Instant detectedAt = Instant.now();
            HealthProbe ordersProbe = HealthProbe.named("orders-intact", () -> compare(orders, manifest));
            ProbeResult broken = ordersProbe.check();
            if (broken.status() != HealthStatus.DOWN) {
                throw new IllegalStateException("the destroyed orders were not noticed: " + broken.detail());
            }
            detail(destroyed + " order files deleted or overwritten with garbage");
            detail("probe orders-intact: " + broken.status() + ", " + broken.detail());
            Incident dataLoss = incidents.openFor(ordersProbe, broken);
            detail("incident " + dataLoss.id() + " opened (" + dataLoss.severity() + ", " + dataLoss.faultType() + ")");
            done("the damage is detected");

            // 4. Recovery plan
            step("Run the recovery plan restore-orders");
            Plan plan;
            ExecutionResult result;
            try (Repository repo = Repository.open(store, PASSWORD.clone(), options);
                    RecoveryExecutor executor = RecoveryExecutor.builder().audit(audit).build()) {
                plan = restorePlan(repo, service, ordersProbe);
                result = executor.run(plan, ExecutionRequest.live().by("dr-demo").detectedAt(detectedAt)
                        .forIncident(dataLoss.id()), Duration.ofMinutes(2));
            }
            for (var s : result.steps()) {
                detail("step " + s.name() + ": " + s.state() + s.duration().map(d -> " in " + Durations.human(d))
                        .orElse("") + (s.notes().isEmpty() ? "" : " (" + String.join("; ", s.notes()) + ")"));
            }
            for (var v : result.verifications()) {
                detail("verification " + v.name() + ": " + (v.passed() ? "passed" : "FAILED"));
            }
            incidents.link(dataLoss.id(), result);
            if (!result.succeeded()) {
                throw new IllegalStateException("the plan ended " + result.status() + ": " + result.reason());
            }
            ProbeResult healed = ordersProbe.check();
            if (healed.status() != HealthStatus.UP) {
                throw new IllegalStateException("the orders are still damaged: " + healed.detail());
            }
            incidents.resolve(dataLoss.id(), "dr-demo", "restored from snapshot " + incremental.snapshot().shortId(),
                    "orders deleted and overwritten (simulated)");
            incidents.resolve(rollbackIncident.id(), "dr-demo", "pricing v2 rolled back", "pricing v2 fails under load");
            done("all " + manifest.size() + " orders restored and verified byte for byte");

            // 5. Objectives
            step("Compare the achieved RTO and RPO with the objectives");
            Duration rto = result.achievedRto().orElseThrow();
            Duration rpo = result.achievedRpo().orElseThrow();
            detail("RTO " + Durations.human(rto) + " against an objective of " + Durations.human(RTO) + ": "
                    + (result.rtoMet() ? "met" : "MISSED"));
            detail("RPO " + Durations.human(rpo) + " against an objective of " + Durations.human(RPO) + ": "
                    + (result.rpoMet() ? "met" : "MISSED"));
            if (!result.rtoMet() || !result.rpoMet()) {
                throw new IllegalStateException("an objective was missed");
            }
            done("both objectives met");

            // 6. Audit and reports
            step("Verify the audit log and write the report and runbook");
            audit.flush();
            List<AuditRecord> records = audit.records(AuditFilter.all());
            PostIncidentReport report = PostIncidentReport.of(ReportInput.fromAudit(records, dataLoss.id())
                    .orElseThrow(() -> new IllegalStateException("the audit log has no incident " + dataLoss.id())));
            Files.writeString(dir.resolve("report.md"), report.toMarkdown(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("runbook.md"), Runbook.of(plan).toMarkdown(), StandardCharsets.UTF_8);
            detail("report.md: the post-incident report of " + dataLoss.id() + " with " + report.suggestions().size()
                    + " suggestions");
            detail("runbook.md: the plan restore-orders as steps for a person");
        }
        AuditVerification v = AuditVerifier.verify(auditFile, key, null);
        if (!v.intact()) {
            throw new DrException(ErrorCode.INTEGRITY, "the audit log is not intact: record " + v.firstBadSeq() + ": "
                    + v.problem(), auditFile.toString());
        }
        detail("audit.jsonl: " + v.records() + (key == null ? "" : " HMAC-keyed") + " hash-chained records, intact; head " + v.headDigest()
                .map(Object::toString).orElse("-"));
        done("the audit trail verifies");

        say("");
        say("Drill complete in " + Durations.human(Duration.ofNanos(System.nanoTime() - t0)) + ": "
                + passed.size() + " of 6 stages succeeded.");
        say("Read " + dir.resolve("report.md") + " and " + dir.resolve("runbook.md") + ".");
        return DrCommand.EXIT_OK;
    }

    private RollbackEvent badRelease(AuditLog audit) {
        GuardConfig config = GuardConfig.DEFAULT.withPlan(RolloutPlan.of(50, Duration.ZERO, 0.05, 0.25, 0.5, 1.0));
        try (GuardedRelease<PricingEngine> pricing = GuardedRelease.<PricingEngine>builder("pricing")
                .stable("v1", cents -> cents)
                .candidate("v2", () -> new FlakyPricing(seed))
                .config(config)
                .auditSink(audit)
                .build()) {
            int calls = 0;
            int failures = 0;
            double top = 0;
            while (pricing.state() == GuardState.ROLLING_OUT && calls < 50_000) {
                try {
                    pricing.call("customer-" + calls, engine -> engine.price(1999));
                } catch (IllegalStateException e) {
                    failures++;
                }
                calls++;
                top = Math.max(top, pricing.candidateWeight());
                if (calls % 500 == 0) {
                    pricing.runChecks();
                    detail(calls + " calls served, candidate weight " + percent(pricing.candidateWeight()) + ", "
                            + failures + " failed");
                }
            }
            detail(calls + " calls served in all; v2 reached " + percent(top) + " of the traffic");
            return pricing.lastRollback().orElseThrow(() -> new IllegalStateException(
                    "pricing v2 was not rolled back; its state is " + pricing.state()));
        }
    }

    /** Pricing v2: right most of the time, but a share of its calls fail once it takes load. */
    static final class FlakyPricing implements PricingEngine {
        private final SplittableRandom random;

        FlakyPricing(long seed) {
            this.random = new SplittableRandom(seed);
        }

        @Override
        public synchronized long price(long cents) {
            if (random.nextDouble() < 0.08) {
                throw new IllegalStateException("pricing v2: connection pool exhausted");
            }
            return cents * 95 / 100;
        }
    }

    private static Plan restorePlan(Repository repo, Path service, HealthProbe ordersProbe) {
        return Plan.builder("restore-orders")
                .description("Restore the orders service's data from the latest snapshot and verify every order")
                .objectives(RTO, RPO)
                .step("check-repository", Steps.described("Check the repository's structure before trusting it",
                        ctx -> {
                            VerifyReport r = repo.verify(VerifyOptions.structure());
                            if (!r.problems().isEmpty()) {
                                throw new DrException(ErrorCode.INTEGRITY, "repository problems: " + r.problems(),
                                        null);
                            }
                            ctx.progress(1.0, r.snapshots() + " snapshots, " + r.packs() + " packs, structure sound");
                        }), o -> o.timeout(Duration.ofSeconds(30)).owner("storage on-call"))
                .step("restore-orders", Steps.restore("the orders", ctx -> {
                    var latest = repo.snapshot("latest");
                    RestoreResult r = repo.restore(latest.id(), service, RestoreOptions.all());
                    ctx.progress(1.0, r.files() + " files from " + latest.shortId());
                    return latest.time();
                }), o -> o.dependsOn("check-repository").timeout(Duration.ofSeconds(30)).retry(2, Duration.ofMillis(100))
                        .owner("orders team"))
                .verify("orders-intact", ordersProbe, VerificationPhase.AFTER, 0)
                .build();
    }

    private static void writeOrders(Path orders, SplittableRandom random) throws IOException {
        Files.createDirectories(orders);
        for (int i = 1; i <= ORDERS; i++) {
            Files.writeString(orders.resolve(String.format(Locale.ROOT, "order-%04d.json", i)), order(i, random, 0));
        }
    }

    private static String order(int id, SplittableRandom random, int revision) {
        StringBuilder b = new StringBuilder(4096);
        b.append("{\"id\":").append(id).append(",\"revision\":").append(revision).append(",\"lines\":[");
        int lines = 5 + random.nextInt(40);
        for (int l = 0; l < lines; l++) {
            if (l > 0) {
                b.append(',');
            }
            b.append("{\"sku\":\"SKU-").append(random.nextInt(100_000)).append("\",\"qty\":")
                    .append(1 + random.nextInt(9)).append(",\"cents\":").append(random.nextInt(50_000))
                    .append(",\"note\":\"").append(Long.toHexString(random.nextLong())).append("\"}");
        }
        return b.append("]}\n").toString();
    }

    private static int changeSomeOrders(Path orders, SplittableRandom random) throws IOException {
        int changed = 0;
        for (int i = 0; i < ORDERS / 20; i++) {
            int id = 1 + random.nextInt(ORDERS);
            Files.writeString(orders.resolve(String.format(Locale.ROOT, "order-%04d.json", id)), order(id, random, 1));
            changed++;
        }
        for (int i = ORDERS + 1; i <= ORDERS + 10; i++) {
            Files.writeString(orders.resolve(String.format(Locale.ROOT, "order-%04d.json", i)), order(i, random, 0));
            changed++;
        }
        return changed;
    }

    private static int destroy(Path orders, SplittableRandom random) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(orders)) {
            files = s.sorted().toList();
        }
        int destroyed = 0;
        for (Path f : files) {
            double r = random.nextDouble();
            if (r < 0.30) {
                Files.delete(f);
                destroyed++;
            } else if (r < 0.40) {
                byte[] garbage = new byte[512];
                random.nextBytes(garbage);
                Files.write(f, garbage);
                destroyed++;
            }
        }
        return destroyed;
    }

    private static Map<String, String> checksums(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) {
                out.put(f.getFileName().toString(), sha256(Files.readAllBytes(f)));
            }
        }
        return out;
    }

    private static ProbeResult compare(Path orders, Map<String, String> expected) throws IOException {
        Map<String, String> actual = checksums(orders);
        int missing = 0;
        int damaged = 0;
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String got = actual.get(e.getKey());
            if (got == null) {
                missing++;
            } else if (!got.equals(e.getValue())) {
                damaged++;
            }
        }
        if (missing + damaged == 0) {
            return ProbeResult.up(expected.size() + " orders intact");
        }
        return new ProbeResult(HealthStatus.DOWN, missing + " of " + expected.size() + " orders missing, " + damaged
                + " damaged", Duration.ZERO);
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void step(String title) {
        stage++;
        out.println("[" + stage + "/6] " + title + " ...");
        out.flush();
    }

    private void detail(String text) {
        out.println("      " + text);
        out.flush();
    }

    private void done(String text) {
        passed.add(text);
        out.println("  ok  " + text);
        out.flush();
    }

    private void say(String text) {
        out.println(text);
        out.flush();
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }
}
