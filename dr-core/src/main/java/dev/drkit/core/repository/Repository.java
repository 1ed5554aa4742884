package dev.drkit.core.repository;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.api.backup.EntryType;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.journal.ChangeFeed;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.internal.BackupRun;
import dev.drkit.core.repository.internal.BlobId;
import dev.drkit.core.repository.internal.Copier;
import dev.drkit.core.repository.internal.Crypto;
import dev.drkit.core.repository.internal.Engine;
import dev.drkit.core.repository.internal.History;
import dev.drkit.core.repository.internal.JournalLock;
import dev.drkit.core.repository.internal.JournalWriter;
import dev.drkit.core.repository.internal.Journals;
import dev.drkit.core.repository.internal.KeyRing;
import dev.drkit.core.repository.internal.Maintenance;
import dev.drkit.core.repository.internal.PackEntry;
import dev.drkit.core.repository.internal.PointInTime;
import dev.drkit.core.repository.internal.RepositoryDirectory;
import dev.drkit.core.repository.internal.RestoreRun;
import dev.drkit.core.repository.internal.SegmentShipper;
import dev.drkit.core.repository.internal.Tree;
import dev.drkit.core.repository.internal.Verifier;
import dev.drkit.core.source.DirectorySource;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backup repository in a {@link SnapshotStore}: content-defined chunks, deduplicated by
 * keyed hash, compressed with zstd, sealed with AES-256-GCM, written as packs, then an index,
 * then the snapshot manifest by conditional create.
 *
 * <pre>{@code
 * try (Repository repo = Repository.open(store, password, RepositoryOptions.DEFAULT)) {
 *     BackupResult r = repo.backup(BackupRequest.of(DirectorySource.of("app", Path.of("/var/app"))));
 *     repo.restore(r.snapshotId(), Path.of("/tmp/restore"), RestoreOptions.all());
 * }
 * }</pre>
 *
 * <p>Thread-safe; operations that change the repository take its lock in the store.
 *
 * <p>Several repository objects, in this process or others, on this host or others, may share
 * a store. The index is loaded when the repository is opened; operations that may meet blobs
 * another one wrote since (backup, restore, {@link #journal}, {@link #manualJournal},
 * {@link #journalAt(String)}, {@link #entries}, {@link #openEntry}, {@link #copyTo},
 * {@link #stats}) first read the index files they have not seen, at the cost of one listing.
 */
public final class Repository implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Repository.class);

    /**
     * The logger that names, at WARN, each entry a backup leaves out because it cannot be read;
     * a caller that reports {@link BackupResult#unreadable()} itself may silence it.
     */
    public static final String UNREADABLE_LOGGER = "dev.drkit.backup.unreadable";

    private final Engine engine;
    private final RepositoryOptions options;

    /**
     * Returns whether the repository's store answers: a failure of an operation on this
     * repository came from elsewhere (the local target, say) when it does.
     */
    boolean storeAnswers() {
        try {
            engine.store().stat(Engine.CONFIG);
            return true;
        } catch (DrException e) {
            return false;
        }
    }

    private Repository(Engine engine) {
        this.engine = engine;
        this.options = engine.options();
    }

    /**
     * Creates a repository in an empty store. A repository owns its store (prune deletes data
     * it did not write), so a store that holds anything else is refused: a directory of one's
     * own files, another tool's objects. Only key files alone (what an init in progress or cut
     * off leaves before its config) and fleet coordination records under the default
     * {@code coordination/} prefix may be there already.
     *
     * @param store the store
     * @param password the first password; the caller may clear the array afterwards
     * @param options the options, including chunk sizes and key derivation
     * @return the open repository
     * @throws DrException {@code ALREADY_EXISTS} when the store holds a repository;
     *     {@code INTEGRITY} when it holds one whose config is missing; {@code INVALID_ARGUMENT}
     *     naming the first key when it holds anything else
     */
    public static Repository init(SnapshotStore store, char[] password, RepositoryOptions options) {
        requirePassword(password);
        return new Repository(Engine.init(store, password, options));
    }

    /**
     * Opens a repository.
     *
     * @param store the store
     * @param password a password of one of its keys
     * @param options the options (chunk sizes come from the repository itself)
     * @return the open repository
     * @throws DrException {@code WRONG_PASSWORD} when no key opens (nothing is written);
     *     {@code NOT_FOUND} when the store holds no repository; {@code INTEGRITY} when its
     *     configuration is damaged
     */
    public static Repository open(SnapshotStore store, char[] password, RepositoryOptions options) {
        requirePassword(password);
        return new Repository(Engine.open(store, password, options));
    }

    /**
     * Starts compiling the key derivation on a background thread, so that a repository opened
     * soon after opens sooner (a cold JVM spends about twice the derivation's compiled time on
     * it). Optional, and only worth it where something slow comes first that leaves a core idle,
     * such as building a cloud store's client: a command-line tool calls it before connecting.
     * Only the first call does anything.
     */
    public static void prepareToOpen() {
        KeyRing.warmUp();
    }

    /**
     * Opens a repository with the default options.
     *
     * @param store the store
     * @param password a password of one of its keys
     * @return the open repository
     * @throws DrException as {@link #open(SnapshotStore, char[], RepositoryOptions)}
     */
    public static Repository open(SnapshotStore store, char[] password) {
        return open(store, password, RepositoryOptions.DEFAULT);
    }

    /**
     * Opens the repository in a store, creating it first when the store holds none, so that a
     * program that backs up on every start runs the same way the first time and every time after.
     *
     * <p>Of two processes that create the same repository at once, one creates it and the other
     * opens what the first created. A repository that exists is opened with {@code options} as
     * {@link #open(SnapshotStore, char[], RepositoryOptions)} does (its chunk sizes are its own).
     *
     * @param store the store
     * @param password a password of one of its keys, or the first password of a new repository
     * @param options the options (chunk sizes and key derivation apply when it is created)
     * @return the open repository
     * @throws DrException {@code WRONG_PASSWORD} when the store holds a repository that no key
     *     of the password opens; {@code INTEGRITY} when its configuration is damaged;
     *     {@code INVALID_ARGUMENT} when the password is empty, or naming the first key when the
     *     store holds no repository but other objects (see {@link #init})
     */
    public static Repository openOrInit(SnapshotStore store, char[] password, RepositoryOptions options) {
        requirePassword(password);
        try {
            return open(store, password, options);
        } catch (DrException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
        }
        try {
            Repository created = init(store, password, options);
            LOG.info("Created a new repository at {}", store.describe());
            return created;
        } catch (DrException e) {
            if (e.code() != ErrorCode.ALREADY_EXISTS) {
                throw e;
            }
            return open(store, password, options); // another process created it meanwhile
        }
    }

    private static void requirePassword(char[] password) {
        if (password == null || password.length == 0) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "The password must not be empty", "password");
        }
    }

    /** Returns the repository's id. @return 32 hex digits */
    public String id() {
        return engine.repositoryId();
    }

    /**
     * Takes a snapshot of the request's sources as one consistent cut.
     *
     * <p>An entry a source could not read, such as a file or directory it has no permission to
     * read, is left out with a warning (logged at WARN on {@link #UNREADABLE_LOGGER}) and the
     * snapshot is committed without it: the result
     * counts and names such entries ({@link BackupResult#complete()} is then false), and so do
     * the audit record ({@code unreadable}) and the {@code dr.backup.unreadable} counter. The
     * snapshot records their count and the first of their paths for good
     * ({@link Snapshot#unreadable()}, {@link Snapshot#complete()}), so that its listing and a
     * later restore still show that it lacks them. FIFOs, sockets and devices, which a snapshot
     * does not keep, are skipped and counted in {@link BackupResult#specialCount()}, the first
     * named in {@link BackupResult#special()}; they do not make the backup incomplete. A
     * {@link DirectorySource} that holds a {@code file:} repository's own directory (backing up
     * {@code /srv} into {@code /srv/backups}) leaves that directory out, compared by real path,
     * so that the backup does not read the packs it writes; {@link BackupResult#repositoryLeftOut()}
     * names it.
     *
     * <p>A pack the index lists that the store no longer holds (deleted by hand, by a lifecycle
     * rule, by a failing disk) is not deduplicated against: the backup lists the packs as it
     * begins (one listing of {@code data/}, beside its other requests), takes those that are
     * missing out of the index and reads again every file whose content they held, so that its
     * snapshot is whole. The result names them ({@link BackupResult#packsMissing()}), as do a
     * WARN, the audit record ({@code packsMissing}) and the {@code dr.backup.packs.missing}
     * counter; older snapshots that need content the sources no longer hold stay damaged, which
     * {@link #verify} names.
     *
     * @param request the sources, tags and parent
     * @return the committed snapshot and what was read and added
     * @throws DrException {@code IO_FAILURE} when a source fails otherwise (its root cannot be
     *     read, a file cannot be read to its end); {@code LOCKED} when a prune holds the
     *     repository; a storage failure otherwise. Nothing is committed then.
     */
    public BackupResult backup(BackupRequest request) {
        Objects.requireNonNull(request, "request");
        return audited("backup", () -> "sources " + request.sources().stream().map(s -> s.name()).toList(), () -> {
            long start = System.nanoTime();
            // The packs the store holds, listed while the rest of the start goes on: a pack the
            // index lists that is gone must not be deduplicated against.
            CompletableFuture<Set<String>> packsListed = CompletableFuture.supplyAsync(
                    () -> Maintenance.listPacks(engine.store()), engine.pool());
            // Another repository object on the same store (another host, the fleet's previous
            // writer) may have added blobs since this one loaded its index; the parent needs them.
            engine.refreshIndexIfChanged();
            Instant time = options.clock().instant();
            String host = request.host() != null ? request.host() : options.host();
            List<String> sourceNames = request.sources().stream().map(s -> s.name()).toList();
            Snapshot parent = null;
            if (request.parent() != null) {
                parent = engine.resolve(request.parent());
            } else if (request.kind() == BackupKind.INCREMENTAL) {
                parent = previousSnapshot(host, sourceNames);
            }
            BlobId parentTree = parent != null && request.kind() == BackupKind.INCREMENTAL
                    ? BlobId.parse(engine.readManifest(parent.id()).tree()) : null;
            try (Maintenance.Lock lock = Maintenance.lock(engine, false)) {
                List<String> packsMissing = Maintenance.dropMissingPacks(engine, Engine.join(packsListed));
                // A parent whose root tree was in a missing pack leaves every file to be read.
                Tree parentRoot = parentTree != null && (packsMissing.isEmpty() || engine.index().contains(parentTree))
                        ? engine.loadTree(parentTree) : null;
                BackupRun run = new BackupRun(engine, time);
                BlobId root;
                engine.progress().startGrowing("backup");
                List<String> repositoryLeftOut = new ArrayList<>();
                List<SnapshotSource> sources = withoutRepository(request.sources(), repositoryLeftOut);
                try {
                    root = run.capture(sources, parentRoot);
                    if (!request.allowEmptySources() && !run.emptySources().isEmpty()) {
                        refuseEmptySources(run.emptySources(), parent != null ? parent
                                : previousSnapshot(host, sourceNames));
                    }
                } catch (IOException e) {
                    engine.progress().finish();
                    run.abort();
                    throw new DrException(ErrorCode.IO_FAILURE, "Reading a source failed: " + BackupRun.describe(e), null,
                            e);
                } catch (RuntimeException | Error e) {
                    engine.progress().finish();
                    run.abort();
                    throw e;
                }
                BackupRun.Stats stats = run.finish();
                engine.progress().finish();
                String id = Crypto.randomId();
                List<String> leftOut = stats.unreadable().stream().limit(Snapshot.UNREADABLE_RECORDED)
                        .map(BackupResult.UnreadableEntry::path).toList();
                Engine.Manifest manifest = new Engine.Manifest(1, time.toString(), host,
                        request.tags().stream().sorted().toList(), root.hex(), parent == null ? null : parent.id(),
                        sourceNames, stats.files(), stats.bytes(), stats.unreadableCount(), leftOut);
                run.addStored(engine.writeManifest(id, manifest));
                stats = run.stats();
                Snapshot snapshot = new Snapshot(id, time, host, request.tags(), sourceNames,
                        manifest.parent(), stats.files(), stats.bytes(), manifest.unreadable(),
                        manifest.unreadablePaths());
                BackupResult result = new BackupResult(snapshot, stats.filesNew(), stats.filesChanged(),
                        stats.filesUnchanged(), stats.filesVanished(), stats.directories(), stats.bytesRead(),
                        stats.bytesAdded(), stats.bytesStored(), stats.blobsAdded(), stats.unreadableCount(),
                        stats.unreadable(), stats.specialCount(), stats.special(), repositoryLeftOut, packsMissing,
                        Duration.ofNanos(System.nanoTime() - start), stats.changedWhileReadCount(),
                        stats.changedWhileRead());
                Metrics.backup(options.meters(), result);
                return result;
            }
        }, Repository::backupDetails);
    }

    /** The newest snapshot of a host with the same sources, or null. */
    private @Nullable Snapshot previousSnapshot(String host, List<String> sourceNames) {
        List<Snapshot> all = engine.snapshots();
        for (int i = all.size() - 1; i >= 0; i--) {
            Snapshot s = all.get(i);
            if (s.host().equals(host) && s.sources().equals(sourceNames)) {
                return s;
            }
        }
        return null;
    }

    /**
     * Refuses a backup in which a source came out empty while the previous snapshot held entries
     * in it; a previous snapshot whose trees cannot be read does not refuse it.
     *
     * @throws DrException {@code PRECONDITION_FAILED} naming the first such source
     */
    private void refuseEmptySources(List<String> empty, @Nullable Snapshot previous) {
        if (previous == null) {
            return;
        }
        Tree root;
        try {
            root = engine.loadTree(BlobId.parse(engine.readManifest(previous.id()).tree()));
        } catch (DrException e) {
            LOG.debug("Cannot tell whether snapshot {} held entries in its sources: {}", previous.shortId(),
                    e.getMessage());
            return;
        }
        for (String source : empty) {
            int held;
            try {
                Tree.Node node = root.find(source);
                held = node == null || !Tree.Node.DIR.equals(node.type()) ? 0
                        : engine.loadTree(BlobId.parse(node.subtree())).nodes().size();
            } catch (DrException e) {
                LOG.debug("Cannot tell whether snapshot {} held entries in source '{}': {}", previous.shortId(), source,
                        e.getMessage());
                held = 0;
            }
            if (held > 0) {
                throw new DrException(ErrorCode.PRECONDITION_FAILED, "Source '" + source + "' is empty, while snapshot "
                        + previous.shortId() + " of " + previous.time() + " held " + held + " top-level "
                        + (held == 1 ? "entry" : "entries") + " in it: nothing was saved. An empty directory where "
                        + "data was is more often a volume that did not mount or a wrong path than data deleted on "
                        + "purpose, and under retention an empty snapshot takes the place of good ones. If it is empty "
                        + "on purpose, allow it (BackupRequest.Builder.allowEmptySources, dr backup --allow-empty, "
                        + "dr.backup.allow-empty-sources=true)", source);
            }
        }
    }

    /**
     * Refuses a restore target that is a {@code file:} repository's own directory or lies in it,
     * where restored files could take the place of the repository's objects.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the target and the repository's directory
     */
    private void refuseTargetInRepository(Path target) {
        Optional<Path> repository = RepositoryDirectory.of(engine.store());
        if (repository.isEmpty()) {
            return;
        }
        Path real = RepositoryDirectory.real(target);
        if (real.startsWith(repository.get())) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "Restore target " + target + " is "
                    + (real.equals(repository.get()) ? "" : "inside ")
                    + "the repository's own directory " + repository.get() + ": restored files could overwrite the "
                    + "repository's objects; restore into a directory outside it", target.toString());
        }
    }

    /**
     * Returns the sources with a {@code file:} repository's own directory left out of each
     * {@link DirectorySource} that holds it, so that a backup does not read the packs it is
     * writing, and adds the snapshot path of each directory left out to {@code leftOut}.
     */
    private List<SnapshotSource> withoutRepository(List<SnapshotSource> sources, List<String> leftOut) {
        Optional<Path> repository = RepositoryDirectory.of(engine.store());
        if (repository.isEmpty()) {
            return sources;
        }
        List<SnapshotSource> kept = new ArrayList<>(sources.size());
        for (SnapshotSource source : sources) {
            if (source instanceof DirectorySource directory) {
                Path root = RepositoryDirectory.real(directory.root());
                if (!repository.get().equals(root) && repository.get().startsWith(root)) {
                    List<String> names = new ArrayList<>();
                    root.relativize(repository.get()).forEach(name -> names.add(name.toString()));
                    String relative = String.join("/", names);
                    LOG.info("Leaving the repository's own directory {} out of source '{}' ({})", repository.get(),
                            directory.name(), directory.root());
                    leftOut.add(directory.name() + "/" + relative);
                    source = directory.skipping(relative);
                }
            }
            kept.add(source);
        }
        return kept;
    }

    /** The audit record's details of a backup; {@code unreadable} only when entries were left out. */
    private static Map<String, String> backupDetails(BackupResult r) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("snapshot", r.snapshotId());
        details.put("bytesAdded", Long.toString(r.bytesAdded()));
        details.put("files", Long.toString(r.snapshot().files()));
        if (r.unreadableCount() > 0) {
            details.put("unreadable", Long.toString(r.unreadableCount()));
        }
        if (r.changedWhileReadCount() > 0) {
            details.put("changedWhileRead", Long.toString(r.changedWhileReadCount()));
            details.put("changedWhileReadPaths", String.join(",", r.changedWhileRead().stream().limit(10).toList()));
        }
        if (!r.packsMissing().isEmpty()) {
            details.put("packsMissing", String.join(",", r.packsMissing()));
        }
        return details;
    }

    /**
     * Returns how far the operation running now (a backup, restore, verify, copy from this
     * repository, or prune) has come, for a progress bar on another thread; after it ends, its
     * final count. When several run at once, the one started last is reported.
     *
     * @return the progress, or empty before the first such operation
     */
    public Optional<Progress> progress() {
        return engine.progress().snapshot();
    }

    /**
     * Lists the committed snapshots, oldest first.
     *
     * @return the snapshots
     * @throws DrException {@code INTEGRITY} naming a damaged manifest; a storage failure otherwise
     */
    public List<Snapshot> snapshots() {
        return engine.snapshots();
    }

    /**
     * Returns the snapshots the history records as present that are not among those given, such
     * as a list {@link #snapshots()} just returned: their manifests were deleted without
     * {@link #forgetSnapshots}, or cannot be read. Reads the history's head once; {@link #verify}
     * names them as problems, and {@link #forgetSnapshots} gives them up.
     *
     * @param listed snapshots of this repository
     * @return the ids, sorted; empty without a history
     * @throws DrException {@code INTEGRITY} naming the history's head when it is damaged, or
     *     missing from a repository that has a history
     */
    public List<String> unlistedSnapshots(List<Snapshot> listed) {
        Objects.requireNonNull(listed, "listed");
        Set<String> missing = new HashSet<>(History.recordedSnapshotsOfPresentHead(engine));
        listed.forEach(s -> missing.remove(s.id()));
        return missing.stream().sorted().toList();
    }

    /**
     * Finds a snapshot by id, unique id prefix or {@code latest}: the newest snapshot that is not
     * a journal's base (a journal's source is restored to an instant, {@link #restore(Instant,
     * Path, RestoreOptions)}, and its first base is empty). Every method that takes
     * {@code latest} resolves it so.
     *
     * @param idOrPrefix the id, prefix or {@code latest}
     * @return the snapshot
     * @throws DrException {@code NOT_FOUND} when none matches, and for {@code latest} when every
     *     snapshot is a journal's base (naming the journals); {@code INVALID_ARGUMENT} when ambiguous
     */
    public Snapshot snapshot(String idOrPrefix) {
        return engine.resolve(idOrPrefix);
    }

    /**
     * Restores a snapshot, or some of its paths, into a directory; each source becomes a
     * directory of the target named after it.
     *
     * @param snapshotId the snapshot's id, unique prefix or {@code latest}
     * @param target the directory to restore into
     * @param restoreOptions what to restore
     * @return what was restored
     * @throws DrException {@code INVALID_ARGUMENT} naming the target and the repository's
     *     directory, before anything is read or written, when the target is a {@code file:}
     *     repository's own directory or lies inside it (compared by real path);
     *     {@code UNSAFE_PATH} naming an entry that would leave the target;
     *     naming the files that could not be restored and why, while all others are restored:
     *     {@code INTEGRITY} when the data of any is damaged, else the store's code when it
     *     failed to serve any ({@code NOT_FOUND} for a missing pack), else {@code IO_FAILURE}
     *     when the target refused them (a full disk, a name too long, a permission), or
     *     {@code UNSAFE_PATH} above that for a directory whose place a symbolic link takes
     *     without overwrite (the link is kept, the directory and what it holds fail, named);
     *     {@code NOT_FOUND} for an unknown snapshot or path; {@code INTEGRITY} naming the object
     *     at fault, before anything is written, when the snapshot history does not verify
     *     (unless {@link RestoreOptions#allowUnverifiedHistory()}); {@code LOCKED} naming the
     *     lock, before anything is written, while a prune holds the repository (a restore holds
     *     a shared lock, so that no prune deletes data it reads; on a store it cannot write to,
     *     it runs without one)
     */
    public RestoreResult restore(String snapshotId, Path target, RestoreOptions restoreOptions) {
        return audited("restore", () -> snapshotId + " -> " + target, () -> {
            refuseTargetInRepository(target);
            // Before its first read of data a restore takes a lock, reads the history's head,
            // lists the snapshots and the index files: on a cloud store each is a round trip, so
            // those that need not wait for another go out together (three round trips in a row).
            ExecutorService requests = Executors.newFixedThreadPool(2, Engine.daemonThreads("dr-requests"));
            try {
                CompletableFuture<Maintenance.@Nullable Lock> lock = startSharedLock("restore", requests);
                Snapshot snapshot;
                BlobId root;
                try {
                    History.RestorePremise premise = restoreOptions.allowUnverifiedHistory() ? null
                            : History.readForRestore(engine, requests);
                    Engine.SnapshotListing listing = engine.listSnapshots();
                    snapshot = engine.resolve(snapshotId, restoreOptions.allowUnverifiedHistory(), listing);
                    if (premise != null) {
                        History.checkForRestore(engine, snapshot.id(), snapshotId.equals("latest"), listing.listed(),
                                premise);
                    }
                    root = BlobId.parse(engine.readManifest(snapshot.id()).tree());
                } catch (RuntimeException e) {
                    releaseWhenTaken(lock);
                    throw e;
                }
                if (restoreOptions.include().isEmpty()) {
                    engine.progress().start("restore", snapshot.files(), snapshot.bytes());
                } else {
                    engine.progress().startGrowing("restore");
                }
                RestoreResult result;
                try {
                    result = underLock(lock, () -> {
                        // After the listing and the lock: the snapshot may have been written by
                        // another process, and a prune before the lock may have moved its blobs.
                        engine.refreshIndexIfChanged();
                        return new RestoreRun(engine, target, restoreOptions).run(root);
                    });
                } finally {
                    engine.progress().finish();
                }
                Metrics.restore(options.meters(), result);
                return result;
            } finally {
                requests.shutdown();
            }
        }, r -> Map.of("files", Long.toString(r.files()), "bytes", Long.toString(r.bytes())));
    }

    /**
     * Starts continuous protection of a feed's source: resumes the source's newest journal
     * chain (checking it), written here or by another process or host sharing the store (whose
     * index files it reads first), or starts one from an empty base snapshot, then starts the feed
     * from the last committed position. A background thread writes a segment at most once
     * per {@link JournalOptions#flushInterval()}, a heartbeat (a segment without changes) when
     * nothing was flushed for {@link JournalOptions#heartbeatEvery()}, and compacts the chain by
     * age or size.
     *
     * <p>A source has one writer at a time, across processes and hosts sharing the repository:
     * the journal holds the source's writer lock {@code journal-locks/<source>} (listed by
     * {@link #locks()}) from start to {@link Journal#close()}, refreshing it every minute five
     * minutes ahead. It keeps out only other journals of the same source; backups, restores,
     * copies, forget, prune and verify run beside it as before. A writer that stopped (killed,
     * or paused) is taken over once its lock is five minutes past its last refresh, or at once
     * after {@link #unlock()} removed the lock of a process gone from this host; a writer whose
     * lock was taken over writes no more (its flushes fail {@code LOCKED}).
     *
     * @param feed the feed; its name is the source's
     * @param journalOptions flush and compaction
     * @return the running journal, which the caller closes
     * @throws DrException {@code LOCKED} naming the source and its writer (owner, host, pid and
     *     since when) when another journal of the source runs, here or on another host;
     *     {@code INTEGRITY} naming the segment at fault when the chain to resume is damaged;
     *     {@code INVALID_ARGUMENT} for a malformed feed name; {@code IO_FAILURE} when the feed
     *     cannot start
     */
    public Journal journal(ChangeFeed feed, JournalOptions journalOptions) {
        Objects.requireNonNull(feed, "feed");
        Objects.requireNonNull(journalOptions, "journalOptions");
        return new Journal(JournalWriter.open(engine, feed, journalOptions, true, s -> { }), options.meters());
    }

    /** Starts a journal whose segments are shipped to secondaries; see {@link Replication}. */
    Journal replicatedJournal(ChangeFeed feed, JournalOptions journalOptions, List<Repository> secondaries) {
        List<SegmentShipper> shippers = new ArrayList<>();
        for (int i = 0; i < secondaries.size(); i++) {
            shippers.add(new SegmentShipper(engine, secondaries.get(i).engine, feed.name(), i));
        }
        JournalWriter writer;
        try {
            writer = JournalWriter.open(engine, feed, journalOptions, true, s -> shippers.forEach(x -> x.committed(s)));
        } catch (RuntimeException e) {
            shippers.forEach(SegmentShipper::close);
            throw e;
        }
        JournalWriter.Status start = writer.status();
        shippers.forEach(x -> x.committed(start)); // the base, and segments written before a restart
        return new Journal(writer, shippers, options.meters());
    }

    /**
     * Starts a journal whose segments are written only by {@link Journal#flush()} and compacted
     * only by {@link Journal#compact()}: no background thread, for tests that control time. It
     * writes no heartbeat while it runs, only the one at {@link Journal#close()}.
     * It holds the source's writer lock as {@link #journal(ChangeFeed, JournalOptions)} does, but
     * refreshes it only when it flushes: idle for five minutes, it may be taken over by another
     * writer, and its next flush then fails {@code LOCKED}.
     *
     * @param feed the feed
     * @param journalOptions compaction thresholds and heartbeat interval (unused without the
     *     background thread)
     * @return the journal
     * @throws DrException as {@link #journal(ChangeFeed, JournalOptions)}
     */
    public Journal manualJournal(ChangeFeed feed, JournalOptions journalOptions) {
        Objects.requireNonNull(feed, "feed");
        return new Journal(JournalWriter.open(engine, feed, journalOptions, false, s -> { }), options.meters());
    }

    /**
     * Lists the time ranges over which journaled sources can be restored to any instant.
     *
     * @return one range per journal chain, oldest first
     * @throws DrException {@code INTEGRITY} naming a damaged segment
     */
    public List<Coverage> coverage() {
        return PointInTime.coverage(engine);
    }

    /**
     * Lists the time ranges of the journal chains whose base snapshots are among those given,
     * such as a list {@link #snapshots()} just returned: the snapshots are not listed again.
     *
     * @param snapshots snapshots of this repository, oldest first
     * @return one range per journal chain among them, in their order
     * @throws DrException {@code INTEGRITY} naming a damaged segment
     */
    public List<Coverage> coverage(List<Snapshot> snapshots) {
        return PointInTime.coverage(engine, snapshots);
    }

    /**
     * Restores every journaled source as it was at an instant, but the kit's own
     * ({@link Journal#PRIVATE_SOURCE_PREFIX}, such as streamed WAL).
     *
     * <p>Nothing is written through a symbolic link found below the target: with overwrite the
     * link itself is replaced, never what it points to. Each file is written to a temporary
     * file beside it and moved into place, so a failure leaves the file that was there intact.
     *
     * @param at the instant
     * @param target the directory; each source becomes a directory of its name
     * @param restoreOptions overwrite and into-target
     * @return what was written
     * @throws DrException {@code INVALID_ARGUMENT} naming the target and the repository's
     *     directory when the target is a {@code file:} repository's own directory or inside it;
     *     {@code INVALID_ARGUMENT} naming the instant when it lies before a
     *     source's first snapshot or after its last journal segment; {@code NOT_FOUND} when no
     *     source is journaled; {@code INTEGRITY} naming a damaged or missing segment;
     *     {@code ALREADY_EXISTS} naming a directory that is not empty without overwrite;
     *     {@code UNSAFE_PATH} naming a symbolic link in the target without overwrite, or a path
     *     that would leave the target; {@code IO_FAILURE} when the target's file system refuses
     */
    public RestoreResult restore(Instant at, Path target, RestoreOptions restoreOptions) {
        return restore(null, at, target, restoreOptions);
    }

    /**
     * Restores one journaled source, or all when {@code source} is null, as it was at an instant.
     *
     * @param source the source's name, or {@code null}
     * @param at the instant
     * @param target the directory
     * @param restoreOptions overwrite and into-target
     * @return what was written
     * @throws DrException as {@link #restore(Instant, Path, RestoreOptions)}; {@code NOT_FOUND}
     *     naming a source without journal
     */
    public RestoreResult restore(@Nullable String source, Instant at, Path target, RestoreOptions restoreOptions) {
        Objects.requireNonNull(at, "at");
        return audited("restore", () -> "at " + at + " -> " + target, () -> {
            refuseTargetInRepository(target);
            engine.refreshIndexIfChanged(); // the journal may be another process's
            RestoreResult result = underSharedLock("restore",
                    () -> PointInTime.restore(engine, source, at, target, restoreOptions));
            Metrics.restore(options.meters(), result);
            return result;
        }, r -> Map.of("files", Long.toString(r.files()), "bytes", Long.toString(r.bytes()), "at", at.toString()));
    }

    /**
     * Restores one journaled source, or all when {@code source} is null, each as the newest
     * segment of its journal left it. Sources journaled side by side change at different times:
     * the newest instant one covers is after the other's last change, so no single instant
     * restores them all at their newest ({@code dr restore --at latest}).
     *
     * @param source the source's name, or {@code null}
     * @param target the directory; each source becomes a directory of its name
     * @param restoreOptions overwrite and into-target
     * @return what was written
     * @throws DrException as {@link #restore(String, Instant, Path, RestoreOptions)}
     */
    public RestoreResult restoreLatest(@Nullable String source, Path target, RestoreOptions restoreOptions) {
        return audited("restore", () -> "latest of " + (source == null ? "every journal" : source) + " -> " + target,
                () -> {
                    refuseTargetInRepository(target);
                    engine.refreshIndexIfChanged(); // the journal may be another process's
                    RestoreResult result = underSharedLock("restore",
                            () -> PointInTime.restore(engine, source, null, target, restoreOptions));
                    Metrics.restore(options.meters(), result);
                    return result;
                }, r -> Map.of("files", Long.toString(r.files()), "bytes", Long.toString(r.bytes()), "at", "latest"));
    }

    /**
     * Returns a journaled source as it was at an instant, to read its records in place.
     *
     * @param source the source's name
     * @param at the instant
     * @return the view
     * @throws DrException {@code NOT_FOUND} naming the source when it has no journal;
     *     {@code INVALID_ARGUMENT} naming the instant when it lies before the source's first
     *     snapshot or after its last journal segment; {@code INTEGRITY} naming a damaged segment
     */
    public JournalView journalAt(String source, Instant at) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(at, "at");
        engine.refreshIndexIfChanged();
        return new JournalView(PointInTime.view(engine, source, at));
    }

    /**
     * Returns a journaled source as it was at the newest instant its journal covers.
     *
     * @param source the source's name
     * @return the view, or empty when the source has no journal
     * @throws DrException {@code INTEGRITY} naming a damaged segment
     */
    public Optional<JournalView> journalAt(String source) {
        Objects.requireNonNull(source, "source");
        engine.refreshIndexIfChanged();
        return PointInTime.latestView(engine, source).map(JournalView::new);
    }

    /**
     * Returns the newest instant the journaled sources can be restored to (the kit's own,
     * {@link Journal#PRIVATE_SOURCE_PREFIX}, left out).
     *
     * @return the end of the newest covered range
     * @throws DrException {@code NOT_FOUND} when no source is journaled
     */
    public Instant latestRestorableInstant() {
        return PointInTime.latest(engine);
    }

    /**
     * Opens one file of a snapshot as a stream, without touching the disk; every blob is
     * checked as it is read.
     *
     * @param snapshotId the snapshot's id, unique prefix or {@code latest}
     * @param path the file's path in the snapshot: {@code source/dir/file}
     * @return the stream; reading it throws {@code DrException INTEGRITY} on damaged data
     * @throws DrException {@code NOT_FOUND} when there is no such snapshot or file
     */
    public InputStream openEntry(String snapshotId, String path) {
        engine.refreshIndexIfChanged();
        Snapshot snapshot = engine.resolve(snapshotId);
        BlobId root = BlobId.parse(engine.readManifest(snapshot.id()).tree());
        return RestoreRun.openEntry(engine, root, path);
    }

    /**
     * Lists every entry of a snapshot, depth first in name order, for listings and diffs.
     *
     * @param snapshotId the snapshot's id, unique prefix or {@code latest}
     * @return the entries
     * @throws DrException {@code NOT_FOUND} for an unknown snapshot; {@code INTEGRITY} for a
     *     damaged tree
     */
    public List<SnapshotEntry> entries(String snapshotId) {
        engine.refreshIndexIfChanged();
        Snapshot snapshot = engine.resolve(snapshotId);
        List<SnapshotEntry> out = new ArrayList<>();
        listTree(BlobId.parse(engine.readManifest(snapshot.id()).tree()), "", out);
        return out;
    }

    private void listTree(BlobId id, String prefix, List<SnapshotEntry> out) {
        for (Tree.Node node : engine.loadTree(id).nodes()) {
            String path = prefix.isEmpty() ? node.name() : prefix + "/" + node.name();
            Instant modified = Instant.ofEpochSecond(node.mtime(), node.mtimeNanos());
            switch (node.type()) {
                case Tree.Node.DIR -> {
                    out.add(new SnapshotEntry(path, EntryType.DIRECTORY, 0, modified, node.mode(), null, null));
                    listTree(BlobId.parse(node.subtree()), path, out);
                }
                case Tree.Node.SYMLINK -> out.add(new SnapshotEntry(path, EntryType.SYMLINK, 0,
                        modified, node.mode(), node.target(), null));
                default -> out.add(new SnapshotEntry(path, EntryType.FILE, node.size(), modified,
                        node.mode(), null, contentId(node.content())));
            }
        }
    }

    private static String contentId(List<String> blobs) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String hex : blobs) {
                md.update(hex.getBytes(StandardCharsets.US_ASCII));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Copies snapshots into another repository, of any store kind and with other keys: only
     * the blobs the destination lacks are sent, re-encrypted with its keys, and each snapshot
     * keeps its id, time, host, tags and sources. Snapshots the destination holds already are
     * skipped, so a rerun after an interruption sends only what is missing.
     *
     * @param destination the open repository to copy into
     * @param snapshotIds ids, unique prefixes or {@code latest}; all snapshots when empty
     * @return what was copied and sent
     * @throws DrException {@code NOT_FOUND} for an unknown snapshot; {@code INVALID_ARGUMENT}
     *     when the destination is this repository's own store object; {@code LOCKED} when a
     *     prune holds either repository; a storage failure otherwise, after which no partly
     *     copied snapshot is visible in the destination
     */
    public CopyResult copyTo(Repository destination, List<String> snapshotIds) {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(snapshotIds, "snapshotIds");
        if (destination == this) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "A repository cannot be copied into itself",
                    "destination");
        }
        return audited("copy", () -> engine.store().describe() + " -> " + destination.engine.store().describe(), () -> {
            long start = System.nanoTime();
            engine.refreshIndexIfChanged(); // the snapshots may have been written by another process
            List<Snapshot> selected;
            if (snapshotIds.isEmpty()) {
                selected = engine.snapshots();
            } else {
                LinkedHashMap<String, Snapshot> byId = new LinkedHashMap<>();
                for (String id : snapshotIds) {
                    Snapshot s = engine.resolve(id);
                    byId.put(s.id(), s);
                }
                selected = List.copyOf(byId.values());
            }
            Copier.Stats stats = underSharedLock("copy", () -> new Copier(engine, destination.engine).copy(selected));
            // Journal chains follow their base snapshots, segment by segment.
            List<Snapshot> held = new ArrayList<>();
            Set<String> there = new HashSet<>();
            destination.engine.snapshots().forEach(s -> there.add(s.id()));
            for (Snapshot s : selected) {
                if (there.contains(s.id())) {
                    held.add(s);
                }
            }
            int segments = Journals.copy(engine, destination.engine, held);
            CopyResult result = new CopyResult(stats.copied(), stats.skipped(), stats.blobsSent(), stats.bytesSent(),
                    stats.blobsRead(), Duration.ofNanos(System.nanoTime() - start), segments, stats.packsMissing());
            if (options.meters() != null) {
                options.meters().counter("dr.repository.copy.snapshots").increment(result.copied().size());
                options.meters().counter("dr.repository.copy.bytes.sent").increment(result.bytesSent());
            }
            return result;
        }, Repository::copyDetails);
    }

    /** The audit record's details of a copy; {@code packsMissing} only when the destination had lost packs. */
    private static Map<String, String> copyDetails(CopyResult r) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("copied", Integer.toString(r.copied().size()));
        details.put("skipped", Integer.toString(r.skipped().size()));
        details.put("bytesSent", Long.toString(r.bytesSent()));
        details.put("segments", Integer.toString(r.segmentsSent()));
        if (!r.packsMissing().isEmpty()) {
            details.put("packsMissing", String.join(",", r.packsMissing()));
        }
        return details;
    }

    /**
     * Reports the size of the repository from its index.
     *
     * @return the figures
     */
    public RepositoryStats stats() {
        long blobs = 0;
        long stored = 0;
        long raw = 0;
        engine.refreshIndexIfChanged();
        Map<String, List<PackEntry>> packs = engine.index().packs();
        for (List<PackEntry> entries : packs.values()) {
            for (PackEntry e : entries) {
                blobs++;
                stored += e.length();
                raw += e.rawLength();
            }
        }
        return new RepositoryStats(engine.snapshots().size(), packs.size(), blobs, stored, raw);
    }

    /**
     * Checks the repository: structure always, data when asked.
     *
     * <p>The structure is the config, the key files, the index files, the snapshot manifests and
     * their trees, the history and the journals; every pack the index lists must be in the store
     * with the size its index entries give it (the store's listing tells the size, so no pack is
     * read for this): a pack cut short or extended is a problem naming it and both sizes.
     *
     * <p>What interrupted writers leave is counted, not reported as a problem: packs no index
     * lists ({@link VerifyReport#unindexedPacks()}, uploaded by a backup that was killed or
     * failed before it wrote its index) and, in a directory store, temporary files of writes
     * killed before they were renamed into place ({@link VerifyReport#temporaryFiles()}). A
     * backup running now has both too. {@link #prune} deletes them once they are old enough.
     *
     * @param verifyOptions how deeply
     * @return the report, each problem naming its store key
     */
    public VerifyReport verify(VerifyOptions verifyOptions) {
        Objects.requireNonNull(verifyOptions, "verifyOptions");
        VerifyReport report;
        engine.progress().startGrowing("verify");
        try {
            report = new Verifier(engine).run(verifyOptions);
        } finally {
            engine.progress().finish();
        }
        Metrics.verify(options.meters(), report);
        return report;
    }

    /**
     * Removes the snapshots a retention policy does not keep (their data stays until
     * {@link #prune}). The policy's rules apply to each of its groups on its own: by default
     * the snapshots of one host and the same sources ({@link RetentionPolicy#groupBy()}).
     *
     * @param policy which snapshots to keep
     * @param dryRun whether to only report
     * @return what was kept and removed
     * @throws DrException {@code LOCKED} when another process holds the repository exclusively
     */
    public ForgetResult forget(RetentionPolicy policy, boolean dryRun) {
        return audited("forget", () -> dryRun ? "dry run" : "snapshots",
                () -> {
                    ForgetResult r = Maintenance.forget(engine, policy, dryRun);
                    if (options.meters() != null && !dryRun) {
                        options.meters().counter("dr.repository.forget.snapshots").increment(r.removed().size());
                    }
                    return r;
                },
                r -> Map.of("kept", Integer.toString(r.kept().size()), "removed", Integer.toString(r.removed().size()),
                        "dryRun", Boolean.toString(dryRun)));
    }

    /**
     * Forgets the named snapshots (their data stays until {@link #prune}), under an exclusive
     * lock. A snapshot whose manifest cannot be read, or was deleted without forget, is given
     * up this way too: the removal is recorded in the history, so {@link #verify} no longer
     * reports it, restores of {@code latest} no longer refuse, and prune, which refuses while a
     * manifest cannot be read, runs again.
     *
     * A journal's base snapshot is refused (see {@link #forgetSnapshots(List, boolean)}).
     *
     * @param snapshotIds full ids or unique prefixes of at least 4 hex digits
     * @return the ids removed
     * @throws DrException {@code NOT_FOUND} naming an id no snapshot has; {@code INVALID_ARGUMENT}
     *     naming an ambiguous prefix, or a journal's base snapshot, naming its journal (nothing is
     *     removed then); {@code LOCKED} when another process holds a live lock
     */
    public List<String> forgetSnapshots(List<String> snapshotIds) {
        return forgetSnapshots(snapshotIds, false);
    }

    /**
     * Forgets the named snapshots as {@link #forgetSnapshots(List)} does; a journal's base
     * snapshot is forgotten only with {@code withJournal}, since its journal goes with it: restores
     * {@code --at} no longer reach the span it covers, and prune deletes its segments. Without it
     * such a snapshot is refused with a message naming the journal's source, the span it covers
     * and its segments, and nothing is removed.
     *
     * @param snapshotIds full ids or unique prefixes of at least 4 hex digits
     * @param withJournal whether a journal's base snapshot may be forgotten, its journal with it
     * @return the ids removed
     * @throws DrException {@code NOT_FOUND} naming an id no snapshot has; {@code INVALID_ARGUMENT}
     *     naming an ambiguous prefix, or a journal's base snapshot without {@code withJournal}
     *     (nothing is removed then); {@code LOCKED} when another process holds a live lock
     */
    public List<String> forgetSnapshots(List<String> snapshotIds, boolean withJournal) {
        Objects.requireNonNull(snapshotIds, "snapshotIds");
        return audited("forget", () -> "snapshots " + snapshotIds, () -> Maintenance.forgetSnapshots(engine,
                List.copyOf(snapshotIds), withJournal), r -> Map.of("removed", Integer.toString(r.size())));
    }

    /**
     * Rebuilds the index from what can be read, under an exclusive lock. An index file that cannot be read is left out when the repository opens, so its
     * packs look unindexed: a backup whose parent snapshot's trees are in them, a restore of a
     * snapshot that uses them and prune fail with {@code INTEGRITY} naming this remedy (prune
     * would delete the packs as unused), and verify counts the packs as unindexed. This
     * lists such packs again from their own headers, and drops the entries of packs the store
     * no longer holds. With {@code readData} every pack is read and each blob checked: a blob
     * whose data is damaged leaves the index (its pack's other blobs are copied into new packs,
     * and that pack alone is deleted), so that the next backup stores its content again
     * (while the source has it) instead of deduplicating against the damaged copy; blobs are
     * named by their content, so the snapshots taken before then restore that content too.
     * An index file deleted from the store without a prune (which verify names as missing) is
     * recorded in the repository's history as removed, together with the new index file, so
     * that verify passes again once the repair is made.
     *
     * @param readData whether to read every pack and check each blob
     * @return what was done
     * @throws DrException {@code LOCKED} when another process holds a live lock
     */
    public IndexRepairResult repairIndex(boolean readData) {
        return audited("repair-index", () -> readData ? "index, data read" : "index", () -> {
            engine.progress().startGrowing("repair-index");
            try {
                return Maintenance.repairIndex(engine, readData);
            } finally {
                engine.progress().finish();
            }
        }, r -> Map.of("packsAdded", Integer.toString(r.packsAdded()), "packsMissing",
                Integer.toString(r.packsMissing()), "blobsDropped", Integer.toString(r.blobsDropped()),
                "packsRewritten", Integer.toString(r.packsRewritten()),
                "indexFilesDamaged", Integer.toString(r.indexFilesDamaged()),
                "indexFilesMissing", Integer.toString(r.indexFilesMissing())));
    }

    /**
     * Rebuilds the snapshot history's head ({@code history/head}) from the archived entries when
     * it is missing or damaged, under an exclusive lock; a sound head is left alone. The head is
     * what backups, prunes and checked restores trust to detect a deleted, replayed or swapped
     * snapshot, and each of its entries is also archived: the chain of archived entries is
     * read from the first, each verified (its key, its sequence number, its predecessor's
     * hash), and the head takes the newest and the state they leave. Nothing is written when an
     * entry is missing or does not verify. What cannot be detected afterwards, and the result
     * says so: a change only the lost head held (its newest entry, when a crash came between
     * writing the head and archiving it; a snapshot that backup added is adopted again by the
     * next commit) and entries deleted together with the head, which an attacker could use to
     * roll the history back; only a head digest kept out of band ({@link #verify} with an
     * expected head) tells. The repair is audited with the sequence number and the new digest.
     *
     * @return what was done
     * @throws DrException {@code INTEGRITY} naming the archived entry that is missing or does not
     *     verify; {@code LOCKED} when another process holds a live lock
     */
    public HistoryRepairResult repairHistory() {
        return audited("repair-history", () -> "history", () -> Maintenance.repairHistory(engine),
                r -> Map.of("before", r.before(), "rebuiltFromEntry", Long.toString(r.rebuiltFromEntry()),
                        "headDigest", r.headDigest(), "changed", Boolean.toString(r.changed())));
    }

    /**
     * Deletes data no snapshot uses and repacks partly used packs, under an exclusive lock.
     * Packs no index lists, the remains of a backup that was killed or failed before it wrote its
     * index, are data no snapshot uses: they are deleted once older than the grace period. In a
     * directory ({@code file:}) store, the temporary files of writes killed before they were
     * renamed into place are deleted too, once older than {@link PruneOptions#TEMPORARY_FILE_AGE}
     * or the grace period, whichever is longer ({@link PruneResult#temporaryFilesDeleted()}).
     *
     * @param pruneOptions grace period, repack threshold and dry run
     * @return what was freed
     * @throws DrException {@code LOCKED} when another process holds a live lock
     */
    public PruneResult prune(PruneOptions pruneOptions) {
        return audited("prune", () -> "packs", () -> {
            PruneResult r;
            engine.progress().startGrowing("prune");
            try {
                r = Maintenance.prune(engine, pruneOptions);
            } finally {
                engine.progress().finish();
            }
            if (options.meters() != null && !r.dryRun()) {
                options.meters().counter("dr.repository.prune.packs.deleted").increment(r.packsDeleted());
                options.meters().counter("dr.repository.prune.packs.repacked").increment(r.packsRepacked());
                options.meters().counter("dr.repository.prune.bytes.freed").increment(Math.max(0, r.bytesFreed()));
            }
            return r;
        },
                r -> Map.of("packsDeleted", Integer.toString(r.packsDeleted()),
                        "packsRepacked", Integer.toString(r.packsRepacked()),
                        "bytesFreed", Long.toString(r.bytesFreed()),
                        "temporaryFilesDeleted", Integer.toString(r.temporaryFilesDeleted())));
    }

    /**
     * Lists the repository's locks, each with whether it still holds: those of backups,
     * restores and maintenance under {@code locks/}, and the writer locks of running journals
     * under {@code journal-locks/}.
     *
     * @return the locks, in key order
     * @throws DrException a storage failure
     */
    public List<LockInfo> locks() {
        return byKey(JournalLock.locks(engine), Maintenance.locks(engine));
    }

    private static List<LockInfo> byKey(List<LockInfo> a, List<LockInfo> b) {
        List<LockInfo> all = new ArrayList<>(a);
        all.addAll(b);
        all.sort(Comparator.comparing(LockInfo::key));
        return all;
    }

    /**
     * Removes the locks no running process holds, as {@code dr unlock} does: those past their
     * expiry time (their holder stopped refreshing them), unreadable ones, and those taken on
     * this host by a process that no longer runs ({@link LockInfo.State#PROCESS_GONE}: the
     * lock's host equals {@link RepositoryOptions#host()} and {@link ProcessHandle#of} finds
     * no live process of its pid). Live locks stay.
     *
     * <p>Taking a repository lock removes {@link LockInfo.State#PROCESS_GONE} locks by itself
     * too, as restic does; expired ones it ignores, and an unexpired lock of another host or of a
     * live pid blocks until it expires or this method removes it. Both trust the host name:
     * containers that share one without sharing their process ids need distinct
     * {@link RepositoryOptions#host()} names, or one's live lock looks like a gone process to
     * another.
     *
     * <p>Journal writer locks ({@code journal-locks/<source>}) are removed by the same rules; an
     * expired one needs no removal, since the next journal of its source takes it over.
     *
     * @return the removed locks
     * @throws DrException a storage failure
     */
    public List<LockInfo> unlock() {
        return byKey(JournalLock.remove(engine, false), Maintenance.breakStaleLocks(engine));
    }

    /**
     * Removes every lock, live ones included. Only for when no process anywhere uses the
     * repository (no backup, restore, copy, forget or prune runs on any host): a live lock
     * removed lets a prune delete the data a running backup writes, and a journal writer lock
     * removed lets a second journal of its source start beside the first.
     *
     * @return the removed locks
     * @throws DrException a storage failure
     */
    public List<LockInfo> unlockAll() {
        return byKey(JournalLock.remove(engine, true), Maintenance.breakAllLocks(engine));
    }

    /**
     * Removes the locks no running process holds; the same as {@link #unlock()}.
     *
     * @return how many locks were removed
     * @throws DrException a storage failure
     */
    public int unlockStale() {
        return unlock().size();
    }

    /**
     * Adds a password that opens the repository.
     *
     * @param password the new password
     * @return the new key's id
     */
    public String addKey(char[] password) {
        requirePassword(password);
        String id = KeyRing.add(engine.store(), masterKeyCopy(), password, options.kdf(), options.host(),
                options.clock().instant());
        History.commit(engine, History.Change.found("key-add"));
        return id;
    }

    /**
     * Lists the keys.
     *
     * @return the keys, the current one marked
     */
    public List<KeyInfo> keys() {
        return KeyRing.list(engine.store(), engine.keyId());
    }

    /**
     * Removes a key. The key this repository was opened with may be removed (a password
     * rotation: add the new password, then remove the old); {@code dr key remove} refuses it.
     *
     * @param keyId the key's id
     * @throws DrException {@code NOT_FOUND} for an unknown key; {@code ILLEGAL_STATE} when it is
     *     the last key, whose removal would make the repository unreadable
     */
    public void removeKey(String keyId) {
        List<KeyInfo> keys = keys();
        if (keys.stream().noneMatch(k -> k.id().equals(keyId))) {
            throw new DrException(ErrorCode.NOT_FOUND, "No key '" + keyId + "'", keyId);
        }
        if (keys.size() == 1) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "Key '" + keyId
                    + "' is the last key; add another before removing it", keyId);
        }
        // The removal is recorded first, so that the key file put back later is named by verify.
        History.commit(engine, History.Change.keyRemoved(keyId));
        engine.store().delete(KeyRing.PREFIX + keyId);
    }

    private byte[] masterKeyCopy() {
        return engine.crypto().masterKey();
    }

    /**
     * Runs a read of the repository's data under a shared lock, as backups run: prune takes an
     * exclusive one, so it cannot delete packs that the read still needs (and waits, or is
     * refused, while the read runs). A store this process cannot write to (a read-only
     * directory or credential, a bucket under object lock) is read without the lock, with a
     * warning: a recovery must not depend on write access.
     */
    private <T> T underSharedLock(String what, Supplier<T> read) {
        return underLock(startSharedLock(what, Runnable::run), read);
    }

    /**
     * Takes the shared lock of {@link #underSharedLock} on {@code requests}: the future gives the
     * lock, or null (with the warning) where none could be written, or fails {@code LOCKED}.
     */
    private CompletableFuture<Maintenance.@Nullable Lock> startSharedLock(String what, Executor requests) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Maintenance.lock(engine, false);
            } catch (DrException e) {
                if (e.code() == ErrorCode.LOCKED) {
                    throw new DrException(ErrorCode.LOCKED, "Cannot " + what + " now: " + e.getMessage()
                            + " (a prune or another exclusive task; try again when it has finished)", e.input(), e);
                }
                LOG.warn("The {} runs without a lock, since none could be written ({}): a prune running at the same "
                        + "time could delete data it reads", what, e.getMessage());
                return null;
            }
        }, requests);
    }

    /** Waits for the lock {@link #startSharedLock} takes, runs the read under it and releases it. */
    private static <T> T underLock(CompletableFuture<Maintenance.@Nullable Lock> taking, Supplier<T> read) {
        Maintenance.Lock lock = Engine.join(taking);
        try {
            return read.get();
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }

    /** Releases a lock being taken for an operation that failed before it needed the lock. */
    private static void releaseWhenTaken(CompletableFuture<Maintenance.@Nullable Lock> taking) {
        Maintenance.Lock lock;
        try {
            lock = taking.join();
        } catch (RuntimeException e) {
            return; // none taken; the operation's own failure is the one reported
        }
        if (lock != null) {
            lock.close();
        }
    }

    private <T> T audited(String action, Supplier<String> target, Supplier<T> body, Function<T,
            Map<String, String>> details) {
        try {
            T result = body.get();
            emit(action, target.get(), AuditOutcome.SUCCESS, details.apply(result));
            return result;
        } catch (DrException e) {
            Map<String, String> d = new HashMap<>();
            d.put("error", e.code().id());
            d.put("message", e.getMessage());
            emit(action, target.get(), e.code() == ErrorCode.LOCKED ? AuditOutcome.DENIED : AuditOutcome.FAILURE, d);
            Metrics.failure(options.meters(), action);
            throw e;
        } catch (UncheckedIOException e) {
            emit(action, target.get(), AuditOutcome.FAILURE, Map.of("error", String.valueOf(e.getMessage())));
            throw new DrException(ErrorCode.IO_FAILURE, action + " failed: " + e.getMessage(), null, e);
        }
    }

    private void emit(String action, String target, AuditOutcome outcome, Map<String, String> details) {
        if (options.audit() == null) {
            return;
        }
        try {
            options.audit().append(new AuditEvent(options.clock().instant(), options.actor(), action, target, outcome,
                    details));
        } catch (RuntimeException e) {
            LOG.warn("Audit sink refused the {} event: {}", action, e.toString());
        }
    }

    /** Closes the worker threads; the store stays open (its owner closes it). */
    @Override
    public void close() {
        engine.close();
    }

    /** Records meters for operations. */
    private static final class Metrics {
        static void backup(@Nullable MeterRegistry r, BackupResult b) {
            if (r == null) {
                return;
            }
            r.timer("dr.backup.duration").record(b.duration());
            r.counter("dr.backup.bytes.read").increment(b.bytesRead());
            r.counter("dr.backup.bytes.added").increment(b.bytesAdded());
            r.counter("dr.backup.bytes.stored").increment(b.bytesStored());
            r.counter("dr.backup.files", "state", "new").increment(b.filesNew());
            r.counter("dr.backup.files", "state", "changed").increment(b.filesChanged());
            r.counter("dr.backup.files", "state", "unchanged").increment(b.filesUnchanged());
            r.counter("dr.backup.files", "state", "vanished").increment(b.filesVanished());
            r.counter("dr.backup.unreadable").increment(b.unreadableCount());
            r.counter("dr.backup.packs.missing").increment(b.packsMissing().size());
            r.counter("dr.backup.snapshots", "outcome", "success").increment();
        }

        static void restore(@Nullable MeterRegistry r, RestoreResult res) {
            if (r == null) {
                return;
            }
            r.timer("dr.restore.duration").record(res.duration());
            r.counter("dr.restore.bytes").increment(res.bytes());
            r.counter("dr.restore.files").increment(res.files());
        }

        static void verify(@Nullable MeterRegistry r, VerifyReport report) {
            if (r == null) {
                return;
            }
            r.counter("dr.repository.verify", "outcome", report.ok() ? "ok" : "problems").increment();
            r.counter("dr.repository.verify.problems").increment(report.problems().size());
        }

        static void failure(@Nullable MeterRegistry r, String action) {
            if (r == null) {
                return;
            }
            String prefix = action.equals("backup") || action.equals("restore") ? "dr." + action
                    : "dr.repository." + action;
            r.counter(prefix + ".failures").increment();
        }
    }
}
