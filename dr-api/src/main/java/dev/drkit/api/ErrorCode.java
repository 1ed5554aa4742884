package dev.drkit.api;

/**
 * The stable codes of {@link DrException}: the {@link #id()} of a code never changes once
 * released, so callers, scripts and dashboards may match on it.
 */
public enum ErrorCode {
    /** A method argument or builder value is out of range or malformed. */
    INVALID_ARGUMENT("invalid-argument"),
    /** A configuration file or property is malformed; the input names the field. */
    INVALID_CONFIG("invalid-config"),
    /** A store key is empty, absolute, has {@code .} or {@code ..} segments or control characters. */
    INVALID_KEY("invalid-key"),
    /** A path would leave the directory it must stay inside. */
    UNSAFE_PATH("unsafe-path"),
    /** The object, snapshot, guard, plan or record asked for does not exist. */
    NOT_FOUND("not-found"),
    /** The thing to create exists already. */
    ALREADY_EXISTS("already-exists"),
    /** A conditional write lost: the object changed since its etag was read. */
    PRECONDITION_FAILED("precondition-failed"),
    /** No provider is installed for a URI scheme; the message names the installed ones. */
    UNKNOWN_SCHEME("unknown-scheme"),
    /** The implementation does not offer this operation; its documentation says so. */
    UNSUPPORTED("unsupported"),
    /** A store or service could not be reached or answered with a transient failure. */
    UNAVAILABLE("unavailable"),
    /** A store or file system operation failed for a reason that retrying will not fix. */
    IO_FAILURE("io-failure"),
    /** Credentials were refused by a store or service. */
    ACCESS_DENIED("access-denied"),
    /** The password does not open any key of the repository. */
    WRONG_PASSWORD("wrong-password"),
    /** Stored data failed a hash, authentication tag, chain or structure check. */
    INTEGRITY("integrity"),
    /** A lock or lease is held by someone else. */
    LOCKED("locked"),
    /** An operation did not finish within its time limit. */
    TIMEOUT("timeout"),
    /** An operation was cancelled or rejected by an operator or a stop condition. */
    CANCELLED("cancelled"),
    /** The operation is not allowed in the object's current state. */
    ILLEGAL_STATE("illegal-state"),
    /**
     * A fenced write carried a lease epoch older than the newest one: its writer lost the lease
     * (paused, partitioned or expired) and must stop acting as the holder.
     */
    STALE_EPOCH("stale-epoch");

    private final String id;

    ErrorCode(String id) {
        this.id = id;
    }

    /**
     * Returns the stable, lowercase identifier of this code, such as {@code not-found}.
     *
     * @return the identifier
     */
    public String id() {
        return id;
    }
}
