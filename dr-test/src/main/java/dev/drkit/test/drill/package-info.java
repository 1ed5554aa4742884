/**
 * Drills in tests: AssertJ assertions on executions and audit logs, and a JUnit Jupiter extension
 * that wires a recovery executor, an audit log and an incident manager to a
 * {@link dev.drkit.testkit.ManualClock} and an in-memory store. Fault injection is
 * {@link dev.drkit.testkit.store.FaultInjectingStore} in {@code dr-test-kit}.
 */
@NullMarked
package dev.drkit.test.drill;

import org.jspecify.annotations.NullMarked;
