package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.config.DurationText;
import dev.drkit.core.journal.DirectoryFeed;
import dev.drkit.core.report.Durations;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.JournalStatus;
import dev.drkit.core.repository.ReplicaStatus;
import dev.drkit.core.repository.Replication;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.store.SnapshotStores;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dr watch}: protects a directory continuously, journaling its changes into the
 * repository until the process is stopped; restore with {@code dr restore --at}. It holds the
 * source's writer lock while it runs, so a second watch of the same source into the same
 * repository, from this host or another, is refused at start naming the first; a watch whose
 * lock another writer took over stops, exit 1, naming it, instead of running on unjournaled.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Journal a directory's changes continuously until stopped (Ctrl-C or SIGTERM flushes first).",
                "One watch per source and repository: another one of the same source, on any host, is refused "
                        + "at start (exit 1) naming the running one's host, pid and start; after a kill -9 its "
                        + "lock expires within 5 minutes, or 'dr unlock' removes it sooner on its host.",
                "A watch whose lock another writer took over (it stalled past the lock's expiry, or the lock was "
                        + "removed) stops with exit 1 naming that writer, since it journals no more.",
                "A watch that ends (--duration) having met files or directories it could not read names them and "
                        + "exits 4, as dr backup does; the rest was journaled."},
        footer = "DURATION: " + DurationText.FORMS + ".")
final class WatchCommand extends RepositoryCommand {
    /** How many unreadable entries the end of a watch names. */
    private static final int NAMED = 20;

    @Parameters(index = "0", paramLabel = "DIR", description = "The directory to watch.")
    Path directory;

    @Option(names = "--name", paramLabel = "NAME",
            description = "The source's name in the repository: letters, digits, '.', '_' and '-' (default: the "
                    + "directory's name, other characters replaced by '_', as dr backup names its sources).")
    String name;

    @Option(names = "--flush-interval", paramLabel = "DURATION",
            description = "The most time a change waits before it is durable (default 500ms).")
    Duration flushInterval = JournalOptions.DEFAULT_FLUSH_INTERVAL;

    @Option(names = "--stable-for", paramLabel = "DURATION",
            description = "How long a file must stay unchanged before it is captured (default 200ms).")
    Duration stableFor = DirectoryFeed.DEFAULT_STABLE_FOR;

    @Option(names = "--compact-every", paramLabel = "DURATION",
            description = "Compact the journal into a snapshot this often (default 1h).")
    Duration compactEvery = JournalOptions.DEFAULT_COMPACT_EVERY;

