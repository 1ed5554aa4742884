package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.incident.FaultType;
import dev.drkit.api.incident.Incident;
import dev.drkit.api.incident.IncidentStatus;
import dev.drkit.api.incident.Severity;
import dev.drkit.api.incident.TimelineEntry;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.incident.IncidentManager;
import dev.drkit.core.incident.IncidentSignal;
import dev.drkit.core.incident.IncidentSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dr incident}: open, annotate, resolve and list incidents kept in an audit log. Each
 * command rebuilds the incidents from the log's {@code incident.*} records, so that a script
 * can open an incident, run a plan for it and report on it in separate processes.
 */
@Command(name = "incident", mixinStandardHelpOptions = true,
        description = "Open, annotate, resolve and list the incidents of an audit log.",
        subcommands = {IncidentCommand.Open.class, IncidentCommand.Note.class, IncidentCommand.Resolve.class,
                IncidentCommand.ListIncidents.class})
public final class IncidentCommand {

    /** Creates the command. */
    public IncidentCommand() {
    }

    /** The options every subcommand shares. */
    static final class Common {
        @Option(names = "--audit", required = true, paramLabel = "FILE",
                description = "The audit log the incidents are kept in (created when missing).")
        Path audit;

        @Option(names = "--key-file", paramLabel = "K", description = "The HMAC key of a keyed audit log: the log is "
                + "checked with it before its incidents are read, a log whose records were not written with it "
                + "refused (exit 3), and the records that open, note and resolve append are keyed with it.")
        @Nullable Path keyFile;

        @Option(names = "--actor", paramLabel = "NAME", description = "Who acts (default: $USER).")
        @Nullable String actor;

        @Option(names = "--json", description = "Print the incident(s) as JSON.")
        boolean json;

        String who() {
            return actor != null ? actor : Optional.ofNullable(System.getenv("USER")).orElse("operator");
        }
    }

    /** Runs work on the incidents rebuilt from the audit log, which the work may append to. */
    static <T> T withIncidents(Common common, IncidentWork<T> work) {
        return withIncidents(common, false, work);
    }

    /** Runs work that only reads the incidents rebuilt from the audit log. */
    static <T> T readIncidents(Common common, IncidentWork<T> work) {
        return withIncidents(common, true, work);
    }

