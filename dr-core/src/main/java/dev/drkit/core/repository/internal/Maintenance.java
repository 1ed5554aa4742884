package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.ForgetResult;
import dev.drkit.core.repository.HistoryRepairResult;
import dev.drkit.core.repository.IndexRepairResult;
import dev.drkit.core.repository.LockInfo;
import dev.drkit.core.repository.PruneOptions;
import dev.drkit.core.repository.PruneResult;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.core.store.internal.TemporaryFiles;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Locks, retention ({@code forget}) and garbage collection ({@code prune}). */
public final class Maintenance {
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
    /** The key prefix of locks. */
    public static final String LOCKS = "locks/";
    /** How long a lock lives without a refresh. */
    static final Duration LOCK_TTL = Duration.ofMinutes(30);

    private Maintenance() {
    }

    /** A lock file's content. */
    record LockFile(String owner, String host, long pid, boolean exclusive, String created, String expires) {
        byte[] encode() {
            return JsonCodec.write(g -> {
                g.writeStartObject();
                g.writeStringProperty("owner", owner);
                g.writeStringProperty("host", host);
                g.writeNumberProperty("pid", pid);
                g.writeBooleanProperty("exclusive", exclusive);
                g.writeStringProperty("created", created);
                g.writeStringProperty("expires", expires);
                g.writeEndObject();
            });
        }

        static LockFile decode(byte[] json) {
            JsonCodec.Fields f = JsonCodec.parse(json);
            Instant.parse(f.string("expires")); // conflicts compare it; a malformed time is a malformed lock
            return new LockFile(f.string("owner"), f.string("host"), f.number("pid"), f.bool("exclusive"),
                    f.string("created"), f.string("expires"));
        }
    }

    /** A held lock; closing removes it. */
    public static final class Lock implements AutoCloseable {
        private final Engine engine;
        private final String key;
        private final ScheduledExecutorService refresher;

        private Lock(Engine engine, String key, LockFile file) {
            this.engine = engine;
            this.key = key;
            this.refresher = Executors.newSingleThreadScheduledExecutor(Engine.daemonThreads("dr-lock"));
            long period = LOCK_TTL.toSeconds() / 3;
            refresher.scheduleAtFixedRate(() -> {
                Instant now = engine.options().clock().instant();
                LockFile fresh = new LockFile(file.owner(), file.host(), file.pid(), file.exclusive(), file.created(),
                        now.plus(LOCK_TTL).toString());
                engine.store().put(key, fresh.encode());
            }, period, period, TimeUnit.SECONDS);
        }

        /** Returns the lock's store key. @return the key */
        public String key() {
            return key;
        }

        @Override
        public void close() {
            refresher.shutdownNow();
            engine.store().delete(key);
        }
    }

    /**
     * Takes a lock: a shared one lets other shared holders in, an exclusive one nobody.
     *
     * @param engine the repository
     * @param exclusive whether others are kept out
     * @return the held lock
     * @throws DrException {@code LOCKED} naming the conflicting lock's key, owner and host
     */
    public static Lock lock(Engine engine, boolean exclusive) {
        SnapshotStore store = engine.store();
        Instant now = engine.options().clock().instant();
        if (exclusive) {
            // Refused before anything is written while any lock is held. A shared lock is
            // written first and checked once: the same answer, one request fewer.
            checkConflicts(engine, true, null, now);
        }
        String key = LOCKS + Crypto.randomId();
        LockFile file = new LockFile(engine.options().actor(), engine.options().host(), ProcessHandle.current().pid(),
                exclusive, now.toString(), now.plus(LOCK_TTL).toString());
        Optional<ObjectInfo> written;
        try {
            written = store.putIfAbsent(key, file.encode());
        } catch (DrException e) {
            if (!exclusive) {
                // A store this process cannot write to: the caller may read without a lock, but
                // not while an exclusive one is held.
                checkConflicts(engine, false, null, now);
            }
            throw e;
        }
        if (written.isEmpty()) {
            throw new DrException(ErrorCode.LOCKED, "Lock " + key + " exists already", key);
        }
        try {
            checkConflicts(engine, exclusive, key, now);
        } catch (DrException e) {
            store.delete(key);
            throw e;
        }
        return new Lock(engine, key, file);
    }

    private static void checkConflicts(Engine engine, boolean exclusive, @Nullable String own, Instant now) {
        for (ObjectInfo info : engine.store().list(LOCKS).toList()) {
            if (info.key().equals(own)) {
                continue;
            }
            LockFile other = readLock(engine, info.key());
            if (other == null || Instant.parse(other.expires()).isBefore(now)) {
                continue; // stale or vanished: does not block
            }
            if (processGone(engine, other)) {
                // As restic does: a lock of this host whose process no longer runs is held by no
                // one (a backup killed with kill -9). This trusts the host name: hosts, and
                // containers without a PID namespace of their own, need distinct ones.
                removeStale(engine, info.key(), other);
                continue;
            }
            if (exclusive || other.exclusive()) {
                boolean thisProcess = other.host().equals(engine.options().host())
                        && other.pid() == ProcessHandle.current().pid();
                String remedy = thisProcess
                        ? "it is this process's own: another operation of it (a backup, a restore, a prune) holds "
                                + "it until it ends; run this one after that"
                        : "it expires at " + other.expires() + " unless its holder refreshes it, and 'dr unlock' "
                                + "(Repository.unlock) removes it after then";
                throw new DrException(ErrorCode.LOCKED, "The repository is locked by " + other.owner() + " on "
                        + other.host() + " (pid " + other.pid() + ", " + (other.exclusive() ? "exclusive" : "shared")
                        + ", until " + other.expires() + "): " + info.key() + "; " + remedy, info.key());
            }
        }
    }