    @Option(names = "--heartbeat-every", paramLabel = "DURATION",
            description = "While nothing changes, write an empty segment this often, so that a restore reaches "
                    + "every instant up to it and a stopped watch shows (default 1m).")
    Duration heartbeatEvery = JournalOptions.DEFAULT_HEARTBEAT_EVERY;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "Stop after this long instead of running until stopped.")
    Duration duration;

    @Option(names = "--replicate-to", paramLabel = "URI",
            description = "Ship each journal segment to this repository as soon as it is durable (repeatable); "
                    + "its password comes from $" + CopyCommand.TO_PASSWORD_ENV + ", else the source's.")
    List<String> replicas = new ArrayList<>();

    /** Refuses a duration of 0 for an option that needs more, naming the option as the user typed it. */
    private static void positive(String option, Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT,
                    option + " must be more than 0, but was " + Durations.human(value), option);
        }
    }

    @Override
    void check() {
        if (!Files.isDirectory(directory.toAbsolutePath().normalize())) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "Not a directory: " + directory, directory.toString());
        }
        // Checked here, not left to JournalOptions, whose message names its own fields.
        positive("--flush-interval", flushInterval);
        positive("--compact-every", compactEvery);
        positive("--heartbeat-every", heartbeatEvery);
    }

    @Override
    int run(SnapshotStore store) throws Exception {
        Path dir = directory.toAbsolutePath().normalize();
        // As dr backup names its sources: characters a source name cannot hold become '_'.
        String source = name != null ? name : BackupCommand.sourceName(dir);
        JournalOptions options = JournalOptions.DEFAULT.withFlushInterval(flushInterval)
                .withCompaction(compactEvery, JournalOptions.DEFAULT_COMPACT_BYTES).withHeartbeatEvery(heartbeatEvery);
        CountDownLatch stopped = new CountDownLatch(1);
        List<AutoCloseable> opened = new ArrayList<>();
        try (Repository repo = open(store)) {
            DirectoryFeed feed = DirectoryFeed.builder(source, directory).stableFor(stableFor).build();
            Journal journal;
            if (replicas.isEmpty()) {
                journal = repo.journal(feed, options);
            } else {
                List<Repository> secondaries = new ArrayList<>();
                for (String uri : replicas) {
                    SnapshotStore replicaStore = SnapshotStores.open(uri);
                    opened.add(replicaStore);
                    if (replicaStore.describe().equals(store.describe())) {
                        throw new DrException(ErrorCode.INVALID_ARGUMENT, "--replicate-to " + uri
                                + " names the repository being watched into; give another one", "--replicate-to");
                    }
                    Repository secondary = openReplica(uri, replicaStore);
                    opened.add(secondary);
                    secondaries.add(secondary);
                }
                journal = Replication.of(repo, secondaries).journal(feed, options);
            }
            // Another writer that took the source's lock over journals it now; this one writes no
            // more, so it stops rather than run on while its recovery point lapses.
            AtomicReference<String> lostTo = new AtomicReference<>();
            journal.onWriterLockLost(holder -> {
                lostTo.set(holder);
                stopped.countDown();
            });
            PrintWriter stopErr = err();
            Thread hook = new Thread(() -> {
                try {
                    journal.close();
                } catch (RuntimeException e) {
                    // Stopped by a signal: one line, not an uncaught exception's stack trace.
                    stopErr.println("dr: watch of '" + TerminalText.escape(source) + "' stopped, but its last changes "
                            + "could not be journaled: " + TerminalText.escape(String.valueOf(e.getMessage())));
                    stopErr.flush();
                } finally {
                    stopped.countDown();
                }
            }, "dr-watch-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            out().println("watching " + TerminalText.escape(directory.toString()) + " as '" + TerminalText.escape(source)
                    + "', flushing every " + Durations.human(flushInterval)
                    + (replicas.isEmpty() ? "" : ", shipping to " + replicas.size() + " secondar"
                            + (replicas.size() == 1 ? "y" : "ies")));
            out().flush();
            boolean ended = true;
            if (duration != null) {
                ended = stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                stopped.await();
            }
            String holder = lostTo.get();
            if (holder != null) {
                throw lost(journal, hook, source, holder);
            }
            if (!ended) {
                Runtime.getRuntime().removeShutdownHook(hook);
                journal.close();
            }
            JournalStatus s = journal.status();
            out().printf("journal '%s': %s on snapshot %s, committed position %d%n", TerminalText.escape(s.source()),
                    Counts.of(s.segments(), "segment"), s.baseSnapshotId().substring(0, 8), s.committedPosition());
            for (ReplicaStatus r : journal.replicas()) {
                out().printf("secondary %d: %s shipped, lag %d ms%s%n", r.secondary(),
                        Counts.of(r.segmentsShipped(), "segment"), r.lag().toMillis(),
                        r.lastError() == null ? "" : ", last error: " + TerminalText.escape(r.lastError()));
            }
            Map<String, String> problems = new TreeMap<>(feed.problems());
            if (!problems.isEmpty()) {
                // As dr backup does for entries it cannot read: named, and exit 4.
                err().printf("warning: %s could not be read and %s not journaled:%n",
                        Counts.of(problems.size(), "entry", "entries"), problems.size() == 1 ? "is" : "are");
                problems.entrySet().stream().limit(NAMED).forEach(p -> err().printf("  %s (%s)%n",
                        TerminalText.escape(p.getKey()), TerminalText.escape(p.getValue())));
                if (problems.size() > NAMED) {
                    err().printf("  and %d more%n", problems.size() - NAMED);
                }
                err().flush();
                return DrCommand.EXIT_INCOMPLETE;
            }
        } finally {
            for (int i = opened.size() - 1; i >= 0; i--) {
                opened.get(i).close();
            }
        }
        return DrCommand.EXIT_OK;
    }

    /**
     * Stops a journal whose writer lock another writer took over and says so in one line: its
     * close fails {@code LOCKED} for the same reason, which the line says better.
     */
    private static DrException lost(Journal journal, Thread hook, String source, String holder) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            journal.close();
        } catch (IllegalStateException e) {
            // the process is stopping already: the hook closes the journal
        } catch (DrException e) {
            if (e.code() != ErrorCode.LOCKED) {
                throw e;
            }
        }
        JournalStatus s = journal.status();
        return new DrException(ErrorCode.LOCKED, "watch of '" + source + "' stopped: another writer took its "
                + "writer lock journal-locks/" + source + " over, " + holder + ", and journals the source now; "
                + "this watch journals no more (" + (s.pending() == 1 ? "1 change" : s.pending() + " changes")
                + " it took not journaled)",
                "journal-locks/" + source);
    }

    private Repository openReplica(String uri, SnapshotStore store) {
        char[] password = CopyCommand.destinationPassword(environment(), repository.password(environment()));
        try {
            return RepositoryLocation.open("--replicate-to", uri, store, password,
                    dev.drkit.core.repository.RepositoryOptions.DEFAULT, RepositoryLocation.initHint(uri, store));
        } finally {
            Arrays.fill(password, '\0');
        }
    }
}
