package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.core.recovery.Execution;
import dev.drkit.core.recovery.ExecutionRequest;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.RecoveryExecutor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The application's recovery plans by name, the executor that runs them and the most recent
 * executions, so that an operator can start a plan and follow its progress.
 *
 * <p>Thread-safe.
 */
public final class DrPlans {
    /** How many executions are remembered for {@link #execution(String)}. */
    public static final int KEPT_EXECUTIONS = 50;

    private final Map<String, Plan> plans;
    private final RecoveryExecutor executor;
    private final LinkedHashMap<String, Execution> executions = new LinkedHashMap<>();

    /**
     * Creates the registry.
     *
     * @param plans the plans; names must be unique
     * @param executor the executor that runs them
     * @throws DrException {@code INVALID_CONFIG} naming a plan name used twice
     */
    public DrPlans(Collection<Plan> plans, RecoveryExecutor executor) {
        Map<String, Plan> byName = new LinkedHashMap<>();
        for (Plan p : plans) {
            if (byName.putIfAbsent(p.name(), p) != null) {
                throw new DrException(ErrorCode.INVALID_CONFIG, "two recovery plans are named '" + p.name() + "'",
                        "plan=" + p.name());
            }
        }
        this.plans = Collections.unmodifiableMap(byName);
        this.executor = executor;
    }

    /**
     * Returns every plan by name.
     *
     * @return the plans
     */
    public Map<String, Plan> all() {
        return plans;
    }

    /**
     * Returns the plan of a name.
     *
     * @param name the name
     * @return the plan
     * @throws DrException {@code NOT_FOUND} naming the known plans
     */
    public Plan get(String name) {
        Plan p = plans.get(name);
        if (p == null) {
            throw new DrException(ErrorCode.NOT_FOUND, "no recovery plan is named '" + name + "'; plans: "
                    + plans.keySet(), "plan=" + name);
        }
        return p;
    }

    /**
     * Starts an execution of a plan; it runs in the background.
     *
     * @param name the plan's name
     * @param mode LIVE or DRILL
     * @param actor who starts it
     * @return the running execution
     * @throws DrException {@code NOT_FOUND} for an unknown plan; whatever the executor throws
     */
    public Execution start(String name, ExecutionMode mode, String actor) {
        return start(name, mode, actor, null);
    }

    /**
     * Starts an execution of a plan for an incident; it runs in the background.
     *
     * @param name the plan's name
     * @param mode LIVE or DRILL
     * @param actor who starts it
     * @param incidentId the incident it answers, or null
     * @return the running execution
     * @throws DrException {@code NOT_FOUND} for an unknown plan; whatever the executor throws
     */
    public Execution start(String name, ExecutionMode mode, String actor, @Nullable String incidentId) {
        Plan plan = get(name);
        ExecutionRequest request = (mode == ExecutionMode.LIVE ? ExecutionRequest.live() : ExecutionRequest.drill())
                .by(actor);
        if (incidentId != null) {
            request = request.forIncident(incidentId);
        }
        Execution e = executor.start(plan, request);
        synchronized (executions) {
            executions.put(e.id(), e);
            while (executions.size() > KEPT_EXECUTIONS) {
                executions.remove(executions.keySet().iterator().next());
            }
        }
        return e;
    }

    /**
     * Returns a recent execution.
     *
     * @param id its id
     * @return the execution, or empty when unknown or forgotten
     */
    public Optional<Execution> execution(String id) {
        synchronized (executions) {
            return Optional.ofNullable(executions.get(id));
        }
    }

    /**
     * Returns the executions remembered, newest first: running and recently finished ones.
     *
     * @return the executions
     */
    public List<Execution> recent() {
        List<Execution> out;
        synchronized (executions) {
            out = new ArrayList<>(executions.values());
        }
        Collections.reverse(out);
        return out;
    }

    /**
     * Returns the executions that have not finished.
     *
     * @return the running executions, oldest first
     */
    public List<Execution> running() {
        List<Execution> out = new ArrayList<>();
        synchronized (executions) {
            for (Execution e : executions.values()) {
                if (!e.result().isDone()) {
                    out.add(e);
                }
            }
        }
        return out;
    }
}
