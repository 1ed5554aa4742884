package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.report.Runbook;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dr plan}: work with recovery plans. */
@Command(name = "plan", description = "Work with recovery plans.", subcommands = PlanCommand.Render.class)
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
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "cannot read " + what + " " + file + ": " + e.getMessage(),
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
            throw new DrException(ErrorCode.IO_FAILURE, "cannot write " + out + ": " + e.getMessage(), out.toString(), e);
        }
    }

    /** {@code dr plan render}: a runbook a person can follow when the automation is down. */
    @Command(name = "render", mixinStandardHelpOptions = true,
            description = "Render a plan's runbook (from its JSON form) as Markdown or JSON.")
    static final class Render implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--file", required = true, description = "The plan's runbook JSON (Runbook.toJson()).")
        Path file;

        @Option(names = "--format", defaultValue = "markdown", description = "markdown or json (default: ${DEFAULT-VALUE}).")
        Format format;

        @Option(names = "--out", description = "Write to this file instead of standard output.")
        Path out;

        @Override
        public Integer call() {
            Runbook runbook = Runbook.parse(read(file, "plan"));
            write(spec, out, format == Format.json ? runbook.toJson() : runbook.toMarkdown());
            return DrCommand.EXIT_OK;
        }
    }
}
