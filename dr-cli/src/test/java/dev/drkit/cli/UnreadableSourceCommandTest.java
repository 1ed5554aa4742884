package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * {@code dr backup} of a directory holding a file and a directory of mode 000, run in a
 * process that the file system really refuses them: the rest is saved, the two are named on
 * stderr and in {@code --json}, and the exit code is 4; the snapshot says so afterwards, in
 * {@code dr snapshots} and on stderr when {@code dr restore} restores it.
 *
 * <p>Root reads files of any mode, and the tests run as root in CI; so as root the command runs
 * under {@code setpriv} without the capabilities that let root ignore file modes
 * ({@code CAP_DAC_OVERRIDE}, {@code CAP_DAC_READ_SEARCH}): it stays the owner of the files, and
 * their mode 000 refuses it as it refuses any owner. Any other user runs it as it is.
 */
class UnreadableSourceCommandTest {
    private static final String PASSWORD = "correct horse";
    private static final List<String> WITHOUT_OVERRIDE = List.of("setpriv",
            "--bounding-set=-dac_override,-dac_read_search");

    @TempDir
    Path dir;

    private Path repo;
    private Path data;
    private Path lockedFile;
    private Path lockedDir;
    private @Nullable List<String> refusing;

    @BeforeEach
    void setUp() throws IOException, InterruptedException {
        repo = dir.resolve("repo");
        data = dir.resolve("orders");
        Files.createDirectories(data.resolve("2026/11"));
        Files.writeString(data.resolve("2026/11/order-1.json"), "{\"id\":1,\"total\":42}");
        byte[] blob = new byte[300_000];
        new Random(5).nextBytes(blob);
        Files.write(data.resolve("blob.bin"), blob);
        Files.writeString(data.resolve("readme.txt"), "kept");
        lockedFile = data.resolve("secret.key");
        Files.writeString(lockedFile, "root only");
        lockedDir = data.resolve("private");
        Files.createDirectories(lockedDir.resolve("inner"));
        Files.writeString(lockedDir.resolve("inner/hidden.txt"), "hidden");
        Files.setPosixFilePermissions(lockedFile, PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(lockedDir, PosixFilePermissions.fromString("---------"));
        refusing = refusingPrefix(lockedFile);
    }

    @AfterEach
    void unlock() throws IOException {
        Files.setPosixFilePermissions(lockedFile, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(lockedDir, PosixFilePermissions.fromString("rwx------"));
    }

    private record Run(int exit, String out, String err) {
    }

    /** Runs {@code dr} in a new JVM that the file system refuses files of mode 000. */
    private Run drRefused(String... args) throws Exception {
        Assumptions.assumeTrue(refusing != null, "as root, setpriv cannot drop the capabilities that ignore file modes");
        List<String> command = new ArrayList<>(refusing);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), DrCommand.class.getName()));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("DR_PASSWORD", PASSWORD);
        pb.environment().put("DR_PROGRESS", "off");
        Process p = pb.start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 2 minutes");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** What to run a command under so that mode 000 refuses it, or null when nothing can. */
    private static @Nullable List<String> refusingPrefix(Path lockedFile) throws InterruptedException {
        if (!Files.isReadable(lockedFile)) {
            return List.of(); // not root: the modes apply as they are
        }
        List<String> probe = new ArrayList<>(WITHOUT_OVERRIDE);
        probe.addAll(List.of("cat", lockedFile.toString()));
        int status;
        try {
            Process p = new ProcessBuilder(probe).redirectErrorStream(true).redirectOutput(
                    ProcessBuilder.Redirect.DISCARD).start();
            status = p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : 0;
        } catch (IOException noSetpriv) {
            status = 0;
        }
        return status != 0 ? WITHOUT_OVERRIDE : null;
    }

    private int drHere(StringWriter out, String... args) {
        return drHere(out, new StringWriter(), args);
    }