    /**
     * Deletes a lock that no process holds any more, found while taking a lock. A failure to
     * delete it (a store this process may not write to) is logged: the lock is not held all the
     * same, and whatever this process writes next meets the same failure.
     */
    private static void removeStale(Engine engine, String key, LockFile lock) {
        try {
            engine.store().delete(key);
            LOG.warn("Removed the stale lock {} of {} on {} (pid {}, {}, until {}): it is this host's and its "
                    + "process no longer runs", key, lock.owner(), lock.host(), lock.pid(),
                    lock.exclusive() ? "exclusive" : "shared", lock.expires());
        } catch (DrException e) {
            LOG.warn("The stale lock {} of {} on {} (pid {}) does not block, its process no longer runs, but it "
                    + "could not be removed: {}", key, lock.owner(), lock.host(), lock.pid(), e.getMessage());
        }
    }

    /**
     * Tells whether a lock was taken on this host, by the host name the repository's options
     * write into locks, by a process that no longer runs here (no live process of its pid; a
     * live process of the pid keeps it, even one that reused the pid). Such a lock is stale:
     * taking a lock removes it, and so does {@code dr unlock}.
     */
    static boolean processGone(Engine engine, LockFile lock) {
        if (!lock.host().equals(engine.options().host()) || lock.pid() <= 0) {
            return false;
        }
        try {
            return ProcessHandle.of(lock.pid()).map(p -> !p.isAlive()).orElse(true);
        } catch (RuntimeException e) {
            return false; // not allowed to look: the process may run
        }
    }

