package dev.drkit.core.recovery;

import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.HealthStatus;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A condition that aborts a running execution: checked after every step and while the
 * execution waits. Aborting compensates the completed steps as a failure does.
 */
@FunctionalInterface
public interface StopCondition {

    /**
     * Checks the condition.
     *
     * @param progress where the execution stands
     * @return the reason to stop, or empty to go on
     * @throws Exception when the check fails, which counts as a reason to stop
     */
    Optional<String> check(ExecutionProgress progress) throws Exception;

    /**
     * Stops when a probe answers DOWN.
     *
     * @param probe the probe, such as one watching the standby's replication
     * @return the condition
     */
    static StopCondition whenDown(HealthProbe probe) {
        Objects.requireNonNull(probe, "probe");
        return p -> {
            var r = probe.check();
            return r.status() == HealthStatus.DOWN
                    ? Optional.of("probe " + probe.name() + " is DOWN: " + r.detail()) : Optional.empty();
        };
    }

    /**
     * Stops when the execution has run longer than a limit.
     *
     * @param limit the longest run
     * @return the condition
     */
    static StopCondition whenElapsedExceeds(Duration limit) {
        Objects.requireNonNull(limit, "limit");
        return p -> p.elapsed().compareTo(limit) > 0
                ? Optional.of("the execution ran " + p.elapsed() + ", longer than " + limit) : Optional.empty();
    }
}
