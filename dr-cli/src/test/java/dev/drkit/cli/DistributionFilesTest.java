package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DistributionFilesTest {

    @Test
    void everyCommandAndSubcommandGetsAManPage(@TempDir Path dir) {
        List<Path> written = DistributionFiles.write(dir);

        Path man = dir.resolve("man").resolve("man1");
        assertThat(man.resolve("dr.1")).exists();
        for (Object sub : DrCommand.subcommands()) {
            String name = new CommandLine(sub).getCommandName();
            assertThat(man.resolve("dr-" + name + ".1")).as("page of dr " + name).exists();
        }
        assertThat(man.resolve("dr-audit-verify.1")).exists();
        assertThat(written).contains(dir.resolve("completion").resolve("dr"));
    }

    @Test
    void aManPageListsTheCommandsOptionsWithTheirDescriptions(@TempDir Path dir) throws IOException {
        DistributionFiles.write(dir);

        String page = Files.readString(dir.resolve("man/man1/dr-backup.1"));
        assertThat(page).startsWith(".TH \"DR-BACKUP\" \"1\"");
        assertThat(page).contains(".SH NAME\ndr\\-backup \\- Back up directories into the repository.");
        assertThat(page).contains("\\fB\\-r, \\-\\-repo\\fR=\\fIURI\\fR");
        assertThat(page).contains(".SH EXIT STATUS").contains(".SH SEE ALSO\n\\fBdr\\fR(1)");
    }

    @Test
    void theRootPageListsEverySubcommand(@TempDir Path dir) throws IOException {
        DistributionFiles.write(dir);

        String page = Files.readString(dir.resolve("man/man1/dr.1"));
        for (String name : DrCommand.newCommandLine(Map.of()).getSubcommands().keySet()) {
            assertThat(page).contains(".TP\n\\fB" + DistributionFiles.escape(name) + "\\fR");
        }
    }

    @Test
    void theCompletionScriptKnowsEverySubcommand(@TempDir Path dir) throws IOException {
        DistributionFiles.write(dir);

        String script = Files.readString(dir.resolve("completion/dr"));
        assertThat(script).contains("complete -F _complete_dr");
        for (String name : DrCommand.newCommandLine(Map.of()).getSubcommands().keySet()) {
            assertThat(script).contains(name);
        }
    }

    @Test
    void troffRequestsInTextAreEscaped() {
        assertThat(DistributionFiles.escape(".SH not a request\n'also not")).isEqualTo("\\&.SH not a request\n\\&'also not");
        assertThat(DistributionFiles.escape("a\\b")).isEqualTo("a\\eb");
    }
}
