package dev.drkit.storage.s3.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Turns AWS SDK failures into {@link DrException}s with stable codes and plain messages. */
final class S3Errors {
    private S3Errors() {
    }

    /**
     * Maps a failure of one request.
     *
     * @param e the SDK's exception
     * @param operation what was being done, such as {@code put}
     * @param key the store key concerned, or the empty string
     * @param location the redacted store URI
     * @param bucket the bucket
     * @return the exception to throw
     */
    static DrException map(SdkException e, String operation, String key, String location, String bucket) {
        String what = key.isEmpty() ? location : "'" + key + "' in " + location;
        String input = key.isEmpty() ? location : key;
        if (e instanceof AwsServiceException service) {
            int status = service.statusCode();
            String code = service.awsErrorDetails() == null ? "" : String.valueOf(service.awsErrorDetails().errorCode());
            String detail = service.awsErrorDetails() == null ? ""
                    : " (" + status + " " + code + ": " + service.awsErrorDetails().errorMessage() + ")";
            if ("NoSuchBucket".equals(code)) {
                return new DrException(ErrorCode.NOT_FOUND, "Bucket '" + bucket + "' does not exist for " + location
                        + "; create it with 'dr init' or createBucketIfMissing()", location, e);
            }
            if (status == 404) {
                return new DrException(ErrorCode.NOT_FOUND, "No object " + what, input, e);
            }
            if (status == 401 || status == 403) {
                return new DrException(ErrorCode.ACCESS_DENIED, "Access denied to " + what + " during " + operation
                        + detail + "; check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, profile or "
                        + "role) and the bucket policy", input, e);
            }
            if (status == 412) {
                return new DrException(ErrorCode.PRECONDITION_FAILED, "Precondition failed for " + what
                        + " during " + operation, input, e);
            }
            if (status == 501) {
                return new DrException(ErrorCode.UNSUPPORTED, "The server behind " + location + " does not support "
                        + operation + detail, input, e);
            }
            if (isTransient(service, status, code)) {
                return new DrException(ErrorCode.UNAVAILABLE, "S3 did not complete " + operation + " of " + what
                        + detail, input, e);
            }
            return new DrException(ErrorCode.IO_FAILURE, "S3 refused " + operation + " of " + what + detail, input, e);
        }
        if (e instanceof SdkClientException) {
            if (isMissingCredentials(e)) {
                return new DrException(ErrorCode.INVALID_CONFIG, "No credentials for " + location + " (during "
                        + operation + "): " + e.getMessage() + "; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                        + "a profile (AWS_PROFILE) or a role", location, e);
            }
            UnknownHostException unknown = unknownHost(e);
            if (unknown != null) {
                return new DrException(ErrorCode.INVALID_CONFIG, "Unknown host " + hostOf(unknown) + " for "
                        + location + " (during " + operation + "); check the endpoint, bucket and region", location,
                        e);
            }
            return new DrException(ErrorCode.UNAVAILABLE, "Could not " + operation + " " + what + ": "
                    + e.getMessage(), input, e);
        }
        return new DrException(ErrorCode.IO_FAILURE, "Failed to " + operation + " " + what + ": " + e.getMessage(),
                input, e);
    }

    /** The SDK's credential providers found none, or could not read the ones they found. */
    private static boolean isMissingCredentials(Throwable e) {
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.startsWith("Unable to load credentials")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A host name the resolver says does not exist; null for none, and for a resolver that
     * failed for now ("Temporary failure in name resolution"), which is worth retrying.
     */
    static @Nullable UnknownHostException unknownHost(Throwable e) {
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof UnknownHostException unknown) {
                String message = String.valueOf(unknown.getMessage());
                return message.contains("Temporary failure") || message.contains("try again") ? null : unknown;
            }
        }
        return null;
    }

    /** The host an {@link UnknownHostException} names, quoted: its message is "host: reason". */
    static String hostOf(UnknownHostException e) {
        String message = String.valueOf(e.getMessage());
        int colon = message.indexOf(": ");
        return "'" + (colon < 0 ? message : message.substring(0, colon)) + "'";
    }

    private static boolean isTransient(AwsServiceException e, int status, String code) {
        return status >= 500 || status == 429 || status == 408 || e.isThrottlingException() || e.retryable()
                || "ConditionalRequestConflict".equals(code) || "OperationAborted".equals(code)
                || "RequestTimeout".equals(code) || "SlowDown".equals(code);
    }
}
