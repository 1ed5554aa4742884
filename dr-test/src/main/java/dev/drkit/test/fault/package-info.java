/**
 * Network faults for store tests: {@link dev.drkit.test.fault.FaultProxy} sits between a client
 * and a real server on loopback and injects errors, delays and lost connections.
 */
@NullMarked
package dev.drkit.test.fault;

import org.jspecify.annotations.NullMarked;
