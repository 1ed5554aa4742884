/**
 * DR Kit's test kit on {@code dr-api} alone: a {@link dev.drkit.testkit.ManualClock} and
 * {@link dev.drkit.testkit.PropertyTests}; the store contract and test stores are in
 * {@link dev.drkit.testkit.store}. Usable by {@code dr-core}'s own tests and by plugins.
 */
@NullMarked
package dev.drkit.testkit;

import org.jspecify.annotations.NullMarked;