    private static @Nullable LockFile readLock(Engine engine, String key) {
        try {
            return LockFile.decode(engine.store().get(key));
        } catch (DrException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Lists the repository's locks with their state.
     *
     * @param engine the repository
     * @return the locks, in key order
     */
    public static List<LockInfo> locks(Engine engine) {
        Instant now = engine.options().clock().instant();
        List<LockInfo> out = new ArrayList<>();
        for (ObjectInfo info : engine.store().list(LOCKS).toList()) {
            LockInfo lock = describe(engine, info.key(), now);
            if (lock != null) {
                out.add(lock);
            }
        }
        return out;
    }

    /** Describes a lock, or returns null when it vanished meanwhile. */
    private static @Nullable LockInfo describe(Engine engine, String key, Instant now) {
        byte[] json;
        try {
            json = engine.store().get(key);
        } catch (DrException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        }
        LockFile file;
        try {
            file = LockFile.decode(json);
        } catch (RuntimeException e) {
            return new LockInfo(key, "", "", 0, false, Instant.EPOCH, LockInfo.State.UNREADABLE);
        }
        Instant expires = Instant.parse(file.expires());
        LockInfo.State state = expires.isBefore(now) ? LockInfo.State.EXPIRED
                : processGone(engine, file) ? LockInfo.State.PROCESS_GONE : LockInfo.State.LIVE;
        return new LockInfo(key, file.owner(), file.host(), file.pid(), file.exclusive(), expires, state);
    }

    /**
     * Removes the locks no running process holds: expired ones, unreadable ones, and those taken
     * on this host (the options' host name) by a process that no longer runs; live ones stay.
     *
     * @param engine the repository
     * @return the removed locks
     */
    public static List<LockInfo> breakStaleLocks(Engine engine) {
        return removeLocks(engine, false);
    }

    /**
     * Removes every lock, live ones included: only for when no process uses the repository.
     *
     * @param engine the repository
     * @return the removed locks
     */
    public static List<LockInfo> breakAllLocks(Engine engine) {
        return removeLocks(engine, true);
    }

    private static List<LockInfo> removeLocks(Engine engine, boolean live) {
        List<LockInfo> removed = new ArrayList<>();
        for (LockInfo lock : locks(engine)) {
            if (live || lock.state() != LockInfo.State.LIVE) {
                engine.store().delete(lock.key());
                removed.add(lock);
                LOG.info("Removed the lock {} of {} on {} (pid {}, {})", lock.key(), lock.owner(), lock.host(),
                        lock.pid(), lock.state());
            }
        }
        return removed;
    }

    /**
     * Applies a retention policy to snapshots.
     *
     * @param snapshots the snapshots, in any order
     * @param policy the policy
     * @param dryRun whether the result reports a dry run
     * @return the kept snapshots (newest first) and the removed ones
     */
    public static ForgetResult plan(List<Snapshot> snapshots, RetentionPolicy policy, boolean dryRun) {
        Map<List<Object>, List<Snapshot>> groups = new LinkedHashMap<>();
        for (Snapshot s : snapshots) {
            groups.computeIfAbsent(groupOf(s, policy.groupBy()), g -> new ArrayList<>()).add(s);
        }
        Set<String> keep = new HashSet<>();
        for (List<Snapshot> group : groups.values()) {
            int before = keep.size();
            keepInGroup(group, policy, keep);
            if (keep.size() == before) {
                // Only keepTags can keep nothing of a group: a tag mistyped (tags are case-sensitive)
                // would forget every snapshot, the newest included.
                Snapshot newest = group.stream().min(NEWEST_FIRST).orElseThrow();
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "keepTags " + new TreeSet<>(policy.keepTags())
                        + " keeps none of the " + group.size() + " snapshot" + (group.size() == 1 ? "" : "s")
                        + " of host " + newest.host() + " and sources " + newest.sources()
                        + " (tags are case-sensitive; the newest carries " + new TreeSet<>(newest.tags())
                        + "): a policy never forgets every snapshot of a group; add a rule that keeps the newest, "
                        + "such as keepLast 1", "keepTags=" + policy.keepTags());
            }
        }
        List<Snapshot> newest = new ArrayList<>(snapshots);
        newest.sort(NEWEST_FIRST);
        List<Snapshot> kept = newest.stream().filter(s -> keep.contains(s.id())).toList();
        List<Snapshot> removed = newest.stream().filter(s -> !keep.contains(s.id())).toList();
        return new ForgetResult(kept, removed, dryRun);
    }

    private static final Comparator<Snapshot> NEWEST_FIRST = (a, b) -> b.time().compareTo(a.time()) != 0
            ? b.time().compareTo(a.time()) : b.id().compareTo(a.id());

    /** The group a snapshot belongs to: its host, sources and tags, as far as the policy groups by them. */
    private static List<Object> groupOf(Snapshot s, Set<RetentionPolicy.GroupBy> by) {
        return List.of(by.contains(RetentionPolicy.GroupBy.HOST) ? String.valueOf(s.host()) : "",
                by.contains(RetentionPolicy.GroupBy.SOURCES) ? new TreeSet<>(s.sources()) : Set.of(),
                by.contains(RetentionPolicy.GroupBy.TAGS) ? new TreeSet<>(s.tags()) : Set.of());
    }

    /** Adds to {@code keep} the ids of the snapshots of one group that the policy keeps. */
    private static void keepInGroup(List<Snapshot> group, RetentionPolicy policy, Set<String> keep) {
        List<Snapshot> newest = new ArrayList<>(group);
        newest.sort(NEWEST_FIRST);
        for (int i = 0; i < Math.min(policy.keepLast(), newest.size()); i++) {
            keep.add(newest.get(i).id());
        }
        bucket(newest, policy.keepHourly(), t -> t.getYear() * 1_000_000L + t.getDayOfYear() * 100L + t.getHour(), keep);
        bucket(newest, policy.keepDaily(), t -> t.getYear() * 1000L + t.getDayOfYear(), keep);
        bucket(newest, policy.keepWeekly(), t -> t.get(IsoFields.WEEK_BASED_YEAR) * 100L
                + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), keep);
        bucket(newest, policy.keepMonthly(), t -> t.getYear() * 100L + t.getMonthValue(), keep);
        bucket(newest, policy.keepYearly(), t -> (long) t.getYear(), keep);
        if (!newest.isEmpty() && !policy.keepWithin().isZero()) {
            Instant limit = newest.get(0).time().minus(policy.keepWithin());
            for (Snapshot s : newest) {
                if (!s.time().isBefore(limit)) {
                    keep.add(s.id());
                }
            }
        }
        for (Snapshot s : newest) {
            if (s.tags().stream().anyMatch(policy.keepTags()::contains)) {
                keep.add(s.id());
            }
        }
    }

    /**
     * Applies a retention policy, keeping also the journal bases that {@link Journals#protectedBases}
     * names: each source's newest and those whose chain reaches into {@code keepWithin}.
     */
    static ForgetResult planWithJournal(Engine engine, List<Snapshot> snapshots, RetentionPolicy policy,
            boolean dryRun) {
        ForgetResult result = plan(snapshots, policy, dryRun);
        Set<String> keep = Journals.protectedBases(engine, snapshots, policy);
        if (result.removed().stream().noneMatch(s -> keep.contains(s.id()))) {
            return result;
        }
        List<Snapshot> kept = new ArrayList<>(result.kept());
        List<Snapshot> removed = new ArrayList<>();
        for (Snapshot s : result.removed()) {
            (keep.contains(s.id()) ? kept : removed).add(s);
        }
        kept.sort(NEWEST_FIRST);
        return new ForgetResult(kept, removed, dryRun);
    }

