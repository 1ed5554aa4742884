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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dr backup}: takes a snapshot of one or more directories as one consistent cut. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Back up directories into the repository. Each directory becomes a source named after it.")
final class BackupCommand extends RepositoryCommand {
    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Directories to back up.")
    List<Path> paths;

    @Option(names = "--exclude", paramLabel = "GLOB", description = "Skip paths matching GLOB (repeatable).")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--tag", paramLabel = "TAG", description = "Tag the snapshot (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(names = "--full", description = "Read every file, even those unchanged since the parent snapshot.")
    boolean full;

    @Option(names = "--parent", paramLabel = "SNAPSHOT", description = "Build on this snapshot instead of the latest.")
    String parent;

    @Override
    int run(SnapshotStore store) {
        List<SnapshotSource> sources = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Path p : paths) {
            Path dir = p.toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "Not a directory: " + p, p.toString());
            }
            String name = uniqueName(sourceName(dir), names);
            sources.add(DirectorySource.of(name, dir, excludes.toArray(String[]::new)));
        }
        try (Repository repo = open(store)) {
            progress("backing up " + paths.size() + " director" + (paths.size() == 1 ? "y" : "ies") + " ...");
            BackupRequest.Builder request = BackupRequest.builder().sources(sources)
                    .tags(tags.toArray(String[]::new)).kind(full ? BackupKind.FULL : BackupKind.INCREMENTAL);
            if (parent != null) {
                request.parent(repo.snapshot(parent).id());
            }
            BackupResult r;
            try (ProgressDisplay shown = showProgress(repo)) {
                r = repo.backup(request.build());
            }
            if (json) {
                CliJson.print(out(), r);
            } else {
                out().printf("snapshot %s saved: %d new, %d changed, %d unchanged files; %s read, %s added (%s stored) in %.2f s%n",
                        r.snapshot().shortId(), r.filesNew(), r.filesChanged(), r.filesUnchanged(), size(r.bytesRead()),
                        size(r.bytesAdded()), size(r.bytesStored()), r.duration().toMillis() / 1000.0);
            }
        }
        return DrCommand.EXIT_OK;
    }

    static String sourceName(Path dir) {
        Path file = dir.getFileName();
        String raw = file == null ? "root" : file.toString();
        String clean = raw.replaceAll("[^A-Za-z0-9._-]", "_");
        return clean.isEmpty() || clean.equals(".") || clean.equals("..") ? "root" : clean;
    }

    private static String uniqueName(String base, Set<String> taken) {
        String name = base;
        for (int i = 2; !taken.add(name); i++) {
            name = base + "-" + i;
        }
        return name;
    }
}
