package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** {@code dr copy} through the real command line, between file repositories with different passwords. */
class CopyCommandTest {
    private Map<String, String> environment = System.getenv();

    @TempDir
    Path dir;

    private Path primary;
    private Path offsite;
    private Path data;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws IOException {
        environment = Map.of("DR_PASSWORD", "primary secret", "DR_TO_PASSWORD", "offsite secret");
        primary = dir.resolve("primary");
        offsite = dir.resolve("offsite");
        data = dir.resolve("orders");
        Files.createDirectories(data.resolve("2026"));
        Files.writeString(data.resolve("2026/order-1.json"), "{\"id\":1}");
        Files.write(data.resolve("blob.bin"), new byte[150_000]);
    }

    @AfterEach
    void resetEnvironment() {
        environment = System.getenv();
    }

    private int dr(String... args) {
        out.getBuffer().setLength(0);
        CommandLine cl = DrCommand.newCommandLine(environment);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void copyThenRestoreFromTheDestinationWithItsOwnPassword() throws IOException {
        assertThat(dr("init", "--repo", primary.toString())).isZero();
        assertThat(dr("backup", "--repo", primary.toString(), data.toString(), "--tag", "nightly")).isZero();

        assertThat(dr("copy", "--repo", primary.toString(), "--to", offsite.toString(), "--init")).isZero();
        assertThat(out.toString()).contains("copied 1 snapshot (0 already there)");

        environment = Map.of("DR_PASSWORD", "offsite secret");
        assertThat(dr("snapshots", "--repo", offsite.toString())).isZero();
        assertThat(out.toString()).contains("orders").contains("nightly");
        Path target = dir.resolve("restored");
        assertThat(dr("restore", "--repo", offsite.toString(), "latest", "--target", target.toString())).isZero();
        assertThat(target.resolve("orders/2026/order-1.json")).hasContent("{\"id\":1}");
        assertThat(dr("verify", "--repo", offsite.toString(), "--read-data")).isZero();
    }

    @Test
    void aCopyIntoADestinationThatLostItsPacksSendsTheirBlobsAgainAndExitsThreeNamingThem() throws IOException {
        assertThat(dr("init", "--repo", primary.toString())).isZero();
        assertThat(dr("backup", "--repo", primary.toString(), data.toString())).isZero();
        assertThat(dr("copy", "--repo", primary.toString(), "--to", offsite.toString(), "--init")).isZero();
        List<Path> packs;
        try (Stream<Path> files = Files.walk(offsite.resolve("data.d"))) {
            packs = files.filter(Files::isRegularFile).toList();
        }
        for (Path pack : packs) {
            Files.delete(pack);
        }
        Files.writeString(data.resolve("2026/order-2.json"), "{\"id\":2}");
        assertThat(dr("backup", "--repo", primary.toString(), data.toString())).isZero();

        err.getBuffer().setLength(0);
        assertThat(dr("copy", "--repo", primary.toString(), "--to", offsite.toString())).as(err.toString())
                .isEqualTo(DrCommand.EXIT_INTEGRITY);
        assertThat(out.toString()).contains("copied 1 snapshot (1 already there)");
        assertThat(err.toString()).contains("warning: " + Counts.of(packs.size(), "pack") + " the destination's index",
                "dr verify --repo " + offsite);

        environment = Map.of("DR_PASSWORD", "offsite secret");
        Path target = dir.resolve("restored");
        assertThat(dr("restore", "--repo", offsite.toString(), "latest", "--target", target.toString()))
                .as(err.toString()).isZero();
        assertThat(target.resolve("orders/blob.bin")).hasSize(150_000);
        assertThat(target.resolve("orders/2026/order-2.json")).hasContent("{\"id\":2}");
        // The older copy's own trees were only in the lost packs: verify names it, as the warning says.
        assertThat(dr("verify", "--repo", offsite.toString())).as(out.toString() + err)
                .isEqualTo(DrCommand.EXIT_INTEGRITY);
    }

    @Test
    void aSecondCopyOfTheSameSnapshotSendsNothing() {
        dr("init", "--repo", primary.toString());
        dr("backup", "--repo", primary.toString(), data.toString());
        dr("copy", "--repo", primary.toString(), "--to", offsite.toString(), "--init", "latest");

        assertThat(dr("copy", "--repo", primary.toString(), "--to", offsite.toString(), "latest", "--json")).isZero();

        JsonNode result = CliJson.MAPPER.readTree(out.toString());
        assertThat(result.get("copied")).isEmpty();
        assertThat(result.get("skipped")).hasSize(1);
        assertThat(result.get("blobsSent").asLong()).isZero();
        assertThat(result.get("bytesSent").asLong()).isZero();
    }

    @Test
    void theDestinationPasswordDefaultsToTheSourcePasswordOrComesFromAFile() throws IOException {
        environment = Map.of("DR_PASSWORD", "primary secret");
        dr("init", "--repo", primary.toString());
        dr("backup", "--repo", primary.toString(), data.toString());
        assertThat(dr("copy", "--repo", primary.toString(), "--to", offsite.toString(), "--init")).isZero();
        assertThat(dr("snapshots", "--repo", offsite.toString())).isZero();

        Path file = dir.resolve("third.txt");
        Files.writeString(file, "third secret\n");
        Path third = dir.resolve("third");
        assertThat(dr("copy", "--repo", offsite.toString(), "--to", third.toString(), "--init",
                "--to-password-file", file.toString())).isZero();
        assertThat(dr("snapshots", "--repo", third.toString(), "--password-file", file.toString())).isZero();
        assertThat(out.toString()).contains("orders");
    }

    @Test
    void aMissingDestinationOrWrongPasswordGivesTheDocumentedExitCodes() {
        dr("init", "--repo", primary.toString());
        assertThat(dr("copy", "--repo", primary.toString(), "--to", offsite.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("No repository at " + offsite.toAbsolutePath() + " (pass --init to create it)")
                .doesNotContain("file:");
        err.getBuffer().setLength(0);
        assertThat(dr("copy", "--repo", dir.resolve("no source").toString(), "--to", offsite.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("No repository at " + dir.resolve("no source").toAbsolutePath()
                + " (create one with 'dr init --repo \"" + dir.resolve("no source").toAbsolutePath() + "\"')");
        environment = Map.of("DR_PASSWORD", "wrong", "DR_TO_PASSWORD", "offsite secret");
        assertThat(dr("copy", "--repo", primary.toString(), "--to", offsite.toString(), "--init")).isEqualTo(2);
        assertThat(dr("copy", "--to", offsite.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--repo");
    }

    @Test
    void aWrongDestinationPasswordSaysWhereItCameFrom() {
        environment = Map.of("DR_PASSWORD", "offsite secret");
        dr("init", "--repo", offsite.toString());
        environment = Map.of("DR_PASSWORD", "primary secret");
        dr("init", "--repo", primary.toString());

        assertThat(dr("copy", "--repo", primary.toString(), "--to", offsite.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("The password opens none of the 1 keys")
                .contains("the password of --to, from the source's password ($DR_PASSWORD), tried since "
                        + "$DR_TO_PASSWORD is unset; set $DR_TO_PASSWORD or pass --to-password-file FILE");
        err.getBuffer().setLength(0);
        environment = Map.of("DR_PASSWORD", "wrong", "DR_TO_PASSWORD", "offsite secret");
        assertThat(dr("copy", "--repo", primary.toString(), "--to", offsite.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("(the password of --repo, from $DR_PASSWORD)");
    }

    @Test
    void theSourceIsNamedByRepoLikeEveryOtherCommandAndFromStillWorksWithAWarning() {
        dr("init", "--repo", primary.toString());
        dr("backup", "--repo", primary.toString(), data.toString());
        assertThat(dr("copy", "-r", primary.toString(), "--to", offsite.toString(), "--init")).isZero();
        assertThat(err.toString()).doesNotContain("deprecated");

        assertThat(dr("copy", "--from", primary.toString(), "--to", offsite.toString())).isZero();
        assertThat(out.toString()).contains("(1 already there)");
        assertThat(err.toString()).contains("--from is deprecated; use --repo");

        assertThat(dr("copy", "--repo", primary.toString(), "--from", primary.toString(), "--to",
                offsite.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("Give the source repository once");
    }
}
