package dev.drkit.core.recovery;

import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.recovery.StepContext;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.RestoreResult;
import dev.drkit.core.repository.Snapshot;
import java.nio.file.Path;
import java.util.Objects;

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
     * @param repository the repository
     * @param snapshot the snapshot's id, unique prefix or {@code latest}
     * @param target where a LIVE restore writes
     * @param drillScratch where a DRILL restores, under a directory named after the execution
     * @return the restorer; it returns the snapshot's time, from which the RPO is measured
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
            Path into = context.mode() == ExecutionMode.LIVE ? target : drillScratch.resolve(context.executionId());
            RestoreResult r = repository.restore(s.id(), into, RestoreOptions.all());
            report(context, s, into, r);
            return s.time();
        };
    }

    private static void report(StepContext context, Snapshot s, Path into, RestoreResult r) {
        context.progress(1.0, "restored snapshot " + s.shortId() + " of " + s.time() + " into " + into + ": "
                + r.files() + " files, " + r.bytes() + " bytes");
    }
}
