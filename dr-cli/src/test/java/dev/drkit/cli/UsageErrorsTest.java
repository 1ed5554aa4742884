package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** What every command prints for arguments it cannot parse: the message escaped, and a hint instead of the usage. */
class UsageErrorsTest {
    /** A value that would clear the screen and fake a second line if it reached the terminal as it is. */
    private static final String HOSTILE = "5\u001b[2J\nok: all snapshots verified";

    private static AuditCommandTest.Run dr(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DrCommand.newCommandLine(Map.of(), args);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new AuditCommandTest.Run(exit, out.toString(), err.toString());
    }

    @Test
    void aBadValueIsEchoedEscapedWithAHintInsteadOfTheUsage() {
        AuditCommandTest.Run run = dr("plan", "run", "--file", "plan.yaml", "--drill", "--wait", HOSTILE);

        assertThat(run.exit()).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("Invalid value for option '--wait': expected a duration such as 30s, 5m, "
                + "1h30m, 250ms, 2d or ISO-8601 PT30S, but was '5\\x1b[2J\\nok: all snapshots verified'\n"
                + "Try 'dr plan run --help'.\n");
    }

    @Test
    void everyCommandEscapesWhatItCannotParseAndPointsToItsOwnHelp() {
        List<String> checked = new ArrayList<>();
        for (CommandLine top : DrCommand.newCommandLine(Map.of()).getSubcommands().values()) {
            for (CommandSpec command : commands(top.getCommandSpec())) {
                String name = command.qualifiedName(" ");
                // the hostile text for every required option and parameter too, so that whichever the
                // command reports first, it is what the user typed
                List<String> args = new ArrayList<>(List.of(name.split(" ")).subList(1, name.split(" ").length));
                command.options().stream().filter(OptionSpec::required)
                        .forEach(o -> args.addAll(List.of(o.longestName(), HOSTILE)));
                command.positionalParameters().stream().filter(PositionalParamSpec::required)
                        .forEach(p -> args.add(HOSTILE));
                args.add("--no-such-option=" + HOSTILE);
                AuditCommandTest.Run run = dr(args.toArray(String[]::new));

                assertThat(run.exit()).as(name).isEqualTo(DrCommand.EXIT_USAGE);
                assertThat(run.err()).as(name).contains("5\\x1b[2J\\nok: all snapshots verified")
                        .doesNotContain("\u001b").doesNotContain("\nok:").doesNotContain("Usage:")
                        .endsWith("Try '" + name + " --help'.\n");
                checked.add(name);
            }
        }
        assertThat(checked).contains("dr restore", "dr postgres restore", "dr simulate rollback", "dr audit list");
    }

    @Test
    void aMistypedSubcommandStillGetsItsSuggestion() {
        AuditCommandTest.Run run = dr("snapshotz");

        assertThat(run.exit()).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(run.err()).contains("'snapshotz'").contains("dr snapshots").doesNotContain("Usage:")
                .endsWith("Try 'dr --help'.\n");
    }

    @Test
    void aMissingChoiceOfOptionsNamesThemInFull() {
        AuditCommandTest.Run run = dr("fleet", "status");

        assertThat(run.exit()).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(run.err()).isEqualTo("Missing required option: give one of --repo=URI, --coordinator=URI\n"
                + "Try 'dr fleet status --help'.\n");
    }

    private static List<CommandSpec> commands(CommandSpec spec) {
        List<CommandSpec> all = new ArrayList<>(List.of(spec));
        for (CommandLine sub : spec.subcommands().values()) {
            all.addAll(commands(sub.getCommandSpec()));
        }
        return all;
    }
}
