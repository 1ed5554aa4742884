package dev.drkit.testkit.store;

/**
 * The stop of a simulated process, thrown by a {@link CrashingStore}. An {@link Error}, so that
 * code catching {@code RuntimeException} or {@code Exception} to clean up or retry does not
 * treat it as a failed call: a process that stopped runs no clean-up.
 */
public final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the crash.
     *
     * @param message where the process stopped
     */
    public SimulatedCrash(String message) {
        super(message, null, false, false);
    }
}
