/**
 * Contracts for remote stores against their real servers: {@link dev.drkit.test.store.StoreFaultContract}
 * and {@link dev.drkit.test.store.RepositoryEndToEndContract}. The plain store contract lives in
 * {@code dr-test-kit} as {@link dev.drkit.testkit.store.SnapshotStoreContract}.
 */
@NullMarked
package dev.drkit.test.store;

import org.jspecify.annotations.NullMarked;
