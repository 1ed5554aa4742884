/**
 * The {@code s3://bucket/prefix} {@link dev.drkit.api.store.SnapshotStore} on the AWS SDK v2, for Amazon S3 and S3-compatible servers.
 */
@NullMarked
package dev.drkit.storage.s3;

import org.jspecify.annotations.NullMarked;
