/**
 * The live operator console: a page at {@code dr.console.path} fed by server-sent events.
 */
@NullMarked
package dev.drkit.spring.console;

import org.jspecify.annotations.NullMarked;
