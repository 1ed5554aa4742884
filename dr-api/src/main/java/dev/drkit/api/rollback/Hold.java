package dev.drkit.api.rollback;

import java.util.Objects;

/**
 * Why a guard holds its rollout step, neither promoting nor rolling back.
 *
 * @param reason the kind of evidence missing
 * @param detail one sentence for a person, such as "probe db polled 1 of 3 times"
 */
public record Hold(HoldReason reason, String detail) {
    /** Checks that no field is null. */
    public Hold {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }
}
