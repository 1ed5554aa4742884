package dev.drkit.api.incident;

import java.time.Instant;
import java.util.Objects;

/**
 * One event in an incident's timeline.
 *
 * @param at when it happened
 * @param actor who or what caused it: a person, {@code system}, a guard or a plan
 * @param kind a short lowercase tag such as {@code opened}, {@code rollback}, {@code step}
 * @param text what happened, for a person
 */
public record TimelineEntry(Instant at, String actor, String kind, String text) {
    /** Checks that no field is null. */
    public TimelineEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
    }
}