    private static <T> T withIncidents(Common common, boolean readOnly, IncidentWork<T> work) {
        Path audit = common.audit;
        Path parent = audit.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "the audit log's directory " + parent + " does not exist",
                    "--audit");
        }
        try (AuditLog log = readOnly ? AuditKeyFile.openToRead(audit, common.keyFile)
                : AuditKeyFile.openForAppend(audit, common.keyFile)) {
            IncidentManager incidents = IncidentManager.builder().audit(log).build();
            incidents.restore(log.records(AuditFilter.all()));
            T result = work.apply(incidents);
            log.flush();
            return result;
        }
    }

    /** Work on the incidents of one audit log. */
    @FunctionalInterface
    interface IncidentWork<T> {
        T apply(IncidentManager incidents);
    }

    static void print(CommandSpec spec, Common common, Incident incident, String line) {
        PrintWriter out = spec.commandLine().getOut();
        if (common.json) {
            CliJson.print(out, incident);
        } else {
            out.println(line);
            out.flush();
        }
    }

    static String describe(Incident i) {
        return TerminalText.escape(i.id()) + " " + i.status() + " " + i.severity() + " " + i.faultType() + ": "
                + TerminalText.escape(i.title());
    }

    /** {@code dr incident open}: opens an incident, or adds to the open one with the same dedup key. */
    @Command(name = "open", mixinStandardHelpOptions = true,
            description = "Open an incident; with --dedup-key, a second open adds to the incident still open.")
    static final class Open implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common = new Common();

        @Option(names = "--title", required = true, description = "One line: what is wrong.")
        String title;

        @Option(names = "--fault", required = true, paramLabel = "CLASS",
                description = "hardware, software, network, data or security.")
        String fault;

        @Option(names = "--severity", defaultValue = "SEV2", paramLabel = "SEV",
                description = "SEV1 (worst) to SEV4 (default: ${DEFAULT-VALUE}).")
        String severity;

        @Option(names = "--dedup-key", paramLabel = "KEY",
                description = "Opening again with this key while the incident is open adds to it instead.")
        @Nullable String dedupKey;

        @Option(names = "--impact", paramLabel = "TEXT", description = "Who or what is affected.")
        String impact = "";

        @Override
        public Integer call() {
            nonBlank(title, "--title");
            FaultType type = fault(fault);
            Severity sev = severity(severity);
            String who = common.who();
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("severity", sev.name());
            labels.put("dr_fault", type.name().toLowerCase(Locale.ROOT));
            IncidentSignal signal = new IncidentSignal(IncidentSource.OPERATOR, title, IncidentSignal.OPERATOR_REPORT, labels, impact,
                    null, dedupKey, who);
            Incident incident = withIncidents(common, incidents -> {
                Optional<Incident> open = dedupKey == null ? Optional.empty() : incidents.openFor(dedupKey);
                if (open.isPresent()) {
                    return incidents.note(open.get().id(), who, "repeated", title);
                }
                return incidents.open(signal);
            });
            boolean added = incident.timeline().stream().anyMatch(e -> e.kind().equals("repeated"));
            print(spec, common, incident, (added ? "added to open incident " : "opened incident ") + describe(incident));
            return DrCommand.EXIT_OK;
        }
    }

    /** {@code dr incident note}: adds a note to an incident's timeline. */
    @Command(name = "note", mixinStandardHelpOptions = true, description = "Add a note to an incident's timeline.")
    static final class Note implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common = new Common();

        @Option(names = "--incident", required = true, paramLabel = "ID", description = "The incident.")
        String incident;

        @Option(names = "--kind", defaultValue = "note", description = "A short lowercase tag (default: ${DEFAULT-VALUE}).")
        String kind;

        @Option(names = "--text", required = true, description = "The note.")
        String text;

        @Override
        public Integer call() {
            nonBlank(kind, "--kind");
            nonBlank(text, "--text");
            Incident i = withIncidents(common, incidents -> incidents.note(incident, common.who(), kind, text));
            print(spec, common, i, "noted on " + describe(i));
            return DrCommand.EXIT_OK;
        }
    }

    /** {@code dr incident resolve}: resolves an incident. */
    @Command(name = "resolve", mixinStandardHelpOptions = true, description = "Resolve an incident.")
    static final class Resolve implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common = new Common();

        @Option(names = "--incident", required = true, paramLabel = "ID", description = "The incident.")
        String incident;

        @Option(names = "--resolution", required = true, description = "How it was resolved.")
        String resolution;

        @Option(names = "--root-cause", description = "The cause found.")
        @Nullable String rootCause;

        @Override
        public Integer call() {
            nonBlank(resolution, "--resolution");
            if (rootCause != null) {
                nonBlank(rootCause, "--root-cause");
            }
            Incident i = withIncidents(common, incidents -> incidents.resolve(incident, common.who(), resolution,
                    rootCause));
            print(spec, common, i, "resolved " + describe(i));
            return DrCommand.EXIT_OK;
        }
    }

    /** {@code dr incident list}: the incidents of the audit log. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the incidents, oldest first.")
    static final class ListIncidents implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Common common = new Common();

        @Option(names = "--open", description = "Only incidents not resolved.")
        boolean openOnly;

        @Override
        public Integer call() {
            List<Incident> all = readIncidents(common, IncidentManager::list).stream()
                    .filter(i -> !openOnly || i.status() != IncidentStatus.RESOLVED).toList();
            PrintWriter out = spec.commandLine().getOut();
            if (common.json) {
                CliJson.print(out, all);
                return DrCommand.EXIT_OK;
            }
            for (Incident i : all) {
                out.println(describe(i));
                for (TimelineEntry e : i.timeline()) {
                    out.printf("  %s %-12s %-10s %s%n", e.at(), e.kind(), TerminalText.escape(e.actor()),
                            TerminalText.escape(e.text()));
                }
            }
            out.flush();
            return DrCommand.EXIT_OK;
        }
    }

    /** Refuses an option's blank value, naming the option, before the audit log is opened. */
    static void nonBlank(String value, String option) {
        if (value.isBlank()) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, option + " must not be blank, but was '"
                    + value + "'", option);
        }
    }

    static FaultType fault(String text) {
        try {
            return FaultType.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--fault must be one of hardware, software, network, "
                    + "data, security, but was '" + text + "'", "--fault");
        }
    }

    static Severity severity(String text) {
        try {
            return Severity.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--severity must be one of SEV1, SEV2, SEV3, SEV4, but was '"
                    + text + "'", "--severity");
        }
    }
}
