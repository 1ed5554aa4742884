/**
 * The {@code dr} operator command line: one picocli command per operation, run from the
 * executable jar {@code dr-cli/target/dr.jar}.
 *
 * <p>Exit codes: 0 ok, 1 operation failed, 2 usage, configuration or password error,
 * 3 integrity problem found.
 */
@NullMarked
package dev.drkit.cli;

import org.jspecify.annotations.NullMarked;
