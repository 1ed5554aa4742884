/**
 * Implementation of the S3 store: requests, error mapping, retries, circuit breaking and metrics.
 */
@NullMarked
package dev.drkit.storage.s3.internal;

import org.jspecify.annotations.NullMarked;
