/**
 * DR Kit's test kit: contract suites that plugins run against their implementations,
 * architecture rules, and helpers for property tests and drills.
 */
@NullMarked
package dev.drkit.test;

import org.jspecify.annotations.NullMarked;
