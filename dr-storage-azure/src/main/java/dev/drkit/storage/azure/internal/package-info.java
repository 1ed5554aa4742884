/**
 * Implementation of the Azure Blob store: requests, error mapping, leases, retries, circuit breaking and metrics.
 */
@NullMarked
package dev.drkit.storage.azure.internal;

import org.jspecify.annotations.NullMarked;
