package dev.drkit.core.repository;

import dev.drkit.api.DrException;

/**
 * Argon2id parameters that turn a password into the key that wraps the master key; they are
 * stored in each key file, so a repository opens whatever parameters it was created with.
 *
 * @param memoryKiB memory per derivation in KiB, {@code >= 8}
 * @param iterations passes over the memory, {@code >= 1}
 * @param parallelism lanes, {@code >= 1}
 */
public record KdfParams(int memoryKiB, int iterations, int parallelism) {
    /**
     * The default: 19 MiB, 2 passes, 1 lane (OWASP's recommended Argon2id setting), about 0.3
     * to 0.5 s in a fresh JVM, where the key derivation runs before the JIT has warmed up.
     */
    public static final KdfParams DEFAULT = new KdfParams(19 * 1024, 2, 1);

    /**
     * Validates the parameters.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming a value out of range
     */
    public KdfParams {
        if (memoryKiB < 8 || memoryKiB > 4 * 1024 * 1024) {
            throw DrException.invalidArgument("memoryKiB", "must be within 8..4194304", memoryKiB);
        }
        if (iterations < 1 || iterations > 100) {
            throw DrException.invalidArgument("iterations", "must be within 1..100", iterations);
        }
        if (parallelism < 1 || parallelism > 64) {
            throw DrException.invalidArgument("parallelism", "must be within 1..64", parallelism);
        }
    }
}
