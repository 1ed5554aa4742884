/**
 * The tamper-evident audit log: hash-chained JSON lines in a file or a {@code SnapshotStore}, with digests, filters and verification.
 */
@NullMarked
package dev.drkit.core.audit;

import org.jspecify.annotations.NullMarked;
