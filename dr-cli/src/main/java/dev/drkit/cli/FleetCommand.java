package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.coordination.LeaseHolder;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.Coordinators;
import dev.drkit.core.coordination.FleetRecords;
import dev.drkit.core.coordination.FleetRecords.Holding;
import dev.drkit.core.coordination.FleetRecords.Inconsistency;
import dev.drkit.core.report.Durations;
import dev.drkit.core.store.SnapshotStores;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
     * ZooKeeper. A store is read once, without taking part in the fleet (nothing is written):
     * the holder is shown with when it last renewed the lease and its TTL, since only an
     * instance that watches the lease for a TTL can tell that its holder stopped, and objects
     * that contradict their keys are reported (exit 3) instead of shown.
     */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Print the lease holder, its fencing epoch and the members of a fleet.",
                    "From a repository's store (read once, nothing written), the holder is followed by when it "
                            + "last renewed the lease and the lease's TTL, as \"(expired? last renewed 3 min ago, "
                            + "TTL 15 s)\" once that is longer ago than the TTL by the store's timestamp and this "
                            + "host's clock: the holder has most likely stopped without releasing it. An object "
                            + "whose content contradicts its key (an announcement naming another member) is "
                            + "reported on a problem line, not trusted, and the exit code is 3."})
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
            if (backend.coordinator != null) {
                CoordinatorConfig config = CoordinatorConfig.of("dr-cli-" + ProcessHandle.current().pid());
                try (Coordinator c = Coordinators.open(backend.coordinator, config)) {
                    Optional<LeaseHolder> holder = c.lease(lease).holder();
                    SortedSet<String> members = c.membership(group).members();
                    return print(RedactedUri.of(backend.coordinator), holder.map(LeaseHolder::memberId).orElse(null),
                            holder.map(LeaseHolder::epoch).orElse(null), null, List.copyOf(members), List.of());
                }
            }
            String repo = Objects.requireNonNull(backend.repo);
            try (SnapshotStore store = SnapshotStores.open(repo)) {
                requireExistingDirectory(store);
                // One read of the objects, without opening a coordinator: a look writes nothing.
                FleetRecords records = FleetRecords.read(store, CoordinatorConfig.DEFAULT_KEY_PREFIX, lease, group);
                Holding held = records.holding() != null && records.holding().status() == Holding.Status.HELD
                        ? records.holding() : null;
                return print(RedactedUri.of(repo), held == null ? null : held.holder(),
                        held == null ? null : held.epoch(), held,
                        records.members().stream().map(FleetRecords.Member::memberId).toList(),
                        records.inconsistent());
            }
        }

        /**
         * Refuses a file store whose directory does not exist or is no directory: an empty fleet
         * in a mistyped path would look like a fleet with nobody in it.
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

        /**
         * Prints the status; {@code held} carries the holding's timestamps when the store was
         * read, and is null for a coordination service (whose holder is its live session's).
         */
        private int print(String where, @Nullable String holder, @Nullable Long epoch, @Nullable Holding held,
                List<String> members, List<Inconsistency> inconsistent) {
            PrintWriter out = spec.commandLine().getOut();
            Instant now = ((DrCommand) spec.root().userObject()).clock.instant();
            int exit = inconsistent.isEmpty() ? DrCommand.EXIT_OK : DrCommand.EXIT_INTEGRITY;
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("backend", where);
                m.put("lease", lease);
                m.put("holder", holder);
                m.put("epoch", epoch);
                m.put("lastRenewed", held == null ? null : held.lastWritten().toString());
                m.put("ageMillis", held == null ? null : held.age(now).toMillis());
                m.put("ttlMillis", held == null ? null : held.ttl().toMillis());
                m.put("expired", held == null ? null : held.pastTtl(now));
                m.put("group", group);
                m.put("members", members);
                m.put("inconsistent", inconsistent);
                CliJson.print(out, m);
                return exit;
            }
            out.printf("backend  %s%n", TerminalText.escape(where));
            out.printf("lease    %s%n", TerminalText.escape(lease));
            out.printf("holder   %s%s%n", holder == null ? "none" : TerminalText.escape(holder),
                    held == null ? "" : " (" + (held.pastTtl(now) ? "expired? " : "") + "last renewed "
                            + Durations.human(roughly(held.age(now))) + " ago, TTL " + Durations.human(held.ttl())
                            + ")");
            out.printf("epoch    %s%n", epoch == null ? "-" : Long.toString(epoch));
            out.printf("group    %s%n", TerminalText.escape(group));
            out.printf("members  %s%n", members.isEmpty() ? "none"
                    : String.join(", ", members.stream().map(TerminalText::escape).toList()));
            for (Inconsistency i : inconsistent) {
                out.printf("problem  %s%n", TerminalText.escape(i.problem()));
            }
            return exit;
        }

        /** An age to the second, or to the millisecond below one second. */
        private static Duration roughly(Duration age) {
            return age.compareTo(Duration.ofSeconds(1)) < 0 ? age.truncatedTo(ChronoUnit.MILLIS)
                    : age.truncatedTo(ChronoUnit.SECONDS);
        }
    }
}
