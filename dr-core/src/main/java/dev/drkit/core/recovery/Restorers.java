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
import java.util.Objects;
import java.util.stream.Stream;

/** {@link Restorer}s for the built-in restore step. */
public final class Restorers {
    private Restorers() {
    }

    /**
     * Restores a snapshot of a repository into a directory (LIVE), or into a scratch
     * directory per execution (DRILL), which proves that the snapshot is restorable without
     * touching the target. The snapshot chosen by the first attempt ({@code latest} resolves
     * then) is kept in the execution's values, so that retries and a resumed execution restore
     * the same one.
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
     *     (each source again as a directory of its name under that)
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
            Path into = context.mode() == ExecutionMode.LIVE ? target : drillScratch.resolve(context.executionId());
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
