package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.report.PostIncidentReport;
import dev.drkit.core.report.ReportInput;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dr report}: reports made from the audit log. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Reports made from the audit log.",
        subcommands = ReportCommand.Incident.class)
public final class ReportCommand {

    /** Creates the command. */
    public ReportCommand() {
    }

    /** The forms of a post-incident report. */
    enum ReportFormat {
        markdown, html, json
    }

    /** {@code dr report incident}: the post-incident report of one incident. */
    @Command(name = "incident", mixinStandardHelpOptions = true,
            description = "Write the post-incident report of an incident from the audit log (verified first).")
    static final class Incident implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--audit", required = true, description = "The audit log file.")
        Path audit;

        @Option(names = "--incident", required = true, description = "The incident id.")
        String incident;

        @Option(names = "--key-file", description = "The HMAC key of a keyed audit chain.")
        Path keyFile;

        @Option(names = "--format", defaultValue = "markdown",
                description = "markdown, html (one page with an SVG timeline and the RTO and RPO against the "
                        + "objectives) or json (default: ${DEFAULT-VALUE}).")
        ReportFormat format;

        @Option(names = "--out", description = "Write to this file instead of standard output.")
        Path out;

        @Override
        public Integer call() {
            List<AuditRecord> records = AuditCommand.readVerified(audit, keyFile, AuditFilter.all());
            ReportInput input = ReportInput.fromAudit(records, incident).orElseThrow(() -> new DrException(
                    ErrorCode.NOT_FOUND, "the audit log has no incident " + incident, incident));
            PostIncidentReport report = PostIncidentReport.of(input);
            PlanCommand.write(spec, out, switch (format) {
                case json -> report.toJson();
                case html -> report.toHtml();
                case markdown -> report.toMarkdown();
            });
            return DrCommand.EXIT_OK;
        }
    }
}
