package dev.drkit.api.coordination;

/**
 * Told of the committed versions of a {@link SharedState}, in version order. Called on the
 * coordinator's own thread, one call at a time; a listener that throws is logged and still
 * receives later versions.
 */
public interface StateListener {

    /**
     * Called once for every committed version, in ascending order, without gaps unless
     * {@link #missed} says otherwise.
     *
     * @param version the committed version
     */
    void changed(StateVersion version);

    /**
     * Called when versions were committed and superseded faster than this watcher could see
     * them (the implementation's documentation says how many it keeps); the next call to
     * {@link #changed} follows. The default does nothing.
     *
     * @param fromVersion the first version missed
     * @param toVersion the last version missed
     */
    default void missed(long fromVersion, long toVersion) {
    }
}