    private int drHere(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = DrCommand.newCommandLine(Map.of("DR_PASSWORD", PASSWORD));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void aFileAndADirectoryOfMode000AreLeftOutNamedAndExitFourWhileTheRestIsRestoredByteForByte()
            throws Exception {
        assertThat(drHere(new StringWriter(), "init", "--repo", repo.toString())).isZero();

        Run json = drRefused("backup", "--repo", repo.toString(), data.toString(), "--json");
        assertThat(json.exit()).as(json.err()).isEqualTo(DrCommand.EXIT_INCOMPLETE);
        JsonNode result = CliJson.MAPPER.readTree(json.out());
        assertThat(result.get("unreadableCount").asLong()).isEqualTo(2);
        assertThat(result.get("unreadable").findValuesAsString("path")).containsExactly("orders/private",
                "orders/secret.key");
        assertThat(result.get("unreadable").findValuesAsString("reason")).containsOnly("permission denied");
        assertThat(result.get("filesNew").asLong()).isEqualTo(3);
        assertThat(result.get("snapshot").get("files").asLong()).isEqualTo(3);
        assertThat(json.err()).contains("2 entries could not be read and are left out of snapshot")
                .contains("orders/private (permission denied)", "orders/secret.key (permission denied)");

        Run text = drRefused("backup", "--repo", repo.toString(), data.toString());
        assertThat(text.exit()).as(text.err()).isEqualTo(4);
        assertThat(text.out()).contains("saved: 0 new, 0 changed, 3 unchanged files; 2 unreadable entries left out");
        assertThat(text.err()).contains("orders/private (permission denied)", "orders/secret.key (permission denied)");
        for (Run run : List.of(json, text)) {
            assertThat(run.err().lines().filter(l -> l.contains("secret.key"))).as(run.err()).hasSize(1);
            assertThat(run.err().lines().filter(l -> l.contains("orders/private"))).as(run.err()).hasSize(1);
        }

        StringWriter listed = new StringWriter();
        assertThat(drHere(listed, "snapshots", "--repo", repo.toString(), "--json")).isZero();
        JsonNode snapshots = CliJson.MAPPER.readTree(listed.toString());
        assertThat(snapshots.size()).as("both snapshots were saved").isEqualTo(2);
        for (JsonNode s : snapshots) {
            assertThat(s.get("unreadable").asLong()).isEqualTo(2);
            List<String> paths = new ArrayList<>();
            s.get("unreadablePaths").forEach(p -> paths.add(p.asString()));
            assertThat(paths).containsExactly("orders/private", "orders/secret.key");
        }
        StringWriter table = new StringWriter();
        assertThat(drHere(table, "snapshots", "--repo", repo.toString())).isZero();
        assertThat(table.toString().lines().filter(l -> l.contains("incomplete: 2 unreadable entries left out")))
                .hasSize(2);

        Path target = dir.resolve("restored");
        StringWriter restoreErr = new StringWriter();
        assertThat(drHere(new StringWriter(), restoreErr, "restore", "--repo", repo.toString(), "latest", "--target",
                target.toString())).isZero();
        assertThat(restoreErr.toString().lines().filter(l -> l.startsWith("warning: snapshot "))).singleElement()
                .asString().contains("is incomplete: its backup could not read 2 entries and left them out "
                        + "(orders/private, orders/secret.key)");
        Path restored = target.resolve("orders");
        try (Stream<Path> walk = Files.walk(restored)) {
            assertThat(walk.filter(Files::isRegularFile).map(p -> restored.relativize(p).toString()).sorted())
                    .containsExactly("2026/11/order-1.json", "blob.bin", "readme.txt");
        }
        for (String file : List.of("2026/11/order-1.json", "blob.bin", "readme.txt")) {
            assertThat(Files.readAllBytes(restored.resolve(file))).as(file)
                    .isEqualTo(Files.readAllBytes(data.resolve(file)));
        }
        assertThat(restored.resolve("private")).doesNotExist();
    }

    @Test
    void aReadableSourceStillExitsZero() throws Exception {
        unlock();
        assertThat(drHere(new StringWriter(), "init", "--repo", repo.toString())).isZero();
        Run run = drRefused("backup", "--repo", repo.toString(), data.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("saved: 5 new").doesNotContain("unreadable");
        assertThat(run.err()).doesNotContain("could not be read");

        StringWriter listed = new StringWriter();
        assertThat(drHere(listed, "snapshots", "--repo", repo.toString(), "--json")).isZero();
        assertThat(CliJson.MAPPER.readTree(listed.toString()).get(0).get("unreadable").asLong()).isZero();
        StringWriter table = new StringWriter();
        assertThat(drHere(table, "snapshots", "--repo", repo.toString())).isZero();
        assertThat(table.toString()).doesNotContain("incomplete");
        StringWriter restoreErr = new StringWriter();
        assertThat(drHere(new StringWriter(), restoreErr, "restore", "--repo", repo.toString(), "latest", "--target",
                dir.resolve("restored").toString())).isZero();
        assertThat(restoreErr.toString()).doesNotContain("incomplete");
    }

    @Test
    void anUnreadableEntryWhoseNameHoldsControlCharactersIsNamedEscaped() throws Exception {
        Path hostile = data.resolve("evil\u001b[2J\nname");
        Files.writeString(hostile, "hidden");
        Files.setPosixFilePermissions(hostile, PosixFilePermissions.fromString("---------"));
        try {
            assertThat(drHere(new StringWriter(), "init", "--repo", repo.toString())).isZero();
            Run run = drRefused("backup", "--repo", repo.toString(), data.toString());
            assertThat(run.exit()).as(run.err()).isEqualTo(DrCommand.EXIT_INCOMPLETE);
            assertThat(run.err()).doesNotContain("\u001b").contains("3 entries could not be read");
            assertThat(run.err().lines().filter(l -> l.contains("evil"))).as(run.err()).singleElement()
                    .asString().contains("(permission denied)");
        } finally {
            Files.setPosixFilePermissions(hostile, PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void aWatchNamesADirectoryItCannotListAndJournalsEverythingElse() throws Exception {
        // Many readable directories beside the unreadable one: the walk meets some of them after it.
        for (int i = 0; i < 12; i++) {
            Files.createDirectories(data.resolve("d" + i));
            Files.writeString(data.resolve("d" + i + "/f.txt"), "file " + i);
        }
        Path hostile = data.resolve("bad\u001b[31mdir");
        Files.createDirectories(hostile);
        Files.setPosixFilePermissions(hostile, PosixFilePermissions.fromString("---------"));
        try {
            assertThat(drHere(new StringWriter(), "init", "--repo", repo.toString())).isZero();
            Run run = drRefused("watch", "--repo", repo.toString(), "--duration", "PT3S", "--stable-for", "PT0.1S",
                    data.toString());
            assertThat(run.exit()).as(run.err()).isEqualTo(DrCommand.EXIT_INCOMPLETE);
            assertThat(run.err()).contains("warning: 3 entries could not be read and are not journaled:",
                    "  " + data.resolve("private") + " (cannot be listed: permission denied)",
                    "  " + data.resolve("secret.key") + " (cannot be read: permission denied)");
            assertThat(run.err()).doesNotContain("\u001b").contains("Directory " + data.resolve("bad\\x1b[31mdir")
                    + " cannot be listed: permission denied");
            assertThat(run.err()).doesNotContain("Directory " + data + " cannot be listed");

            Path restored = dir.resolve("restored");
            StringWriter err = new StringWriter();
            assertThat(drHere(new StringWriter(), err, "restore", "--repo", repo.toString(), "--at", "latest",
                    "--target", restored.toString())).as(err.toString()).isZero();
            for (int i = 0; i < 12; i++) {
                assertThat(restored.resolve("orders/d" + i + "/f.txt")).hasContent("file " + i);
            }
            assertThat(restored.resolve("orders/readme.txt")).hasContent("kept");
            assertThat(restored.resolve("orders/2026/11/order-1.json")).exists();
        } finally {
            Files.setPosixFilePermissions(hostile, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