    private static void bucket(List<Snapshot> newest, int count, Function<ZonedDateTime, Long> key, Set<String> keep) {
        Long last = null;
        int kept = 0;
        for (Snapshot s : newest) {
            if (kept >= count) {
                return;
            }
            long k = key.apply(s.time().atZone(ZoneOffset.UTC));
            if (last == null || k != last) {
                keep.add(s.id());
                kept++;
                last = k;
            }
        }
    }

    /**
     * Forgets the snapshots a policy does not keep.
     *
     * @param engine the repository
     * @param policy the policy
     * @param dryRun whether to only report
     * @return kept and removed snapshots
     */
    public static ForgetResult forget(Engine engine, RetentionPolicy policy, boolean dryRun) {
        if (dryRun) {
            return planWithJournal(engine, engine.snapshots(), policy, true);
        }
        try (Lock lock = lock(engine, true)) {
            ForgetResult result = planWithJournal(engine, engine.snapshots(), policy, false);
            if (result.removed().isEmpty()) {
                return result;
            }
            // Signed removals first, then the deletions: the history never has a gap.
            Set<String> removed = new HashSet<>();
            result.removed().forEach(s -> removed.add(s.id()));
            History.commit(engine, new History.Change("forget", Map.of(), removed, Set.of(), Set.of()));
            for (Snapshot s : result.removed()) {
                engine.store().delete(Engine.SNAPSHOTS + s.id());
                engine.forgetManifest(s.id());
            }
            return result;
        }
    }

    /**
     * Forgets the named snapshots, whether or not their manifests can be read or are still
     * there (a damaged or deleted one is given up this way, and verify then knows it was
     * removed on purpose).
     *
     * @param engine the repository
     * @param idsOrPrefixes full ids or unique prefixes of at least 4 hex digits
     * @param withJournal whether a journal's base snapshot may be forgotten, its journal with it
     * @return the ids removed, in the order asked
     * @throws DrException {@code NOT_FOUND} naming an id no snapshot has; {@code INVALID_ARGUMENT}
     *     naming an ambiguous prefix, or a journal base without {@code withJournal}; nothing is
     *     removed then
     */
    public static List<String> forgetSnapshots(Engine engine, List<String> idsOrPrefixes, boolean withJournal) {
        try (Lock lock = lock(engine, true)) {
            // Those whose manifest was deleted without forget count too: the history still records them.
            Set<String> known = new TreeSet<>(History.recordedSnapshots(engine));
            engine.store().list(Engine.SNAPSHOTS).forEach(o -> known.add(o.key().substring(Engine.SNAPSHOTS.length())));
            List<String> present = List.copyOf(known);
            List<String> ids = new ArrayList<>();
            for (String asked : idsOrPrefixes) {
                List<String> matches = asked.length() < 4 ? List.of()
                        : present.stream().filter(id -> id.startsWith(asked)).toList();
                if (matches.isEmpty()) {
                    throw new DrException(ErrorCode.NOT_FOUND, "No snapshot '" + asked + "'", asked);
                }
                if (matches.size() > 1) {
                    throw new DrException(ErrorCode.INVALID_ARGUMENT, "Snapshot prefix '" + asked + "' is ambiguous ("
                            + matches.size() + " snapshots)", asked);
                }
                if (!ids.contains(matches.get(0))) {
                    ids.add(matches.get(0));
                }
            }
            if (ids.isEmpty()) {
                return ids;
            }
            if (!withJournal) {
                refuseJournalBases(engine, ids);
            }
            History.commit(engine, new History.Change("forget", Map.of(), Set.copyOf(ids), Set.of(), Set.of()));
            for (String id : ids) {
                engine.store().delete(Engine.SNAPSHOTS + id);
                engine.forgetManifest(id);
            }
            return ids;
        }
    }

