package dev.drkit.cli;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.journal.DirectoryFeed;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.JournalStatus;
import dev.drkit.core.repository.Repository;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dr watch}: protects a directory continuously, journaling its changes into the
 * repository until the process is stopped; restore with {@code dr restore --at}.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Journal a directory's changes continuously until stopped (Ctrl-C or SIGTERM flushes first).")
final class WatchCommand extends RepositoryCommand {
    @Parameters(index = "0", paramLabel = "DIR", description = "The directory to watch.")
    Path directory;

    @Option(names = "--name", paramLabel = "NAME",
            description = "The source's name in the repository (default: the directory's name).")
    String name;

    @Option(names = "--flush-interval", paramLabel = "DURATION",
            description = "The most time a change waits before it is durable, ISO-8601 (default PT0.5S).")
    Duration flushInterval = JournalOptions.DEFAULT_FLUSH_INTERVAL;

    @Option(names = "--stable-for", paramLabel = "DURATION",
            description = "How long a file must stay unchanged before it is captured (default PT0.2S).")
    Duration stableFor = DirectoryFeed.DEFAULT_STABLE_FOR;

    @Option(names = "--compact-every", paramLabel = "DURATION",
            description = "Compact the journal into a snapshot this often (default PT1H).")
    Duration compactEvery = JournalOptions.DEFAULT_COMPACT_EVERY;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "Stop after this long instead of running until stopped.")
    Duration duration;

    @Override
    int run(SnapshotStore store) throws InterruptedException {
        String source = name != null ? name : directory.toAbsolutePath().normalize().getFileName().toString();
        JournalOptions options = JournalOptions.DEFAULT.withFlushInterval(flushInterval)
                .withCompaction(compactEvery, JournalOptions.DEFAULT_COMPACT_BYTES);
        CountDownLatch stopped = new CountDownLatch(1);
        try (Repository repo = open(store)) {
            Journal journal = repo.journal(DirectoryFeed.builder(source, directory).stableFor(stableFor).build(),
                    options);
            Thread hook = new Thread(() -> {
                journal.close();
                stopped.countDown();
            }, "dr-watch-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            out().println("watching " + directory + " as '" + source + "', flushing every " + flushInterval);
            out().flush();
            if (duration != null) {
                if (!stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS)) {
                    Runtime.getRuntime().removeShutdownHook(hook);
                    journal.close();
                }
            } else {
                stopped.await();
            }
            JournalStatus s = journal.status();
            out().printf("journal '%s': %d segments on snapshot %s, committed position %d%n", s.source(),
                    s.segments(), s.baseSnapshotId().substring(0, 8), s.committedPosition());
        }
        return DrCommand.EXIT_OK;
    }
}
