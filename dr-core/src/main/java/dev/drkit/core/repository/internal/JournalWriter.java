package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.EntryMetadata;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.backup.SourceView;
import dev.drkit.api.journal.Change;
import dev.drkit.api.journal.ChangeFeed;
import dev.drkit.api.journal.ChangeKind;
import dev.drkit.api.journal.FeedResume;
import dev.drkit.core.repository.JournalOptions;
import dev.drkit.core.repository.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running journal: takes a feed's changes, writes them as segments of the current chain one
 * flush interval after the first change waiting (so at most once per interval), writes a
 * heartbeat (a segment without changes) when it has had nothing to flush for the heartbeat
 * interval and at a clean close, and compacts the chain into a new base snapshot by age or size.
 * Thread-safe.
 */
public final class JournalWriter implements AutoCloseable {
    /** The tag of a journal's base snapshots. */
    public static final String TAG = "journal";
    /** The prefix of the tag that records a base snapshot's feed position. */
    public static final String POSITION_TAG = "journal-position-";
    private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);

    /** A change as taken, with the journal's time. */
    private record Taken(Change change, Instant time) {
    }

    /** Figures for meters and status. */
    public record Status(String source, String base, long segments, long committedPosition,
            @Nullable Instant lastDurable, int pending, Duration lag, long chainBytes, @Nullable String lastError) {
    }

    private final Engine engine;
    private final ChangeFeed feed;
    private final String source;
    private final JournalOptions options;
    private final Clock clock;
    private final Object takeLock = new Object();
    private final Object flushLock = new Object();
    private final Deque<Taken> pending = new ArrayDeque<>();
    private final @Nullable ScheduledExecutorService scheduler;
    private final Consumer<Status> onCommit;
    private final JournalLock lock;

    // Guarded by takeLock.
    private long lastTaken;
    private @Nullable Instant lastTime;
    private boolean closed;
    private boolean flushScheduled;

    // Guarded by flushLock; read by status() without it.
    private volatile String base;
    private volatile Instant baseTime;
    private volatile long nextSeq;
    private @Nullable String previous;
    private final Map<BlobId, Chain.Location> chainBlobs = new HashMap<>();
    private Set<BlobId> baseBlobs;
    private final JournalState state;
    private volatile long committed;
    private volatile @Nullable Instant lastDurable;
    private volatile long chainBytes;
    private volatile @Nullable String lastError;
    /** When a heartbeat failed, the time before which the background thread tries none again. */
    private @Nullable Instant heartbeatRetry;

    /**
     * Opens the source's journal: takes the source's writer lock ({@link JournalLock}), resumes
     * its newest chain, or starts one from an empty base snapshot, then starts the feed.
     *
     * @param engine the repository
     * @param feed the feed
     * @param options flush and compaction
     * @param background whether a thread flushes and compacts on its own; tests flush by hand
     * @param onCommit told after each commit and each compaction, on the committing thread
     * @return the running journal
     * @throws DrException {@code LOCKED} naming the source and the holder when another writer,
     *     in this process or another, on this host or another, journals the source; {@code INTEGRITY}
     *     when the chain to resume is damaged; {@code IO_FAILURE} when the feed cannot start
     */
    public static JournalWriter open(Engine engine, ChangeFeed feed, JournalOptions options, boolean background,
            Consumer<Status> onCommit) {
        String source = feed.name();
        if (!source.matches("[A-Za-z0-9._-]+") || source.equals(".") || source.equals("..")) {
            // "." and ".." would be journaled, then refused by every restore as unsafe names.
            throw DrException.invalidArgument("name", "must be made of letters, digits, '.', '_' and '-', and "
                    + "not be '.' or '..'", source);
        }
        // Before anything is written: a new source's first base snapshot would stay behind.
        feed.checkCanStart();
        // Taken before anything is written: two writers starting together on a new source would
        // otherwise both write a first base snapshot.
        JournalLock lock = JournalLock.take(engine, source);
        JournalWriter w;
        try {
            // The source's previous writer may have been another process, whose base snapshot
            // and chunks lie in index files this engine has not read.
            engine.refreshIndexIfChanged();
            w = new JournalWriter(engine, feed, options, background, onCommit, lock);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        try {
            feed.start(w.state.resume(w.committed, w.lastTime), w::accept);
        } catch (IOException e) {
            w.shutdownScheduler();
            lock.close();
            throw new DrException(ErrorCode.IO_FAILURE, "Feed '" + source + "' did not start: " + e.getMessage(),
                    source, e);
        } catch (RuntimeException e) {
            w.shutdownScheduler();
            lock.close();
            throw e;
        }
        if (w.scheduler != null) {
            long every = Math.max(1, options.flushInterval().toMillis());
            // Checked this often, the heartbeat is written at most a flush interval late.
            w.scheduler.scheduleWithFixedDelay(w::tick, every, every, TimeUnit.MILLISECONDS);
            long refresh = JournalLock.REFRESH_EVERY.toMillis();
            w.scheduler.scheduleWithFixedDelay(lock::refreshQuietly, refresh, refresh, TimeUnit.MILLISECONDS);
            synchronized (w.takeLock) {
                if (!w.pending.isEmpty()) {
                    w.scheduleFlush(); // taken while the feed started
                }
            }
        }
        return w;
    }

    private JournalWriter(Engine engine, ChangeFeed feed, JournalOptions options, boolean background,
            Consumer<Status> onCommit, JournalLock lock) {
        this.engine = engine;
        this.lock = lock;
        // Found at a background refresh, while no flush fails, the loss is still in the status.
        lock.onLost(holder -> lastError = lock.lostMessage(holder));
        this.feed = feed;
        this.source = feed.name();
        this.options = options;
        this.clock = engine.options().clock();
        this.onCommit = onCommit;
        Snapshot newest = newestBase(engine, source);
        if (newest == null) {
            this.state = new JournalState();
            Instant now = clock.instant();
            this.base = writeBase(now, FeedResume.NONE, null);
            this.baseTime = now;
            this.committed = FeedResume.NONE;
            this.nextSeq = 1;
            this.baseBlobs = Set.of();
        } else {
            Chain chain = Chain.load(engine, newest.id(), source);
            this.state = JournalState.ofSnapshot(engine, newest.id(), source);
            this.baseBlobs = state.blobs();
            chain.replay(state, null);
            this.base = newest.id();
            this.baseTime = newest.time();
            this.committed = chain.position(basePosition(newest));
            this.nextSeq = chain.segments().size() + 1L;
            this.previous = chain.lastHash();
            this.chainBlobs.putAll(chain.locations());
            this.lastDurable = chain.segments().isEmpty() ? null : chain.end(newest.time());
            this.chainBytes = storedBytes(engine, chain);
            this.lastTime = chain.end(newest.time());
        }
        this.lastTaken = committed;
        this.scheduler = background ? Executors.newSingleThreadScheduledExecutor(Engine.daemonThreads(
                "dr-journal-" + source)) : null;
    }

    /**
     * Registers a listener told once, on the thread that finds out (the journal's own at a lock
     * refresh, or one that flushes), when another writer took the source's writer lock over: this
     * journal then writes no more. Told at once, on this thread, when it found out already.
     *
     * @param listener told the new holder: {@code owner on host (pid 4242, since <instant>)}
     */
    public void onLockLost(Consumer<String> listener) {
        lock.onLost(listener);
    }

    /**
     * Finds a source's newest journal base snapshot.
     *
     * @param engine the repository
     * @param source the source
     * @return the snapshot, or {@code null}
     */
    public static @Nullable Snapshot newestBase(Engine engine, String source) {
        Snapshot newest = null;
        for (Snapshot s : engine.snapshots()) {
            if (isBase(s) && s.sources().equals(List.of(source))) {
                newest = s;
            }
        }
        return newest;
    }

    /**
     * Tells whether a snapshot starts a journal chain.
     *
     * @param s the snapshot
     * @return true for a journal's base
     */
    public static boolean isBase(Snapshot s) {
        return s.tags().contains(TAG) && s.sources().size() == 1;
    }

    /**
     * Returns the feed position a base snapshot records.
     *
     * @param s the snapshot
     * @return the position, or {@link FeedResume#NONE}
     */
    public static long basePosition(Snapshot s) {
        for (String tag : s.tags()) {
            if (tag.startsWith(POSITION_TAG)) {
                try {
                    return Long.parseLong(tag.substring(POSITION_TAG.length()));
                } catch (NumberFormatException e) {
                    return FeedResume.NONE;
                }
            }
        }
        return FeedResume.NONE;
    }

    /** Takes one change from the feed. */
    private void accept(Change change) {
        synchronized (takeLock) {
            if (closed) {
                throw new DrException(ErrorCode.ILLEGAL_STATE, "The journal of '" + source + "' is closed",
                        change.path());
            }
            if (change.position() <= lastTaken) {
                LOG.debug("Journal '{}' ignores position {} of '{}': it has {} already", source, change.position(),
                        change.path(), lastTaken);
                return;
            }
            Instant now = clock.instant();
            if (lastTime != null && now.isBefore(lastTime)) {
                LOG.warn("Journal '{}': the clock went back from {} to {}; the change of '{}' is recorded at {}",
                        source, lastTime, now, change.path(), lastTime);
                now = lastTime;
            }
            lastTime = now;
            lastTaken = change.position();
            boolean first = pending.isEmpty();
            pending.addLast(new Taken(change, now));
            if (first && scheduler != null) {
                scheduleFlush();
            }
        }
    }

    /**
     * Schedules the flush of the pending changes one flush interval after the first of them
     * was taken, so that no change waits longer; since the next first change comes after the
     * flush took the batch, flushes stay at least one interval apart. Guarded by takeLock.
     */
    private void scheduleFlush() {
        if (flushScheduled || closed) {
            return;
        }
        flushScheduled = true;
        long delay = Math.max(1, options.flushInterval().toMillis());
        try {
            scheduler.schedule(this::scheduledFlush, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            flushScheduled = false; // closing: close() flushes what is pending
        }
    }

    private void scheduledFlush() {
        synchronized (takeLock) {
            flushScheduled = false;
        }
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("Journal '{}': {}", source, e.toString());
        }
        synchronized (takeLock) {
            // A failed flush put its changes back; retry after an interval, unless another
            // writer holds the source now: then no retry can succeed, and status() says why.
            if (!pending.isEmpty() && !lock.lost()) {
                scheduleFlush();
            }
        }
    }

    /** The background thread's periodic work: a heartbeat when one is due, then compaction when due. */
    private void tick() {
        if (lock.lost()) {
            return; // another writer holds the source: nothing more is written, heartbeats included
        }
        try {
            heartbeat(false);
        } catch (RuntimeException e) {
            LOG.warn("Journal '{}': heartbeat failed: {}", source, e.toString());
        }
        try {
            if (dueForCompaction()) {
                compact();
            }
        } catch (RuntimeException e) {
            LOG.warn("Journal '{}': {}", source, e.toString());
        }
    }

    /** The time up to which the chain records every change: its last segment's end, or its base's time. */
    private Instant chainEnd() {
        Instant last = lastDurable;
        return last == null || last.isBefore(baseTime) ? baseTime : last;
    }

    /**
     * Writes a heartbeat, a segment without changes ending now, when nothing waits to be
     * flushed and the chain's end is a heartbeat interval old or, at close, older than now. It
     * takes the path of every segment: the writer lock confirmed, the next number after the
     * previous segment's hash, a conditional create. Changes taken later are recorded at or
     * after its end.
     *
     * @param closing whether the journal is closing, after its last flush
     * @return whether a heartbeat was written
     * @throws DrException a storage failure; {@code LOCKED} as {@link #flush()}
     */
    boolean heartbeat(boolean closing) {
        synchronized (flushLock) {
            Instant end;
            synchronized (takeLock) {
                if (!pending.isEmpty() || (closed && !closing)) {
                    return false; // changes wait: their segment moves the chain's end
                }
                end = clock.instant();
                Instant since = chainEnd();
                if (closing ? !end.isAfter(since) : end.isBefore(since.plus(options.heartbeatEvery()))
                        || (heartbeatRetry != null && end.isBefore(heartbeatRetry))) {
                    return false;
                }
                lastTime = end;
            }
            try {
                lock.confirm(JournalLock.REFRESH_EVERY);
                SegmentEncoder encoder = new SegmentEncoder(engine, id -> true);
                if (!commit(encoder.finish(source, base, nextSeq, previous, end, committed), end)) {
                    lastError = null;
                    return false; // the other writer's segments moved the chain's end
                }
                lastError = null;
                heartbeatRetry = null;
            } catch (RuntimeException e) {
                lastError = e.getMessage();
                // Tried again a heartbeat interval later, not at every tick while the store fails.
                heartbeatRetry = end.plus(options.heartbeatEvery());
                throw e;
            }
            LOG.debug("Journal '{}' wrote a heartbeat ending {}", source, end);
            return true;
        }
    }

    private boolean dueForCompaction() {
        return nextSeq > 1 && (chainBytes >= options.compactBytes()
                || !clock.instant().isBefore(baseTime.plus(options.compactEvery())));
    }

    /**
     * Writes every change taken so far and returns once they are durable; does nothing when
     * none is waiting.
     *
     * @return the number of segments written
     * @throws DrException a storage failure; the changes stay queued for the next flush;
     *     {@code LOCKED} when another writer took the source's lock over after this one stopped
     *     refreshing it past its expiry
     */
    public int flush() {
        synchronized (flushLock) {
            List<Taken> batch;
            Instant end;
            synchronized (takeLock) {
                if (pending.isEmpty()) {
                    return 0;
                }
                batch = new ArrayList<>(pending);
                pending.clear();
                end = clock.instant();
                if (lastTime != null && end.isBefore(lastTime)) {
                    end = lastTime;
                }
            }
            int written = 0;
            int from = 0;
            try {
                lock.confirm(JournalLock.REFRESH_EVERY);
                while (from < batch.size()) {
                    int next = writeSegment(batch, from, end);
                    if (next > from) {
                        written++;
                    }
                    from = next;
                }
                lastError = null;
            } catch (RuntimeException e) {
                synchronized (takeLock) {
                    for (int i = batch.size() - 1; i >= from; i--) {
                        pending.addFirst(batch.get(i));
                    }
                }
                lastError = e.getMessage();
                throw e;
            }
            return written;
        }
    }

    /** Writes changes from {@code from} on into one segment, up to the pack size; returns where it stopped. */
    private int writeSegment(List<Taken> batch, int from, Instant batchEnd) {
        SegmentEncoder encoder = new SegmentEncoder(engine, id -> chainBlobs.containsKey(id) || baseBlobs.contains(id));
        int at = from;
        while (at < batch.size() && (at == from || encoder.size() < engine.options().packSize())) {
            Taken t = batch.get(at++);
            Change c = t.change();
            encoder.add(c.position(), t.time(), c.kind(), c.path(), c.target(), c.content(), c.modified());
        }
        Instant end = at == batch.size() ? batchEnd : encoder.last().time();
        Instant chainEnd = lastDurable;
        if (chainEnd != null && end.isBefore(chainEnd)) {
            end = chainEnd; // after another writer's segments taken in, the chain's end does not go back
        }
        if (!commit(encoder.finish(source, base, nextSeq, previous, end, committed), end)) {
            return from; // written again after the other writer's segments
        }
        return at;
    }

    /**
     * Stores a segment (changes or a heartbeat) and moves the chain's end to it; returns false,
     * having taken them into the chain, when another writer stored segments under its number
     * ({@link #catchUp}). Guarded by flushLock.
     */
    private boolean commit(SegmentEncoder.Encoded encoded, Instant end) {
        try {
            store(engine, encoded, source);
        } catch (DrException e) {
            if (e.code() != ErrorCode.ALREADY_EXISTS) {
                throw e;
            }
            catchUp(e);
            return false;
        }
        String key = encoded.key();
        String hash = encoded.hash();
        byte[] bytes = encoded.bytes();
        List<Segment.BlobRef> refs = encoded.segment().blobs();
        List<Segment.Entry> entries = encoded.segment().changes();
        long position = encoded.segment().position();
        nextSeq++;
        previous = hash;
        chainBytes += bytes.length;
        for (Segment.BlobRef ref : refs) {
            chainBlobs.putIfAbsent(ref.id(), new Chain.Location(key, ref));
        }
        for (Segment.Entry e : entries) {
            state.apply(e);
        }
        committed = position;
        lastDurable = end;
        if (!entries.isEmpty()) { // a heartbeat commits no new position
            try {
                feed.committed(position);
            } catch (RuntimeException e) {
                LOG.warn("Feed '{}' failed on commit of position {}: {}", source, position, e.toString());
            }
        }
        onCommit.accept(status());
        return true;
    }

    /**
     * After another writer stored a segment under this one's next number: when this writer lost
     * the source's lock, it stops ({@code LOCKED}); when it holds the lock, the other wrote after
     * losing its own (its lock was removed by force, or it was paused past the expiry and had not
     * looked since) and this writer, the source's holder, takes the other's segments into its
     * chain and goes on after them, instead of failing every flush from then on.
     *
     * @throws DrException {@code LOCKED} when the lock is lost; {@code conflict} when the chain
     *     holds nothing past this writer's segments (the conflict is not another writer's)
     */
    private void catchUp(DrException conflict) {
        lock.confirm(Duration.ZERO);
        Chain chain = Chain.load(engine, base, source);
        List<Segment> segments = chain.segments();
        if (segments.size() < nextSeq) {
            throw conflict;
        }
        JournalState fresh = JournalState.ofSnapshot(engine, base, source);
        chain.replay(fresh, null);
        state.files().clear();
        state.files().putAll(fresh.files());
        long bytes = storedBytes(engine, chain);
        LOG.error("Journal '{}': segment {} was written by another writer of the source after it lost the source's "
                + "writer lock, which this journal holds; its {} segment(s) are kept in the chain and this journal goes "
                + "on after them", source, conflict.input(), segments.size() - nextSeq + 1);
        chainBytes = bytes;
        chainBlobs.putAll(chain.locations());
        nextSeq = segments.size() + 1L;
        previous = chain.lastHash();
        Instant end = chain.end(baseTime);
        lastDurable = end;
        synchronized (takeLock) {
            if (lastTime == null || end.isAfter(lastTime)) {
                lastTime = end;
            }
        }
    }

    /** The stored size of a chain's segments, one stat each. */
    private static long storedBytes(Engine engine, Chain chain) {
        long bytes = 0;
        for (String key : chain.keys()) {
            bytes += engine.store().stat(key).map(i -> i.size()).orElse(0L);
        }
        return bytes;
    }

    /**
     * Stores a segment by conditional create; a retry after a lost answer finds its own bytes.
     *
     * @param engine the repository
     * @param encoded the segment
     * @param source the source, for the message
     * @throws DrException {@code ALREADY_EXISTS} naming the key when another writer stored other bytes there
     */
    static void store(Engine engine, SegmentEncoder.Encoded encoded, String source) {
        String key = encoded.key();
        if (engine.store().putIfAbsent(key, encoded.bytes()).isEmpty()) {
            byte[] existing = engine.store().get(key);
            if (!Packs.sha256(existing, existing.length).equals(encoded.hash())) {
                throw new DrException(ErrorCode.ALREADY_EXISTS, "Journal segment " + key
                        + " was written by another writer of source '" + source + "'", key);
            }
        }
    }

    /**
     * Writes what is waiting, then turns the chain into a new base snapshot holding the state
     * at its end, from which the next segments chain.
     *
     * @return the new base snapshot's id, or the current base's when the chain has no segments
     */
    public String compact() {
        synchronized (flushLock) {
            flush();
            if (nextSeq == 1) {
                return base;
            }
            lock.confirm(JournalLock.REFRESH_EVERY);
            Instant cut = lastDurable == null ? clock.instant() : lastDurable;
            String id = writeBase(cut, committed, chainBlobs);
            LOG.info("Journal '{}' compacted {} segments of {} into snapshot {}", source, nextSeq - 1, base, id);
            base = id;
            baseTime = cut;
            nextSeq = 1;
            previous = null;
            chainBlobs.clear();
            chainBytes = 0;
            JournalState fresh = JournalState.ofSnapshot(engine, id, source);
            baseBlobs = fresh.blobs();
            state.files().clear();
            state.files().putAll(fresh.files());
            onCommit.accept(status());
            return id;
        }
    }

    /** Writes a base snapshot of the current state at a time; returns its id. */
    private String writeBase(Instant time, long position, @Nullable Map<BlobId, Chain.Location> blobs) {
        Map<BlobId, Chain.Location> where = blobs == null ? Map.of() : Map.copyOf(blobs);
        Map<String, JournalState.FileRef> files = new java.util.TreeMap<>(state.files());
        SnapshotSource view = new SnapshotSource() {
            @Override
            public String name() {
                return source;
            }

            @Override
            public SourceView begin() {
                return new SourceView() {
                    @Override
                    public void writeTo(dev.drkit.api.backup.EntryWriter out) throws IOException {
                        for (Map.Entry<String, JournalState.FileRef> f : files.entrySet()) {
                            JournalState.FileRef ref = f.getValue();
                            out.file(f.getKey(), EntryMetadata.file(ref.size(), ref.modified()),
                                    () -> new ByteArrayInputStream(Chain.read(engine, where, ref.blobs(),
                                            ref.size())));
                        }
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
        try (Maintenance.Lock lock = Maintenance.lock(engine, false)) {
            BackupRun run = new BackupRun(engine, time);
            BlobId root;
            try {
                root = run.capture(List.of(view), null);
            } catch (IOException e) {
                run.abort();
                throw new DrException(ErrorCode.IO_FAILURE, "Compacting the journal of '" + source + "' failed: "
                        + e.getMessage(), source, e);
            } catch (RuntimeException | Error e) {
                run.abort();
                throw e;
            }
            BackupRun.Stats stats = run.finish();
            String id = Crypto.randomId();
            List<String> tags = new ArrayList<>(List.of(TAG));
            if (position != FeedResume.NONE) {
                tags.add(POSITION_TAG + position);
            }
            Engine.Manifest manifest = new Engine.Manifest(1, time.toString(), engine.options().host(),
                    tags.stream().sorted().toList(), root.hex(), null, List.of(source), stats.files(), stats.bytes());
            engine.writeManifest(id, manifest, "journal");
            return id;
        }
    }

    /**
     * Returns how long the oldest change not yet durable has waited; zero when all are durable.
     *
     * @return the lag
     */
    public Duration lag() {
        Instant oldest;
        synchronized (takeLock) {
            oldest = pending.isEmpty() ? null : pending.peekFirst().time();
        }
        if (oldest == null) {
            return Duration.ZERO;
        }
        Duration d = Duration.between(oldest, clock.instant());
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Returns the journal's figures. @return the status */
    public Status status() {
        int waiting;
        synchronized (takeLock) {
            waiting = pending.size();
        }
        return new Status(source, base, nextSeq - 1, committed, lastDurable, waiting, lag(), chainBytes, lastError);
    }

    /** Returns the last durable feed position. @return the position, or {@link FeedResume#NONE} */
    public long committedPosition() {
        return committed;
    }

    /** Returns the source's current state, for tests and resumption. @return a copy of the paths */
    public List<String> paths() {
        synchronized (flushLock) {
            return state.paths();
        }
    }

    private void shutdownScheduler() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /**
     * Stops the feed, writes what it emitted, then a heartbeat ending now when the chain ends
     * before now (so that it covers up to the stop), stops the background thread and releases
     * the source's writer lock. A heartbeat that fails is logged: every change is durable.
     *
     * @throws DrException as {@link #flush()}; the lock is released all the same
     */
    @Override
    public void close() {
        try {
            feed.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Closing feed '{}' failed: {}", source, e.toString());
        }
        synchronized (takeLock) {
            closed = true;
        }
        shutdownScheduler();
        if (scheduler != null) {
            try {
                scheduler.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            flush();
            if (!lock.lost()) {
                try {
                    heartbeat(true);
                } catch (RuntimeException e) {
                    LOG.warn("Journal '{}': the heartbeat at close failed, so the chain covers up to {} only: {}",
                            source, chainEnd(), e.toString());
                }
            }
        } finally {
            lock.close();
        }
    }
}
