package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.recovery.RecoveryObjectives;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.file.PlanFileReader;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Starts {@link Plan} builders with the description and objectives of {@code dr.plans.<name>},
 * for the application to add the steps and verifications, and reads plan files whose
 * {@code failover} steps name the application's {@code Failover} beans.
 *
 * <pre>{@code
 * @Bean
 * Plan restoreOrders(DrPlanFactory plans) {
 *     return plans.builder("restore-orders")
 *             .step("restore", Steps.restore("orders", restorer))
 *             .build();
 * }
 *
 * @Bean
 * Plan failOverOrdersDb(DrPlanFactory plans) {
 *     return plans.read(Path.of("plans/orders-db.yaml"));
 * }
 * }</pre>
 */
public final class DrPlanFactory {
    private final DrSettings settings;
    private final PlanFileReader reader;

    /**
     * Creates the factory; its plan files find failovers through {@link java.util.ServiceLoader} only.
     *
     * @param settings the {@code dr.*} settings
     */
    public DrPlanFactory(DrSettings settings) {
        this(settings, PlanFileReader.ofDefaults());
    }

    /**
     * Creates the factory with the reader of its plan files.
     *
     * @param settings the {@code dr.*} settings
     * @param reader reads plan files, knowing the application's failovers
     */
    public DrPlanFactory(DrSettings settings, PlanFileReader reader) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.reader = Objects.requireNonNull(reader, "reader");
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

    /**
     * Reads a plan file (JSON, or YAML for {@code .yaml} and {@code .yml}); its {@code failover}
     * steps name {@code Failover} beans by {@code Failover.name()}, or failovers that
     * {@link java.util.ServiceLoader} finds.
     *
     * @param file the plan file
     * @return the plan, with the objectives the file gives
     * @throws DrException {@code INVALID_CONFIG} naming the file and the path of the bad field
     */
    public Plan read(Path file) {
        return reader.read(file);
    }
}
