package dev.drkit.core.repository;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.journal.ChangeFeed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one or more secondary repositories, typically in other regions or clouds, in step
 * with a primary: every snapshot of the primary is copied to each secondary, and a restore
 * falls back to the secondaries when the primary cannot be reached.
 *
 * <pre>{@code
 * Replication replication = Replication.of(primary, offsite);
 * replication.backup(BackupRequest.of(DirectorySource.of("app", dir)));  // backs up, then copies
 * replication.restore("latest", target, RestoreOptions.all());          // primary, else offsite
 * }</pre>
 *
 * <p>The repositories stay owned by the caller, who closes them. Thread-safe as far as the
 * repositories are; replicating to one secondary twice at once is safe but wasteful.
 */
public final class Replication {
    private static final Logger LOG = LoggerFactory.getLogger(Replication.class);
    /** Failures that mean "cannot reach", after which a secondary is tried. */
    private static final Set<ErrorCode> UNREACHABLE = Set.of(ErrorCode.UNAVAILABLE, ErrorCode.IO_FAILURE,
            ErrorCode.TIMEOUT);

    /**
     * How replicating to one secondary went.
     *
     * @param secondary the secondary's position in {@link #secondaries()}
     * @param result what was copied, or {@code null} when the copy failed
     * @param error why the copy failed, or {@code null}
     */
    public record Outcome(int secondary, @Nullable CopyResult result, @Nullable DrException error) {
        /** Tells whether the copy succeeded. @return true when it did */
        public boolean ok() {
            return error == null;
        }
    }

    /**
     * A backup of the primary and its replication.
     *
     * @param backup the primary's backup
     * @param replicas one outcome per secondary, in order
     */
    public record Replicated(BackupResult backup, List<Outcome> replicas) {
        /** Copies the list. */
        public Replicated {
            replicas = List.copyOf(replicas);
        }
    }

    private final Repository primary;
    private final List<Repository> secondaries;

    private Replication(Repository primary, List<Repository> secondaries) {
        this.primary = primary;
        this.secondaries = secondaries;
    }

    /**
     * Creates a replication policy.
     *
     * @param primary the repository backups go to
     * @param secondaries the repositories that receive copies, in fallback order
     * @return the policy
     * @throws DrException {@code INVALID_ARGUMENT} when there is no secondary or the primary
     *     is listed as one
     */
    public static Replication of(Repository primary, Repository... secondaries) {
        return of(primary, List.of(secondaries));
    }

