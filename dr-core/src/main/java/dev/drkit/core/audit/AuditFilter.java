package dev.drkit.core.audit;

import java.time.Instant;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Selects audit records by time, actor, action and target; a {@code null} field matches
 * everything. An action ending in {@code .*} matches that prefix ({@code plan.*}).
 *
 * @param from the earliest time, inclusive
 * @param until the latest time, exclusive
 * @param actor the exact actor
 * @param action the exact action, or a prefix followed by {@code .*}
 * @param target the exact target
 */
public record AuditFilter(@Nullable Instant from, @Nullable Instant until, @Nullable String actor,
        @Nullable String action, @Nullable String target) implements Predicate<AuditRecord> {

    /** A filter that matches every record. */
    public static final AuditFilter ALL = new AuditFilter(null, null, null, null, null);

    /**
     * Returns a filter that matches every record, to narrow with the {@code with...} methods.
     *
     * @return the filter
     */
    public static AuditFilter all() {
        return ALL;
    }

    /**
     * Returns a copy limited to a time range.
     *
     * @param from the earliest time, inclusive, or null
     * @param until the latest time, exclusive, or null
     * @return the copy
     */
    public AuditFilter withTime(@Nullable Instant from, @Nullable Instant until) {
        return new AuditFilter(from, until, actor, action, target);
    }

    /**
     * Returns a copy limited to one actor.
     *
     * @param actor the actor
     * @return the copy
     */
    public AuditFilter withActor(@Nullable String actor) {
        return new AuditFilter(from, until, actor, action, target);
    }

    /**
     * Returns a copy limited to one action or action prefix.
     *
     * @param action the action, or a prefix followed by {@code .*}
     * @return the copy
     */
    public AuditFilter withAction(@Nullable String action) {
        return new AuditFilter(from, until, actor, action, target);
    }

    /**
     * Returns a copy limited to one target.
     *
     * @param target the target
     * @return the copy
     */
    public AuditFilter withTarget(@Nullable String target) {
        return new AuditFilter(from, until, actor, action, target);
    }

    @Override
    public boolean test(AuditRecord r) {
        if (from != null && r.time().isBefore(from)) {
            return false;
        }
        if (until != null && !r.time().isBefore(until)) {
            return false;
        }
        if (actor != null && !actor.equals(r.actor())) {
            return false;
        }
        if (target != null && !target.equals(r.target())) {
            return false;
        }
        if (action != null) {
            if (action.endsWith(".*")) {
                return r.action().startsWith(action.substring(0, action.length() - 1));
            }
            return action.equals(r.action());
        }
        return true;
    }
}
