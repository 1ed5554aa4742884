package dev.drkit.core.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one restore test: which snapshot was restored into the sandbox, how long the
 * restore took (the RTO a real restore of it would need, projected), and what each validator
 * found.
 *
 * @param snapshotId the snapshot restored, or {@code null} when none could be chosen
 * @param snapshotTime when the snapshot's data was captured, or {@code null}
 * @param startedAt when the test started
 * @param restoreTime how long the restore took: the projected RTO; zero when it did not finish
 * @param files how many files were restored
 * @param bytes how many bytes were restored
 * @param checks what each validator found, in the order they ran
 * @param passed whether the restore succeeded and every validator passed
 * @param reason why it failed (the first failure, with the validator's name), or empty
 */
public record RestoreTestResult(@Nullable String snapshotId, @Nullable Instant snapshotTime, Instant startedAt,
        Duration restoreTime, long files, long bytes, List<Check> checks, boolean passed, String reason) {
    /** Checks the fields and copies the checks. */
    public RestoreTestResult {
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(restoreTime, "restoreTime");
        Objects.requireNonNull(reason, "reason");
        checks = List.copyOf(checks);
    }

    /**
     * What one validator found.
     *
     * @param validator the validator's name
     * @param passed whether it passed
     * @param detail what it said, or the message of what it threw
     */
    public record Check(String validator, boolean passed, String detail) {
        /** Checks the fields. */
        public Check {
            Objects.requireNonNull(validator, "validator");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
