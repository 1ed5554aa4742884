package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DrCommandTest {

    @Test
    void aRunBuildsOnlyTheSubcommandItsArgumentsName() {
        Set<String> all = DrCommand.newCommandLine(Map.of()).getSubcommands().keySet();

        assertThat(all).hasSize(25);
        for (String name : all) {
            assertThat(DrCommand.newCommandLine(Map.of(), new String[] {name, "--help"}).getSubcommands().keySet())
                    .containsExactly(name);
        }
        assertThat(DrCommand.newCommandLine(Map.of(), new String[] {"--verbose", "snapshots"}).getSubcommands()
                .keySet()).containsExactly("snapshots");
    }

    @Test
    void helpTheVersionAndUnknownSubcommandsSeeEverySubcommand() {
        int all = DrCommand.newCommandLine(Map.of()).getSubcommands().size();

        for (String[] args : new String[][] {{}, {"--help"}, {"-V"}, {"--verbose"}, {"snapshotz"}}) {
            assertThat(DrCommand.newCommandLine(Map.of(), args).getSubcommands()).hasSize(all);
        }
        CommandLine cl = DrCommand.newCommandLine(Map.of(), new String[] {"snapshotz"});
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));

        assertThat(cl.execute("snapshotz")).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("snapshotz").contains("snapshots");
    }
}
