package dev.drkit.spring.actuate;

import dev.drkit.core.repository.Snapshot;
import dev.drkit.spring.DrBackups;
import java.time.Duration;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of the backups: DOWN when the newest successful backup is older than the recovery
 * point objective ({@code dr.backup.rpo}), or when there is none and the application has run
 * longer than the objective; {@code DEGRADED} (HTTP 200) while the objective still holds but the
 * last backup or its retention failed (the detail {@code lastError} says why), so that a
 * repository that stopped taking backups shows before the objective is missed; UP otherwise. A backup that left out entries it could not read
 * still counts as a backup: the detail {@code lastBackupUnreadable} gives how many it left out.
 */
public final class BackupsHealthIndicator implements HealthIndicator {
    /** The last backup failed while the recovery point objective still holds. */
    public static final Status DEGRADED = new Status("DEGRADED", "the last backup failed; the objective still holds");

    private final DrBackups backups;

    /**
     * Creates the indicator.
     *
     * @param backups the backups to report on
     */
    public BackupsHealthIndicator(DrBackups backups) {
        this.backups = backups;
    }

    @Override
    public Health health() {
        Health.Builder b = !backups.rpoMet() ? Health.down()
                : backups.lastError().isPresent() ? Health.status(DEGRADED) : Health.up();
        b.withDetail("rpo", backups.rpo().toString());
        Optional<Snapshot> latest = backups.latest();
        Optional<Duration> age = backups.age();
        if (latest.isPresent() && age.isPresent()) {
            b.withDetail("lastSnapshot", latest.get().shortId())
                    .withDetail("lastBackupAt", latest.get().time().toString())
                    .withDetail("age", age.get().withNanos(0).toString());
        } else {
            b.withDetail("lastSnapshot", "none yet").withDetail("startedAt", backups.backups().startedAt().toString());
        }
        long unreadable = backups.lastUnreadableCount();
        if (unreadable > 0) {
            b.withDetail("lastBackupUnreadable", unreadable);
        }
        backups.lastError().ifPresent(e -> b.withDetail("lastError", e));
        return b.build();
    }
}
