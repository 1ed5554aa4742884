package dev.drkit.storage.azure.internal;

import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/** Turns Azure SDK failures into {@link DrException}s with stable codes and plain messages. */
final class AzureErrors {
    private AzureErrors() {
    }

    /**
     * Maps a failure of one request.
     *
     * @param e the SDK's exception
     * @param operation what was being done, such as {@code put}
     * @param key the store key concerned, or the empty string
     * @param location the redacted store URI
     * @param container the container
     * @return the exception to throw
     */
    static DrException map(RuntimeException e, String operation, String key, String location, String container) {
        if (e instanceof DrException dr) {
            return dr;
        }
        String what = key.isEmpty() ? location : "'" + key + "' in " + location;
        String input = key.isEmpty() ? location : key;
        BlobStorageException service = find(e, BlobStorageException.class);
        if (service != null) {
            int status = service.getStatusCode();
            BlobErrorCode code = service.getErrorCode();
            String detail = " (" + status + (code == null ? "" : " " + code) + ")";
            if (BlobErrorCode.CONTAINER_NOT_FOUND.equals(code)) {
                return new DrException(ErrorCode.NOT_FOUND, "Container '" + container + "' does not exist for "
                        + location + "; create it with 'dr init' or createContainerIfMissing()", location, e);
            }
            if (status == 404) {
                return new DrException(ErrorCode.NOT_FOUND, "No object " + what, input, e);
            }
            if (status == 401 || status == 403) {
                return new DrException(ErrorCode.ACCESS_DENIED, "Access denied to " + what + " during " + operation
                        + detail + "; check the connection string, account key, SAS token or role assignment",
                        input, e);
            }
            if (isLeaseConflict(code)) {
                return new DrException(ErrorCode.LOCKED, "The blob " + what + " is leased; " + operation
                        + " needs its lease" + detail, input, e);
            }
            if (status == 412 || BlobErrorCode.BLOB_ALREADY_EXISTS.equals(code)) {
                return new DrException(ErrorCode.PRECONDITION_FAILED, "Precondition failed for " + what + " during "
                        + operation + detail, input, e);
            }
            if (status >= 500 || status == 408 || status == 429 || BlobErrorCode.SERVER_BUSY.equals(code)
                    || BlobErrorCode.OPERATION_TIMED_OUT.equals(code)) {
                return new DrException(ErrorCode.UNAVAILABLE, "Azure did not complete " + operation + " of " + what
                        + detail, input, e);
            }
            return new DrException(ErrorCode.IO_FAILURE, "Azure refused " + operation + " of " + what + detail,
                    input, e);
        }
        UnknownHostException unknown = unknownHost(e);
        if (unknown != null) {
            return new DrException(ErrorCode.INVALID_CONFIG, "Unknown host for " + location + " (during " + operation
                    + "): " + unknown.getMessage() + "; check the endpoint", location, e);
        }
        if (isTransport(e)) {
            return new DrException(ErrorCode.UNAVAILABLE, "Could not " + operation + " " + what + ": " + rootMessage(e),
                    input, e);
        }
        return new DrException(ErrorCode.IO_FAILURE, "Failed to " + operation + " " + what + ": " + rootMessage(e),
                input, e);
    }

    /**
     * Returns the service's error code of a failure.
     *
     * @param e the failure
     * @return the code, or null when the service did not answer
     */
    static @Nullable BlobErrorCode code(Throwable e) {
        BlobStorageException service = find(e, BlobStorageException.class);
        return service == null ? null : service.getErrorCode();
    }

    /**
     * Returns the HTTP status of a failure.
     *
     * @param e the failure
     * @return the status, or 0 when the service did not answer
     */
    static int status(Throwable e) {
        BlobStorageException service = find(e, BlobStorageException.class);
        return service == null ? 0 : service.getStatusCode();
    }

    private static boolean isLeaseConflict(@Nullable BlobErrorCode code) {
        return BlobErrorCode.LEASE_ID_MISSING.equals(code) || BlobErrorCode.LEASE_ALREADY_PRESENT.equals(code)
                || BlobErrorCode.LEASE_ID_MISMATCH_WITH_BLOB_OPERATION.equals(code)
                || BlobErrorCode.LEASE_ID_MISMATCH_WITH_LEASE_OPERATION.equals(code)
                || BlobErrorCode.LEASE_LOST.equals(code)
                || BlobErrorCode.LEASE_NOT_PRESENT_WITH_BLOB_OPERATION.equals(code);
    }

    /**
     * A host name the resolver says does not exist; null for none, and for a resolver that
     * failed for now ("Temporary failure in name resolution"), which is worth retrying.
     */
    private static @Nullable UnknownHostException unknownHost(Throwable e) {
        UnknownHostException unknown = find(e, UnknownHostException.class);
        if (unknown == null) {
            return null;
        }
        String message = String.valueOf(unknown.getMessage());
        return message.contains("Temporary failure") || message.contains("try again") ? null : unknown;
    }

    private static boolean isTransport(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String name = t.getClass().getName();
            if (t instanceof IOException || t instanceof TimeoutException || name.contains("Timeout")
                    || name.contains("PrematureClose") || name.startsWith("io.netty.channel.")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        // Netty's ConnectException names the address ("...: Connection refused: /127.0.0.1:10000"); its cause does not.
        ConnectException connect = find(e, ConnectException.class);
        if (connect != null && connect.getMessage() != null) {
            return connect.getMessage();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static <T extends Throwable> @Nullable T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
