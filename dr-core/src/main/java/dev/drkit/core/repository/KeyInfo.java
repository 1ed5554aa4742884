package dev.drkit.core.repository;

import java.time.Instant;

/**
 * One password that opens a repository: a key file under {@code keys/}.
 *
 * @param id the key's id, the last segment of its store key
 * @param created when it was added
 * @param host the host that added it
 * @param current whether this is the key the repository was opened with
 */
public record KeyInfo(String id, Instant created, String host, boolean current) {
}
