package dev.drkit.core.rollback;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A condition that rolls a candidate back (mode CONDITIONAL) when it holds at one of the
 * guard's scheduled checks: a predicate over signals, an external flag, a deadline, or any of
 * these restricted to a daily time window.
 *
 * @param name the condition's name, recorded as the rollback's trigger
 * @param predicate when to roll back
 */
public record RollbackCondition(String name, Predicate<Signals> predicate) {
    /** Checks the fields. */
    public RollbackCondition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(predicate, "predicate");
    }

    /**
     * Returns a condition over the signals.
     *
     * @param name the name
     * @param predicate when to roll back
     * @return the condition
     */
    public static RollbackCondition when(String name, Predicate<Signals> predicate) {
        return new RollbackCondition(name, predicate);
    }

    /**
     * Returns a condition that holds while an external flag is raised (a feature flag, a kill switch).
     *
     * @param name the name
     * @param flag the flag
     * @return the condition
     */
    public static RollbackCondition flag(String name, BooleanSupplier flag) {
        Objects.requireNonNull(flag, "flag");
        return new RollbackCondition(name, s -> flag.getAsBoolean());
    }

    /**
     * Returns a condition that holds from a deadline on, for a candidate that must be
     * promoted in time or go.
     *
     * @param name the name
     * @param deadline the instant from which the condition holds
     * @return the condition
     */
    public static RollbackCondition after(String name, Instant deadline) {
        Objects.requireNonNull(deadline, "deadline");
        return new RollbackCondition(name, s -> !s.now().isBefore(deadline));
    }

    /**
     * Returns a condition that holds only when this one does and the local time lies in a
     * daily window, such as outside business hours.
     *
     * @param from the window's start, inclusive
     * @param to the window's end, exclusive; before {@code from} for a window across midnight
     * @param zone the zone of the local times
     * @return the restricted condition
     */
    public RollbackCondition onlyBetween(LocalTime from, LocalTime to, ZoneId zone) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(zone, "zone");
        Predicate<Signals> inner = predicate;
        return new RollbackCondition(name, s -> {
            LocalTime t = s.now().atZone(zone).toLocalTime();
            boolean inside = from.isBefore(to) ? !t.isBefore(from) && t.isBefore(to) : !t.isBefore(from) || t.isBefore(to);
            return inside && inner.test(s);
        });
    }
}