    /**
     * Refuses to forget a journal's base snapshot by id: its journal (the point-in-time coverage
     * from it on) would go with it, and prune would delete the segments. The message names the
     * source, the span the journal covers and its segments.
     */
    private static void refuseJournalBases(Engine engine, List<String> ids) {
        Set<String> asked = new HashSet<>(ids);
        for (Snapshot s : engine.snapshots()) {
            if (!asked.contains(s.id()) || !JournalWriter.isBase(s)) {
                continue;
            }
            String source = s.sources().get(0);
            Chain chain = Chain.load(engine, s.id(), source, p -> { }, false);
            int segments = chain.segments().size();
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "Snapshot " + s.id() + " is the base of the journal "
                    + "of source '" + source + "' (covering " + s.time() + ".." + chain.end(s.time()) + ", "
                    + segments + " segment" + (segments == 1 ? "" : "s") + "): the journal goes with it, restore --at "
                    + "no longer reaches that span and prune deletes the segments; nothing was forgotten. To forget "
                    + "both, pass --with-journal (Repository.forgetSnapshots(ids, true))", s.id());
        }
    }

    /**
     * Rebuilds the history's head from the archived entries when it is missing or damaged, under
     * an exclusive lock (see {@link History#rebuild}).
     *
     * @param engine the repository
     * @return what was done
     */
    public static HistoryRepairResult repairHistory(Engine engine) {
        try (Lock lock = lock(engine, true)) {
            History.Rebuilt r = History.rebuild(engine);
            return new HistoryRepairResult(r.before(), r.seq(), r.snapshots(), r.digest(), r.changed());
        }
    }

    /**
     * Rebuilds the index from what can be read, under an exclusive lock: the entries of the
     * index files that can be read, less those of packs the store no longer holds, plus the
     * headers of packs that no readable index file lists (those of a damaged index file, or of
     * a backup interrupted before its index was written). With {@code readData} every pack is
     * read and each of its blobs checked, and a blob that fails leaves the index, so that the
     * next backup stores its content again instead of deduplicating against damaged data; the
     * pack's other blobs, checked, are copied into new packs and the pack is deleted after the
     * new index is written. One new index file is written, then the old ones are recorded as
     * removed and deleted, and so are the index files the history records that the store no
     * longer holds (deleted without a prune), so that verify finds the history and the store
     * agreeing again. No other pack is deleted.
     *
     * @param engine the repository
     * @param readData whether to read and check every blob
     * @return what was done
     */
    public static IndexRepairResult repairIndex(Engine engine, boolean readData) {
        try (Lock lock = lock(engine, true)) {
            SnapshotStore store = engine.store();
            engine.reloadIndex();
            Index index = engine.index();
            Map<String, ObjectInfo> unlisted = new TreeMap<>();
            store.list("data/").forEach(o -> unlisted.put(o.key(), o));
            engine.progress().found(unlisted.size(), unlisted.values().stream().mapToLong(ObjectInfo::size).sum());
            List<Index.PackRecord> records = new ArrayList<>();
            int missing = 0;
            int[] dropped = {0};
            // A pack with a damaged blob is rewritten without it (its other blobs checked and
            // copied into new packs) and deleted once the new index is written: a pack keeps
            // exactly the blobs the index lists for it, which verify checks by its size.
            RepackWriter rewriter = new RepackWriter(engine);
            List<String> rewritten = new ArrayList<>();
            for (Map.Entry<String, List<PackEntry>> pack : index.packs().entrySet()) {
                String key = Packs.key(pack.getKey());
                ObjectInfo info = unlisted.remove(key);
                if (info == null) {
                    missing++;
                    continue;
                }
                List<PackEntry> entries = pack.getValue();
                if (readData) {
                    byte[] data = store.get(key);
                    int before = dropped[0];
                    entries = checked(engine, key, data, entries, dropped);
                    if (dropped[0] > before) {
                        entries.forEach(e -> rewriter.add(e, data));
                        rewritten.add(key);
                        entries = List.of();
                    }
                }
                engine.progress().done(1, info.size());
                if (!entries.isEmpty()) {
                    records.add(new Index.PackRecord(pack.getKey(), entries));
                }
            }
            int added = 0;
            List<String> unreadable = new ArrayList<>();
            for (ObjectInfo orphan : unlisted.values()) {
                String key = orphan.key();
                String packId = key.substring(key.lastIndexOf('/') + 1);
                try {
                    byte[] data = store.get(key);
                    List<PackEntry> entries = Packs.header(engine.crypto(), data, key);
                    if (readData) {
                        int before = dropped[0];
                        entries = checked(engine, key, data, entries, dropped);
                        if (dropped[0] > before) {
                            entries.forEach(e -> rewriter.add(e, data));
                            rewritten.add(key);
                            entries = List.of();
                        }
                    }
                    if (!entries.isEmpty()) {
                        records.add(new Index.PackRecord(packId, entries));
                        added++;
                    }
                } catch (DrException e) {
                    if (e.code() != ErrorCode.INTEGRITY && e.code() != ErrorCode.NOT_FOUND) {
                        throw e;
                    }
                    unreadable.add(key);
                    LOG.warn("Pack {} is left out of the index: {}", key, e.getMessage());
                }
                engine.progress().done(1, orphan.size());
            }
            records.addAll(rewriter.finish());
            Map<String, DrException> damaged = index.damaged();
            // Index files the history records that the store no longer holds: their removal is
            // recorded with the new index, so that verify stops naming them once the index is whole.
            Set<String> lost = new TreeSet<>(History.recordedIndexes(engine));
            store.list(Index.PREFIX).forEach(o -> lost.remove(o.key().substring(Index.PREFIX.length())));
            boolean changed = !damaged.isEmpty() || !lost.isEmpty() || added > 0 || missing > 0 || dropped[0] > 0;
            if (!changed) {
                return new IndexRepairResult(0, 0, 0, 0, 0, 0, 0, unreadable, false);
            }
            Set<String> old = new HashSet<>(index.files());
            damaged.keySet().forEach(k -> old.add(k.substring(Index.PREFIX.length())));
            old.addAll(lost);
            replaceIndex(engine, "repair-index", records, old);
            for (String key : rewritten) {
                store.delete(key);
            }
            engine.reloadIndex();
            return new IndexRepairResult(old.size(), damaged.size(), lost.size(), added, missing, dropped[0],
                    rewritten.size(), unreadable, true);
        }
    }

    /**
     * Lists the packs the store holds, for {@link #dropMissingPacks}: {@code data/} keys.
     *
     * @param store the store
     * @return the pack keys
     */
    public static Set<String> listPacks(SnapshotStore store) {
        Set<String> keys = new HashSet<>();
        store.list("data/").forEach(o -> keys.add(o.key()));
        return keys;
    }

    /**
     * Takes out of the index the packs it lists that the store no longer holds (deleted by hand,
     * by a lifecycle rule or a failing disk), so that a backup made now stores their blobs again
     * as it meets them instead of recording a snapshot that refers to data which is gone. Called
     * by a backup under its lock with the packs listed as it began; a pack is taken out only when
     * it is still missing from a listing made under the lock, after the index was brought up to
     * date, and a request for it answers that it does not exist. One index file is written with
     * every entry left and the history records the others as removed, as {@link #repairIndex}
     * does; packs the index does not list are left alone.
     *
     * @param engine the repository
     * @param listed the pack keys listed when the backup began
     * @return the keys of the packs taken out, sorted; empty when none is missing
     */
    public static List<String> dropMissingPacks(Engine engine, Set<String> listed) {
        if (missingFrom(engine.index(), listed).isEmpty()) {
            return List.of();
        }
        SnapshotStore store = engine.store();
        // Under the lock no prune runs: what is missing now was lost, not repacked.
        engine.refreshIndexIfChanged();
        Set<String> missing = new TreeSet<>();
        for (String key : missingFrom(engine.index(), listPacks(store))) {
            if (store.stat(key).isEmpty()) {
                missing.add(key);
            }
        }
        if (missing.isEmpty()) {
            return List.of();
        }
        Index index = engine.index();
        List<Index.PackRecord> records = new ArrayList<>();
        index.packs().forEach((packId, entries) -> {
            if (!missing.contains(Packs.key(packId))) {
                records.add(new Index.PackRecord(packId, entries));
            }
        });
        replaceIndex(engine, "drop-missing-packs", records, new HashSet<>(index.files()));
        engine.reloadIndex();
        LOG.warn("{} pack(s) the index listed are missing from {} ({}): taken out of the index; this backup stores "
                + "their blobs again where its sources still hold them, and 'dr verify' (Repository.verify) names the "
                + "snapshots still in need of the rest", missing.size(), store.describe(), String.join(", ", missing));
        return List.copyOf(missing);
    }

    /**
     * Writes one index file of {@code records}, records in the history that it replaces the
     * index files {@code old}, then deletes those: at every moment the index files in the store
     * list every pack the new one does.
     */
    private static void replaceIndex(Engine engine, String op, List<Index.PackRecord> records, Set<String> old) {
        SnapshotStore store = engine.store();
        String id = Crypto.randomId();
        store.put(Index.PREFIX + id, Index.encode(engine.crypto(), id, records));
        History.commit(engine, new History.Change(op, Map.of(), Set.of(), old, Set.of()));
        for (String file : old) {
            store.delete(Index.PREFIX + file);
        }
    }

    private static List<String> missingFrom(Index index, Set<String> listed) {
        List<String> missing = new ArrayList<>();
        for (String packId : index.packs().keySet()) {
            String key = Packs.key(packId);
            if (!listed.contains(key)) {
                missing.add(key);
            }
        }
        return missing;
    }

    /** The entries of a pack whose blobs open and match their ids; counts the others in {@code dropped[0]}. */
    private static List<PackEntry> checked(Engine engine, String key, byte[] data, List<PackEntry> entries,
            int[] dropped) {
        List<PackEntry> good = new ArrayList<>(entries.size());
        for (PackEntry e : entries) {
            try {
                if ((long) e.offset() + e.length() > data.length) {
                    throw new DrException(ErrorCode.INTEGRITY, "Blob " + e.id().hex() + " lies past the end of "
                            + key, key);
                }
                engine.crypto().unpackBlob(data, e.offset(), e.length(), e.rawLength(), e.id(), key);
                good.add(e);
            } catch (DrException failed) {
                if (failed.code() != ErrorCode.INTEGRITY) {
                    throw failed;
                }
                dropped[0]++;
                LOG.warn("Blob {} of pack {} is left out of the index: {}", e.id().hex(), key, failed.getMessage());
            }
        }
        return good;
    }

    /**
     * Refuses to prune while an index file or a snapshot manifest cannot be read: the packs a
     * damaged index file lists would look unused and be deleted, and so would the data only a
     * damaged snapshot uses, which a copy of its manifest could still restore.
     */
    private static void refuseWhileDamaged(Engine engine, Index index) {
        Map<String, DrException> indexes = index.damaged();
        if (!indexes.isEmpty()) {
            Map.Entry<String, DrException> first = indexes.entrySet().iterator().next();
            throw new DrException(ErrorCode.INTEGRITY, "Prune refused: " + indexes.size() + " index file"
                    + (indexes.size() == 1 ? "" : "s") + " cannot be read (" + first.getKey() + ": "
                    + first.getValue().getMessage() + "), and the packs listed only there would be deleted as unused; "
                    + "run 'dr repair index' (Repository.repairIndex) first", first.getKey(), first.getValue());
        }
        Map<String, DrException> manifests = engine.damagedManifests();
        if (!manifests.isEmpty()) {
            Map.Entry<String, DrException> first = manifests.entrySet().iterator().next();
            String key = Engine.SNAPSHOTS + first.getKey();
            throw new DrException(ErrorCode.INTEGRITY, "Prune refused: " + manifests.size() + " snapshot manifest"
                    + (manifests.size() == 1 ? "" : "s") + " cannot be read (" + key + ": "
                    + first.getValue().getMessage() + "), and the data only that snapshot uses would be deleted; put "
                    + "back a good copy of " + key + " (from a copy of the repository), or delete it if the snapshot "
                    + "is lost, then prune", key, first.getValue());
        }
    }

    /**
     * Refuses a prune while the history records a snapshot whose manifest is gone (deleted, not
     * forgotten): without the manifest its data counts as unused and would be deleted, and a good
     * copy of the manifest put back later would name data that is no longer there.
     */
    private static void refuseWhileRecordedSnapshotsAreMissing(Engine engine, List<Snapshot> listed) {
        Set<String> missing = new TreeSet<>(History.recordedSnapshots(engine));
        listed.forEach(s -> missing.remove(s.id()));
        missing.removeAll(engine.damagedManifests().keySet());
        if (!missing.isEmpty()) {
            String id = missing.iterator().next();
            String key = Engine.SNAPSHOTS + id;
            throw new DrException(ErrorCode.INTEGRITY, "Prune refused: the history records " + missing.size()
                    + " snapshot" + (missing.size() == 1 ? "" : "s") + " whose manifest is missing (" + key
                    + "), and the data only that snapshot uses would be deleted; put back a good copy of " + key
                    + " (from a copy of the repository), or give the snapshot up with 'dr forget " + id
                    + "' (Repository.forgetSnapshots) if it is lost, then prune", key);
        }
    }

    /**
     * Deletes unused packs and repacks partly used ones; the new index is written before any
     * pack or old index file is deleted. Packs no index lists (an interrupted backup's) count as
     * unused, and the temporary files of killed writers in a directory store older than
     * {@link PruneOptions#TEMPORARY_FILE_AGE} (or the grace period, when longer) are deleted last.
     *
     * @param engine the repository
     * @param options grace period, threshold, dry run
     * @return what was done
     */
    public static PruneResult prune(Engine engine, PruneOptions options) {
        try (Lock lock = lock(engine, true)) {
            SnapshotStore store = engine.store();
            engine.reloadIndex();
            Index index = engine.index();
            List<Snapshot> listed = engine.snapshots(); // also notes the manifests that cannot be read
            refuseWhileDamaged(engine, index);
            refuseWhileRecordedSnapshotsAreMissing(engine, listed);
            Set<BlobId> used = usedBlobs(engine);
            Instant now = engine.options().clock().instant();
            Instant youngAfter = now.minus(options.gracePeriod());
            Map<String, ObjectInfo> present = new HashMap<>();
            store.list("data/").forEach(o -> present.put(o.key(), o));

            List<String> delete = new ArrayList<>();
            List<String> repack = new ArrayList<>();
            List<Index.PackRecord> keep = new ArrayList<>();
            int young = 0;
            long freed = 0;
            for (Map.Entry<String, List<PackEntry>> pack : index.packs().entrySet()) {
                String key = Packs.key(pack.getKey());
                ObjectInfo info = present.remove(key);
                if (info == null) {
                    continue; // missing: verify reports it; nothing to keep in the index
                }
                long total = 0;
                long unused = 0;
                for (PackEntry e : pack.getValue()) {
                    total += e.length();
                    if (!used.contains(e.id())) {
                        unused += e.length();
                    }
                }
                boolean isYoung = info.lastModified().isAfter(youngAfter);
                if (unused == 0) {
                    keep.add(new Index.PackRecord(pack.getKey(), pack.getValue()));
                } else if (isYoung) {
                    young++;
                    keep.add(new Index.PackRecord(pack.getKey(), pack.getValue()));
                } else if (unused == total) {
                    delete.add(key);
                    freed += info.size();
                } else if ((double) unused / total > options.repackThreshold()) {
                    repack.add(pack.getKey());
                    freed += info.size();
                } else {
                    keep.add(new Index.PackRecord(pack.getKey(), pack.getValue()));
                }
            }
            for (ObjectInfo orphan : present.values()) {
                if (orphan.lastModified().isAfter(youngAfter)) {
                    young++;
                } else {
                    delete.add(orphan.key());
                    freed += orphan.size();
                }
            }
            List<String> segments = Journals.orphanedSegments(engine);
            // Temporary files of killed writers in a directory store: only old ones, so that no
            // live writer, even one of a process without a repository lock, loses its file.
            TemporaryFiles temporary = store instanceof TemporaryFiles t ? t : null;
            Duration tempAge = options.gracePeriod().compareTo(PruneOptions.TEMPORARY_FILE_AGE) > 0
                    ? options.gracePeriod() : PruneOptions.TEMPORARY_FILE_AGE;
            Instant tempBefore = now.minus(tempAge);
            if (options.dryRun()) {
                int temporaryOld = temporary == null ? 0 : (int) temporary.temporaryFiles().stream()
                        .filter(f -> f.lastModified().isBefore(tempBefore)).count();
                return new PruneResult(delete.size(), repack.size(), young, freed, true, segments.size(),
                        temporaryOld);
            }
            // Repack: copy the live sealed blobs, checked first, into new packs.
            Set<BlobId> copied = new HashSet<>();
            for (Index.PackRecord r : keep) {
                for (PackEntry e : r.entries()) {
                    copied.add(e.id());
                }
            }
            RepackWriter writer = new RepackWriter(engine);
            engine.progress().found(2L * repack.size() + delete.size(), 0);
            for (String packId : repack) {
                String key = Packs.key(packId);
                byte[] data = store.get(key);
                engine.progress().done(1, data.length);
                for (PackEntry e : index.packs().get(packId)) {
                    if (used.contains(e.id()) && copied.add(e.id())) {
                        engine.crypto().unpackBlob(data, e.offset(), e.length(), e.rawLength(), e.id(), key);
                        writer.add(e, data);
                    }
                }
            }
            List<Index.PackRecord> added = writer.finish();
            freed -= writer.bytesWritten;
            List<Index.PackRecord> all = new ArrayList<>(keep);
            all.addAll(added);
            Set<String> oldIndexFiles = new HashSet<>(index.files());
            String newIndex = Crypto.randomId();
            byte[] sealed = Index.encode(engine.crypto(), newIndex, all);
            store.put(Index.PREFIX + newIndex, sealed);
            // The removal is recorded before anything is deleted; a crash between leaves files
            // that the next commit deletes.
            History.commit(engine, new History.Change("prune", Map.of(), Set.of(), oldIndexFiles, Set.of()));
            for (String old : oldIndexFiles) {
                store.delete(Index.PREFIX + old);
            }
            for (String key : delete) {
                store.delete(key);
                engine.progress().done(1, 0);
            }
            for (String packId : repack) {
                store.delete(Packs.key(packId));
                engine.progress().done(1, 0);
            }
            for (String key : segments) {
                store.delete(key);
            }
            int temporaryDeleted = temporary == null ? 0 : temporary.deleteTemporaryFiles(tempBefore);
            engine.reloadIndex();
            return new PruneResult(delete.size(), repack.size(), young, freed, false, segments.size(),
                    temporaryDeleted);
        }
    }

    /**
     * Collects every blob that a snapshot uses: its trees and their files' content.
     *
     * @param engine the repository
     * @return the ids
     */
    public static Set<BlobId> usedBlobs(Engine engine) {
        Set<BlobId> used = new HashSet<>();
        for (Snapshot s : engine.snapshots()) {
            walk(engine, BlobId.parse(engine.readManifest(s.id()).tree()), used);
        }
        return used;
    }

    private static void walk(Engine engine, BlobId tree, Set<BlobId> used) {
        if (!used.add(tree)) {
            return;
        }
        for (Tree.Node node : engine.loadTree(tree).nodes()) {
            if (Tree.Node.DIR.equals(node.type())) {
                walk(engine, BlobId.parse(node.subtree()), used);
            } else if (node.content() != null) {
                for (String hex : node.content()) {
                    used.add(BlobId.parse(hex));
                }
            }
        }
    }

    /** Writes copied sealed blobs into new packs. */
    private static final class RepackWriter {
        private final Engine engine;
        private final List<byte[]> blobs = new ArrayList<>();
        private final List<PackEntry> entries = new ArrayList<>();
        private final List<Index.PackRecord> written = new ArrayList<>();
        private int size;
        long bytesWritten;

        RepackWriter(Engine engine) {
            this.engine = engine;
        }

        void add(PackEntry e, byte[] pack) {
            byte[] sealed = Arrays.copyOfRange(pack, e.offset(), e.offset() + e.length());
            entries.add(new PackEntry(e.id(), e.type(), size, sealed.length, e.rawLength()));
            blobs.add(sealed);
            size += sealed.length;
            if (size >= engine.options().packSize()) {
                flush();
            }
        }

        private void flush() {
            if (entries.isEmpty()) {
                return;
            }
            byte[] bytes = Packs.assemble(engine.crypto(), blobs, size, entries);
            String packId = Packs.sha256(bytes, bytes.length);
            engine.store().put(Packs.key(packId), bytes);
            bytesWritten += bytes.length;
            written.add(new Index.PackRecord(packId, List.copyOf(entries)));
            blobs.clear();
            entries.clear();
            size = 0;
        }

        List<Index.PackRecord> finish() {
            flush();
            return written;
        }
    }
}
