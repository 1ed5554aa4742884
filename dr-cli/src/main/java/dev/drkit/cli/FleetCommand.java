package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.coordination.LeaseHolder;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.Coordinators;
import dev.drkit.core.coordination.StoreCoordinator;
import dev.drkit.core.store.SnapshotStores;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dr fleet}: the fleet's coordination as one instance of it would see it. */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = "Show how the instances of a service coordinate.",
        subcommands = {FleetCommand.Status.class})
public final class FleetCommand {

    /** Creates the command; picocli calls this. */
    public FleetCommand() {
    }

    /**
     * {@code dr fleet status}: the lease's holder and epoch and the group's members, read from
     * the repository's store (the starter's default) or from a coordination service such as
     * ZooKeeper.
     */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Print the lease holder, its fencing epoch and the live members of a fleet.")
    static final class Status implements Callable<Integer> {
        /** Where the fleet coordinates: one of the two. */
        static final class Backend {
            @Option(names = {"-r", "--repo"}, paramLabel = "URI", description = "The repository whose store "
                    + "carries the coordination: a URI (file:, s3://, azblob://) or a plain path.")
            @Nullable String repo;

            @Option(names = "--coordinator", paramLabel = "URI",
                    description = "A coordination service, such as zookeeper://zk1:2181,zk2:2181/orders.")
            @Nullable String coordinator;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Backend backend;

        @Option(names = "--lease", paramLabel = "NAME", defaultValue = "writer",
                description = "The lease to show (default: ${DEFAULT-VALUE}, as dr.coordination.lease).")
        String lease;

        @Option(names = "--group", paramLabel = "NAME", defaultValue = "dr",
                description = "The group whose members to list: the service's spring.application.name or "
                        + "dr.coordination.group (default: ${DEFAULT-VALUE}).")
        String group;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            CoordinatorConfig.requireName("--lease", lease);
            CoordinatorConfig.requireName("--group", group);
            CoordinatorConfig config = CoordinatorConfig.ofDefaults("dr-cli-" + ProcessHandle.current().pid());
            if (backend.coordinator != null) {
                try (Coordinator c = Coordinators.open(backend.coordinator, config)) {
                    return print(RedactedUri.of(backend.coordinator), c);
                }
            }
            String repo = Objects.requireNonNull(backend.repo);
            try (SnapshotStore store = SnapshotStores.open(repo)) {
                requireExistingDirectory(store);
                try (Coordinator c = StoreCoordinator.open(store, config)) {
                    return print(RedactedUri.of(repo), c);
                }
            }
        }

        /**
         * Refuses a file store whose directory does not exist or is no directory: a status look
         * must not create one (a file store creates its directory on the first write), and an
         * empty fleet in a mistyped path would look like a fleet with nobody in it.
         */
        private static void requireExistingDirectory(SnapshotStore store) {
            Path dir = SnapshotStores.directory(store).orElse(null);
            if (dir == null || Files.isDirectory(dir)) {
                return;
            }
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--repo: " + dir + (Files.exists(dir)
                    ? " is not a directory" : " does not exist") + "; give the directory of the repository "
                    + "the fleet coordinates in", dir.toString());
        }

        private int print(String where, Coordinator c) {
            Optional<LeaseHolder> holder = c.lease(lease).holder();
            SortedSet<String> members = c.membership(group).members();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("backend", where);
                m.put("lease", lease);
                m.put("holder", holder.map(LeaseHolder::memberId).orElse(null));
                m.put("epoch", holder.map(LeaseHolder::epoch).orElse(null));
                m.put("group", group);
                m.put("members", List.copyOf(members));
                CliJson.print(out, m);
                return DrCommand.EXIT_OK;
            }
            out.printf("backend  %s%n", TerminalText.escape(where));
            out.printf("lease    %s%n", TerminalText.escape(lease));
            out.printf("holder   %s%n", holder.map(h -> TerminalText.escape(h.memberId())).orElse("none"));
            out.printf("epoch    %s%n", holder.map(h -> Long.toString(h.epoch())).orElse("-"));
            out.printf("group    %s%n", TerminalText.escape(group));
            out.printf("members  %s%n", members.isEmpty() ? "none"
                    : String.join(", ", members.stream().map(TerminalText::escape).toList()));
            return DrCommand.EXIT_OK;
        }
    }
}
