package dev.drkit.api.backup;

/**
 * Checks the data that a restore test restored into a sandbox: that a table still has its
 * rows, that files match their checksums, that a smoke query answers. The application
 * implements it for what only it knows; the kit ships common ones.
 *
 * <p>A validator reads the sandbox and nothing else: it never touches the live data. It fails
 * by returning {@link ValidationResult#failed} or by throwing; either fails the restore test
 * with the validator's name and message.
 */
@FunctionalInterface
public interface RestoreValidator {

    /**
     * Checks the restored data.
     *
     * @param restored the snapshot restored into the sandbox
     * @return what was found
     * @throws Exception when the check cannot be made or the data is wrong, with the reason
     */
    ValidationResult validate(RestoredSnapshot restored) throws Exception;

    /**
     * Returns the name reports and audit records give this validator.
     *
     * @return the name; by default the class's simple name
     */
    default String name() {
        return getClass().getSimpleName();
    }
}
