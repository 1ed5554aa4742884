package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.audit.AuditSink;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.CopyResult;
import dev.drkit.core.repository.Replication;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.store.SnapshotStores;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secondary repository of {@code dr.replication.*}, which the core's {@link Replication}
 * keeps in step with the starter's repository: each backup that repository commits is copied
 * to the secondary before the backup returns, and each journal of continuous protection ships
 * its segments to it as soon as they are durable.
 *
 * <p>The core's {@code ScheduledBackups} has no hook that runs after a backup; the repository
 * reports every backup to its audit sink, so the starter hands the repository a sink that
 * passes each event on to the audit log and copies after each successful backup. A copy that
 * fails is logged and leaves the backup standing; the next backup copies what the secondary
 * lacks. The secondary keeps every snapshot it receives: the starter's retention forgets only
 * in the primary.
 *
 * <p>Thread-safe as far as the repositories are.
 */
public final class DrReplication implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DrReplication.class);
    /** The action of the audit event a repository emits for each backup. */
    private static final String BACKUP_ACTION = "backup";

    private final SnapshotStore store;
    private final Repository secondary;
    private final String target;
    private volatile @Nullable Replication replication;

    private DrReplication(SnapshotStore store, Repository secondary, String target) {
        this.store = store;
        this.secondary = secondary;
        this.target = target;
    }

    /**
     * Opens the secondary of {@code dr.replication.uri}, creating it first when
     * {@code dr.replication.init-if-missing} is set and its store holds none.
     *
     * @param settings the {@code dr.*} settings
     * @return the secondary, closed (with its store) by {@link #close()}
     * @throws DrException {@code INVALID_CONFIG} naming {@code dr.replication.uri} when it is no
     *     usable store URI or names the repository's own store; {@code NOT_FOUND} naming it when
     *     the store holds no repository and none may be created; {@code WRONG_PASSWORD} saying
     *     where the password came from; a store failure otherwise
     */
    public static DrReplication open(DrSettings settings) {
        String uri = Objects.requireNonNull(settings.properties().replication().uri(), "dr.replication.uri");
        String redacted = RedactedUri.of(uri);
        SnapshotStore store;
        try {
            store = SnapshotStores.open(uri);
        } catch (DrException e) {
            if (e.code() != ErrorCode.INVALID_ARGUMENT && e.code() != ErrorCode.INVALID_CONFIG
                    && e.code() != ErrorCode.UNKNOWN_SCHEME) {
                throw e;
            }
            throw new DrException(ErrorCode.INVALID_CONFIG, "dr.replication.uri is not a usable store URI: "
                    + e.getMessage() + settings.at("dr.replication.uri"), "dr.replication.uri=" + redacted, e);
        }
        try {
            return new DrReplication(store, openRepository(store, settings), redacted);
        } catch (RuntimeException e) {
            closeQuietly(store);
            throw e;
        }
    }

    private static Repository openRepository(SnapshotStore store, DrSettings settings) {
        RepositoryOptions.Builder options = RepositoryOptions.builder().actor("dr-spring");
        DrSettings.Password password = settings.replicationPassword();
        try {
            return Repository.open(store, password.chars(), options.build());
        } catch (DrException e) {
            if (e.code() == ErrorCode.WRONG_PASSWORD) {
                throw new DrException(ErrorCode.WRONG_PASSWORD, "dr.replication.uri: " + e.getMessage()
                        + " (the password came from " + password.source() + ")", "dr.replication.password", e);
            }
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            if (!settings.properties().replication().initIfMissing()) {
                throw new DrException(ErrorCode.NOT_FOUND, "dr.replication.uri: " + e.getMessage() + "; create it "
                        + "with 'dr init' or set dr.replication.init-if-missing=true"
                        + settings.at("dr.replication.uri"), "dr.replication.uri", e);
            }
            Repository created = Repository.init(store, password.chars(), options.kdf(settings.kdf()).build());
            LOG.info("DR Kit created a new secondary repository {} in {} (dr.replication.init-if-missing=true)",
                    created.id(), store.describe());
            return created;
        } finally {
            Arrays.fill(password.chars(), '\0');
        }
    }

    /**
     * Returns the secondary repository.
     *
     * @return the repository, open until this is closed
     */
    public Repository secondary() {
        return secondary;
    }

    /**
     * Returns the secondary's store URI with its credentials redacted, for messages and views.
     *
     * @return the URI
     */
    public String target() {
        return target;
    }

    /**
     * Returns the replication of a primary repository to this secondary.
     *
     * @param primary the primary
     * @return the replication
     * @throws DrException {@code INVALID_CONFIG} naming {@code dr.replication.uri} when the
     *     secondary is the primary (the same repository id)
     */
    public Replication of(Repository primary) {
        if (primary == secondary || primary.id().equals(secondary.id())) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "dr.replication.uri names the repository " + primary.id()
                    + " that is replicated itself (" + store.describe() + "); give another store",
                    "dr.replication.uri=" + target);
        }
        return Replication.of(primary, List.of(secondary));
    }

    /**
     * Returns an audit sink that passes every event on and, after each backup a repository
     * committed, copies what the secondary lacks from the repository {@link #bind bound} to it.
     *
     * @param next the sink that receives every event, or null for none
     * @return the sink to give the primary repository
     */
    AuditSink copyingAfterBackups(@Nullable AuditSink next) {
        return new CopyAfterBackup(next);
    }

    /**
     * Makes the primary whose backups {@link #copyingAfterBackups} copies.
     *
     * @param primary the repository opened with that sink
     * @throws DrException as {@link #of(Repository)}
     */
    void bind(Repository primary) {
        this.replication = of(primary);
    }

    /**
     * Tells whether the backups of a repository are copied to this secondary.
     *
     * @param primary the repository
     * @return true when it was {@link #bind bound}
     */
    boolean copiesBackupsOf(Repository primary) {
        Replication r = replication;
        return r != null && r.primary() == primary;
    }

    private void copyNew() {
        Replication r = replication;
        if (r == null) {
            return;
        }
        try {
            for (Replication.Outcome o : r.replicateNew()) {
                CopyResult copied = o.result();
                if (copied != null && !copied.copied().isEmpty()) {
                    // DEBUG: with PostgreSQL streaming, a copy follows every stored piece of WAL.
                    LOG.debug("DR copied {} snapshot(s) to the secondary {}", copied.copied().size(), target);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Copying the backups to the secondary {} failed; the next backup copies what it lacks: {}",
                    target, e.getMessage());
        }
    }

    /** Closes the secondary repository and its store. */
    @Override
    public void close() {
        try {
            secondary.close();
        } finally {
            closeQuietly(store);
        }
    }

    private static void closeQuietly(SnapshotStore store) {
        try {
            store.close();
        } catch (Exception e) {
            LOG.warn("Closing the secondary store failed: {}", e.toString());
        }
    }

    /** Passes events on, then copies after each successful backup. */
    private final class CopyAfterBackup implements AuditSink {
        private final @Nullable AuditSink next;

        CopyAfterBackup(@Nullable AuditSink next) {
            this.next = next;
        }

        @Override
        public void append(AuditEvent event) {
            try {
                if (next != null) {
                    next.append(event);
                }
            } finally {
                if (BACKUP_ACTION.equals(event.action()) && event.outcome() == AuditOutcome.SUCCESS) {
                    copyNew();
                }
            }
        }
    }
}
