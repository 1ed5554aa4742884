/**
 * The audit trail: every rollback, backup, restore and recovery action becomes an {@link dev.drkit.api.audit.AuditEvent} handed to an {@link dev.drkit.api.audit.AuditSink}.
 */
@NullMarked
package dev.drkit.api.audit;

import org.jspecify.annotations.NullMarked;
