package dev.drkit.spring.actuate;

import dev.drkit.spring.DrBackups;
import dev.drkit.spring.DrReplication;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of the secondary repository of {@code dr.replication.uri}: UP while it is open and
 * the last backup reached it; DEGRADED (HTTP 200: the primary still takes every backup) while
 * it is still being opened in the background, when it answered with a configuration error, or
 * when copying the last backup to it failed. The details are those of {@code GET /actuator/dr}'s
 * {@code replication} section, with {@code lastBackupCopyError} when the last copy failed.
 */
public final class ReplicationHealthIndicator implements HealthIndicator {
    /** The status while the secondary does not receive the backups. */
    public static final Status DEGRADED = new Status("DEGRADED", "the secondary repository does not receive the backups");

    private final DrReplication replication;
    private final @Nullable DrBackups backups;

    /**
     * Creates the indicator.
     *
     * @param replication the secondary to report on
     * @param backups the backups copied to it, when there are any
     */
    public ReplicationHealthIndicator(DrReplication replication, @Nullable DrBackups backups) {
        this.replication = replication;
        this.backups = backups;
    }

    @Override
    public Health health() {
        Optional<String> copyError = backups == null ? Optional.empty() : backups.backups().lastReplicationError();
        boolean up = replication.state() == DrReplication.State.OPEN && copyError.isEmpty();
        Health.Builder b = up ? Health.up() : Health.status(DEGRADED);
        b.withDetails(replication.sectionView());
        copyError.ifPresent(e -> b.withDetail("lastBackupCopyError", e));
        return b.build();
    }
}
