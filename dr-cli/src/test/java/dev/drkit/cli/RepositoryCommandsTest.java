package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.drkit.core.repository.KeyInfo;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.store.SnapshotStores;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** The repository commands, run through the real command line against a file repository. */
class RepositoryCommandsTest {
    private Map<String, String> environment = System.getenv();

    @TempDir
    Path dir;

    private Path repo;
    private Path data;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws IOException {
        environment = Map.of("DR_PASSWORD", "correct horse");
        repo = dir.resolve("repo");
        data = dir.resolve("orders");
        Files.createDirectories(data.resolve("2026/11"));
        Files.writeString(data.resolve("2026/11/order-1.json"), "{\"id\":1,\"total\":42}");
        Files.write(data.resolve("blob.bin"), new byte[200_000]);
        Files.writeString(data.resolve("ünïcode.txt"), "naïve");
    }

    @AfterEach
    void resetEnvironment() {
        environment = System.getenv();
    }

    private int dr(String... args) {
        CommandLine cl = DrCommand.newCommandLine(environment);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void restoreAsRootGivesFilesTheirRecordedOwnerUnlessNoOwners() throws IOException {
        Path probe = Files.createFile(dir.resolve("probe"));
        Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("unix")
                && (Integer) Files.getAttribute(probe, "unix:uid") == 0, "needs to run as root");
        Path order = data.resolve("2026/11/order-1.json");
        Files.setAttribute(order, "unix:uid", 12345);
        Files.setAttribute(order, "unix:gid", 23456);
        assertThat(dr("init", "--repo", repo.toString())).isZero();
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isZero();
        Path owned = dir.resolve("owned");
        Path mine = dir.resolve("mine");
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", owned.toString())).isZero();
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", mine.toString(), "--no-owners"))
                .isZero();
        assertThat(Files.getAttribute(owned.resolve("orders/2026/11/order-1.json"), "unix:uid")).isEqualTo(12345);
        assertThat(Files.getAttribute(owned.resolve("orders/2026/11/order-1.json"), "unix:gid")).isEqualTo(23456);
        assertThat(Files.getAttribute(mine.resolve("orders/2026/11/order-1.json"), "unix:uid")).isEqualTo(0);
        assertThat(Files.getAttribute(mine.resolve("orders/2026/11/order-1.json"), "unix:gid")).isEqualTo(0);
        assertThat(mine.resolve("orders/2026/11/order-1.json")).hasContent("{\"id\":1,\"total\":42}");
    }

