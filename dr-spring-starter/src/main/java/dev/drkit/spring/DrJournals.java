package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.journal.DirectoryFeed;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.JournalStatus;
import dev.drkit.core.repository.Replication;
import dev.drkit.core.repository.Repository;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journals of {@code dr.backup.continuous.directories}: each directory watched and its
 * changes made durable within the flush interval; the lag against the journal's RPO feeds the
 * health contributor and the actuator endpoint.
 *
 * <p>Each journal holds its source's writer lock in the repository. When another writer (another
 * instance of the application, a {@code dr watch}) took a lock over, because this process left
 * it unrefreshed past its expiry (paused longer than five minutes), that journal writes no more:
 * the loss is logged at ERROR once, naming the directory and the new holder, and
 * {@link #lostWriterLocks()} names it for the health contributor, the meters and the endpoint.
 * The lock is not taken back: the other writer is live, and two writers of a source must never
 * write side by side; the operator stops one of them and restarts this instance.
 */
public final class DrJournals implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DrJournals.class);
    private final List<Journal> journals;
    private final List<String> sources;
    private final Duration rpo;
    private final Map<String, String> lost = new ConcurrentHashMap<>();

    /**
     * Wraps running journals.
     *
     * @param journals the journals, closed with this
     * @param rpo the objective the lag is held to
     */
    public DrJournals(List<Journal> journals, Duration rpo) {
        this(journals, Map.of(), rpo);
    }

    private DrJournals(List<Journal> journals, Map<String, Path> directories, Duration rpo) {
        this.journals = List.copyOf(journals);
        this.rpo = rpo;
        List<String> names = new ArrayList<>();
        for (Journal j : this.journals) {
            String source = j.status().source();
            names.add(source);
            Path directory = directories.get(source);
            // Told once, on the thread that found out (a flush or the lock refresh), or at once when known already.
            j.onWriterLockLost(holder -> writerLockLost(source, directory, holder));
        }
        this.sources = List.copyOf(names);
    }

    private void writerLockLost(String source, @Nullable Path directory, String holder) {
        if (lost.putIfAbsent(source, holder) == null) {
            LOG.error("Continuous protection of {} stopped: another writer, {}, took the writer lock of source '{}' "
                    + "over; this instance journals none of its changes any more. Stop the other writer, then "
                    + "restart this instance.",
                    directory == null ? "source '" + source + "'" : "'" + directory + "'", holder, source);
        }
    }

    /**
     * Starts a journal for each configured directory.
     *
     * @param repository the repository
     * @param continuous the {@code dr.backup.continuous.*} properties
     * @return the running journals
     * @throws DrException {@code INVALID_CONFIG} naming {@code dr.backup.continuous.directories}
     *     when it is empty or a directory cannot be watched; {@code LOCKED} naming the property,
     *     the source and its writer when another process (another instance of the fleet, a
     *     {@code dr watch}) journals a directory's source into the repository already
     */
    public static DrJournals start(Repository repository, DrProperties.Continuous continuous) {
        return start(repository, continuous, null);
    }

    /**
     * Starts a journal for each configured directory, shipping its segments to a secondary as
     * they become durable when there is one and it is open. Journals started while the
     * secondary is still being opened do not ship: when it opens, a catch-up copies their
     * chains as they stand, and each later backup copies what the secondary lacks; they ship
     * segment by segment from the next start.
     *
     * @param repository the repository
     * @param continuous the {@code dr.backup.continuous.*} properties
     * @param secondary the secondary of {@code dr.replication.uri}, or null for none
     * @return the running journals
     * @throws DrException as {@link #start(Repository, DrProperties.Continuous)}; {@code INVALID_CONFIG}
     *     naming {@code dr.replication.uri} when the secondary is the repository itself
     */
    public static DrJournals start(Repository repository, DrProperties.Continuous continuous,
            @Nullable DrReplication secondary) {
        if (continuous.directories().isEmpty()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "dr.backup.continuous.enabled is true but "
                    + "dr.backup.continuous.directories is empty", "dr.backup.continuous.directories");
        }
        JournalOptions options = JournalOptions.DEFAULT.withFlushInterval(continuous.flushInterval())
                .withCompaction(continuous.compactEvery(), JournalOptions.DEFAULT_COMPACT_BYTES)
                .withHeartbeatEvery(continuous.heartbeatEvery());
        Replication replication = secondary == null ? null : secondary.replicationOf(repository).orElse(null);
        if (secondary != null && replication == null) {
            LOG.warn("The journals of {} do not ship their segments to the secondary {}, which is not open yet; "
                    + "it is caught up when it opens, and the journals ship from the next start",
                    continuous.directories(), secondary.target());
            // Registers the repository, so that the secondary is caught up with it when it opens.
            secondary.whenOpen(repository, r -> { });
        }
        List<Journal> started = new ArrayList<>();
        Map<String, Path> directories = new LinkedHashMap<>();
        try {
            for (Path p : continuous.directories()) {
                Path abs = p.toAbsolutePath().normalize();
                Path name = abs.getFileName();
                DirectoryFeed feed = DirectoryFeed.builder(name == null ? "root" : name.toString(), abs)
                        .stableFor(continuous.stableFor()).build();
                try {
                    started.add(replication == null ? repository.journal(feed, options)
                            : replication.journal(feed, options));
                    directories.put(feed.name(), abs);
                } catch (DrException e) {
                    // Another writer of the source is no configuration error: it keeps its code.
                    ErrorCode code = e.code() == ErrorCode.LOCKED ? ErrorCode.LOCKED : ErrorCode.INVALID_CONFIG;
                    throw new DrException(code, "dr.backup.continuous.directories: " + e.getMessage(),
                            abs.toString(), e);
                }
            }
        } catch (RuntimeException e) {
            started.forEach(DrJournals::closeQuietly);
            throw e;
        }
        return new DrJournals(started, directories, continuous.rpo());
    }

    /** Returns each journal's status. @return the statuses */
    public List<JournalStatus> statuses() {
        return journals.stream().map(Journal::status).toList();
    }

    /** Returns the largest lag of the journals. @return the lag, zero when all is durable */
    public Duration maxLag() {
        return journals.stream().map(Journal::lag).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /**
     * Returns the sources whose writer lock another writer took over, with the new holder of
     * each: these journals write no more, and their changes only queue up.
     *
     * @return the new holder ({@code owner on host (pid 4242, since <instant>)}) by source, in
     *     source order; empty while every journal holds its lock
     */
    public Map<String, String> lostWriterLocks() {
        return Collections.unmodifiableMap(new TreeMap<>(lost));
    }

    /** Returns the journaled sources, in the order of the directories. @return the source names */
    public List<String> sources() {
        return sources;
    }

    /** Returns the objective. @return the RPO */
    public Duration rpo() {
        return rpo;
    }

    /** Tells whether every journal's lag is within the objective. @return true when met */
    public boolean rpoMet() {
        return maxLag().compareTo(rpo) <= 0;
    }

    /** Stops the feeds and makes what they emitted durable. */
    @Override
    public void close() {
        journals.forEach(DrJournals::closeQuietly);
    }

    private static void closeQuietly(Journal j) {
        try {
            j.close();
        } catch (RuntimeException e) {
            LOG.warn("Closing the journal of '{}' failed: {}", j.status().source(), e.toString());
        }
    }
}
