/**
 * Continuous protection: a {@link dev.drkit.api.journal.ChangeFeed} emits the
 * {@link dev.drkit.api.journal.Change}s of a source as they happen, each with a position, and
 * resumes after a restart from the last position its journal made durable.
 */
@NullMarked
package dev.drkit.api.journal;

import org.jspecify.annotations.NullMarked;
