package dev.drkit.api.rollback;

/** Where a request for a rollback came from. */
public enum TriggerKind {
    /** The guard's {@link Judge}. */
    JUDGE,
    /** A circuit breaker opened or an absolute limit (such as consecutive failures) was reached. */
    CIRCUIT_BREAKER,
    /** A health probe stayed DOWN. */
    PROBE,
    /** The candidate's latency exceeded the stable version's by more than allowed. */
    LATENCY,
    /** An external alert, such as an Alertmanager webhook. */
    ALERT,
    /** A person, through the API, the CLI or the actuator endpoint. */
    OPERATOR,
    /** A configured condition over signals, a time window or a flag. */
    CONDITION,
    /** A user-supplied {@link RollbackTrigger}. */
    CUSTOM
}
