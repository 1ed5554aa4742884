package dev.drkit.cli;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code dr init}: creates a repository in a store that holds none. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create a repository protected by the password.")
final class InitCommand extends RepositoryCommand {
    @Override
    int run(SnapshotStore store) {
        char[] password = repository.password(environment);
        try (Repository repo = Repository.init(store, password, RepositoryOptions.defaults())) {
            if (json) {
                CliJson.print(out(), Map.of("repository", repo.id(), "location", store.describe()));
            } else {
                out().println("created repository " + repo.id() + " at " + store.describe());
            }
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
        return DrCommand.EXIT_OK;
    }
}
