package dev.drkit.spring;

import dev.drkit.api.recovery.RecoveryObjectives;
import dev.drkit.core.recovery.Plan;

/**
 * Starts {@link Plan} builders with the description and objectives of {@code dr.plans.<name>};
 * the application adds the steps and verifications.
 *
 * <pre>{@code
 * @Bean
 * Plan restoreOrders(DrPlanFactory plans) {
 *     return plans.builder("restore-orders")
 *             .step("restore", Steps.restore("orders", restorer))
 *             .build();
 * }
 * }</pre>
 */
public final class DrPlanFactory {
    private final DrSettings settings;

    /**
     * Creates the factory.
     *
     * @param settings the {@code dr.*} settings
     */
    public DrPlanFactory(DrSettings settings) {
        this.settings = settings;
    }

    /**
     * Starts a builder for a plan configured from {@code dr.plans.<name>}, or with the
     * defaults (RTO 15 minutes, RPO 1 hour) when the plan is not configured.
     *
     * @param name the plan's name
     * @return the builder
     */
    public Plan.Builder builder(String name) {
        DrProperties.Plan spec = settings.properties().plans().getOrDefault(name, DrProperties.Plan.DEFAULT);
        RecoveryObjectives objectives = settings.objectives(name);
        Plan.Builder b = Plan.builder(name).objectives(objectives.rto(), objectives.rpo());
        if (!spec.description().isEmpty()) {
            b.description(spec.description());
        }
        return b;
    }
}
