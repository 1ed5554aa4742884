package dev.drkit.core.coordination.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** The check, at start-up, that a store's conditional writes really are conditional. */
final class ConditionalWrites {
    private ConditionalWrites() {
    }

    static void verify(SnapshotStore store, String keyBase) {
        String key = keyBase + "-" + UUID.randomUUID();
        try {
            if (store.putIfAbsent(key, new byte[] {1}).isEmpty()) {
                throw new DrException(ErrorCode.IO_FAILURE, "A fresh probe key already existed in " + store.describe(),
                        key);
            }
            if (store.putIfAbsent(key, new byte[] {2}).isPresent()) {
                throw unsupported(store, "putIfAbsent overwrote an existing object", null);
            }
            if (store.replace(key, new byte[] {3}, "\"dr-probe-not-an-etag\"").isPresent()) {
                throw unsupported(store, "replace ignored a mismatching etag", null);
            }
        } catch (DrException e) {
            if (e.code() == ErrorCode.UNSUPPORTED && !e.getMessage().startsWith("The store ")) {
                throw unsupported(store, e.getMessage(), e);
            }
            throw e;
        } finally {
            try {
                store.delete(key);
            } catch (DrException e) {
                StoreCoordinatorImpl.LOG.debug("Could not delete the probe {}", key, e);
            }
        }
    }

    private static DrException unsupported(SnapshotStore store, String why, @Nullable Throwable cause) {
        return new DrException(ErrorCode.UNSUPPORTED, "The store " + store.describe()
                + " does not honour conditional writes (" + why + "): coordination needs putIfAbsent and "
                + "replace-if-etag-matches to keep one lease holder; configure a store that offers them "
                + "(mem:, file:, S3 or a server honouring If-None-Match and If-Match, Azure Blob)",
                "store=" + store.describe(), cause);
    }
}
