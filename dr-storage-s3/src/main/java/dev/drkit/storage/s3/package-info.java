/**
 * The {@code s3://bucket/prefix} {@link dev.drkit.api.store.SnapshotStore} on the AWS SDK v2: conditional writes, multipart uploads, retries and a circuit breaker around transient failures.
 */
@NullMarked
package dev.drkit.storage.s3;

import org.jspecify.annotations.NullMarked;
