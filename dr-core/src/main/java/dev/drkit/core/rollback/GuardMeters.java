package dev.drkit.core.rollback;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Binds a guard's meters: {@code dr.guard.weight} and {@code dr.guard.calls} by version, role
 * and outcome ({@code dr.rollback.total} is counted where rollbacks are recorded). Does nothing
 * without a registry.
 */
final class GuardMeters {
    private final String guard;
    private final @Nullable MeterRegistry registry;

    GuardMeters(String guard, @Nullable MeterRegistry registry) {
        this.guard = guard;
        this.registry = registry;
    }

    /** Registers the gauge of the candidate's weight, read from {@code source}. */
    <S> void bindWeight(S source, ToDoubleFunction<S> weight) {
        if (registry != null) {
            Gauge.builder("dr.guard.weight", source, weight).description("Share of calls routed to the candidate")
                    .tag("guard", guard).register(registry);
        }
    }

    /**
     * Returns the call counters of a version: for each role ({@code stable}, {@code candidate})
     * one per {@link ReleaseVersion.Outcome}, so that alert rules can select the candidate's
     * calls without naming its version; null without a registry.
     */
    Counter @Nullable [][] callCounters(String version) {
        if (registry == null) {
            return null;
        }
        ReleaseVersion.Outcome[] outcomes = ReleaseVersion.Outcome.values();
        Counter[][] counters = new Counter[2][outcomes.length];
        for (int role = 0; role < 2; role++) {
            for (ReleaseVersion.Outcome o : outcomes) {
                counters[role][o.ordinal()] = Counter.builder("dr.guard.calls")
                        .description("Calls through a guarded release").tag("guard", guard).tag("version", version)
                        .tag("role", role == 0 ? "stable" : "candidate")
                        .tag("outcome", o.name().toLowerCase(Locale.ROOT)).register(registry);
            }
        }
        return counters;
    }
}
