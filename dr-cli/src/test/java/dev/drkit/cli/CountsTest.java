package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CountsTest {

    @Test
    void theNounIsSingularForOneAndPluralOtherwise() {
        assertThat(Counts.of(1, "pack")).isEqualTo("1 pack");
        assertThat(Counts.of(0, "pack")).isEqualTo("0 packs");
        assertThat(Counts.of(3, "pack")).isEqualTo("3 packs");
        assertThat(Counts.of(1, "directory", "directories")).isEqualTo("1 directory");
        assertThat(Counts.of(2, "directory", "directories")).isEqualTo("2 directories");
    }

    @Test
    void commandsPrintOneOfAThingInTheSingular(@TempDir Path dir) throws IOException {
        Path repo = dir.resolve("repo");
        Path data = dir.resolve("one");
        Files.createDirectories(data.resolve("sub"));
        Files.writeString(data.resolve("sub/only.txt"), "only");
        StringWriter out = new StringWriter();
        CommandLine cl = DrCommand.newCommandLine(Map.of("DR_PASSWORD", "correct horse"));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        assertThat(cl.execute("init", "--repo", repo.toString())).isZero();
        assertThat(cl.execute("backup", "--repo", repo.toString(), data.toString())).isZero();
        out.getBuffer().setLength(0);
        assertThat(cl.execute("stats", "--repo", repo.toString())).isZero();
        assertThat(out.toString()).startsWith("1 snapshot, ").doesNotContain("1 snapshots");
        out.getBuffer().setLength(0);
        assertThat(cl.execute("restore", "--repo", repo.toString(), "latest", "--target",
                dir.resolve("out").toString())).isZero();
        assertThat(out.toString()).startsWith("restored 1 file, 2 directories, 0 links ");
        out.getBuffer().setLength(0);
        assertThat(cl.execute("restore", "--repo", repo.toString(), "latest", "--target",
                dir.resolve("out").toString())).isZero();
        assertThat(out.toString()).contains("kept 1 existing entry of the snapshot's names");
    }
}
