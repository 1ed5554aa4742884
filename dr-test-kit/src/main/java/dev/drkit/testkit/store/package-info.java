/**
 * The {@link dev.drkit.api.store.SnapshotStore} contract suite
 * ({@link dev.drkit.testkit.store.SnapshotStoreContract}: subclass it and say how to make a
 * fresh store), a {@link dev.drkit.testkit.store.FaultInjectingStore} wrapper, a
 * {@link dev.drkit.testkit.store.CrashingStore} whose process stops at a chosen mutation, and an
 * {@link dev.drkit.testkit.store.InMemoryStore} whose objects and calls a test can inspect.
 */
@NullMarked
package dev.drkit.testkit.store;

import org.jspecify.annotations.NullMarked;
