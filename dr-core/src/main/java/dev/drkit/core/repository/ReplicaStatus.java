package dev.drkit.core.repository;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How far one secondary of a replicated {@link Journal} is behind the primary.
 *
 * @param secondary the secondary's position in {@link Replication#secondaries()}
 * @param segmentsShipped segments this journal has written to the secondary
 * @param shippedUntil the instant up to which the secondary records every change, or
 *     {@code null} before the first segment is shipped
 * @param lag how long the oldest segment durable in the primary but not in the secondary
 *     has waited: the data a loss of the primary now would lose; zero when caught up
 * @param lastError why the last shipment failed, or {@code null} when it succeeded
 */
public record ReplicaStatus(int secondary, long segmentsShipped, @Nullable Instant shippedUntil, Duration lag,
        @Nullable String lastError) {
}
