package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The rule for the directory of a repository that a command creates: it does not exist yet or
 * is an empty directory. A repository owns its directory (prune deletes files under
 * {@code data.d/} that no index lists), and the store's own listing does not show every file a
 * directory may hold, so the command looks at the directory itself before the library's check
 * of the listing.
 */
final class NewRepositoryDirectory {
    private NewRepositoryDirectory() {
    }

    /**
     * Refuses a file store whose directory holds anything; other stores pass.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the directory and its first entry,
     *     or a path that is not a directory
     */
    static void requireEmpty(SnapshotStore store) {
        Path dir = SnapshotStores.directory(store).orElse(null);
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && (store.stat("config").isPresent()
                || store.list("snapshots/").findAny().isPresent() || store.list("history/").findAny().isPresent())) {
            return; // a repository, whole or with its config lost: Repository.init says which (exit 1 or 3)
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "Cannot create a repository at " + dir
                    + ": it is not a directory", dir.toString());
        }
        List<Path> entries;
        try (Stream<Path> list = Files.list(dir)) {
            entries = list.sorted().toList();
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "Cannot read the directory " + dir + ": " + e, dir.toString(),
                    e);
        }
        if (!entries.isEmpty()) {
            String first = TerminalText.escape(entries.get(0).getFileName().toString());
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "Cannot create a repository in " + dir
                    + ": the directory is not empty, it holds '" + first + "'"
                    + (entries.size() > 1 ? " and " + (entries.size() - 1) + " more" : "")
                    + "; a repository owns its directory (prune deletes files it did not write): give a new or "
                    + "empty directory", dir.toString());
        }
    }
}