    /**
     * Creates a replication policy.
     *
     * @param primary the repository backups go to
     * @param secondaries the repositories that receive copies, in fallback order
     * @return the policy
     * @throws DrException {@code INVALID_ARGUMENT} when there is no secondary or the primary
     *     is listed as one
     */
    public static Replication of(Repository primary, List<Repository> secondaries) {
        Objects.requireNonNull(primary, "primary");
        if (secondaries.isEmpty()) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "A replication needs at least one secondary",
                    "secondaries");
        }
        if (secondaries.contains(primary)) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "The primary cannot be its own secondary",
                    "secondaries");
        }
        return new Replication(primary, List.copyOf(secondaries));
    }

    /** Returns the primary. @return the primary repository */
    public Repository primary() {
        return primary;
    }

    /** Returns the secondaries in fallback order. @return the secondary repositories */
    public List<Repository> secondaries() {
        return secondaries;
    }

    /**
     * Backs up into the primary, then copies every snapshot the secondaries lack to each of
     * them; a secondary that fails is reported in the outcome and caught up next time.
     *
     * @param request the backup request
     * @return the backup and one outcome per secondary
     * @throws DrException as {@link Repository#backup(BackupRequest)} when the backup fails
     *     (nothing is replicated then)
     */
    public Replicated backup(BackupRequest request) {
        BackupResult backup = primary.backup(request);
        return new Replicated(backup, replicateNew());
    }

    /**
     * Copies every snapshot of the primary that a secondary lacks to that secondary; one
     * failing secondary does not stop the others.
     *
     * @return one outcome per secondary, in order
     * @throws DrException when the primary's snapshots cannot be listed
     */
    public List<Outcome> replicateNew() {
        List<Outcome> outcomes = new ArrayList<>(secondaries.size());
        for (int i = 0; i < secondaries.size(); i++) {
            try {
                outcomes.add(new Outcome(i, primary.copyTo(secondaries.get(i), List.of()), null));
            } catch (DrException e) {
                LOG.warn("Replicating to secondary {} failed; it is caught up next time: {}", i, e.getMessage());
                outcomes.add(new Outcome(i, null, e));
            }
        }
        return outcomes;
    }

    /**
     * Starts continuous protection of a feed's source in the primary, as
     * {@link Repository#journal(ChangeFeed, JournalOptions)} does, and ships each journal
     * segment to every secondary as soon as it is durable in the primary: the secondaries lag
     * by the time one shipment takes, not until the next copy. Each secondary gets the base
     * snapshot first when it lacks it, and after a compaction the old chain's last segments
     * before the new base. A secondary that cannot be reached only falls behind
     * ({@link Journal#replicas()}); a failed shipment is retried after a second, then at doubling
     * intervals up to 32 s, and by each commit.
     *
     * <pre>{@code
     * try (Journal journal = replication.journal(RecordFeed.named("outbox"), JournalOptions.DEFAULT)) {
     *     ...
     * }
     * offsite.restore(Instant.parse("2026-12-04T10:15:30Z"), target, RestoreOptions.all());
     * }</pre>
     *
     * @param feed the feed; its name is the source's
     * @param journalOptions flush and compaction
     * @return the running journal, which the caller closes
     * @throws DrException as {@link Repository#journal(ChangeFeed, JournalOptions)}
     */
    public Journal journal(ChangeFeed feed, JournalOptions journalOptions) {
        Objects.requireNonNull(feed, "feed");
        Objects.requireNonNull(journalOptions, "journalOptions");
        return primary.replicatedJournal(feed, journalOptions, secondaries);
    }

    /**
     * Restores from the primary, or, when the primary cannot be reached ({@code UNAVAILABLE},
     * {@code IO_FAILURE} or {@code TIMEOUT}), from the first secondary that can. Files are
     * moved into place only when complete, so a restore that falls back mid-way finishes
     * cleanly.
     *
     * @param snapshotId the snapshot's id, unique prefix or {@code latest} (resolved in the
     *     repository that serves the restore)
     * @param target the directory to restore into
     * @param restoreOptions what to restore
     * @return what was restored
     * @throws DrException the primary's failure, with the secondaries' as suppressed ones, when
     *     none can be reached; any other failure (such as {@code NOT_FOUND} or
     *     {@code INTEGRITY}) at once, and so an {@code IO_FAILURE} while the repository that
     *     failed still answers (the target's, such as a full disk: a secondary would not help)
     */
    public RestoreResult restore(String snapshotId, Path target, RestoreOptions restoreOptions) {
        DrException first;
        try {
            return primary.restore(snapshotId, target, restoreOptions);
        } catch (DrException e) {
            // An IO failure of the target (a full disk, a file in the way) is not the primary's:
            // a secondary would meet it too, so it is reported as it is when the primary answers.
            if (!UNREACHABLE.contains(e.code()) || primary.storeAnswers()) {
                throw e;
            }
            first = e;
        }
        LOG.warn("The primary repository is unreachable ({}); restoring from a secondary", first.getMessage());
        for (int i = 0; i < secondaries.size(); i++) {
            try {
                return secondaries.get(i).restore(snapshotId, target, restoreOptions);
            } catch (DrException e) {
                if (!UNREACHABLE.contains(e.code()) || secondaries.get(i).storeAnswers()) {
                    throw e;
                }
                LOG.warn("Secondary {} is unreachable too: {}", i, e.getMessage());
                first.addSuppressed(e);
            }
        }
        throw first;
    }
}
