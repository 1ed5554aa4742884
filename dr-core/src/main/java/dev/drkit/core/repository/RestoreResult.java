package dev.drkit.core.repository;

import java.time.Duration;

/**
 * What a restore did.
 *
 * @param files files written
 * @param directories directories created or updated
 * @param symlinks symbolic links created
 * @param skipped existing files left alone
 * @param bytes content bytes written
 * @param duration wall time
 */
public record RestoreResult(long files, long directories, long symlinks, long skipped, long bytes, Duration duration) {
}
