package dev.drkit.api.recovery;

/**
 * Switches a service between its primary and its standby: a database replica, a second
 * region, a DNS record. The user implements it; the built-in failover step calls it.
 *
 * <p>Implementations make {@link #failover} and {@link #failback} idempotent for a given key:
 * a resumed execution may call them again with the same key.
 *
 * <p>A plan file names a failover by {@link #name()}; one registered in
 * {@code META-INF/services/dev.drkit.api.recovery.Failover} is found through
 * {@link java.util.ServiceLoader}.
 */
public interface Failover {

    /**
     * Returns the name a plan file uses for this failover.
     *
     * @return the name; by default the class's simple name
     */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * Says what fails over to what, for runbooks: {@code "orders-db primary eu-west-1 -> standby eu-central-1"}.
     *
     * @return one line
     */
    String describe();

    /**
     * Checks that the standby can take over (reachable, in sync), changing nothing; a drill
     * calls only this.
     *
     * @throws Exception when the standby is not ready, with the reason
     */
    void verifyReady() throws Exception;

    /**
     * Makes the standby the primary.
     *
     * @param idempotencyKey the same for every attempt of one execution's step
     * @throws Exception when the failover failed
     */
    void failover(String idempotencyKey) throws Exception;

    /**
     * Makes the original primary the primary again: the compensation of {@link #failover}.
     *
     * @param idempotencyKey the same for every attempt of one execution's step
     * @throws Exception when the failback failed
     */
    void failback(String idempotencyKey) throws Exception;
}
