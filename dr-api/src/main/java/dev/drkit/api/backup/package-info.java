/**
 * What a backup captures and how long it is kept: {@link dev.drkit.api.backup.SnapshotSource}s, the {@link dev.drkit.api.backup.BackupStrategy} that picks full or incremental runs, the {@link dev.drkit.api.backup.RetentionPolicy}, and the {@link dev.drkit.api.backup.RestoreValidator}s that check a restore test.
 */
@NullMarked
package dev.drkit.api.backup;

import org.jspecify.annotations.NullMarked;