    @Test
    void initBackupSnapshotsRestoreAndVerifyWorkEndToEnd() throws IOException {
        assertThat(dr("init", "--repo", repo.toString())).isZero();
        assertThat(dr("backup", "--repo", repo.toString(), data.toString(), "--tag", "nightly")).isZero();
        assertThat(out.toString()).contains("snapshot").contains("3 new");
        assertThat(dr("snapshots", "--repo", repo.toString())).isZero();
        assertThat(out.toString()).contains("orders").contains("1 snapshot").contains("nightly");
        Path target = dir.resolve("restored");
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString())).isZero();
        assertThat(target.resolve("orders/2026/11/order-1.json")).hasContent("{\"id\":1,\"total\":42}");
        assertThat(target.resolve("orders/ünïcode.txt")).hasContent("naïve");
        assertThat(Files.readAllBytes(target.resolve("orders/blob.bin"))).hasSize(200_000);
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data")).isZero();
        assertThat(out.toString()).contains("ok:");
    }

    @Test
    void anUnchangedSecondBackupAddsNothing() {
        dr("init", "--repo", repo.toString());
        dr("backup", "--repo", repo.toString(), data.toString());
        out.getBuffer().setLength(0);
        assertThat(dr("backup", "--repo", repo.toString(), data.toString(), "--json")).isZero();
        JsonNode result = CliJson.MAPPER.readTree(out.toString());
        assertThat(result.get("filesNew").asLong()).isZero();
        assertThat(result.get("filesChanged").asLong()).isZero();
        assertThat(result.get("bytesAdded").asLong()).isZero();
    }

    @Test
    void aMalformedProgressSettingIsNamedOnceAndTheBackupGoesOnWithTheDefault() {
        dr("init", "--repo", repo.toString());
        environment = Map.of("DR_PASSWORD", "correct horse", "DR_PROGRESS", "fancy", "DR_PROGRESS_INTERVAL", "soon");
        err.getBuffer().setLength(0);
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isZero();
        assertThat(out.toString()).contains("3 new");
        assertThat(err.toString().lines().filter(l -> l.contains("DR_PROGRESS=")))
                .containsExactly("warning: DR_PROGRESS='fancy' is not one of bar, lines or off; showing progress as lines");
        assertThat(err.toString().lines().filter(l -> l.contains("DR_PROGRESS_INTERVAL=")))
                .containsExactly("warning: DR_PROGRESS_INTERVAL='soon' is not a number of seconds > 0; printing "
                        + "progress every 10 s");
    }

    @Test
    void excludeGlobsAreRelativeToTheDirectoryALeadingDoubleStarMatchesAtTheTopAndTheHelpSaysSo() throws IOException {
        dr("init", "--repo", repo.toString());
        out.getBuffer().setLength(0);
        assertThat(dr("backup", "--repo", repo.toString(), data.toString(), "--exclude", "**/blob.bin", "--exclude",
                "2026/**", "--json")).isZero();
        assertThat(CliJson.MAPPER.readTree(out.toString()).get("filesNew").asLong()).as(out.toString()).isEqualTo(1);

        err.getBuffer().setLength(0);
        String absolute = data.resolve("blob.bin").toString();
        assertThat(dr("backup", "--repo", repo.toString(), data.toString(), "--exclude", absolute)).isEqualTo(2);
        assertThat(err.toString()).contains("exclude '" + absolute + "' is absolute")
                .contains("relative to " + data.toAbsolutePath().normalize()).contains("write 'blob.bin'");
        err.getBuffer().setLength(0);
        assertThat(dr("backup", "--repo", repo.toString(), data.toString(), "--exclude", "orders/blob.bin"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("'orders/blob.bin' starts with the source's own name 'orders'");

        out.getBuffer().setLength(0);
        assertThat(dr("backup", "--help")).isZero();
        assertThat(out.toString().replaceAll("\\s+", " ")).contains("relative to the directory backed up")
                .contains("a leading **/ also matches at the top");
    }

    @Test
    void aDirectoryEmptiedSinceTheLastSnapshotIsRefusedWithExitOneUnlessAllowEmpty() throws IOException {
        Path orders = Files.createDirectories(dir.resolve("mnt/orders"));
        Files.writeString(orders.resolve("order-1.json"), "{}");
        dr("init", "--repo", repo.toString());
        assertThat(dr("backup", "--repo", repo.toString(), orders.toString())).isZero();
        Files.delete(orders.resolve("order-1.json"));

        err.getBuffer().setLength(0);
        assertThat(dr("backup", "--repo", repo.toString(), orders.toString())).isEqualTo(DrCommand.EXIT_FAILED);
        assertThat(err.toString()).contains("Source 'orders' is empty, while snapshot ", "held 1 top-level entry",
                "nothing was saved", "dr backup --allow-empty");
        out.getBuffer().setLength(0);
        assertThat(dr("snapshots", "--repo", repo.toString(), "--json")).isZero();
        assertThat(CliJson.MAPPER.readTree(out.toString()).size()).isEqualTo(1);

        assertThat(dr("backup", "--repo", repo.toString(), orders.toString(), "--allow-empty")).isZero();
        out.getBuffer().setLength(0);
        assertThat(dr("snapshots", "--repo", repo.toString(), "--json")).isZero();
        assertThat(CliJson.MAPPER.readTree(out.toString()).size()).isEqualTo(2);
    }

    @Test
    void twoDirectoriesOfTheSameNameAreBothBackedUpAndTheOutputSaysWhichIsStoredUnderAnotherName()
            throws IOException {
        Path first = Files.createDirectories(dir.resolve("a/data"));
        Path second = Files.createDirectories(dir.resolve("b/data"));
        Files.writeString(first.resolve("one.txt"), "first");
        Files.writeString(second.resolve("two.txt"), "second");
        dr("init", "--repo", repo.toString());
        out.getBuffer().setLength(0);
        assertThat(dr("backup", "--repo", repo.toString(), first.toString(), second.toString())).isZero();
        assertThat(out.toString().lines().filter(l -> l.startsWith("note:")))
                .containsExactly("note: " + second + " is stored as data-2 in the snapshot, since " + first
                        + " is stored as data");

        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        assertThat(dr("backup", "--repo", repo.toString(), first.toString(), second.toString(), "--json")).isZero();
        assertThat(CliJson.MAPPER.readTree(out.toString()).get("snapshot").get("sources")).extracting(
                JsonNode::asString).containsExactly("data", "data-2");
        assertThat(err.toString()).contains("note: " + second + " is stored as data-2 in the snapshot");

        Path target = dir.resolve("restored");
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString())).isZero();
        assertThat(target.resolve("data/one.txt")).hasContent("first");
        assertThat(target.resolve("data-2/two.txt")).hasContent("second");
    }

    @Test
    void fifosAndSocketsAreSkippedAndTheOutputCountsThemNamingTheFirst() throws Exception {
        for (String name : List.of("a.fifo", "b.fifo", "c.fifo", "d.fifo")) {
            Process mkfifo = new ProcessBuilder("mkfifo", data.resolve("2026/" + name).toString()).inheritIO()
                    .start();
            assertThat(mkfifo.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(mkfifo.exitValue()).isZero();
        }
        dr("init", "--repo", repo.toString());
        out.getBuffer().setLength(0);
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isZero();
        assertThat(out.toString()).contains("3 new");
        assertThat(out.toString().lines().filter(l -> l.startsWith("skipped"))).containsExactly(
                "skipped 4 special files (FIFOs, sockets, devices), e.g. orders/2026/a.fifo, orders/2026/b.fifo, "
                        + "orders/2026/c.fifo");

        Files.delete(data.resolve("2026/b.fifo"));
        Files.delete(data.resolve("2026/c.fifo"));
        Files.delete(data.resolve("2026/d.fifo"));
        out.getBuffer().setLength(0);
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isZero();
        assertThat(out.toString().lines().filter(l -> l.startsWith("skipped"))).containsExactly(
                "skipped 1 special file (FIFOs, sockets, devices): orders/2026/a.fifo");

        out.getBuffer().setLength(0);
        assertThat(dr("backup", "--repo", repo.toString(), data.toString(), "--json")).isZero();
        JsonNode result = CliJson.MAPPER.readTree(out.toString());
        assertThat(result.get("specialCount").asLong()).isEqualTo(1);
        assertThat(result.get("special").get(0).asString()).isEqualTo("orders/2026/a.fifo");
    }

    @Test
    void aRestoreIntoTheRepositoryIsRefusedWithExitTwoAndABackupOfItsParentLeavesItOut() throws IOException {
        Path srv = Files.createDirectories(dir.resolve("srv"));
        Files.writeString(srv.resolve("app.conf"), "port=8080");
        Path inside = srv.resolve("backups");
        dr("init", "--repo", inside.toString());
        out.getBuffer().setLength(0);
        assertThat(dr("backup", "--repo", inside.toString(), srv.toString())).isZero();
        assertThat(out.toString().lines().filter(l -> l.startsWith("note:"))).containsExactly(
                "note: left out the repository's own directory " + inside.toRealPath() + " (srv/backups in the "
                        + "snapshot)");
        assertThat(out.toString()).contains("1 new");

        for (Path target : List.of(inside, inside.resolve("restored"))) {
            err.getBuffer().setLength(0);
            assertThat(dr("restore", "--repo", inside.toString(), "latest", "--target", target.toString(),
                    "--overwrite")).isEqualTo(2);
            assertThat(err.toString()).contains(target.toString()).contains("repository's own directory "
                    + inside.toRealPath());
        }
        assertThat(inside.resolve("restored")).doesNotExist();
        assertThat(inside.resolve("srv")).doesNotExist();
        assertThat(dr("verify", "--repo", inside.toString(), "--read-data")).isZero();
    }

    @Test
    void listingsPrintJsonWhenAsked() {
        dr("init", "--repo", repo.toString());
        dr("backup", "--repo", repo.toString(), data.toString());
        out.getBuffer().setLength(0);
        assertThat(dr("snapshots", "--repo", repo.toString(), "--json")).isZero();
        JsonNode list = CliJson.MAPPER.readTree(out.toString());
        assertThat(list.isArray()).isTrue();
        assertThat(list.get(0).get("sources").get(0).asString()).isEqualTo("orders");
    }

    @Test
    void initRefusesADirectoryThatHoldsAnythingNamingItsFirstEntryAndWritesNothing() throws IOException {
        Files.createDirectories(repo.resolve("data.d/00"));
        Files.writeString(repo.resolve("data.d/00/thesis.tex"), "precious");
        Files.writeString(repo.resolve("notes.txt"), "mine");
        List<Path> before = files(repo);
        assertThat(dr("init", "--repo", repo.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("Cannot create a repository in " + repo + ": the directory is not empty, "
                + "it holds 'data.d' and 1 more");
        assertThat(files(repo)).isEqualTo(before);

        // What the store's listing does not show (a dot file, a directory not ending in .d) counts too.
        Path hidden = Files.createDirectories(dir.resolve("hidden/.git"));
        assertThat(dr("init", "--repo", hidden.getParent().toString())).isEqualTo(2);
        assertThat(err.toString()).contains("it holds '.git'");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertThat(dr("init", "--repo", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains(file + ": it is not a directory");

        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThat(dr("init", "--repo", empty.toString())).isZero();
        assertThat(dr("copy", "--repo", empty.toString(), "--to", repo.toString(), "--init")).isEqualTo(2);
        assertThat(files(repo)).isEqualTo(before);
    }

    @Test
    void aWrongPasswordExitsTwoAndWritesNothing() throws IOException {
        dr("init", "--repo", repo.toString());
        List<Path> before = files(repo);
        environment = Map.of("DR_PASSWORD", "wrong");
        assertThat(dr("backup", "--repo", repo.toString(), data.toString())).isEqualTo(2);
        assertThat(err.toString()).containsIgnoringCase("password");
        assertThat(files(repo)).containsExactlyElementsOf(before);
    }

    @Test
    void aMissingRepositoryIsNamedAsTypedNotPercentEncodedWithHowToCreateOne() {
        Path missing = dir.resolve("my repö");
        assertThat(dr("snapshots", "--repo", missing.toString())).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).isEqualTo("dr: No repository at " + missing.toAbsolutePath()
                + " (create one with 'dr init --repo \"" + missing.toAbsolutePath() + "\"')\n");
        err.getBuffer().setLength(0);
        assertThat(dr("stats", "--repo", "file:" + repo.toUri().getRawPath())).isEqualTo(1);
        assertThat(err.toString()).contains("No repository at " + repo.toAbsolutePath()
                + " (create one with 'dr init --repo " + repo.toAbsolutePath() + "')");
    }

    @Test
    void aFileGivenAsTheRepositoryIsAUsageErrorNamingItNotTheOperatingSystemsMessage() throws IOException {
        Path file = dir.resolve("a.txt");
        Files.writeString(file, "not a repository");
        assertThat(dr("snapshots", "--repo", file.toString())).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).isEqualTo("dr: --repo: " + file.toAbsolutePath()
                + " is a file, not a repository directory\n");
        assertThat(file).hasContent("not a repository");
    }

    @Test
    void anEmptyPasswordVariableIsSaidToBeEmptyNotUnset() {
        environment = Map.of("DR_PASSWORD", "");
        assertThat(dr("snapshots", "--repo", repo.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("$DR_PASSWORD is set but empty").doesNotContain("set $DR_PASSWORD");
    }

    @Test
    void aMissingPasswordIsAUsageError() {
        environment = Map.of();
        assertThat(dr("init", "--repo", repo.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("DR_PASSWORD").contains("--password-file");
    }

    @Test
    void aBadOptionValueIsRefusedBeforeTheRepositoryIsOpened() {
        // No repository there and no password given: anything opened first would fail on those.
        environment = Map.of();
        String missing = dir.resolve("no-repository-here").toString();
        String target = dir.resolve("target").toString();

        assertThat(dr("restore", "--repo", missing, "--at", "yesterday", "--target", target)).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("Invalid value for option '--at': expected an ISO-8601 instant such as "
                + "2026-12-07T12:00:00Z or 2026-12-07T13:00:00+01:00, a time ago such as 10m ago, or 'latest', but "
                + "was 'yesterday'\nTry 'dr restore --help'.\n");
        assertRefusedBeforeOpening("Invalid value for option '--at'", "postgres", "restore", "--repo", missing,
                "--at", "2026-12-07 13:00", "--target", target);
        assertThat(err.toString()).contains("(it has no offset: add Z for UTC");
        assertRefusedBeforeOpening("dr: Give either a SNAPSHOT or --at INSTANT", "restore", "--repo", missing,
                "latest", "--at", "latest", "--target", target);
        assertRefusedBeforeOpening("dr: --include does not apply with --at", "restore", "--repo", missing,
                "--at", "10m ago", "--include", "orders", "--target", target);
        // an unset variable: not the current directory, not the whole snapshot
        assertRefusedBeforeOpening("dr: --target must name a directory, but was empty", "restore", "--repo", missing,
                "latest", "--target", "");
        assertRefusedBeforeOpening("dr: --include must name a path of the snapshot", "restore", "--repo", missing,
                "latest", "--include", "", "--target", target);
        assertRefusedBeforeOpening("dr: --rows must be FILE=MIN with MIN >= 0, but was 'orders/rows.csv'",
                "restore-test", "--repo", missing, "--rows", "orders/rows.csv");
        assertRefusedBeforeOpening("dr: --tag must not be blank", "backup", "--repo", missing, data.toString(),
                "--tag", " ");
        assertRefusedBeforeOpening("dr: --heartbeat-every must be more than 0", "watch", "--repo", missing,
                data.toString(), "--heartbeat-every", "0s");
        assertRefusedBeforeOpening("dr: --group-by must be a comma-separated list", "forget", "--repo", missing,
                "--keep-last", "1", "--group-by", "colour");
        assertRefusedBeforeOpening("dr: --repack-threshold must be within [0, 1]", "prune", "--repo", missing,
                "--repack-threshold", "2");
        assertRefusedBeforeOpening("dr: --expect-head must be", "verify", "--repo", missing, "--expect-head", "7");
        assertThat(Path.of(missing)).doesNotExist();
        assertThat(Path.of(target)).doesNotExist();
    }

    @Test
    void aRefusalNamesTheOptionButEchoesTheValueAsTyped() {
        environment = Map.of();
        assertThat(dr("verify", "--repo", dir.resolve("none").toString(), "--expect-head", "expectedHead"))
                .isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).isEqualTo("dr: --expect-head must be <seq>:<64 hex digits> as verify prints it, "
                + "but was expectedHead\n");
    }

    private void assertRefusedBeforeOpening(String message, String... args) {
        err.getBuffer().setLength(0);
        assertThat(dr(args)).as(String.join(" ", args)).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(err.toString()).as(String.join(" ", args)).startsWith(message).doesNotContain("password")
                .doesNotContain("repository");
    }

    @Test
    void thePasswordMayComeFromAFile() throws IOException {
        environment = Map.of();
        Path file = dir.resolve("pw");
        Files.writeString(file, "from a file\n");
        assertThat(dr("init", "--repo", repo.toString(), "--password-file", file.toString())).isZero();
        assertThat(dr("snapshots", "--repo", repo.toString(), "--password-file", file.toString())).isZero();

        err.getBuffer().setLength(0);
        Path missing = dir.resolve("no-such-pw");
        assertThat(dr("snapshots", "--repo", repo.toString(), "--password-file", missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("Cannot read the password file " + missing + ": no such file or directory");
    }

    @Test
    void aRestoreOverExistingEntriesSaysHowManyItKeptAndThatOverwriteReplacesThem() throws IOException {
        dr("init", "--repo", repo.toString());
        dr("backup", "--repo", repo.toString(), data.toString());
        Path target = dir.resolve("restored");
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString())).isZero();
        assertThat(out.toString()).contains("restored 3 files").doesNotContain("kept");
        out.getBuffer().setLength(0);

        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString())).isZero();

        assertThat(out.toString()).contains("restored 0 files")
                .contains("kept 3 existing entries of the snapshot's names in " + target + "; --overwrite replaces them");
        assertThat(err.toString()).doesNotContain("warning");

        // What a restore killed while writing blob.bin leaves: part of it, with the time of the kill.
        Path blob = target.resolve(data.getFileName().toString()).resolve("blob.bin");
        try (FileChannel ch = FileChannel.open(blob, StandardOpenOption.WRITE)) {
            ch.truncate(4096);
        }
        Files.setLastModifiedTime(blob, FileTime.from(Instant.now()));
        // and the temporary file it wrote a larger file under
        Path leftover = blob.resolveSibling(".dr-0123456789abcdef.tmp");
        Files.write(leftover, new byte[8192]);
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString()))
                .isEqualTo(DrCommand.EXIT_INCOMPLETE);
        assertThat(err.toString()).contains("warning: 1 file kept in " + target + " differs from the snapshot's in "
                + "size or modification time (" + data.getFileName() + "/blob.bin), such as a file another restore was "
                + "killed writing, so the target does not hold the snapshot; restore again with --overwrite to "
                + "replace it");
        assertThat(blob).hasSize(4096);
        assertThat(leftover).doesNotExist();

        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString(), "--overwrite"))
                .isZero();
        assertThat(blob).hasSize(200_000);
    }

    @Test
    void withOverwriteAnEmptyDirectoryInTheWayOfAFileIsReplacedAndOneWithEntriesFailsItWithExitOne()
            throws IOException {
        dr("init", "--repo", repo.toString());
        dr("backup", "--repo", repo.toString(), data.toString());
        Path target = dir.resolve("restored");
        Files.createDirectories(target.resolve("orders/blob.bin"));

        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString(), "--overwrite"))
                .isZero();
        assertThat(target.resolve("orders/blob.bin")).isRegularFile().hasSize(200_000);

        Files.delete(target.resolve("orders/ünïcode.txt"));
        Files.createDirectories(target.resolve("orders/ünïcode.txt"));
        Files.writeString(target.resolve("orders/ünïcode.txt/local.txt"), "local");
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString(), "--overwrite"))
                .isEqualTo(DrCommand.EXIT_FAILED);
        assertThat(err.toString()).contains("orders/ünïcode.txt (a directory that is not empty is in the way");
        assertThat(target.resolve("orders/ünïcode.txt/local.txt")).hasContent("local");
    }

    @Test
    void aFlippedByteInAPackFailsVerifyWithExitThreeNamingThePack() throws IOException {
        dr("init", "--repo", repo.toString());
        dr("backup", "--repo", repo.toString(), data.toString());
        Path pack;
        try (Stream<Path> walk = Files.walk(repo.resolve("data.d"))) {
            pack = walk.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(pack);
        bytes[bytes.length / 3] ^= 0x40;
        Files.write(pack, bytes);
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data")).isEqualTo(3);
        assertThat(out.toString()).contains(pack.getFileName().toString()).contains("FAILED");
    }

    @Test
    void anUnknownSchemeIsAUsageErrorNamingTheInstalledSchemes() {
        assertThat(dr("snapshots", "--repo", "ftp://host/repo")).isEqualTo(2);
        assertThat(err.toString()).contains("file").contains("mem");
    }

    @Test
    void aMemoryRepositoryWithoutANameIsAUsageErrorSayingItNeedsOne() {
        assertThat(dr("init", "--repo", "mem:")).isEqualTo(2);
        assertThat(err.toString()).contains("Store URI 'mem:' names no store after its scheme")
                .contains("mem:drill");
        assertThat(dr("init", "--repo", "mem:drill")).isZero();
    }

    @Test
    void keysCanBeAddedListedAndUsed() throws IOException {
        dr("init", "--repo", repo.toString());
        Path second = dir.resolve("second");
        Files.writeString(second, "second password");
        assertThat(dr("key", "add", "--repo", repo.toString(), "--new-password-file", second.toString())).isZero();
        environment = Map.of("DR_PASSWORD", "second password");
        out.getBuffer().setLength(0);
        assertThat(dr("key", "list", "--repo", repo.toString(), "--json")).isZero();
        JsonNode keys = CliJson.MAPPER.readTree(out.toString());
        assertThat(keys.size()).isEqualTo(2);

        // The key in use is refused; the other password removes it.
        String secondId = null;
        for (JsonNode k : keys) {
            if (k.get("current").asBoolean()) {
                secondId = k.get("id").asString();
            }
        }
        err.getBuffer().setLength(0);
        assertThat(dr("key", "remove", "--repo", repo.toString(), secondId)).isNotZero();
        assertThat(err.toString()).contains(secondId).contains("another password");
        environment = Map.of("DR_PASSWORD", "correct horse");
        assertThat(dr("key", "remove", "--repo", repo.toString(), secondId)).isZero();
        out.getBuffer().setLength(0);
        assertThat(dr("key", "list", "--repo", repo.toString(), "--json")).isZero();
        assertThat(CliJson.MAPPER.readTree(out.toString()).size()).isEqualTo(1);
    }

    @Test
    void forgetKeepsWhatThePolicySays() {
        dr("init", "--repo", repo.toString());
        for (int i = 0; i < 3; i++) {
            dr("backup", "--repo", repo.toString(), data.toString());
        }
        out.getBuffer().setLength(0);
        assertThat(dr("forget", "--repo", repo.toString(), "--keep-last", "1", "--prune", "--json")).isZero();
        JsonNode result = CliJson.MAPPER.readTree(out.toString());
        assertThat(result.get("forget").get("removed").size()).isEqualTo(2);
        assertThat(result.get("forget").get("kept").size()).isEqualTo(1);
        assertThat(dr("verify", "--repo", repo.toString(), "--read-data")).isZero();
    }

    @Test
    void aKeyIsRemovedByAUniquePrefixAndAnAmbiguousOneIsRefusedNamingTheCount() throws IOException {
        dr("init", "--repo", repo.toString());
        // Keys are added until two share their first character: at most 17, the hex digits being 16.
        List<KeyInfo> keys;
        try (Repository r = Repository.open(SnapshotStores.file(repo), "correct horse".toCharArray())) {
            for (int i = 0; sharedFirstCharacter(r.keys()) == null; i++) {
                r.addKey(("password " + i).toCharArray());
            }
            keys = r.keys();
        }
        String shared = sharedFirstCharacter(keys);
        long count = startingWith(keys, shared);
        String id = keys.stream().filter(k -> !k.current()).map(KeyInfo::id).findFirst().orElseThrow();
        int n = 1;
        while (startingWith(keys, id.substring(0, n)) > 1) {
            n++;
        }
        String prefix = id.substring(0, n);
        assertThat(dr("key", "remove", "--repo", repo.toString(), shared)).isEqualTo(2);
        assertThat(err.toString()).contains("Key prefix '" + shared + "' is ambiguous (" + count + " keys)");

        assertThat(dr("key", "remove", "--repo", repo.toString(), prefix)).as(err.toString()).isZero();
        assertThat(out.toString()).contains("removed key " + id);
        err.getBuffer().setLength(0);
        assertThat(dr("key", "remove", "--repo", repo.toString(), id)).isEqualTo(1);
        assertThat(err.toString()).contains("No key '" + id + "'");
    }

    private static long startingWith(List<KeyInfo> keys, String prefix) {
        return keys.stream().filter(k -> k.id().startsWith(prefix)).count();
    }

    /** The first character two of the keys' ids begin with, or null. */
    private static String sharedFirstCharacter(List<KeyInfo> keys) {
        Set<Character> firsts = new HashSet<>();
        for (KeyInfo k : keys) {
            if (!firsts.add(k.id().charAt(0))) {
                return k.id().substring(0, 1);
            }
        }
        return null;
    }

    @Test
    void theOnlyKeyCannotBeRemovedAndAPasswordThatIsAKeyAlreadyIsNotAddedAgain() throws IOException {
        dr("init", "--repo", repo.toString());
        out.getBuffer().setLength(0);
        assertThat(dr("key", "list", "--repo", repo.toString(), "--json")).isZero();
        String only = CliJson.MAPPER.readTree(out.toString()).get(0).get("id").asString();
        assertThat(dr("key", "remove", "--repo", repo.toString(), only)).isEqualTo(1);
        assertThat(err.toString()).contains("Key '" + only + "' is the repository's only key and cannot be removed")
                .doesNotContain("another password");

        Path same = dir.resolve("same");
        Files.writeString(same, "correct horse");
        err.getBuffer().setLength(0);
        assertThat(dr("key", "add", "--repo", repo.toString(), "--new-password-file", same.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("The new password opens key " + only + " already; nothing added");
        out.getBuffer().setLength(0);
        assertThat(dr("key", "list", "--repo", repo.toString(), "--json")).isZero();
        assertThat(CliJson.MAPPER.readTree(out.toString()).size()).isEqualTo(1);
    }

    @Test
    void aDryRunForgetSaysWhatItWouldKeepAndHelpDescribesEveryRule() {
        dr("init", "--repo", repo.toString());
        for (int i = 0; i < 3; i++) {
            dr("backup", "--repo", repo.toString(), data.toString());
        }
        out.getBuffer().setLength(0);
        assertThat(dr("forget", "--repo", repo.toString(), "--keep-last", "1", "-n")).isZero();
        assertThat(out.toString()).contains("would remove 2 snapshots, would keep 1").doesNotContain("kept");
        out.getBuffer().setLength(0);
        assertThat(dr("forget", "--repo", repo.toString(), "--keep-last", "1")).isZero();
        assertThat(out.toString()).contains("removed 2 snapshots, kept 1");

        out.getBuffer().setLength(0);
        assertThat(dr("forget", "--help")).isZero();
        String help = out.toString();
        for (String option : List.of("--keep-last", "--keep-hourly", "--keep-daily", "--keep-weekly",
                "--keep-monthly", "--keep-yearly", "--keep-tag")) {
            assertThat(help).as(option).containsPattern("(?m)^.*" + option + "=\\S+\\s+Keep ");
        }
    }

    @Test
    void forgetKeepsEachSourcesOwnSnapshotsUnlessToldToGroupByNothing() throws IOException {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Files.writeString(logs.resolve("app.log"), "started");
        dr("init", "--repo", repo.toString());
        dr("backup", "--repo", repo.toString(), logs.toString());
        for (int i = 0; i < 3; i++) {
            Files.writeString(data.resolve("2026/11/order-1.json"), "{\"id\":1,\"total\":" + i + "}");
            dr("backup", "--repo", repo.toString(), data.toString());
        }
        out.getBuffer().setLength(0);
        assertThat(dr("forget", "--repo", repo.toString(), "--keep-last", "1", "--json")).isZero();
        JsonNode byDefault = CliJson.MAPPER.readTree(out.toString()).get("forget");
        assertThat(byDefault.get("removed").size()).isEqualTo(2);
        assertThat(byDefault.get("kept")).extracting(k -> k.get("sources").get(0).asString())
                .containsExactly("orders", "logs");

        err.getBuffer().setLength(0);
        assertThat(dr("forget", "--repo", repo.toString(), "--keep-last", "1", "--group-by", "host,hostname"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--group-by").contains("host,hostname");
        out.getBuffer().setLength(0);
        assertThat(dr("forget", "--repo", repo.toString(), "--keep-last", "1", "--group-by", "none", "--json"))
                .isZero();
        JsonNode whole = CliJson.MAPPER.readTree(out.toString()).get("forget");
        assertThat(whole.get("kept")).extracting(k -> k.get("sources").get(0).asString()).containsExactly("orders");
        Path target = dir.resolve("restored");
        assertThat(dr("restore", "--repo", repo.toString(), "latest", "--target", target.toString())).isZero();
        assertThat(target.resolve("orders/2026/11/order-1.json")).hasContent("{\"id\":1,\"total\":2}");
    }

    @Test
    void aPolicyThatKeepsNothingIsRefused() {
        dr("init", "--repo", repo.toString());
        assertThat(dr("forget", "--repo", repo.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("give at least one --keep-* option").doesNotContain("keep* rule");
    }

    @Test
    void aRefusedForgetOrPruneOptionIsNamedAsTypedNotByTheLibrarysField() {
        dr("init", "--repo", repo.toString());
        assertThat(dr("forget", "--repo", repo.toString(), "--keep-last", "-1", "--keep-daily", "3")).isEqualTo(2);
        assertThat(err.toString()).contains("--keep-last must be >= 0, but was -1").doesNotContain("keepLast");
        assertThat(dr("forget", "--repo", repo.toString(), "--keep-yearly", "-2")).isEqualTo(2);
        assertThat(err.toString()).contains("--keep-yearly must be >= 0, but was -2").doesNotContain("keepYearly");
        assertThat(dr("prune", "--repo", repo.toString(), "--repack-threshold", "1.5")).isEqualTo(2);
        assertThat(err.toString()).contains("--repack-threshold must be within [0, 1], but was 1.5")
                .doesNotContain("repackThreshold");
        assertThat(dr("backup", "--repo", repo.toString(), data.toString(), "--tag", " ")).isEqualTo(2);
        assertThat(err.toString()).contains("--tag must not be blank, but was ' '");
    }

    @Test
    void diffNamesTheEntriesAddedRemovedAndModifiedBetweenTwoSnapshots() throws IOException {
        dr("init", "--repo", repo.toString());
        dr("backup", "--repo", repo.toString(), data.toString());
        Files.writeString(data.resolve("2026/11/order-1.json"), "{\"id\":1,\"total\":43}");
        Files.delete(data.resolve("blob.bin"));
        Files.writeString(data.resolve("2026/11/order-2.json"), "{\"id\":2}");
        dr("backup", "--repo", repo.toString(), data.toString());
        out.getBuffer().setLength(0);
        assertThat(dr("snapshots", "--repo", repo.toString(), "--json")).isZero();
        JsonNode list = CliJson.MAPPER.readTree(out.toString());
        String first = list.get(list.size() - 1).get("id").asString(); // newest first
        out.getBuffer().setLength(0);
        assertThat(dr("diff", "--repo", repo.toString(), first, "latest")).isZero();
        assertThat(out.toString()).contains("+ orders/2026/11/order-2.json", "- orders/blob.bin",
                "M orders/2026/11/order-1.json", "1 added, 1 removed").doesNotContain("ünïcode");
    }

    @Test
    void statsReportWhatTheRepositoryHolds() {
        dr("init", "--repo", repo.toString());
        dr("backup", "--repo", repo.toString(), data.toString());
        dr("backup", "--repo", repo.toString(), data.toString());
        out.getBuffer().setLength(0);
        assertThat(dr("stats", "--repo", repo.toString(), "--json")).isZero();
        JsonNode stats = CliJson.MAPPER.readTree(out.toString());
        assertThat(stats.get("snapshots").asInt()).isEqualTo(2);
        assertThat(stats.get("blobs").asLong()).isPositive();
        assertThat(stats.get("storedBytes").asLong()).isLessThan(stats.get("rawBytes").asLong());
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> !p.toString().contains("/.locks")).sorted().toList();
        }
    }

    static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }
}
