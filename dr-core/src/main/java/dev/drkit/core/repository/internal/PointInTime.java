package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.repository.Coverage;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.RestoreResult;
import dev.drkit.core.repository.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** Restores journaled sources to an instant and lists the ranges that allows. */
public final class PointInTime {
    private PointInTime() {
    }

    /**
     * Lists the covered ranges of every journal chain, oldest first.
     *
     * @param engine the repository
     * @return the ranges
     * @throws DrException {@code INTEGRITY} naming a damaged segment
     */
    public static List<Coverage> coverage(Engine engine) {
        return coverage(engine, engine.snapshots(), source -> true);
    }

    /**
     * Returns the covered ranges of the chains whose base snapshots are among those given.
     *
     * @param engine the repository
     * @param snapshots snapshots listed before, oldest first
     * @return one range per chain, in the snapshots' order
     */
    public static List<Coverage> coverage(Engine engine, List<Snapshot> snapshots) {
        return coverage(engine, snapshots, source -> true);
    }

    /** The covered ranges of the chains of the sources a filter takes; other chains are not read. */
    private static List<Coverage> coverage(Engine engine, List<Snapshot> snapshots, Predicate<String> sources) {
        List<Coverage> out = new ArrayList<>();
        for (Snapshot s : snapshots) {
            if (JournalWriter.isBase(s) && sources.test(s.sources().get(0))) {
                Chain chain = Chain.load(engine, s.id(), s.sources().get(0));
                out.add(new Coverage(s.sources().get(0), s.id(), s.time(), chain.end(s.time()),
                        chain.segments().size()));
            }
        }
        return out;
    }

    /**
     * Returns the newest instant any journaled source can be restored to, private ones
     * ({@link Journal#PRIVATE_SOURCE_PREFIX}) left out.
     *
     * @param engine the repository
     * @return the instant
     * @throws DrException {@code NOT_FOUND} when the repository holds no journal
     */
    public static Instant latest(Engine engine) {
        return coverage(engine, engine.snapshots(), source -> !isPrivate(source)).stream().map(Coverage::to)
                .max(Comparator.naturalOrder()).orElseThrow(
                        () -> new DrException(ErrorCode.NOT_FOUND, "The repository holds no journal", "latest"));
    }

    private static boolean isPrivate(String source) {
        return source.startsWith(Journal.PRIVATE_SOURCE_PREFIX);
    }

    /**
     * A journaled source as it was at an instant: the state its newest base snapshot at or
     * before the instant and its chain's changes up to it give.
     *
     * @param engine the repository
     * @param source the source
     * @param at the instant
     * @param chain the chain of the chosen base
     * @param state the files at the instant
     */
    public record View(Engine engine, String source, Instant at, Chain chain, JournalState state) {
        /**
         * Reads a file of the state.
         *
         * @param ref the file
         * @return its bytes, each blob checked
         * @throws DrException {@code INTEGRITY} for damaged data
         */
        public byte[] read(JournalState.FileRef ref) {
            return chain.read(engine, ref.blobs(), ref.size());
        }
    }

    /**
     * Returns a journaled source as it was at an instant.
     *
     * @param engine the repository
     * @param source the source
     * @param at the instant
     * @return the view
     * @throws DrException {@code NOT_FOUND} when the source has no journal;
     *     {@code INVALID_ARGUMENT} naming the instant when it lies before the source's first
     *     snapshot or after its last segment; {@code INTEGRITY} naming a damaged segment
     */
    public static View view(Engine engine, String source, Instant at) {
        return view(engine, engine.snapshots(), source, at);
    }

    /**
     * Returns a journaled source as it was at the newest instant its newest chain covers.
     *
     * @param engine the repository
     * @param source the source
     * @return the view, or empty when the source has no journal
     * @throws DrException {@code INTEGRITY} naming a damaged segment
     */
    public static Optional<View> latestView(Engine engine, String source) {
        List<Snapshot> bases = bases(engine.snapshots(), source);
        if (bases.isEmpty()) {
            return Optional.empty();
        }
        Snapshot last = bases.get(bases.size() - 1);
        Chain chain = Chain.load(engine, last.id(), source);
        return Optional.of(replayed(engine, last, chain, chain.end(last.time())));
    }

    /** "; journaled sources: [a, b]", or "; the repository holds no journal", for a source not found. */
    private static String journaled(List<Snapshot> all) {
        Set<String> names = new java.util.TreeSet<>();
        for (Snapshot s : all) {
            if (JournalWriter.isBase(s) && !isPrivate(s.sources().get(0))) {
                names.add(s.sources().get(0));
            }
        }
        return names.isEmpty() ? "; the repository holds no journal" : "; journaled sources: " + names;
    }

    /** The base snapshots of a source's chains, oldest first (snapshots are listed by time). */
    private static List<Snapshot> bases(List<Snapshot> all, String source) {
        return all.stream().filter(s -> JournalWriter.isBase(s) && s.sources().get(0).equals(source)).toList();
    }

