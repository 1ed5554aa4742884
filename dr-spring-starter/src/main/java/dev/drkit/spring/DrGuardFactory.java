package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditSink;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.rollback.TriggerKind;
import dev.drkit.core.incident.IncidentManager;
import dev.drkit.core.rollback.GuardConfig;
import dev.drkit.core.rollback.GuardEvent;
import dev.drkit.core.rollback.GuardedRelease;
import dev.drkit.core.rollback.GuardedReleaseBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * Starts {@link GuardedRelease} builders configured from {@code dr.guards.<name>}: every
 * setting of the guard's {@link GuardConfig} (the same model as {@code rollback_config.json}),
 * the candidate probes named there, and the application's scheduler,
 * audit log and meter registry; every rollback opens an incident. With a {@link Coordinator}
 * (the fleet's, on by default in the repository's store) every guard shares its decisions with
 * the fleet: a rollback, promotion, pause or resume on one instance reaches every instance, and
 * an instance that starts later (a restart, a redeploy, a new replica) applies what the fleet
 * decided about its candidate instead of rolling a rolled-back version out again. The
 * application adds the versions:
 *
 * <pre>{@code
 * @Bean
 * GuardedRelease<PricingEngine> pricing(DrGuardFactory guards) {
 *     return guards.<PricingEngine>builder("pricing")
 *             .stable("v1", new PricingEngineV1())
 *             .candidate("v2", PricingEngineV2::new)
 *             .build();
 * }
 * }</pre>
 */
public final class DrGuardFactory {
    /** How the actor of a decision applied from the fleet begins ({@code fleet:<member>:<actor>}). */
    private static final String FLEET_ACTOR = "fleet:";
    private final DrSettings settings;
    private final ScheduledExecutorService scheduler;
    private final @Nullable AuditSink audit;
    private final @Nullable MeterRegistry meters;
    private final Map<String, HealthProbe> probes;
    private final @Nullable IncidentManager incidents;
    private final @Nullable Coordinator coordinator;

    /**
     * Creates the factory.
     *
     * @param settings the {@code dr.*} settings
     * @param scheduler runs the guards' periodic checks
     * @param audit where guards record their decisions, or null
     * @param meters where guards publish {@code dr.guard.*} meters, or null
     * @param probes the application's probes by bean name
     * @param incidents opens an incident for every rollback, or null
     */
    public DrGuardFactory(DrSettings settings, ScheduledExecutorService scheduler, @Nullable AuditSink audit,
            @Nullable MeterRegistry meters, Map<String, HealthProbe> probes, @Nullable IncidentManager incidents) {
        this(settings, scheduler, audit, meters, probes, incidents, null);
    }

    /**
     * Creates the factory, its guards sharing their decisions through a coordinator.
     *
     * @param settings the {@code dr.*} settings
     * @param scheduler runs the guards' periodic checks
     * @param audit where guards record their decisions, or null
     * @param meters where guards publish {@code dr.guard.*} meters, or null
     * @param probes the application's probes by bean name
     * @param incidents opens an incident for every rollback, or null
     * @param coordinator the fleet's coordinator, or null for guards that decide alone
     */
    public DrGuardFactory(DrSettings settings, ScheduledExecutorService scheduler, @Nullable AuditSink audit,
            @Nullable MeterRegistry meters, Map<String, HealthProbe> probes, @Nullable IncidentManager incidents,
            @Nullable Coordinator coordinator) {
        this.coordinator = coordinator;
        this.incidents = incidents;
        this.settings = settings;
        this.scheduler = scheduler;
        this.audit = audit;
        this.meters = meters;
        this.probes = Map.copyOf(probes);
    }

    /**
     * Returns the guard configuration of {@code dr.guards.<name>}, or the defaults when the
     * guard is not configured.
     *
     * @param name the guard's name
     * @return the configuration, checked by the core at start-up
     */
    public GuardConfig config(String name) {
        return settings.guard(name);
    }

    /**
     * Starts a builder for a guard configured from {@code dr.guards.<name>}.
     *
     * @param name the guard's name
     * @param <T> the interface both versions implement
     * @return the builder, to which the caller adds the stable and candidate versions
     * @throws DrException {@code INVALID_CONFIG} naming a probe bean that does not exist
     */
    public <T> GuardedReleaseBuilder<T> builder(String name) {
        GuardedReleaseBuilder<T> b = GuardedRelease.<T>builder(name).config(config(name)).scheduler(scheduler);
        if (audit != null) {
            b.auditSink(audit);
        }
        if (meters != null) {
            b.meterRegistry(meters);
        }
        if (coordinator != null) {
            b.coordinator(coordinator);
        }
        IncidentManager im = incidents;
        if (im != null) {
            b.listener(event -> {
                // A rollback applied from the fleet (another instance's, or one decided before a
                // restart) opened its incident where it was decided; one on an alert is recorded
                // in the alert's incident.
                if (event instanceof GuardEvent.RolledBack rolledBack
                        && !rolledBack.rollback().actor().startsWith(FLEET_ACTOR)
                        && rolledBack.rollback().triggerKind() != TriggerKind.ALERT) {
                    im.openFor(rolledBack.rollback());
                }
            });
        }
        for (String probeName : settings.probeBeans(name)) {
            HealthProbe probe = probes.get(probeName);
            if (probe == null) {
                throw new DrException(ErrorCode.INVALID_CONFIG, "dr.guards." + name + ".probes names '" + probeName
                        + "', but no HealthProbe bean has that name; probes: " + probes.keySet()
                        + settings.at("dr.guards." + name + ".probes"), "dr.guards." + name + ".probes");
            }
            b.candidateProbe(probe);
        }
        return b;
    }
}
