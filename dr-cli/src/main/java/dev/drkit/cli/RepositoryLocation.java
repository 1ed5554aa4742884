package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.store.SnapshotStores;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * How the commands name a repository in their messages: a directory as a path (its characters
 * as the user typed them, not percent-encoded as in a {@code file:} URI), any other store by
 * its URI without secrets; and the messages of the two mistakes a new user makes first, a
 * location that holds no repository and a file given for a directory.
 */
final class RepositoryLocation {
    private RepositoryLocation() {
    }

    /**
     * Returns the location for messages: the directory of a file store, else the redacted URI
     * as given.
     *
     * @param given the option's value, as typed
     * @param store the store it opened
     * @return the text, not yet escaped for a terminal
     */
    static String of(String given, SnapshotStore store) {
        return SnapshotStores.directory(store).map(Path::toString).orElseGet(() -> RedactedUri.of(given));
    }

    /**
     * Refuses a file store whose directory is a regular file (or anything but a directory):
     * the store's first read would fail with the operating system's "Not a directory".
     *
     * @param option the option that named it, such as {@code --repo}
     * @param store the store
     * @throws DrException {@code INVALID_ARGUMENT} (exit 2) naming the option and the path
     */
    static void requireNotAFile(String option, SnapshotStore store) {
        Path dir = SnapshotStores.directory(store).orElse(null);
        if (dir == null || !Files.exists(dir) || Files.isDirectory(dir)) {
            return;
        }
        String what = Files.isRegularFile(dir, LinkOption.NOFOLLOW_LINKS) ? "is a file" : "is not a directory";
        throw new DrException(ErrorCode.INVALID_ARGUMENT, option + ": " + dir + " " + what
                + ", not a repository directory", dir.toString());
    }

    /**
     * Opens the repository, saying where none is found in the words the user gave and how to
     * create one.
     *
     * @param option the option that named it, such as {@code --repo}
     * @param given the option's value, as typed
     * @param store its store
     * @param password the password (not cleared here)
     * @param options how to open it
     * @param hint how to create one, such as {@code create one with 'dr init --repo X'}
     * @return the open repository
     * @throws DrException {@code NOT_FOUND} naming the location and the hint; the library's
     *     other failures as they are
     */
    static Repository open(String option, String given, SnapshotStore store, char[] password,
            RepositoryOptions options, String hint) {
        requireNotAFile(option, store);
        try {
            return Repository.open(store, password, options);
        } catch (DrException e) {
            if (e.code() != ErrorCode.NOT_FOUND || !store.describe().equals(e.input())) {
                throw e;
            }
            throw new DrException(ErrorCode.NOT_FOUND, "No repository at " + of(given, store) + " (" + hint + ")",
                    of(given, store), e);
        }
    }

    /** The hint of a missing repository: {@code create one with 'dr init --repo LOCATION'}. */
    static String initHint(String given, SnapshotStore store) {
        String location = of(given, store);
        boolean plain = location.chars().noneMatch(c -> Character.isWhitespace(c) || "'\"$`\\&;|*?<>()".indexOf(c) >= 0);
        return "create one with 'dr init --repo " + (plain ? location : "\"" + location + "\"") + "'";
    }
}
