package dev.drkit.core.repository;

/**
 * The size of a repository, as {@link Repository#stats()} reports it.
 *
 * @param snapshots committed snapshots
 * @param packs indexed packs
 * @param blobs indexed blobs
 * @param storedBytes bytes of the indexed blobs as stored (compressed and sealed)
 * @param rawBytes bytes of the indexed blobs' content
 */
public record RepositoryStats(int snapshots, int packs, long blobs, long storedBytes, long rawBytes) {
}
