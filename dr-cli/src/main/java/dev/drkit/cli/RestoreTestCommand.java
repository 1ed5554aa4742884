package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.backup.RestoreTestResult;
import dev.drkit.core.backup.RestoreTests;
import dev.drkit.core.backup.RestoreValidators;
import dev.drkit.core.config.DurationText;
import dev.drkit.core.report.Durations;
import dev.drkit.core.repository.Repository;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dr restore-test}: restores the latest (or a sampled, or a named) snapshot into a
 * sandbox, runs the validators given as options, prints the restore time as the projected
 * RTO, records the test in the audit log and deletes the sandbox. Exit 0 when it passed, 1
 * when it did not.
 */
@Command(name = "restore-test", mixinStandardHelpOptions = true,
        description = "Restore a snapshot into a sandbox and validate it: row counts, checksums, a smoke command. "
                + "The restore time is the projected RTO. Exit 1 when the test fails.")
final class RestoreTestCommand extends RepositoryCommand {
    @Option(names = "--snapshot", paramLabel = "ID", description = "Test this snapshot (default: the latest).")
    @Nullable String snapshot;

    @Option(names = "--sample", description = "Test a snapshot drawn at random instead of the latest.")
    boolean sample;

    @Option(names = "--seed", description = "Seed of --sample (default: random).")
    @Nullable Long seed;

    @Option(names = "--sandbox", paramLabel = "DIR",
            description = "Restore under DIR, never into live data (default: dr-restore-tests in the temporary directory).")
    @Nullable Path sandbox;

    @Option(names = "--rows", paramLabel = "FILE=MIN",
            description = "Pass when the restored FILE (source/path, a header line not counted) has at least MIN rows "
                    + "(repeatable).")
    List<String> rows = new ArrayList<>();

    @Option(names = "--checksums", paramLabel = "FILE",
            description = "Check restored files against a sha256sum file among them, such as orders/SHA256SUMS (repeatable).")
    List<String> checksums = new ArrayList<>();

    @Option(names = "--smoke", paramLabel = "COMMAND",
            description = "Run a shell command in the sandbox (DR_RESTORE_DIR, DR_SNAPSHOT set); pass on exit 0 "
                    + "(repeatable).")
    List<String> smoke = new ArrayList<>();

    @Option(names = "--smoke-timeout", paramLabel = "DURATION", defaultValue = "5m",
            description = "How long a smoke command may run: " + DurationText.FORMS + " (default: ${DEFAULT-VALUE}).")
    Duration smokeTimeout;

    @Option(names = "--audit", paramLabel = "FILE", description = "Append the test's result to this audit log.")
    @Nullable Path audit;

    @Option(names = "--key-file", paramLabel = "K", description = "The HMAC key of a keyed --audit log: the record "
            + "appended is keyed with it, and a log written without it is refused (exit 3).")
    @Nullable Path keyFile;

    /** A restored file and the fewest rows it must have, from {@code --rows FILE=MIN}. */
    private record RowMinimum(String file, long min) {
    }

    /** The --rows checks, parsed by {@link #check()}. */
    private final List<RowMinimum> rowMinimums = new ArrayList<>();

    @Override
    void check() {
        if (sample && snapshot != null) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--sample draws a snapshot; --snapshot names one",
                    "--sample");
        }
        if (keyFile != null && audit == null) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--key-file keys the --audit log; give --audit too",
                    "--key-file");
        }
        rowMinimums.clear();
        for (String r : rows) {
            int eq = r.lastIndexOf('=');
            long min;
            try {
                min = eq < 1 ? -1 : Long.parseLong(r.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                min = -1;
            }
            if (min < 0) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "--rows must be FILE=MIN with MIN >= 0, but was '"
                        + r + "'", "--rows");
            }
            rowMinimums.add(new RowMinimum(r.substring(0, eq), min));
        }
    }

    @Override
    int run(SnapshotStore store) {
        try (Repository repo = open(store); AuditLog log = audit == null ? null : AuditKeyFile.openForAppend(audit, keyFile)) {
            RestoreTests.Builder b = RestoreTests.builder(repo).actor(actor());
            if (sandbox != null) {
                b.sandbox(sandbox);
            }
            if (sample) {
                b.sample(new SplittableRandom(seed != null ? seed : System.nanoTime()));
            }
            if (log != null) {
                b.audit(log);
            }
            for (RowMinimum r : rowMinimums) {
                b.validator(RestoreValidators.rowCount(r.file(), 1, r.min()));
            }
            checksums.forEach(c -> b.validator(RestoreValidators.sha256Sums(c)));
            for (int i = 0; i < smoke.size(); i++) {
                b.validator(RestoreValidators.command("smoke" + (smoke.size() == 1 ? "" : "-" + (i + 1)),
                        List.of("sh", "-c", smoke.get(i)), smokeTimeout));
            }
            progress("restore test of " + (snapshot != null ? "snapshot " + snapshot : sample ? "a sampled snapshot"
                    : "the latest snapshot") + " ...");
            RestoreTests tests = b.build();
            RestoreTestResult r = snapshot != null ? tests.runNow(snapshot) : tests.runNow();
            if (json) {
                CliJson.print(out(), r);
            } else {
                print(r);
            }
            return r.passed() ? DrCommand.EXIT_OK : DrCommand.EXIT_FAILED;
        }
    }

    private String actor() {
        String user = System.getenv("USER");
        return user == null || user.isBlank() ? "restore-test" : user;
    }

    private void print(RestoreTestResult r) {
        if (r.snapshotId() != null) {
            out().printf("restore test of snapshot %s (captured %s): %s, %s restored in %s (projected RTO)%n",
                    r.snapshotId().substring(0, Math.min(8, r.snapshotId().length())), r.snapshotTime(), Counts.of(r.files(), "file"),
                    size(r.bytes()), Durations.human(r.restoreTime()));
        }
        for (RestoreTestResult.Check c : r.checks()) {
            out().printf("  %s %s: %s%n", c.passed() ? "ok    " : "FAILED", TerminalText.escape(c.validator()),
                    TerminalText.escape(c.detail()));
        }
        out().println(r.passed() ? "restore test passed" : "restore test FAILED: " + TerminalText.escape(String.valueOf(r.reason())));
        out().flush();
    }
}
