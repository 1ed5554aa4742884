/**
 * The backup repository: deduplicated, compressed and encrypted snapshots in any {@link dev.drkit.api.store.SnapshotStore}, opened with {@link dev.drkit.core.repository.Repository}.
 */
@NullMarked
package dev.drkit.core.repository;

import org.jspecify.annotations.NullMarked;
