package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditRecord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dr guard}: what a guarded release decided, and why, read from the audit trail. */
@Command(name = "guard", mixinStandardHelpOptions = true, description = "Explain a guard's decisions.",
        subcommands = {GuardCommand.Explain.class})
public final class GuardCommand {

    /**
     * {@code dr guard explain NAME --file audit.jsonl}: each decision of the guard (rollbacks,
     * promotions, steps, freezes, operators' actions) with the signal that decided, the statistic
     * and its thresholds, the counts of each version, the calls and time taken and the
     * configuration version.
     */
    @Command(name = "explain", mixinStandardHelpOptions = true,
            description = {"Explain a guard's decisions from an audit log file.",
                    "The whole chain is verified first: an altered log is refused with exit 3 naming the first bad"
                            + " record, as dr audit verify and dr report incident do."})
    static final class Explain implements Callable<Integer> {
        /** The figures printed first, in this order, when a decision has them. */
        private static final List<String> LEAD = List.of("signal", "decision", "verdict", "reason", "statistic",
                "rollbackThreshold", "promoteThreshold", "candidateCalls", "candidateFailures", "baselineCalls",
                "baselineFailures", "baselineRate", "callsTaken", "timeTaken", "configVersion", "from", "to");

        @Spec
        @Nullable CommandSpec spec;

        @Parameters(index = "0", description = "The guard's name.")
        String guard = "";

        @Option(names = "--file", required = true, description = "The audit log file (JSON lines).")
        @Nullable Path file;

        @Option(names = "--key-file", description = "The HMAC key of a keyed audit chain.")
        @Nullable Path keyFile;

        @Option(names = "--last", defaultValue = "10", description = "How many decisions, newest last (default: ${DEFAULT-VALUE}).")
        int last;

        @Option(names = "--json", description = "Print one JSON line per decision.")
        boolean json;

        @Override
        public Integer call() {
            if (last <= 0) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "--last must be > 0, but was " + last, "--last");
            }
            List<AuditRecord> records = new ArrayList<>();
            for (AuditRecord r : AuditCommand.readVerified(Objects.requireNonNull(file), keyFile,
                    new AuditFilter(null, null, null, null, guard))) {
                if (r.action().startsWith("rollback.") || r.action().startsWith("rollout.")
                        || r.action().startsWith("operator.guard.")) {
                    records.add(r);
                }
            }
            if (records.isEmpty()) {
                throw new DrException(ErrorCode.NOT_FOUND, "the audit log " + file + " has no decision of guard '"
                        + guard + "'", "guard=" + guard);
            }
            PrintWriter out = spec().commandLine().getOut();
            for (AuditRecord r : records.subList(Math.max(0, records.size() - last), records.size())) {
                if (json) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("seq", r.seq());
                    line.put("time", r.time().toString());
                    line.put("guard", r.target());
                    line.put("action", r.action());
                    line.put("actor", r.actor());
                    line.put("outcome", r.outcome().toString());
                    line.put("details", new TreeMap<>(r.details()));
                    CliJson.printLine(out, line);
                    continue;
                }
                out.printf("#%d %s %s by %s (%s)%n", r.seq(), r.time(), TerminalText.escape(r.action()),
                        TerminalText.escape(r.actor()), r.outcome());
                Map<String, String> rest = new TreeMap<>(r.details());
                for (String key : LEAD) {
                    String v = rest.remove(key);
                    if (v != null) {
                        out.printf("  %-18s %s%n", key, TerminalText.escape(v));
                    }
                }
                rest.forEach((k, v) -> out.printf("  %-18s %s%n", TerminalText.escape(k), TerminalText.escape(v)));
            }
            out.flush();
            return DrCommand.EXIT_OK;
        }

        private CommandSpec spec() {
            if (spec == null) {
                throw new IllegalStateException("picocli did not inject the command spec");
            }
            return spec;
        }
    }
}
