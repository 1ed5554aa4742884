package dev.drkit.api.coordination;

/**
 * Told when this instance gains or loses a lease it campaigns for (see
 * {@link Lease#campaign(LeaseListener)}). Called on the coordinator's own thread, one call at
 * a time; a listener that throws is logged and does not stop the others.
 */
public interface LeaseListener {

    /**
     * Called when this instance became the holder.
     *
     * @param token the new holding's token; its epoch is greater than any earlier holder's
     */
    void acquired(FencingToken token);

    /**
     * Called when this instance stopped being the holder: released, replaced by another
     * instance, or past its own deadline without a successful renewal.
     *
     * @param token the token of the holding that ended; writes fenced with it will be refused
     */
    void lost(FencingToken token);
}
