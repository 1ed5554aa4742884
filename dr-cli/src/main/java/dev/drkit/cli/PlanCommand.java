package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.file.PlanFileReader;
import dev.drkit.core.report.Durations;
import dev.drkit.core.report.Runbook;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code dr plan}: work with recovery plans written as JSON or YAML files (see
 * {@link PlanFileReader}): check one, render its runbook, run it as a drill or live.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Work with recovery plans written as JSON or YAML files.",
        subcommands = {PlanCommand.Validate.class, PlanCommand.Render.class, PlanRunCommand.class})
public final class PlanCommand {

    /** Creates the command. */
    public PlanCommand() {
    }

    /** Output formats of the report commands. */
    enum Format {
        markdown, json
    }

    static String read(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "cannot read " + what + " " + file + ": " + IoReasons.of(e),
                    file.toString(), e);
        }
    }

    static void write(CommandSpec spec, Path out, String text) {
        if (out == null) {
            PrintWriter w = spec.commandLine().getOut();
            w.print(text);
            w.flush();
            return;
        }
        try {
            Files.writeString(out, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "cannot write " + out + ": " + IoReasons.of(e), out.toString(), e);
        }
    }

    /** Reads a plan file with the environment the root command was given (for repository passwords). */
    static Plan readPlan(CommandSpec spec, Path file) {
        return reader(spec, null).read(file);
    }

    /** The plan file reader with the CLI's environment; a drill's restores write under {@code drillScratch}. */
    static PlanFileReader reader(CommandSpec spec, @Nullable Path drillScratch) {
        Map<String, String> env = ((DrCommand) spec.root().userObject()).environment;
        PlanFileReader.Builder b = PlanFileReader.builder().environment(env);
        return (drillScratch == null ? b : b.drillScratch(drillScratch)).build();
    }

    /**
     * Tells a runbook's JSON (as {@code Runbook.toJson()} writes it, with a {@code plan} field)
     * from a plan file (YAML, or JSON with a {@code name}).
     */
    static boolean isRunbook(Path file, String text) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return false;
        }
        try {
            JsonNode root = CliJson.COMPACT.readTree(text);
            return root != null && root.has("plan") && !root.has("name");
        } catch (JacksonException e) {
            return false; // the plan file reader says what is wrong with it
        }
    }

    /** {@code dr plan validate}: checks a plan file without running anything. */
    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check a plan file (JSON or YAML); errors name the field's path in the file. Exit 2 when invalid.")
    static final class Validate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--file", required = true, paramLabel = "FILE", description = "The plan file (.json, .yaml or .yml).")
        Path file;

        @Override
        public Integer call() {
            Plan plan = readPlan(spec, file);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%s: plan %s is valid: %s (%s), RTO %s, RPO %s%n", TerminalText.escape(
                    String.valueOf(file.getFileName())), TerminalText.escape(plan.name()),
                    Counts.of(plan.steps().size(), "step"), String.join(", ", plan.steps().stream()
                            .map(s -> TerminalText.escape(s.name())).toList()),
                    Durations.human(plan.objectives().rto()), Durations.human(plan.objectives().rpo()));
            out.flush();
            return DrCommand.EXIT_OK;
        }
    }

    /** {@code dr plan render}: a runbook a person can follow when the automation is down. */
    @Command(name = "render", mixinStandardHelpOptions = true,
            description = "Render the runbook of a plan file (JSON or YAML), or of a runbook's JSON, as Markdown or JSON.")
    static final class Render implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--file", required = true, paramLabel = "FILE",
                description = "A plan file (.json, .yaml, .yml) or a runbook's JSON (Runbook.toJson()).")
        Path file;

        @Option(names = "--format", defaultValue = "markdown", description = "markdown or json (default: ${DEFAULT-VALUE}).")
        Format format;

        @Option(names = "--out", description = "Write to this file instead of standard output.")
        Path out;

        @Override
        public Integer call() {
            String text = read(file, "plan");
            Runbook runbook = isRunbook(file, text) ? Runbook.parse(text) : Runbook.of(readPlan(spec, file));
            write(spec, out, format == Format.json ? runbook.toJson() : runbook.toMarkdown());
            return DrCommand.EXIT_OK;
        }
    }
}
