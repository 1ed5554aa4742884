package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.BackupResult;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.source.DirectorySource;
import dev.drkit.core.store.SnapshotStores;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dr backup}: takes a snapshot of one or more directories as one consistent cut. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Back up directories into the repository. Each directory becomes a source named after it.",
            "A file or directory that cannot be read (permission denied) is left out with a warning and "
                    + "everything else is saved; the entries left out are named on stderr (the first "
                    + BackupCommand.NAMED + ") and in the --json result (the first 1000), and the exit code "
                    + "is 4."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the snapshot was saved with every entry",
            "1:the backup failed; no snapshot was saved",
            "2:usage, configuration or password error",
            "3:an integrity problem was found in the repository: no snapshot was saved, or packs the index "
                    + "listed were missing (named on stderr), and the snapshot was saved with their blobs stored "
                    + "again from the sources; run dr verify for the older snapshots",
            "4:the snapshot was saved, but entries that could not be read were left out"})
final class BackupCommand extends RepositoryCommand {
    /** Entries left out that the text output names; the rest are counted. */
    static final int NAMED = 20;
    /** FIFOs, sockets and devices skipped that the text output names; the rest are counted. */
    static final int SPECIAL_NAMED = 3;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Directories to back up.")
    List<Path> paths;

    @Option(names = "--exclude", paramLabel = "GLOB", description = {"Skip entries matching GLOB, a directory "
            + "with all it holds (repeatable). GLOB is matched against each entry's path relative to the directory "
            + "backed up (logs/app.log) and against its name alone (app.log): *.tmp skips such files at any depth, "
            + "cache every entry named cache, logs/** what the top-level logs holds. * and ? stay within a name, "
            + "** crosses '/', {a,b} and [abc] choose (Java glob syntax); a leading **/ also matches at the top, "
            + "and a trailing / is left out (node_modules/ as in gitignore). An absolute GLOB, one starting with "
            + "./ or the directory's own name, and an empty one, . or .., are refused, since they could never "
            + "match."})
    List<String> excludes = new ArrayList<>();

