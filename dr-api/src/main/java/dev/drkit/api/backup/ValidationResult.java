package dev.drkit.api.backup;

import java.util.Objects;

/**
 * What a {@link RestoreValidator} found.
 *
 * @param passed whether the restored data is good
 * @param detail one line for a person: {@code "orders.csv: 4212 rows (at least 4000)"}
 */
public record ValidationResult(boolean passed, String detail) {
    /** Checks the detail. */
    public ValidationResult {
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * Returns a passing result.
     *
     * @param detail what was checked
     * @return the result
     */
    public static ValidationResult passed(String detail) {
        return new ValidationResult(true, detail);
    }

    /**
     * Returns a failing result.
     *
     * @param detail what is wrong
     * @return the result
     */
    public static ValidationResult failed(String detail) {
        return new ValidationResult(false, detail);
    }
}