    /** The state of a base snapshot with its chain's changes up to an instant. */
    private static View replayed(Engine engine, Snapshot base, Chain chain, Instant at) {
        String source = base.sources().get(0);
        JournalState state = JournalState.ofSnapshot(engine, base.id(), source);
        chain.replay(state, at);
        return new View(engine, source, at, chain, state);
    }

    private static View view(Engine engine, List<Snapshot> all, String name, Instant at) {
        List<Snapshot> bases = bases(all, name);
        if (bases.isEmpty()) {
            throw new DrException(ErrorCode.NOT_FOUND, "No journal of source '" + name + "'" + journaled(all), name);
        }
        if (at.isBefore(bases.get(0).time())) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "Instant " + at + " is before the first snapshot of '"
                    + name + "' (" + bases.get(0).time() + ")", at.toString());
        }
        Snapshot chosen = null;
        for (Snapshot s : bases) {
            if (!s.time().isAfter(at)) {
                chosen = s;
            }
        }
        Chain chain = Chain.load(engine, chosen.id(), name);
        Instant end = chain.end(chosen.time());
        if (at.isAfter(end) && chosen == bases.get(bases.size() - 1)) {
            // A running journal writes a heartbeat while idle, and one at a clean close: a chain
            // that ends before the instant asked for is one whose journal stopped writing then.
            List<Segment> segments = chain.segments();
            String last = segments.isEmpty() ? "its base snapshot was taken"
                    : segments.get(segments.size() - 1).heartbeat() ? "its last heartbeat was written"
                    : "its last segment was written";
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "Instant " + at + " is after the last journal "
                    + "segment of '" + name + "', which covers up to " + end + ", when " + last + ": the journal "
                    + "may have stopped then, or, still running, had nothing to write since (it writes a heartbeat "
                    + "every JournalOptions.heartbeatEvery, dr watch --heartbeat-every, 1 min by default, while idle, "
                    + "and one when it closes). Restore at " + end + " for the newest state it holds, or wait for its "
                    + "next heartbeat", at.toString());
        }
        return replayed(engine, chosen, chain, at);
    }

    /**
     * Restores journaled sources as they were at an instant: the newest base snapshot at or
     * before it, with its chain's changes up to it.
     *
     * <p>Below the target, nothing is written through a symbolic link: each directory on a
     * file's path and the file itself are checked without following links, and a link found
     * where a directory or the file goes is removed (never what it points to) and replaced with
     * overwrite, else refused. Each file is written to a temporary sibling ({@code .dr-<hex>.tmp},
     * as the main restore names them), opened without following links, and moved over its
     * destination, atomically where the file system can: a failure leaves what was there
     * intact and the temporary removed. A regular file replaced keeps its permissions.
     *
     * @param engine the repository
     * @param source the source, or {@code null} for every journaled source but private ones
     * @param at the instant, or {@code null} for each source as its newest chain ends
     * @param target the directory; each source goes into a directory of its name unless
     *     {@link RestoreOptions#intoTarget()}
     * @param options overwrite and into-target; includes are not supported here
     * @return what was written
     * @throws DrException {@code INVALID_ARGUMENT} naming the instant when it lies before the
     *     source's first snapshot or after its last segment; {@code NOT_FOUND} when there is no
     *     such journaled source; {@code ALREADY_EXISTS} naming a directory that is not empty
     *     without overwrite; {@code UNSAFE_PATH} for a path that would leave the target, or
     *     naming the path of a symbolic link in the target without overwrite;
     *     {@code IO_FAILURE} naming the directory when the file system refuses, or naming the
     *     path of a file in the way of a directory or a directory in the way of a file
     */
    public static RestoreResult restore(Engine engine, @Nullable String source, @Nullable Instant at, Path target,
            RestoreOptions options) {
        long start = System.nanoTime();
        List<Snapshot> all = engine.snapshots();
        Set<String> sources = new LinkedHashSet<>();
        for (Snapshot s : all) {
            String name = JournalWriter.isBase(s) ? s.sources().get(0) : null;
            if (name != null && (source == null ? !isPrivate(name) : name.equals(source))) {
                sources.add(name);
            }
        }
        if (sources.isEmpty()) {
            throw new DrException(ErrorCode.NOT_FOUND, source == null ? "The repository holds no journal"
                    : "No journal of source '" + source + "'" + journaled(all), source == null ? "journal" : source);
        }
        if (options.intoTarget() && sources.size() > 1) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "Restoring into the target takes one source; the "
                    + "repository journals " + sources, "source");
        }
        Map<String, View> views = new HashMap<>();
        for (String name : sources) {
            // Without an instant, each source as its own newest chain ends: sources journaled
            // side by side change at different times, and one's last change is not the other's.
            views.put(name, at != null ? view(engine, all, name, at) : latestView(engine, name).orElseThrow());
        }
        long files = 0;
        long bytes = 0;
        long dirs = 0;
        Path root = target.toAbsolutePath().normalize();
        for (String name : sources) {
            Path dir = options.intoTarget() ? root : root.resolve(name).normalize();
            try {
                // The target itself is the caller's; below it, nothing in the target is followed.
                boolean link = !dir.equals(root) && Files.isSymbolicLink(dir);
                if (!link && Files.isDirectory(dir) && !options.overwrite()) {
                    try (Stream<Path> list = Files.list(dir)) {
                        if (list.findAny().isPresent()) {
                            throw new DrException(ErrorCode.ALREADY_EXISTS, "Directory " + dir
                                    + " is not empty; restore into an empty one or overwrite", dir.toString());
                        }
                    }
                }
                Files.createDirectories(root);
                Set<Path> made = new HashSet<>();
                made.add(root);
                makeDirectories(root, dir, made, options.overwrite());
                dirs++;
                View view = views.get(name);
                for (Map.Entry<String, JournalState.FileRef> f : view.state().files().entrySet()) {
                    Path file = dir.resolve(f.getKey()).normalize();
                    if (!file.startsWith(dir) || file.equals(dir)) {
                        throw new DrException(ErrorCode.UNSAFE_PATH, "Journal path '" + f.getKey()
                                + "' would leave " + dir, f.getKey());
                    }
                    JournalState.FileRef ref = f.getValue();
                    byte[] content = view.read(ref);
                    makeDirectories(root, file.getParent(), made, options.overwrite());
                    writeFile(file, pathIn(root, file), content, FileTime.from(ref.modified()), options.overwrite());
                    files++;
                    bytes += content.length;
                }
            } catch (IOException e) {
                throw new DrException(ErrorCode.IO_FAILURE, "Restoring '" + name + "' into " + dir + " failed: "
                        + BackupRun.describe(e), dir.toString(), e);
            }
        }
        return new RestoreResult(files, dirs, 0, 0, bytes, Duration.ofNanos(System.nanoTime() - start));
    }

    /** A path of the restore relative to the target, with {@code /} between names, for errors. */
    private static String pathIn(Path root, Path path) {
        return root.relativize(path).toString().replace('\\', '/');
    }

    /**
     * Makes each directory from below {@code root} down to {@code dir}, one name at a time, as
     * the main restore does: a symbolic link on the way is never followed (see
     * {@link RestoreRun#makeDirectory}). {@code made} holds the directories this restore made
     * or checked already.
     */
    private static void makeDirectories(Path root, Path dir, Set<Path> made, boolean overwrite) {
        if (made.contains(dir)) {
            return;
        }
        if (!dir.startsWith(root)) {
            throw new DrException(ErrorCode.UNSAFE_PATH, "Directory " + dir + " would leave " + root, dir.toString());
        }
        makeDirectories(root, dir.getParent(), made, overwrite);
        RestoreRun.makeDirectory(dir, pathIn(root, dir), overwrite);
        made.add(dir);
    }

    /**
     * Writes a file through a temporary sibling (named as the main restore names them) moved
     * over it, so that a failure leaves what was there intact and a symbolic link in its place
     * is replaced, never written through. A regular file replaced keeps its permissions, as it
     * did when it was written in place; the journal holds none.
     */
    private static void writeFile(Path file, String path, byte[] content, FileTime modified, boolean overwrite)
            throws IOException {
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new DrException(ErrorCode.IO_FAILURE, "Cannot restore file '" + path
                    + "': a directory of that name is in the way", path);
        }
        if (!overwrite && Files.isSymbolicLink(file)) {
            throw RestoreRun.linkInTheWay(path);
        }
        Set<PosixFilePermission> kept = keptPermissions(file);
        RestoreRun.Temporary temporary = RestoreRun.createTemporarySibling(file, kept == null
                ? RestoreRun.NO_ATTRIBUTES : new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(kept)});
        boolean written = false;
        try {
            try (SeekableByteChannel out = temporary.channel()) {
                RestoreRun.writeSliced(ByteBuffer.wrap(content), out);
            }
            if (kept != null) {
                // The umask may have cleared some of them at creation.
                Files.setPosixFilePermissions(temporary.path(), kept);
            }
            Files.setLastModifiedTime(temporary.path(), modified);
            written = true;
        } finally {
            if (!written) {
                Files.deleteIfExists(temporary.path());
            }
        }
        RestoreRun.moveIntoPlace(temporary.path(), file);
    }

    /** The permissions of the regular file at {@code file}, or null for none, a link or a file system without them. */
    private static @Nullable Set<PosixFilePermission> keptPermissions(Path file) throws IOException {
        try {
            PosixFileAttributes old = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return old.isRegularFile() ? old.permissions() : null;
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            return null;
        }
    }
}
