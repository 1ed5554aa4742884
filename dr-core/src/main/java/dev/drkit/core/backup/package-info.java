/**
 * Scheduled backups for plain Java and the Spring starter alike: {@link
 * dev.drkit.core.backup.ScheduledBackups} runs full or incremental backups as a {@link
 * dev.drkit.api.backup.BackupStrategy} chooses, on a {@link dev.drkit.core.backup.BackupSchedule},
 * applies retention after each, and measures the newest backup against the recovery point
 * objective.
 */
@NullMarked
package dev.drkit.core.backup;

import org.jspecify.annotations.NullMarked;
