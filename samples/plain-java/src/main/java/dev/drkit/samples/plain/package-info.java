/**
 * A plain Java program that uses {@code dr-core} alone, the way a service without Spring would.
 */
@NullMarked
package dev.drkit.samples.plain;

import org.jspecify.annotations.NullMarked;
