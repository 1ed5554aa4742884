/**
 * Ready-made {@link dev.drkit.api.backup.SnapshotSource}s: a directory tree and a single stream.
 */
@NullMarked
package dev.drkit.core.source;

import org.jspecify.annotations.NullMarked;
