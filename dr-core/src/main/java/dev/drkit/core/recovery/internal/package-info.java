/**
 * Implementation of plan execution: the coordinator, the step attempts and the journal.
 */
@NullMarked
package dev.drkit.core.recovery.internal;

import org.jspecify.annotations.NullMarked;