    @Option(names = "--tag", paramLabel = "TAG", description = "Tag the snapshot (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(names = "--full", description = "Read every file, even those unchanged since the parent snapshot.")
    boolean full;

    @Option(names = "--parent", paramLabel = "SNAPSHOT", description = "Build on this snapshot instead of the latest.")
    String parent;

    @Option(names = "--allow-empty", description = {"Save a directory that is empty although the previous snapshot "
            + "held entries in it. Without it such a backup fails (exit 1) and saves nothing: an empty directory where "
            + "data was is more often a volume that did not mount than data deleted on purpose."})
    boolean allowEmpty;

    /** The request the options give, checked by {@link #check()}; the parent is added once the repository is open. */
    private BackupRequest.@Nullable Builder request;
    /** One line for each directory stored under another name than its own, since another took it. */
    private final List<String> renamed = new ArrayList<>();

    @Override
    void check() {
        List<SnapshotSource> sources = new ArrayList<>();
        Map<String, Path> names = new HashMap<>();
        renamed.clear();
        for (Path p : paths) {
            Path dir = p.toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "Not a directory: " + p, p.toString());
            }
            String base = sourceName(dir);
            String name = uniqueName(base, names.keySet());
            names.put(name, dir);
            if (!name.equals(base)) {
                renamed.add("note: " + TerminalText.escape(dir.toString()) + " is stored as " + name
                        + " in the snapshot, since " + TerminalText.escape(names.get(base).toString())
                        + " is stored as " + base);
            }
            sources.add(DirectorySource.of(name, dir, excludes.toArray(String[]::new)));
        }
        BackupRequest.Builder checked = BackupRequest.builder().sources(sources).tags(tags.toArray(String[]::new))
                .kind(full ? BackupKind.FULL : BackupKind.INCREMENTAL).allowEmptySources(allowEmpty);
        OptionNames.named(Map.of("tag", "--tag"), checked::build);
        request = checked;
    }

    @Override
    int run(SnapshotStore store) {
        BackupRequest.Builder request = Objects.requireNonNull(this.request, "checked");
        try (Repository repo = open(store)) {
            progress("backing up " + paths.size() + " director" + (paths.size() == 1 ? "y" : "ies") + " ...");
            if (parent != null) {
                request.parent(repo.snapshot(parent).id());
            }
            BackupRequest built = request.build();
            BackupResult r;
            try (ProgressDisplay shown = showProgress(repo)) {
                r = repo.backup(built);
            }
            PrintWriter notes = json ? err() : out();
            renamed.forEach(notes::println);
            Path repositoryDirectory = SnapshotStores.directory(store).orElse(null);
            for (String leftOut : r.repositoryLeftOut()) {
                notes.println("note: left out the repository's own directory"
                        + (repositoryDirectory == null ? "" : " " + TerminalText.escape(repositoryDirectory.toString()))
                        + " (" + TerminalText.escape(leftOut) + " in the snapshot)");
            }
            notes.flush();
            if (json) {
                CliJson.print(out(), r);
            } else {
                out().printf("snapshot %s saved: %d new, %d changed, %d unchanged files%s%s; %s read, %s added (%s stored) in %.2f s%n",
                        r.snapshot().shortId(), r.filesNew(), r.filesChanged(), r.filesUnchanged(),
                        r.filesVanished() == 0 ? "" : ", " + r.filesVanished() + " vanished before they were read",
                        r.complete() ? "" : "; " + r.unreadableCount() + (r.unreadableCount() == 1 ? " unreadable entry"
                                : " unreadable entries") + " left out",
                        size(r.bytesRead()), size(r.bytesAdded()), size(r.bytesStored()),
                        r.duration().toMillis() / 1000.0);
                if (r.specialCount() > 0) {
                    out().println(specialLine(r));
                }
            }
            if (!r.packsMissing().isEmpty()) {
                printPacksMissing(r);
            }
            if (!r.complete()) {
                printUnreadable(r);
            }
            if (r.changedWhileReadCount() > 0) {
                printChangedWhileRead(r);
            }
            if (!r.packsMissing().isEmpty()) {
                return DrCommand.EXIT_INTEGRITY;
            }
            if (!r.complete() || r.changedWhileReadCount() > 0) {
                return DrCommand.EXIT_INCOMPLETE;
            }
        }
        return DrCommand.EXIT_OK;
    }

    /** Names on stderr the packs the index listed that were missing, and what they mean. */
    private void printPacksMissing(BackupResult r) {
        PrintWriter err = err();
        List<String> missing = r.packsMissing();
        err.printf("warning: %d %s the index listed %s missing from the repository: %s%n", missing.size(),
                missing.size() == 1 ? "pack" : "packs", missing.size() == 1 ? "was" : "were",
                String.join(", ", missing.stream().limit(NAMED).toList())
                        + (missing.size() > NAMED ? " and " + (missing.size() - NAMED) + " more" : ""));
        err.printf("  snapshot %s is whole: what it needed from %s was read from the sources and stored again.%n",
                r.snapshot().shortId(), missing.size() == 1 ? "it" : "them");
        err.printf("  Older snapshots may need data that is gone: run dr verify to name them, and put the %s "
                + "back from a copy if you have one.%n", missing.size() == 1 ? "pack" : "packs");
        err.flush();
    }

    /** Names on stderr the entries left out because they could not be read, the first {@link #NAMED}. */
    private void printUnreadable(BackupResult r) {
        PrintWriter err = err();
        long count = r.unreadableCount();
        err.printf("warning: %d %s could not be read and %s left out of snapshot %s:%n", count,
                count == 1 ? "entry" : "entries", count == 1 ? "is" : "are", r.snapshot().shortId());
        List<BackupResult.UnreadableEntry> listed = r.unreadable();
        for (int i = 0; i < Math.min(NAMED, listed.size()); i++) {
            err.printf("  %s (%s)%n", TerminalText.escape(listed.get(i).path()),
                    TerminalText.escape(listed.get(i).reason()));
        }
        if (count > NAMED) {
            err.printf("  and %d more%s%n", count - NAMED, json ? "" : " (--json lists up to "
                    + BackupResult.UNREADABLE_LISTED + ")");
        }
        err.flush();
    }

    /** Names on stderr the files that kept changing while they were read, the first {@link #NAMED}. */
    private void printChangedWhileRead(BackupResult r) {
        PrintWriter err = err();
        long count = r.changedWhileReadCount();
        err.printf("warning: %d %s changed while %s read, each of 3 times, and %s stored in snapshot %s as read "
                + "last, which may mix old and new content (back %s up again when %s quiet):%n", count,
                count == 1 ? "file" : "files", count == 1 ? "it was" : "they were", count == 1 ? "is" : "are",
                r.snapshot().shortId(), count == 1 ? "it" : "them", count == 1 ? "it is" : "they are");
        List<String> listed = r.changedWhileRead();
        for (int i = 0; i < Math.min(NAMED, listed.size()); i++) {
            err.printf("  %s%n", TerminalText.escape(listed.get(i)));
        }
        if (count > NAMED) {
            err.printf("  and %d more%n", count - NAMED);
        }
        err.flush();
    }

    /** Says how many FIFOs, sockets and devices the backup skipped, naming the first {@link #SPECIAL_NAMED}. */
    static String specialLine(BackupResult r) {
        List<String> named = r.special().subList(0, Math.min(SPECIAL_NAMED, r.special().size()));
        String paths = String.join(", ", named.stream().map(TerminalText::escape).toList());
        return "skipped " + r.specialCount() + " special " + (r.specialCount() == 1 ? "file" : "files")
                + " (FIFOs, sockets, devices)" + (r.specialCount() > named.size() ? ", e.g. " : ": ") + paths;
    }

    static String sourceName(Path dir) {
        Path file = dir.getFileName();
        String raw = file == null ? "root" : file.toString();
        String clean = raw.replaceAll("[^A-Za-z0-9._-]", "_");
        return clean.isEmpty() || clean.equals(".") || clean.equals("..") ? "root" : clean;
    }

    private static String uniqueName(String base, Set<String> taken) {
        String name = base;
        for (int i = 2; taken.contains(name); i++) {
            name = base + "-" + i;
        }
        return name;
    }
}
