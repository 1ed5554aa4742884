/**
 * What the remote stores (S3, Azure Blob) have in common: {@link
 * dev.drkit.core.store.remote.RemoteStoreSettings} (timeouts, attempts, backoff, circuit breaker,
 * upload concurrency, metrics), the {@link dev.drkit.core.store.remote.RemoteStoreBuilder} each
 * store's configuration builder extends, and {@link dev.drkit.core.store.remote.RemoteStoreUri},
 * which reads a store URI and its options with errors that name the option and the value.
 */
@NullMarked
package dev.drkit.core.store.remote;

import org.jspecify.annotations.NullMarked;
