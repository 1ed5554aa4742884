package dev.drkit.api.rollback;

/** The two versions a {@link Guard} routes between. */
public enum Variant {
    /** The last known good version. */
    STABLE,
    /** The new version being rolled out. */
    CANDIDATE
}
