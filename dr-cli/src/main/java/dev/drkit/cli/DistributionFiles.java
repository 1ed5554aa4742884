package dev.drkit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes the files that the installable distribution ships beside the jar: the bash completion
 * script and one man page per command, both generated from the same picocli model as
 * {@code dr --help}, so they cannot drift from the commands.
 *
 * <p>Run by the build: {@code DistributionFiles OUT_DIR} writes
 * {@code OUT_DIR/completion/dr} and {@code OUT_DIR/man/man1/dr.1}, {@code dr-backup.1},
 * {@code dr-audit-verify.1} and so on.
 */
public final class DistributionFiles {

    private DistributionFiles() {
    }

    /**
     * Writes the completion script and the man pages.
     *
     * @param args one argument: the output directory
     * @throws UncheckedIOException when a file cannot be written
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: DistributionFiles OUT_DIR");
        }
        write(Path.of(args[0]));
    }

    /**
     * Writes the completion script and the man pages under a directory.
     *
     * @param out the directory; created when missing
     * @return the files written
     * @throws UncheckedIOException when a file cannot be written
     */
    static List<Path> write(Path out) {
        CommandLine dr = DrCommand.newCommandLine(Map.of());
        List<Path> written = new ArrayList<>();
        written.add(writeFile(out.resolve("completion").resolve("dr"), AutoComplete.bash("dr", dr)));
        writeManPages(dr, out.resolve("man").resolve("man1"), written);
        return written;
    }

    private static void writeManPages(CommandLine command, Path dir, List<Path> written) {
        String name = command.getCommandSpec().qualifiedName("-");
        written.add(writeFile(dir.resolve(name + ".1"), manPage(command)));
        for (CommandLine sub : new LinkedHashSet<>(command.getSubcommands().values())) {
            writeManPages(sub, dir, written);
        }
    }

    /** Renders one command as a troff man page (section 1). */
    static String manPage(CommandLine command) {
        CommandSpec spec = command.getCommandSpec();
        String name = spec.qualifiedName("-");
        String version = command.getCommandSpec().root().version().length > 0
                ? spec.root().version()[0] : "dr";
        StringBuilder page = new StringBuilder();
        page.append(".TH \"").append(name.toUpperCase(Locale.ROOT)).append("\" \"1\" \"\" \"")
                .append(escape(version)).append("\" \"DR Kit Manual\"\n");
        page.append(".SH NAME\n").append(escape(name)).append(" \\- ")
                .append(escape(String.join(" ", spec.usageMessage().description()))).append('\n');
        page.append(".SH SYNOPSIS\n.nf\n")
                .append(escape(command.getHelp().synopsis(0).strip())).append("\n.fi\n");
        List<PositionalParamSpec> positionals = spec.positionalParameters();
        List<OptionSpec> options = spec.options();
        if (!positionals.isEmpty() || !options.isEmpty()) {
            page.append(".SH OPTIONS\n");
            for (PositionalParamSpec p : positionals) {
                page.append(".TP\n\\fI").append(escape(p.paramLabel())).append("\\fR\n")
                        .append(describe(p)).append('\n');
            }
            for (OptionSpec o : options) {
                page.append(".TP\n\\fB").append(escape(String.join(", ", o.names()))).append("\\fR");
                if (o.arity().max() > 0) {
                    page.append("=\\fI").append(escape(o.paramLabel())).append("\\fR");
                }
                page.append('\n').append(describe(o)).append('\n');
            }
        }
        if (!command.getSubcommands().isEmpty()) {
            page.append(".SH COMMANDS\n");
            new LinkedHashSet<>(command.getSubcommands().values()).forEach(line -> page.append(".TP\n\\fB")
                    .append(escape(line.getCommandName()))
                    .append("\\fR\n").append(escape(String.join(" ", line.getCommandSpec().usageMessage()
                            .description()))).append(" See \\fB").append(escape(line.getCommandSpec()
                            .qualifiedName("-"))).append("\\fR(1).\n"));
        }
        page.append(".SH EXIT STATUS\n0 ok, 1 operation failed, 2 usage, configuration or password error, "
                + "3 integrity problem found.\n");
        if (spec.parent() != null) {
            page.append(".SH SEE ALSO\n\\fB").append(escape(spec.parent().qualifiedName("-"))).append("\\fR(1)\n");
        }
        return page.toString();
    }

    private static String describe(ArgSpec arg) {
        String text = String.join(" ", arg.description());
        if (arg.defaultValue() != null) {
            text = text.replace("${DEFAULT-VALUE}", arg.defaultValue());
        }
        return escape(text.isBlank() ? "(no description)" : text);
    }

    /** Escapes text for troff: backslashes, and a leading dot or quote that would start a request. */
    static String escape(String text) {
        String escaped = text.replace("\\", "\\e").replace("-", "\\-");
        StringBuilder lines = new StringBuilder();
        for (String line : escaped.split("\n", -1)) {
            if (lines.length() > 0) {
                lines.append('\n');
            }
            if (line.startsWith(".") || line.startsWith("'")) {
                lines.append("\\&");
            }
            lines.append(line);
        }
        return lines.toString();
    }

    private static Path writeFile(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
