package dev.drkit.cli;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.storage.azure.AzureBlobStore;
import dev.drkit.storage.s3.S3Store;
import java.util.Arrays;
import java.util.Map;
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
        // A repository in the cloud starts with its bucket or container.
        if (store instanceof S3Store s3 && s3.createBucketIfMissing()) {
            progress("created the bucket of " + store.describe());
        } else if (store instanceof AzureBlobStore azure && azure.createContainerIfMissing()) {
            progress("created the container of " + store.describe());
        }
        char[] password = repository.password(environment());
        try (Repository repo = Repository.init(store, password, RepositoryOptions.DEFAULT)) {
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
}
