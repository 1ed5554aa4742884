package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.storage.azure.AzureBlobStore;
import dev.drkit.storage.s3.S3Store;
import java.util.Arrays;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;

/** {@code dr init}: creates a repository in a store that holds none. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Create a repository protected by the password; an S3 bucket or Azure container is created when "
                + "missing.", "The repository owns its location: a directory must be new or empty, and a bucket, "
                + "container or prefix must hold no objects (prune deletes data it did not write)."})
final class InitCommand extends RepositoryCommand {
    @Override
    int run(SnapshotStore store) {
        NewRepositoryDirectory.requireEmpty(store);
        String created = createBucketOrContainer(store);
        if (created != null) {
            progress(created);
        }
        char[] password = repository.password(environment());
        try (Repository repo = initRefusingAnExistingOne(store, password)) {
            if (json) {
                CliJson.print(out(), Map.of("repository", repo.id(), "location", store.describe()));
            } else {
                out().println("created repository " + repo.id() + " at "
                        + TerminalText.escape(RepositoryLocation.of(repository.repo, store)));
            }
        } finally {
            Arrays.fill(password, '\0');
        }
        return DrCommand.EXIT_OK;
    }

    /**
     * Creates the S3 bucket or Azure container of a store when missing: a repository in the
     * cloud starts with it.
     *
     * @param store the store
     * @return the line that says what was created, or null when nothing was
     */
    static @Nullable String createBucketOrContainer(SnapshotStore store) {
        if (store instanceof S3Store s3 && s3.createBucketIfMissing()) {
            return "created the bucket of " + store.describe();
        } else if (store instanceof AzureBlobStore azure && azure.createContainerIfMissing()) {
            return "created the container of " + store.describe();
        }
        return null;
    }

    /**
     * Creates the repository; a store that holds one already is a usage error (exit 2), as a
     * store that holds other objects is.
     */
    private static Repository initRefusingAnExistingOne(SnapshotStore store, char[] password) {
        try {
            return Repository.init(store, password, RepositoryOptions.DEFAULT);
        } catch (DrException e) {
            if (e.code() != ErrorCode.ALREADY_EXISTS) {
                throw e;
            }
            throw new DrException(ErrorCode.INVALID_ARGUMENT, e.getMessage() + "; dr init creates a new one: give "
                    + "another location, or use the one there", e.input(), e);
        }
    }
}
