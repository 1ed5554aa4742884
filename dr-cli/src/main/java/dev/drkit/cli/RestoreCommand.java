package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RestoreOptions;
import dev.drkit.core.repository.RestoreResult;
import dev.drkit.core.repository.Snapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dr restore}: restores a snapshot, or some of its paths, into a directory; or, with
 * {@code --at}, the journaled sources as they were at an instant. A snapshot whose backup left
 * out entries it could not read is restored as it is, with one warning line on stderr saying how
 * many entries it lacks; the exit code does not change. Files kept in the target (without
 * {@code --overwrite}) that differ from the snapshot's in size or modification time are named on
 * stderr and make the exit code 4 ({@link DrCommand#EXIT_INCOMPLETE}).
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore a snapshot into a directory; each source becomes a directory of the target. "
                + "With --at, restore the journaled sources as they were at an instant.")
final class RestoreCommand extends RepositoryCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SNAPSHOT",
            description = "A snapshot id, a unique prefix, or 'latest'; not with --at.")
    String snapshot;

    @Option(names = "--at", paramLabel = "INSTANT",
            description = "Restore the journaled sources as they were at this instant (" + InstantText.FORMS
                    + "), or 'latest' for each journaled source as its newest segment left it.")
    @Nullable PointInTime at;

    @Option(names = "--source", paramLabel = "NAME", description = "With --at: restore only this journaled source.")
    String source;

    @Option(names = {"-t", "--target"}, required = true, paramLabel = "DIR", description = "Where to restore.")
    Path target;

    @Option(names = "--include", paramLabel = "PATH",
            description = "Restore only this path of the snapshot, as source/dir/file (repeatable).")
    List<String> include = new ArrayList<>();

    @Option(names = "--overwrite", description = "Replace files, links and empty directories of the snapshot's "
            + "names that already exist in the target (otherwise they are kept: counted as skipped, or, where a file "
            + "or link takes a directory's place, named as failed with what the directory holds, while the rest is "
            + "restored).")
    boolean overwrite;

    @Option(names = "--allow-unverified-history",
            description = "Restore even when the snapshot history does not verify (a deleted, replaced or "
                    + "replayed snapshot, a missing or stale head); run verify first and read what it names.")
    boolean allowUnverifiedHistory;

    @Option(names = "--no-owners",
            description = "Leave restored entries owned by the restoring user. By default a restore run as root "
                    + "gives files, directories and links the owner and group (numeric ids) the snapshot recorded; "
                    + "run as another user it never does. No effect with --at, whose journals record no owners.")
    boolean noOwners;

    @Override
    void check() {
        if ((snapshot == null) == (at == null)) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "Give either a SNAPSHOT or --at INSTANT", "--at");
        }
        if (at != null && !include.isEmpty()) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--include does not apply with --at", "--include");
        }
        // An empty value is the current directory to a Path, and the whole snapshot to a prefix:
        // what a script with an unset variable sends, never what it means.
        if (target.toString().isBlank()) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--target must name a directory, but was empty; "
                    + "give '.' for the current directory", "--target");
        }
        if (include.stream().anyMatch(String::isBlank)) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--include must name a path of the snapshot, such as "
                    + "source/dir/file, but was empty", "--include");
        }
    }

    @Override
    int run(SnapshotStore store) {
        if (at != null) {
            return restoreAt(store, at);
        }
        try (Repository repo = open(store)) {
            Snapshot resolved = repo.snapshot(snapshot);
            String id = resolved.id();
            warnIfIncomplete(resolved);
            progress("restoring " + id.substring(0, 8) + " to " + target + " ...");
            RestoreResult r;
            try (ProgressDisplay shown = showProgress(repo)) {
                r = repo.restore(snapshot.equals("latest") ? snapshot : id, target,
                        new RestoreOptions(include, overwrite, false, allowUnverifiedHistory, !noOwners));
            }
            if (json) {
                CliJson.print(out(), r);
            } else {
                out().printf("restored %s, %s, %s (%s) to %s in %.2f s%n", Counts.of(r.files(), "file"),
                        Counts.of(r.directories(), "directory", "directories"), Counts.of(r.symlinks(), "link"), size(r.bytes()), TerminalText.escape(target.toString()), r.duration().toMillis() / 1000.0);
                printKept(r);
            }
            printDiffering(r);
            return r.differing() > 0 ? DrCommand.EXIT_INCOMPLETE : DrCommand.EXIT_OK;
        }
    }

    private int restoreAt(SnapshotStore store, PointInTime at) {
        try (Repository repo = open(store)) {
            RestoreOptions options = new RestoreOptions(List.of(), overwrite, false);
            RestoreResult r;
            String asOf;
            if (at.latest()) {
                // Each source as its journal's newest segment left it: sources journaled side by
                // side change at different times, and no single instant covers all at their newest.
                progress("restoring each journal at its newest to " + target + " ...");
                r = repo.restoreLatest(source, target, options);
                asOf = "each journal's newest segment";
            } else {
                Instant instant = at.at();
                progress("restoring the journal at " + instant + " to " + target + " ...");
                r = repo.restore(source, instant, target, options);
                asOf = instant.toString();
            }
            if (json) {
                CliJson.print(out(), r);
            } else {
                out().printf("restored %s (%s) as of %s to %s in %.2f s%n", Counts.of(r.files(), "file"), size(r.bytes()),
                        asOf, TerminalText.escape(target.toString()), r.duration().toMillis() / 1000.0);
                printKept(r);
            }
            printDiffering(r);
            return r.differing() > 0 ? DrCommand.EXIT_INCOMPLETE : DrCommand.EXIT_OK;
        }
    }

    /** How many of the entries a snapshot lacks the warning names. */
    static final int LACKING_NAMED = 3;

    /**
     * Says on stderr, in one line, that the snapshot lacks entries its backup could not read, and
     * how many; the restore goes on and its exit code stays the same.
     */
    private void warnIfIncomplete(Snapshot s) {
        if (s.complete()) {
            return;
        }
        List<String> named = s.unreadablePaths().stream().limit(LACKING_NAMED).map(TerminalText::escape).toList();
        long more = s.unreadable() - named.size();
        String examples = named.isEmpty() ? "" : " (" + String.join(", ", named) + (more > 0 ? " and " + more + " more" : "")
                + ")";
        err().printf("warning: snapshot %s is incomplete: its backup could not read %d %s and left %s out%s%n",
                s.shortId(), s.unreadable(), s.unreadable() == 1 ? "entry" : "entries",
                s.unreadable() == 1 ? "it" : "them", examples);
        err().flush();
    }

    /** Says how many entries already in the target were left as they were, which only --json told. */
    private void printKept(RestoreResult r) {
        if (r.skipped() > 0) {
            out().printf("kept %s of the snapshot's names in %s; --overwrite replaces them%n",
                    Counts.of(r.skipped(), "existing entry", "existing entries"), TerminalText.escape(target.toString()));
        }
    }

    /**
     * Names on stderr the files kept in the target that are not the snapshot's (exit 4): the
     * target does not hold the snapshot, and rerunning the same restore would not change that.
     */
    private void printDiffering(RestoreResult r) {
        if (r.differing() > 0) {
            String named = r.differingPaths().stream().map(TerminalText::escape).collect(Collectors.joining(", "));
            err().printf("warning: %s kept in %s %s the snapshot's in size or modification time (%s%s), such as "
                    + "a file another restore was killed writing, so the target does not hold the snapshot; "
                    + "restore again with --overwrite to replace %s%n",
                    Counts.of(r.differing(), "file", "files"), TerminalText.escape(target.toString()),
                    r.differing() == 1 ? "differs from" : "differ from", named,
                    r.differing() > r.differingPaths().size() ? ", ..." : "", r.differing() == 1 ? "it" : "them");
            err().flush();
        }
    }
}
