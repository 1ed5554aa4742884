package dev.drkit.core.rollback;

import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.rollback.Observation;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link RollbackCondition} may look at.
 *
 * @param observation what each version has done in the rollout
 * @param now the guard clock's current instant
 * @param probes the last status of each candidate probe, by name
 */
public record Signals(Observation observation, Instant now, Map<String, HealthStatus> probes) {
    /** Checks the fields and copies the map. */
    public Signals {
        Objects.requireNonNull(observation, "observation");
        Objects.requireNonNull(now, "now");
        probes = Map.copyOf(Objects.requireNonNull(probes, "probes"));
    }
}
