/**
 * Implementation of the audit log: the line codec, the chain hasher and the file and store sinks.
 */
@NullMarked
package dev.drkit.core.audit.internal;

import org.jspecify.annotations.NullMarked;
