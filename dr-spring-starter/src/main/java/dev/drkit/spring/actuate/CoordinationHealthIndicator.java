package dev.drkit.spring.actuate;

import dev.drkit.api.DrException;
import dev.drkit.spring.DrCoordination;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the fleet's coordination: UP with the lease's holder, its epoch and the group's
 * members while the coordinator's backend answers; DOWN with the failure when it does not
 * (the instance keeps serving; leases it holds lapse after their TTL).
 */
public final class CoordinationHealthIndicator implements HealthIndicator {
    private final DrCoordination fleet;

    /**
     * Creates the indicator.
     *
     * @param fleet the fleet view to report on
     */
    public CoordinationHealthIndicator(DrCoordination fleet) {
        this.fleet = fleet;
    }

    @Override
    public Health health() {
        try {
            DrCoordination.FleetStatus s = fleet.status();
            Health.Builder b = Health.up().withDetail("backend", s.backend()).withDetail("self", s.self())
                    .withDetail("lease", s.lease());
            s.holder().ifPresentOrElse(h -> b.withDetail("holder", h.memberId()).withDetail("epoch", h.epoch()),
                    () -> b.withDetail("holder", "none"));
            return b.withDetail("group", s.group()).withDetail("members", s.members()).build();
        } catch (DrException e) {
            return Health.down().withDetail("self", fleet.coordinator().memberId())
                    .withDetail("error", e.code().id() + ": " + e.getMessage()).build();
        }
    }
}
