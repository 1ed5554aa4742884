package dev.drkit.spring.actuate;

import dev.drkit.api.rollback.Guard;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.spring.DrGuards;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of the guarded releases: DOWN while a guard's rollback waits for an operator's
 * acknowledgement, DEGRADED while a candidate is being rolled out (or paused), UP otherwise.
 */
public final class GuardsHealthIndicator implements HealthIndicator {
    /** The status of an application that works while a rollout is under way. */
    public static final Status DEGRADED = new Status("DEGRADED", "a candidate version is being rolled out");

    private final DrGuards guards;

    /**
     * Creates the indicator.
     *
     * @param guards the guards to report on
     */
    public GuardsHealthIndicator(DrGuards guards) {
        this.guards = guards;
    }

    @Override
    public Health health() {
        boolean down = false;
        boolean rolling = false;
        Map<String, Object> details = new LinkedHashMap<>();
        for (Map.Entry<String, Guard<?>> e : guards.all().entrySet()) {
            GuardState state = e.getValue().state();
            boolean waiting = guards.awaitingAcknowledgement(e.getKey());
            down |= waiting || state == GuardState.FROZEN;
            rolling |= state == GuardState.ROLLING_OUT || state == GuardState.PAUSED;
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("state", state.name());
            g.put("candidateWeight", e.getValue().candidateWeight());
            if (waiting) {
                g.put("action", "rolled back; acknowledge with POST /actuator/dr/guards/" + e.getKey()
                        + " {\"action\":\"acknowledge\"}");
            }
            details.put(e.getKey(), g);
        }
        Health.Builder b = down ? Health.down() : rolling ? Health.status(DEGRADED) : Health.up();
        return b.withDetails(details).build();
    }
}
