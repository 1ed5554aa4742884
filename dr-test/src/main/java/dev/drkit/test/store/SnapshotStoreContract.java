package dev.drkit.test.store;

/**
 * The store contract under its former name.
 *
 * @deprecated the contract moved to {@code dr-test-kit}, which needs only {@code dr-api}:
 *     subclass {@link dev.drkit.testkit.store.SnapshotStoreContract} instead. This name stays
 *     while {@link StoreFaultContract} uses its {@link #bytes} and {@link #randomBytes}.
 */
@Deprecated(since = "0.1.0", forRemoval = true)
public abstract class SnapshotStoreContract extends dev.drkit.testkit.store.SnapshotStoreContract {
    /** For subclasses. */
    protected SnapshotStoreContract() {
    }

    /**
     * Encodes text as UTF-8.
     *
     * @param text the text
     * @return its bytes
     */
    protected static byte[] bytes(String text) {
        return dev.drkit.testkit.store.SnapshotStoreContract.bytes(text);
    }

    /**
     * Returns reproducible random bytes.
     *
     * @param n how many
     * @param seed the seed
     * @return the bytes
     */
    protected static byte[] randomBytes(int n, long seed) {
        return dev.drkit.testkit.store.SnapshotStoreContract.randomBytes(n, seed);
    }
}
