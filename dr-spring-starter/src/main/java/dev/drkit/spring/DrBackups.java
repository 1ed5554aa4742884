package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.core.backup.ScheduledBackups;
import dev.drkit.core.repository.BackupResult;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * The scheduled backups of {@code dr.backup.*}: the core's {@link ScheduledBackups}, started and
 * closed with the application context. What is read here (newest snapshot, age against the
 * RPO, last error) is what the health contributor, the endpoint and the meters show.
 *
 * <p>Thread-safe.
 */
public final class DrBackups implements SmartLifecycle {
    private final ScheduledBackups backups;
    private final @Nullable DrSettings settings;
    private volatile boolean running;

    /**
     * Wraps the backups.
     *
     * @param backups the configured service, not yet started
     * @param settings the settings whose sources are checked when the backups start, or null
     */
    public DrBackups(ScheduledBackups backups, @Nullable DrSettings settings) {
        this.backups = backups;
        this.settings = settings;
    }

    /**
     * Returns the core's service.
     *
     * @return the service
     */
    public ScheduledBackups backups() {
        return backups;
    }

    /**
     * Returns the repository the backups go to.
     *
     * @return the repository
     */
    public Repository repository() {
        return backups.repository();
    }

    /**
     * Returns the recovery point objective backups are measured against.
     *
     * @return the objective
     */
    public Duration rpo() {
        return backups.rpo();
    }

    /**
     * Backs up the configured sources now. Retention after it (and after later backups)
     * forgets it like any other unless it is tagged {@link ScheduledBackups#ON_DEMAND_TAG}, as the
     * endpoint's {@code backups/now} tags its backups: those stay until forgotten by hand.
     *
     * @param kind full or incremental
     * @param tags tags for the snapshot
     * @return the result
     * @throws DrException {@code ILLEGAL_STATE} when no sources are configured (set
     *     {@code dr.backup.sources}); whatever the repository throws
     */
    public BackupResult backupNow(BackupKind kind, String... tags) {
        return backups.backupNow(kind, tags);
    }

    /**
     * Returns the newest snapshot of the sources.
     *
     * @return the snapshot, or empty before the first backup
     */
    public Optional<Snapshot> latest() {
        return backups.latest();
    }

    /**
     * Returns when the newest successful backup was taken.
     *
     * @return the instant, or empty before the first backup
     */
    public Optional<Instant> lastSuccess() {
        return backups.lastSuccess();
    }

    /**
     * Returns the message of the last failed backup, cleared by the next success.
     *
     * @return the message, or empty
     */
    public Optional<String> lastError() {
        return backups.lastError();
    }

    /**
     * Returns how many entries the newest snapshot of this application's sources lacks because
     * its backup could not read them (a file or directory it had no permission to read); the
     * snapshot was saved and records the count, so it is still known after a restart.
     *
     * @return the count, 0 when there is no snapshot or it is complete
     */
    public long lastUnreadableCount() {
        return backups.lastUnreadableCount();
    }

    /**
     * Returns the age of the newest successful backup.
     *
     * @return the age, or empty before the first backup
     */
    public Optional<Duration> age() {
        return backups.age();
    }

    /**
     * Returns whether the newest backup is within the RPO (before the first one: whether the
     * application started less than the RPO ago).
     *
     * @return true while the objective holds
     */
    public boolean rpoMet() {
        return backups.rpoMet();
    }

    /**
     * Checks the sources, then schedules the backups.
     *
     * @throws DrException {@code INVALID_CONFIG} naming a source that does not exist or cannot be read
     */
    @Override
    public void start() {
        DrSettings s = settings;
        if (s != null) {
            s.checkSources();
        }
        backups.start();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        backups.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
