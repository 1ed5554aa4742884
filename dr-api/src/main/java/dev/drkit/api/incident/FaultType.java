package dev.drkit.api.incident;

/** The class of fault behind an incident, which selects the recovery plan. */
public enum FaultType {
    /** Disks, machines, power: the physical layer failed. */
    HARDWARE,
    /** A release, a configuration change or a bug. */
    SOFTWARE,
    /** Connectivity, DNS, partitions, latency between components. */
    NETWORK,
    /** Lost, corrupted or inconsistent data. */
    DATA,
    /** A breach, tampering or a denial of service. */
    SECURITY
}
