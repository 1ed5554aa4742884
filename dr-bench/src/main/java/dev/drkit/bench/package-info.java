/**
 * JMH benchmarks and comparison harnesses for DR Kit; built into {@code dr-bench/target/benchmarks.jar}, never run by the tests.
 */
@NullMarked
package dev.drkit.bench;

import org.jspecify.annotations.NullMarked;
