package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.repository.Coverage;
import dev.drkit.core.repository.Journal;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.RestoreResult;
import dev.drkit.core.repository.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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
        return coverage(engine, source -> true);
    }

    /** The covered ranges of the chains of the sources a filter takes; other chains are not read. */
    private static List<Coverage> coverage(Engine engine, Predicate<String> sources) {
        List<Coverage> out = new ArrayList<>();
        for (Snapshot s : engine.snapshots()) {
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
        return coverage(engine, source -> !isPrivate(source)).stream().map(Coverage::to)
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
            throw new DrException(ErrorCode.NOT_FOUND, "No journal of source '" + name + "'", name);
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
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "Instant " + at + " is after the last journal "
                    + "segment of '" + name + "', which covers up to " + end, at.toString());
        }
        return replayed(engine, chosen, chain, at);
    }

    /**
     * Restores journaled sources as they were at an instant: the newest base snapshot at or
     * before it, with its chain's changes up to it.
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
     *     without overwrite; {@code UNSAFE_PATH} for a path that would leave the target
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
                    : "No journal of source '" + source + "'", source == null ? "journal" : source);
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
        for (String name : sources) {
            Path dir = (options.intoTarget() ? target : target.resolve(name)).toAbsolutePath().normalize();
            try {
                if (Files.isDirectory(dir) && !options.overwrite()) {
                    try (Stream<Path> list = Files.list(dir)) {
                        if (list.findAny().isPresent()) {
                            throw new DrException(ErrorCode.ALREADY_EXISTS, "Directory " + dir
                                    + " is not empty; restore into an empty one or overwrite", dir.toString());
                        }
                    }
                }
                Files.createDirectories(dir);
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
                    Files.createDirectories(file.getParent());
                    Files.write(file, content);
                    Files.setLastModifiedTime(file, FileTime.from(ref.modified()));
                    files++;
                    bytes += content.length;
                }
            } catch (IOException e) {
                throw new DrException(ErrorCode.IO_FAILURE, "Restoring '" + name + "' into " + dir + " failed: "
                        + e.getMessage(), dir.toString(), e);
            }
        }
        return new RestoreResult(files, dirs, 0, 0, bytes, Duration.ofNanos(System.nanoTime() - start));
    }
}
