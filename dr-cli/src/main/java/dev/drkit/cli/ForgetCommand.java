package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.RetentionPolicy;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.config.DurationText;
import dev.drkit.core.repository.ForgetResult;
import dev.drkit.core.repository.PruneOptions;
import dev.drkit.core.repository.PruneResult;
import dev.drkit.core.repository.Repository;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dr forget}: removes the snapshots a retention policy does not keep, optionally pruning after. */
@Command(name = "forget", mixinStandardHelpOptions = true,
        description = "Remove snapshots a retention policy does not keep, or the snapshots named; their data goes "
                + "with 'prune' or --prune.")
final class ForgetCommand extends RepositoryCommand {
    /** The option behind each field of {@link RetentionPolicy} the options give. */
    private static final Map<String, String> KEEP_OPTIONS = Map.of("keepLast", "--keep-last", "keepHourly",
            "--keep-hourly", "keepDaily", "--keep-daily", "keepWeekly", "--keep-weekly", "keepMonthly",
            "--keep-monthly", "keepYearly", "--keep-yearly", "keepWithin", "--keep-within");

    @Option(names = "--keep-last", paramLabel = "N",
            description = "Keep the N newest snapshots of each group (see --group-by).")
    int keepLast;
    @Option(names = "--keep-hourly", paramLabel = "N",
            description = "Keep the newest snapshot of each of the last N hours that have one.")
    int keepHourly;
    @Option(names = "--keep-daily", paramLabel = "N",
            description = "Keep the newest snapshot of each of the last N days that have one.")
    int keepDaily;
    @Option(names = "--keep-weekly", paramLabel = "N",
            description = "Keep the newest snapshot of each of the last N ISO weeks that have one.")
    int keepWeekly;
    @Option(names = "--keep-monthly", paramLabel = "N",
            description = "Keep the newest snapshot of each of the last N months that have one.")
    int keepMonthly;
    @Option(names = "--keep-yearly", paramLabel = "N",
            description = "Keep the newest snapshot of each of the last N years that have one.")
    int keepYearly;
    @Option(names = "--keep-within", paramLabel = "DURATION",
            description = "Keep snapshots younger than this, such as 30d or 12h (" + DurationText.FORMS + ").")
    Duration keepWithin = Duration.ZERO;
    @Option(names = "--keep-tag", paramLabel = "TAG",
            description = "Keep every snapshot carrying this tag; repeat for more tags (any of them keeps it).")
    Set<String> keepTags = new HashSet<>();
    @Option(names = "--group-by", paramLabel = "KEYS", defaultValue = "host,sources",
            description = "Apply the policy to each group of snapshots alike in these: a comma-separated list of "
                    + "host, sources and tags, or none for all snapshots as one group (default: ${DEFAULT-VALUE}).")
    String groupBy;
    @Option(names = {"-n", "--dry-run"}, description = "Only say what would be removed.") boolean dryRun;
    @Option(names = "--prune", description = "Prune unreferenced data afterwards.") boolean prune;
    @Option(names = "--with-journal",
            description = "Forget a journal's base snapshot named too, and with it its journal: restore --at no "
                    + "longer reaches the span it covers, and prune deletes its segments. Without it such a "
                    + "snapshot is refused, naming the journal, and nothing is forgotten. Only with SNAPSHOT.")
    boolean withJournal;
    @Parameters(paramLabel = "SNAPSHOT", arity = "0..*",
            description = "Forget these snapshots (ids or unique prefixes) instead of applying a policy; a snapshot "
                    + "whose manifest is damaged is given up this way.")
    List<String> snapshots = new ArrayList<>();

    /** The policy the options give, built by {@link #check()}; null when snapshots are named instead. */
    private @Nullable RetentionPolicy policy;

    @Override
    void check() {
        if (!snapshots.isEmpty()) {
            if (keepLast + keepHourly + keepDaily + keepWeekly + keepMonthly + keepYearly > 0 || !keepWithin.isZero()
                    || !keepTags.isEmpty() || dryRun) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "Name snapshots or give --keep-* rules, not both "
                        + "(and --dry-run applies to rules only)", "SNAPSHOT");
            }
            return;
        }
        if (withJournal) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--with-journal applies to the snapshots named; "
                    + "--keep-* rules never forget the newest base of a source's journal", "--with-journal");
        }
        Set<RetentionPolicy.GroupBy> groups;
        try {
            groups = RetentionPolicy.GroupBy.parse(groupBy);
        } catch (DrException e) {
            throw DrException.invalidArgument("--group-by", "must be a comma-separated list of host, sources and tags, "
                    + "or none", groupBy);
        }
        try {
            policy = OptionNames.named(KEEP_OPTIONS, () -> new RetentionPolicy(keepLast, keepHourly, keepDaily,
                    keepWeekly, keepMonthly, keepYearly, keepWithin, keepTags, groups));
        } catch (DrException e) {
            if (!"retention".equals(e.input())) {
                throw e;
            }
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "forget needs something to keep: give at least one "
                    + "--keep-* option, or the IDs of the snapshots to forget", "retention", e);
        }
    }

    @Override
    int run(SnapshotStore store) {
        RetentionPolicy policy = this.policy;
        if (policy == null) {
            return forgetNamed(store);
        }
        try (Repository repo = open(store)) {
            ForgetResult forgot = repo.forget(policy, dryRun);
            PruneResult pruned = prune ? repo.prune(new PruneOptions(PruneOptions.DEFAULT.gracePeriod(),
                    PruneOptions.DEFAULT.repackThreshold(), dryRun)) : null;
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("forget", forgot);
                if (pruned != null) {
                    result.put("prune", pruned);
                }
                CliJson.print(out(), result);
            } else {
                forgot.removed().forEach(s -> out().println((dryRun ? "would remove " : "removed ") + s.shortId()
                        + " " + s.time()));
                out().printf("%s %d snapshot%s, %s %d%n", dryRun ? "would remove" : "removed", forgot.removed().size(),
                        forgot.removed().size() == 1 ? "" : "s", dryRun ? "would keep" : "kept", forgot.kept().size());
                if (pruned != null) {
                    PruneCommand.print(out(), pruned);
                }
            }
        }
        return DrCommand.EXIT_OK;
    }

    private int forgetNamed(SnapshotStore store) {
        try (Repository repo = open(store)) {
            List<String> removed = repo.forgetSnapshots(snapshots, withJournal);
            PruneResult pruned = prune ? repo.prune(PruneOptions.DEFAULT) : null;
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("removed", removed);
                if (pruned != null) {
                    result.put("prune", pruned);
                }
                CliJson.print(out(), result);
            } else {
                removed.forEach(id -> out().println("removed " + id));
                out().printf("removed %d snapshot%s%n", removed.size(), removed.size() == 1 ? "" : "s");
                if (pruned != null) {
                    PruneCommand.print(out(), pruned);
                }
            }
        }
        return DrCommand.EXIT_OK;
    }
}
