package dev.drkit.api;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The one unchecked exception of DR Kit: a stable {@link ErrorCode}, a message meant for a
 * person, and the offending input (a key, path, field or URI, with secrets removed).
 *
 * <p>Messages and inputs never carry passwords, keys or credential-bearing query parameters;
 * code that builds a {@code DrException} from a URI passes it through
 * {@link dev.drkit.api.store.RedactedUri} first.
 */
public class DrException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final @Nullable String input;

    /**
     * Creates an exception.
     *
     * @param code the stable code
     * @param message what went wrong, for a person
     * @param input the offending key, path, field or redacted URI, or {@code null} when none applies
     * @param cause the underlying failure, or {@code null}
     */
    public DrException(ErrorCode code, String message, @Nullable String input, @Nullable Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
        this.input = input;
    }

    /**
     * Creates an exception without a cause.
     *
     * @param code the stable code
     * @param message what went wrong, for a person
     * @param input the offending input, or {@code null}
     */
    public DrException(ErrorCode code, String message, @Nullable String input) {
        this(code, message, input, null);
    }

    /**
     * Creates an exception for an invalid argument, naming the field and its value in the
     * form {@code "minCalls must be > 0, but was -3"}.
     *
     * @param field the name of the field or argument
     * @param requirement what the value must satisfy, such as {@code "must be > 0"}
     * @param value the rejected value
     * @return the exception, to be thrown by the caller
     */
    public static DrException invalidArgument(String field, String requirement, @Nullable Object value) {
        return new DrException(ErrorCode.INVALID_ARGUMENT,
                field + " " + requirement + ", but was " + value, field + "=" + value);
    }

    /**
     * Returns the stable code of this failure.
     *
     * @return the code
     */
    public ErrorCode code() {
        return code;
    }

    /**
     * Returns the offending input: a key, path, field or URI with secrets removed.
     *
     * @return the input, or {@code null} when none applies
     */
    public @Nullable String input() {
        return input;
    }

    @Override
    public String toString() {
        return getClass().getName() + " [" + code.id() + "]: " + getMessage();
    }
}
