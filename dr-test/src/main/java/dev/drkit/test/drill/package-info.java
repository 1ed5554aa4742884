/**
 * Drills in tests: a manual clock, a fault-injecting store, AssertJ assertions on executions and audit logs, and a JUnit 5 extension that wires them together.
 */
@NullMarked
package dev.drkit.test.drill;

import org.jspecify.annotations.NullMarked;
