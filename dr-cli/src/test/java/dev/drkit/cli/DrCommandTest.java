package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DrCommandTest {
    @Test
    void theCloudSdksDoNotLogTheConnectionFailuresTheCommandReportsItself() throws Exception {
        java.util.Properties logging = new java.util.Properties();
        try (var in = DrCommand.class.getResourceAsStream("/simplelogger.properties")) {
            logging.load(in);
        }
        for (String sdk : new String[] {"io.netty", "reactor.netty", "com.azure"}) {
            assertThat(logging.getProperty("org.slf4j.simpleLogger.log." + sdk)).as(sdk).isEqualTo("off");
        }
    }

    @Test
    void accessDeniedIsACredentialsErrorWithExitTwo() {
        assertThat(DrCommand.exitCodeOf(new dev.drkit.api.DrException(dev.drkit.api.ErrorCode.ACCESS_DENIED,
                "Access denied", "k"))).isEqualTo(2);
    }


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
    void everyTopLevelCommandAndEveryCommandUnderItAcceptsHelp() {
        for (String name : DrCommand.newCommandLine(Map.of()).getSubcommands().keySet()) {
            CommandLine top = DrCommand.newCommandLine(Map.of()).getSubcommands().get(name);
            assertHelp(name);
            for (String sub : top.getSubcommands().keySet()) {
                assertHelp(name, sub);
            }
        }
    }

    private static void assertHelp(String... command) {
        String[] args = Stream.concat(Arrays.stream(command), Stream.of(
                "--help")).toArray(String[]::new);
        CommandLine cl = DrCommand.newCommandLine(Map.of(), args);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute(args)).as("dr %s --help: %s", String.join(" ", command), err).isZero();
        assertThat(out.toString()).as("dr %s --help", String.join(" ", command)).contains("Usage: dr " + String.join(" ",
                command));
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
