package dev.drkit.core.repository;

import java.util.Objects;

/**
 * What {@link Repository#repairHistory} did.
 *
 * @param before the head as the repair found it: {@code sound}, {@code missing}, or
 *     {@code damaged: } and why
 * @param rebuiltFromEntry the sequence number of the newest archived entry the head was rebuilt
 *     from ({@code history/entries/<seq>}), or of the sound head's entry; a change recorded after
 *     it only in the lost head, or removed together with it, cannot be detected
 * @param snapshots how many snapshots the head records
 * @param headDigest the head's digest ({@code <seq>:<hash>}), to keep out of band and compare
 *     with one kept before the loss
 * @param changed whether a head was written
 */
public record HistoryRepairResult(String before, long rebuiltFromEntry, int snapshots, String headDigest,
        boolean changed) {
    /**
     * Checks the result.
     *
     * @throws NullPointerException when {@code before} or {@code headDigest} is null
     */
    public HistoryRepairResult {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(headDigest, "headDigest");
    }
}
