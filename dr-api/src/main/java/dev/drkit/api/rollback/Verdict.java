package dev.drkit.api.rollback;

import java.util.Objects;

/**
 * A {@link Judge}'s decision with its reason and evidence.
 *
 * @param decision CONTINUE, PROMOTE or ROLLBACK
 * @param reason one sentence for a person, such as "candidate failure rate 5.1% exceeds 1.0%"
 * @param evidence the numbers behind the decision
 */
public record Verdict(Decision decision, String reason, Evidence evidence) {
    /** Checks that no field is null. */
    public Verdict {
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(evidence, "evidence");
    }

    /**
     * Returns a CONTINUE verdict.
     *
     * @param reason why
     * @param evidence the numbers
     * @return the verdict
     */
    public static Verdict keepGoing(String reason, Evidence evidence) {
        return new Verdict(Decision.CONTINUE, reason, evidence);
    }
}
