package dev.drkit.api.rollback;

/**
 * Decides from an {@link Observation} whether a candidate should be rolled back, promoted or
 * watched further.
 *
 * <p>A judge is called on the call path after calls complete, possibly from many threads at
 * once: it must be thread-safe, fast and free of blocking I/O. It should be a function of
 * the observation alone, so that a guard may call it as often as it likes.
 */
@FunctionalInterface
public interface Judge {

    /**
     * Judges the current rollout step.
     *
     * @param observation what each version has done in this step
     * @return the verdict, with its evidence
     */
    Verdict judge(Observation observation);
}
