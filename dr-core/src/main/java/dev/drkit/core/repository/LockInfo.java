package dev.drkit.core.repository;

import java.time.Instant;
import java.util.Objects;

/**
 * A lock in the repository, as its holder wrote it: who holds it, on which host and process,
 * whether others are kept out, and until when it holds without a refresh.
 *
 * <p>A holder refreshes its lock every ten minutes to thirty minutes ahead; a lock past its
 * {@code expires} time belongs to a process that stopped refreshing it and blocks nobody.
 *
 * <p>A running journal holds its source's writer lock, {@code journal-locks/<source>}, which
 * keeps out only other journals of that source (it reads as shared) and is refreshed every
 * minute five minutes ahead; the next journal of the source takes over one past its expiry.
 *
 * @param key the lock's store key, {@code locks/<id>}, or {@code journal-locks/<source>} for a
 *     journal's writer lock
 * @param owner the actor that took it
 * @param host the host name of the process that took it (see {@link RepositoryOptions#host()})
 * @param pid the process id on that host
 * @param exclusive whether it keeps every other lock out (prune, forget, repair) or only exclusive ones
 * @param expires when it stops holding unless refreshed
 * @param state whether it still holds and, if not, why
 */
public record LockInfo(String key, String owner, String host, long pid, boolean exclusive, Instant expires,
        State state) {
    /** The key prefix of journal writer locks: {@code journal-locks/<source>}. */
    public static final String JOURNAL_WRITER_PREFIX = "journal-locks/";

    /** Whether a lock still holds and, if not, why. */
    public enum State {
        /** Not expired, and not known to be orphaned: it blocks as its kind says. */
        LIVE,
        /** Past its expiry time: its holder stopped refreshing it. */
        EXPIRED,
        /**
         * Not expired, but taken on this host (the same host name as the repository's options)
         * by a process that no longer runs here.
         */
        PROCESS_GONE,
        /**
         * Its content cannot be read (cut short, not a lock): it blocks nobody, and its owner,
         * host, pid and expiry are empty, empty, 0 and the epoch.
         */
        UNREADABLE
    }

    /**
     * Tells whether this is a journal's writer lock, {@code journal-locks/<source>}, which keeps
     * out only other journals of its source and expires five minutes after its last refresh,
     * rather than a repository lock, {@code locks/<id>}, which expires after thirty.
     *
     * @return true for a journal writer lock
     */
    public boolean journalWriter() {
        return key.startsWith(JOURNAL_WRITER_PREFIX);
    }

    /**
     * Checks the fields.
     *
     * @throws NullPointerException when a field is null
     */
    public LockInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(state, "state");
    }
}
