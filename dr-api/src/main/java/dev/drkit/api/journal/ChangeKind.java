package dev.drkit.api.journal;

/** What a {@link Change} does to its source's state. */
public enum ChangeKind {
    /** A file or keyed record is written whole, created or replaced. */
    PUT,
    /** A file or keyed record is removed; removing one that does not exist changes nothing. */
    DELETE,
    /** A file is moved to another path, replacing whatever was there. */
    RENAME
}
