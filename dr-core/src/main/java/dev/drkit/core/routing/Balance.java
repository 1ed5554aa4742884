package dev.drkit.core.routing;

/** How a {@link BalancedGroup} picks among its eligible members. */
public enum Balance {
    /** The member with the fewest calls in flight; ties go round robin. */
    LEAST_OUTSTANDING,
    /** Each member in turn. */
    ROUND_ROBIN
}
