/**
 * JMH benchmarks of DR Kit: guard overhead, rollback switch time, and comparison harnesses.
 */
@NullMarked
package dev.drkit.bench;

import org.jspecify.annotations.NullMarked;
