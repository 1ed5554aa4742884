package dev.drkit.spring;

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
    private final DrProperties properties;

    /**
     * Creates the factory.
     *
     * @param properties the {@code dr.*} properties
     */
    public DrPlanFactory(DrProperties properties) {
        this.properties = properties;
    }

    /**
     * Starts a builder for a plan configured from {@code dr.plans.<name>}, or with the
     * defaults (RTO 15 minutes, RPO 1 hour) when the plan is not configured.
     *
     * @param name the plan's name
     * @return the builder
     */
    public Plan.Builder builder(String name) {
        DrProperties.PlanSpec spec = properties.getPlans().getOrDefault(name, new DrProperties.PlanSpec());
        Plan.Builder b = Plan.builder(name).objectives(spec.getRto(), spec.getRpo());
        if (!spec.getDescription().isEmpty()) {
            b.description(spec.getDescription());
        }
        return b;
    }
}
