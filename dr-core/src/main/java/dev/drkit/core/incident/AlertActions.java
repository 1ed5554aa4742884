package dev.drkit.core.incident;

/**
 * What an alert can make DR Kit do besides opening an incident; the application wires it to
 * its guards and recovery executor.
 */
public interface AlertActions {

    /**
     * Rolls a guard back.
     *
     * @param guard the guard's name, from the {@code dr_guard} label
     * @param reason why, naming the alert
     * @throws Exception when the guard is unknown or cannot roll back
     */
    void rollback(String guard, String reason) throws Exception;

    /**
     * Starts a recovery plan.
     *
     * @param plan the plan's name, from the {@code dr_plan} label
     * @param incidentId the incident the alert opened
     * @throws Exception when the plan is unknown or cannot start
     */
    void runPlan(String plan, String incidentId) throws Exception;

    /**
     * Says whether a guard of this name exists, so that an alert naming another is refused
     * before anything happens.
     *
     * @param guard the guard's name, from the {@code dr_guard} label
     * @return whether it exists; true by default (the rollback itself then fails)
     */
    default boolean hasGuard(String guard) {
        return true;
    }
}
