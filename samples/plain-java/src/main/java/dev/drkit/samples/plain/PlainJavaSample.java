package dev.drkit.samples.plain;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.recovery.ExecutionRequest;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.recovery.Steps;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.rollback.GuardedRelease;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * The essentials of DR Kit with {@code dr-core} alone: back up a directory, roll back a bad
 * release, run a recovery plan, verify the audit log. Run with a work directory as argument.
 */
public final class PlainJavaSample {
    private PlainJavaSample() {
    }

    /**
     * Runs the sample.
     *
     * @param args the work directory (default: a temporary one)
     * @throws Exception when a step fails
     */
    public static void main(String[] args) throws Exception {
        Path work = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("dr-plain-");
        Path data = Files.createDirectories(work.resolve("app/data"));
        Files.writeString(data.resolve("accounts.csv"), "alice,100\nbob,250\n");

        try (AuditLog audit = AuditLog.file(work.resolve("audit.jsonl"));
                SnapshotStore store = SnapshotStores.open("file:" + work.resolve("repository"));
                Repository repo = Repository.openOrInit(store, "sample-password".toCharArray(),
                        RepositoryOptions.builder().audit(audit).build());
                RecoveryExecutor executor = RecoveryExecutor.builder().audit(audit).build()) {

            // 1. Back up a directory: a consistent, deduplicated, encrypted snapshot.
            var backup = repo.backup(BackupRequest.of(DirectorySource.of("data", data)));
            System.out.println("backed up " + backup.snapshot().files() + " files as " + backup.snapshot().shortId()
                    + " (" + repo.snapshots().size() + " snapshots in the repository)");

            // 2. Roll out a release that fails; the guard's judge rolls it back by itself.
            try (GuardedRelease<IntUnaryOperator> fees = GuardedRelease.<IntUnaryOperator>builder("fees")
                    .stable("v1", amount -> amount / 100)
                    .candidate("v2", () -> amount -> { throw new IllegalStateException("v2 bug"); })
                    .auditSink(audit)
                    .build()) {
                for (int i = 0; i < 2_000 && fees.lastRollback().isEmpty(); i++) {
                    try {
                        fees.call("customer-" + i, f -> f.applyAsInt(10_000));
                    } catch (IllegalStateException expected) {
                        // the candidate's failures are what the judge counts
                    }
                }
                System.out.println("guard fees is " + fees.state() + ": "
                        + fees.lastRollback().map(r -> r.verdict().reason()).orElse("no rollback"));
            }

            // 3. Lose the data, then recover it with a plan measured against its objectives.
            Files.delete(data.resolve("accounts.csv"));
            Plan plan = Plan.builder("restore-data")
                    .objectives(Duration.ofMinutes(5), Duration.ofHours(1))
                    .step("restore", Steps.restore("the data", ctx -> {
                        repo.restore("latest", data.getParent(), RestoreOptions.all());
                        return repo.snapshot("latest").time();
                    }))
                    .build();
            ExecutionResult result = executor.run(plan, ExecutionRequest.live(), Duration.ofMinutes(1));
            System.out.println("plan " + result.status() + ", RTO " + result.achievedRto().orElseThrow()
                    + " (met: " + result.rtoMet() + "), accounts: " + Files.readString(data.resolve("accounts.csv"))
                    .lines().count() + " lines");

            // 4. Every step above is in the hash-chained audit log.
            System.out.println("audit log intact: " + audit.verify().intact());
        }
    }
}
