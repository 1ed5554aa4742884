package dev.drkit.api.rollback;

/** How a rollback was carried out. */
public enum RollbackMode {
    /** Decided by the guard from its evidence; every new call goes to the stable version at once. */
    AUTOMATIC,
    /** Asked for by an operator and carried out at once. */
    EMERGENCY,
    /** The candidate's weight stepped down in batches, each verified before the next. */
    GRADUAL,
    /** Carried out when a configured condition held. */
    CONDITIONAL
}
