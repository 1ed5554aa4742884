package dev.drkit.core.repository;

import java.util.List;

/**
 * What {@link Repository#forget} kept and removed.
 *
 * @param kept snapshots the policy keeps, newest first
 * @param removed snapshots removed (or that would be, in a dry run), newest first
 * @param dryRun whether nothing was deleted
 */
public record ForgetResult(List<Snapshot> kept, List<Snapshot> removed, boolean dryRun) {
    /** Copies the lists. */
    public ForgetResult {
        kept = List.copyOf(kept);
        removed = List.copyOf(removed);
    }
}
