package dev.drkit.core.repository.internal;

/** What a blob holds. */
enum BlobType {
    /** A chunk of file content. */
    DATA,
    /** A directory listing. */
    TREE;

    static BlobType ofCode(int code) {
        return switch (code) {
            case 0 -> DATA;
            case 1 -> TREE;
            default -> throw new IllegalArgumentException("Unknown blob type " + code);
        };
    }

    int code() {
        return ordinal();
    }
}
