package dev.drkit.core.recovery;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.recovery.StepContext;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.RestoreResult;
import dev.drkit.core.repository.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.FileVisitResult;
import java.nio.file.LinkOption;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** {@link Restorer}s for the built-in restore step. */
public final class Restorers {
    /**
     * The suffix of the execution value in which a restore step of {@link #fromRepository}
     * shares where it restored: {@code <step>.target} holds the LIVE target or, in a DRILL, the
     * drill's directory, so that later steps check what was restored rather than the live data.
     */
    public static final String TARGET = ".target";

    private Restorers() {
    }

    /**
     * Returns the directory in which a DRILL's restores write, under a scratch directory.
     *
     * @param drillScratch the scratch directory given to {@link #fromRepository}
     * @param executionId the drill's execution
     * @return {@code drillScratch/executionId}
     */
    public static Path drillDirectory(Path drillScratch, String executionId) {
        return drillScratch.resolve(executionId);
    }

    /**
     * Deletes a drill's directory with everything its restores wrote there (a directory a
     * restore made read-only included), following no symbolic link.
     *
     * @param drillScratch the scratch directory given to {@link #fromRepository}
     * @param executionId the drill's execution
     * @return whether there was a directory to delete
     * @throws DrException {@code IO_FAILURE} naming the path that could not be deleted
     */
    public static boolean removeDrillDirectory(Path drillScratch, String executionId) {
        Path dir = drillDirectory(drillScratch, executionId);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    if (!Files.isWritable(d) || !Files.isExecutable(d)) {
                        d.toFile().setWritable(true, true);
                        d.toFile().setExecutable(true, true);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    Files.delete(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, @Nullable IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "cannot remove the drill directory " + dir + ": " + e,
                    dir.toString(), e);
        }
        return true;
    }

    /**
     * Creates a drill's directory readable by its owner only (on POSIX file systems; the
     * scratch directory too when it does not exist yet), since it holds decrypted backup data.
     */
    private static Path ownerOnly(Path drillScratch, String executionId) {
        Path into = drillDirectory(drillScratch, executionId);
        try {
            boolean posix = Files.getFileStore(existingAncestor(drillScratch)).supportsFileAttributeView("posix");
            for (Path dir : List.of(drillScratch, into)) {
                if (!Files.isDirectory(dir)) {
                    if (posix) {
                        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                        Files.setPosixFilePermissions(dir, OWNER_ONLY);
                    } else {
                        Files.createDirectories(dir);
                    }
                }
            }
            if (posix) {
                Files.setPosixFilePermissions(into, OWNER_ONLY);
            }
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "cannot create the drill directory " + into + ": " + e.getMessage(),
                    into.toString(), e);
        }
        return into;
    }

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private static Path existingAncestor(Path p) {
        Path a = p.toAbsolutePath();
        while (a != null && !Files.exists(a)) {
            a = a.getParent();
        }
        return a == null ? p.toAbsolutePath().getRoot() : a;
    }

    /**
     * Restores a snapshot of a repository into a directory (LIVE), or into a scratch
     * directory per execution (DRILL), which proves that the snapshot is restorable without
     * touching the target. The snapshot chosen by the first attempt ({@code latest} resolves
     * then) is kept in the execution's values, so that retries and a resumed execution restore
     * the same one; where it restored is kept there as {@code <step>.target} ({@link #TARGET}).
     *
     * <p>Each source of the snapshot is restored as a directory of the source's name under the
     * target (and under the drill's directory): a backup of {@code /var/lib/orders}, whose source
     * is named {@code orders}, is restored live into {@code /var/lib/orders} by passing
     * {@code /var/lib} as the target. A LIVE restore whose target looks like the source
     * directory itself (its name is the only source's name, it holds files, and it has no
     * directory of that name inside) is refused, since it would leave the live data as it was
     * and restore beside it into {@code target/<name>}.
     *
     * @param repository the repository
     * @param snapshot the snapshot's id, unique prefix or {@code latest}
     * @param target where a LIVE restore writes: the parent of the sources' directories, each
     *     source being restored as a directory of its name under it
     * @param drillScratch where a DRILL restores, under a directory named after the execution
     *     (each source again as a directory of its name under that), created readable by its
     *     owner only; {@link #removeDrillDirectory} deletes it once the drill has checked it
     * @return the restorer; it returns the snapshot's time, from which the RPO is measured; it
     *     throws {@code DrException} {@code INVALID_ARGUMENT} naming the target and the source's
     *     parent when a LIVE target is the source directory itself
     */
    public static Restorer fromRepository(Repository repository, String snapshot, Path target, Path drillScratch) {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(drillScratch, "drillScratch");
        return context -> {
            String key = context.stepName() + ".snapshot";
            String id = context.get(key).orElse(null);
            Snapshot s = repository.snapshot(id != null ? id : snapshot);
            context.put(key, s.id());
            if (context.mode() == ExecutionMode.LIVE) {
                refuseTheSourceDirectoryItself(s, target);
            }
            Path into = context.mode() == ExecutionMode.LIVE ? target : ownerOnly(drillScratch, context.executionId());
            context.put(context.stepName() + TARGET, into.toString());
            RestoreResult r = repository.restore(s.id(), into, RestoreOptions.all());
            report(context, s, into, r);
            return s.time();
        };
    }

    /**
     * Refuses a target that is the directory a snapshot's only source was backed up from: the
     * source would be restored into {@code target/<name>}, beside the live data.
     */
    private static void refuseTheSourceDirectoryItself(Snapshot s, Path target) {
        if (s.sources().size() != 1 || target.getFileName() == null) {
            return;
        }
        String name = s.sources().get(0);
        if (!target.getFileName().toString().equals(name) || Files.exists(target.resolve(name))
                || !Files.isDirectory(target)) {
            return;
        }
        boolean holdsFiles;
        try (Stream<Path> entries = Files.list(target)) {
            holdsFiles = entries.findAny().isPresent();
        } catch (IOException e) {
            return;
        }
        if (holdsFiles) {
            Path parent = target.toAbsolutePath().getParent();
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "the restore target " + target + " is the directory of "
                    + "source '" + name + "' itself: snapshot " + s.shortId() + " restores it as " + target.resolve(name)
                    + ", beside the live data; pass its parent " + parent + " as the target", target.toString());
        }
    }

    private static void report(StepContext context, Snapshot s, Path into, RestoreResult r) {
        context.progress(1.0, "restored snapshot " + s.shortId() + " of " + s.time() + " into " + into + ": "
                + r.files() + " files, " + r.bytes() + " bytes");
    }
}
