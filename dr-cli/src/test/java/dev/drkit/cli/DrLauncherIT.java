package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./dr} launcher of a checkout and {@code bin/dr} of the distribution, run as an
 * operator runs them (after {@code package}, by Failsafe): a command's first successful run
 * leaves a class-data-sharing archive in the user's cache, later runs use it and answer the
 * same, a failed run leaves none, {@code DR_CDS=off} writes none, and a new jar or JVM clears out
 * all but the two sets of archives used last.
 */
class DrLauncherIT {
    @TempDir
    Path dir;

    private record Run(int status, String out) {
    }

    private Run run(Path launcher, Map<String, String> env, String... args) throws Exception {
        return run(List.of("bash", launcher.toString()), env, args);
    }

    private Run run(List<String> prefix, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile());
        pb.environment().put("DR_PASSWORD", "launcher-test");
        pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        pb.environment().putAll(env);
        pb.environment().entrySet().removeIf(e -> e.getValue().isEmpty()); // "" unsets a variable
        Process p = pb.start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 3 minutes");
        }
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8));
    }

    private List<String> archives() throws IOException {
        Path cache = dir.resolve("cache");
        if (!Files.exists(cache)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(cache)) {
            return walk.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".jsa")).sorted().toList();
        }
    }

    private static final Path DIRECTIVES = Path.of("src", "dist", "lib", "compiler-directives.json");

    /** Lays out a distribution as the tarball has it, under {@code name}, with the given directives file. */
    private Path distribution(String name, String directives) throws IOException {
        Path home = dir.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib"));
        Files.copy(Path.of("src", "dist", "bin", "dr"), home.resolve("bin/dr"));
        Files.copy(Path.of("target", "dr.jar"), home.resolve("lib/dr.jar"));
        Files.writeString(home.resolve("lib/compiler-directives.json"), directives);
        return home;
    }

    @Test
    void repositoryCommandsRunWithTheCompilerDirectivesAndPrintNothingMoreForThem() throws Exception {
        Path launcher = Path.of("..", "dr").toAbsolutePath().normalize();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Run parsed = run(List.of(java, "-XX:+UnlockDiagnosticVMOptions",
                "-XX:CompilerDirectivesFile=" + DIRECTIVES.toAbsolutePath(), "-version"), Map.of());
        assertThat(parsed.status()).as(parsed.out()).isZero();
        assertThat(parsed.out()).contains("2 compiler directives added");

        String repo = "file:" + dir.resolve("repo");
        assertThat(run(launcher, Map.of(), "init", "--repo", repo).status()).isZero();
        Run json = run(launcher, Map.of(), "snapshots", "--repo", repo, "--json");
        assertThat(json.status()).as(json.out()).isZero();
        assertThat(json.out()).as("standard output is the command's alone").startsWith("[").doesNotContain("directives");

        // What the launcher runs, from bash's trace: the directives for a repository command only,
        // and none when DR_JAVA_OPTS replaces the options.
        Run traced = run(List.of("bash", "-x", launcher.toString()), Map.of(), "snapshots", "--repo", repo);
        Run simulation = run(List.of("bash", "-x", launcher.toString()), Map.of(), "simulate", "--help");
        Run replaced = run(List.of("bash", "-x", launcher.toString()), Map.of("DR_JAVA_OPTS", "-Xmx256m"),
                "snapshots", "--repo", repo);
        assertThat(traced.out()).contains("-XX:CompilerDirectivesFile=" + DIRECTIVES.toAbsolutePath().normalize());
        assertThat(simulation.out()).doesNotContain("CompilerDirectivesFile");
        assertThat(replaced.out()).doesNotContain("CompilerDirectivesFile").contains("-Xmx256m");
    }

    @Test
    void aNewJarOrJvmKeepsTheTwoArchiveSetsUsedLastAndDeletesTheOlderOnes() throws Exception {
        Path cds = Files.createDirectories(dir.resolve("cache/dr/cds"));
        Instant now = Instant.now();
        Map<String, Duration> lastUsed = Map.of("1000-17-2000-18-", Duration.ofDays(3),
                "1001-19-2000-18-", Duration.ofDays(1), "1002-20-2000-18-", Duration.ofDays(40));
        for (Map.Entry<String, Duration> old : lastUsed.entrySet()) {
            Path set = Files.createDirectory(cds.resolve(old.getKey()));
            Files.writeString(set.resolve("restore.jsa"), "an archive of another jar");
            Files.setLastModifiedTime(Files.createFile(set.resolve("used")), FileTime.from(now.minus(old.getValue())));
        }
        Files.createDirectory(cds.resolve("1003-21-2000-18-")); // from a launcher that marked no use
        Files.writeString(cds.resolve("notes"), "not the launcher's");
        for (String name : lastUsed.keySet()) {
            Files.setPosixFilePermissions(cds.resolve(name), PosixFilePermissions.fromString("rwx------"));
        }
        Path launcher = Path.of("..", "dr").toAbsolutePath().normalize();

        Run help = run(launcher, Map.of(), "forget", "--help");
        assertThat(help.status()).as(help.out()).isZero();
        Run again = run(launcher, Map.of(), "forget", "--help");
        assertThat(again).isEqualTo(help);
        try (Stream<Path> left = Files.list(cds)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .as("this jar's set, the two used last, and what is not a set of archives")
                    .containsExactlyInAnyOrder("1000-17-2000-18-", "1001-19-2000-18-", "notes",
                            currentSet(cds));
        }
        // Marked as used by these runs, not days ago as the others: within the hour, since the two
        // runs (the first one archives) can take a minute on a loaded machine.
        assertThat(Files.getLastModifiedTime(cds.resolve(currentSet(cds)).resolve("used")).toInstant())
                .isAfter(now.minus(Duration.ofHours(1)));
        assertThat(archives()).contains("forget.jsa");
    }

    private static String currentSet(Path cds) throws IOException {
        try (Stream<Path> sets = Files.list(cds)) {
            return sets.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("100") && !n.equals("notes"))
                    .findFirst().orElseThrow();
        }
    }

    @Test
    void aCommandsSecondRunSharesTheClassesItsFirstRunArchived() throws Exception {
        Path launcher = Path.of("..", "dr").toAbsolutePath().normalize();
        assertThat(Path.of("target", "dr.jar")).as("built by the package phase").isRegularFile();
        String repo = "file:" + dir.resolve("repo");

        Run init = run(launcher, Map.of(), "init", "--repo", repo);
        assertThat(init.status()).as(init.out()).isZero();
        assertThat(archives()).containsExactly("init.jsa");

        Run first = run(launcher, Map.of(), "snapshots", "--repo", repo);
        Run second = run(launcher, Map.of(), "snapshots", "--repo", repo);
        assertThat(first.status()).as(first.out()).isZero();
        assertThat(second).isEqualTo(first);
        assertThat(archives()).containsExactly("init.jsa", "snapshots.jsa");

        Run failed = run(launcher, Map.of(), "verify", "--repo", "file:" + dir.resolve("no-such-repo"));
        assertThat(failed.status()).isNotZero();
        Run off = run(launcher, Map.of("DR_CDS", "off"), "forget", "--help");
        assertThat(off.status()).as(off.out()).isZero();
        Run homeless = run(launcher, Map.of("HOME", "", "XDG_CACHE_HOME", ""), "forget", "--help");
        assertThat(homeless).isEqualTo(off);
        assertThat(archives()).as("a failed run, DR_CDS=off and no cache directory archive nothing")
                .containsExactly("init.jsa", "snapshots.jsa");
        Path other = dir.resolve("cache/dr/cds");
        try (Stream<Path> dirs = Files.list(other)) {
            Path jarDir = dirs.findFirst().orElseThrow();
            Files.setPosixFilePermissions(jarDir, PosixFilePermissions.fromString("rwxrwxrwx"));
            Run open = run(launcher, Map.of(), "snapshots", "--repo", repo);
            assertThat(open).as("a directory others may write is not used").isEqualTo(first);
            Files.setPosixFilePermissions(jarDir, PosixFilePermissions.fromString("rwx------"));
        }

        // The distribution's bin/dr, laid out as the tarball has it.
        Path home = distribution("dist", Files.readString(DIRECTIVES));
        Run installed = run(home.resolve("bin/dr"), Map.of(), "snapshots", "--repo", repo);
        assertThat(installed).isEqualTo(first);
        assertThat(run(home.resolve("bin/dr"), Map.of(), "snapshots", "--repo", repo)).isEqualTo(first);
        assertThat(archives()).as("one more: the installed jar is another jar")
                .containsExactly("init.jsa", "snapshots.jsa", "snapshots.jsa");

        // A directives file the JVM cannot parse is named, with the JVM's reason, and left out;
        // one that parses is checked once per version.
        Path broken = distribution("broken", "[{ match: \"dev/*\", c2: { Exclude: }");
        Run unparsed = run(broken.resolve("bin/dr"), Map.of(), "snapshots", "--repo", repo);
        assertThat(unparsed.status()).as(unparsed.out()).isZero();
        assertThat(unparsed.out()).contains("dr: ignoring " + broken.resolve("lib/compiler-directives.json")
                + ", which the JVM cannot parse").contains("0 snapshots");
        try (Stream<Path> files = Files.walk(dir.resolve("cache"))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("directives-")))
                    .as("the shipped file parsed once per jar's cache, the broken one never").hasSize(2);
        }

        List<String> before = archives();
        // One archive per kind of store, named by the scheme of --repo in each of its forms: a
        // command against S3 loads the SDK's classes, the same command against a directory does not.
        for (List<String> args : List.of(List.of("snapshots", "--repo", "s3://bucket/repo", "--help"),
                List.of("snapshots", "--repo=azblob://container/repo", "--help"),
                List.of("snapshots", "-r", "S3://bucket/other", "--help"),
                List.of("snapshots", "--repo", "file:" + dir.resolve("repo"), "--help"))) {
            Run help = run(launcher, Map.of(), args.toArray(String[]::new));
            assertThat(help.status()).as(help.out()).isZero();
        }
        List<String> added = new ArrayList<>(archives());
        before.forEach(added::remove);
        assertThat(added).as("a file: repository keeps the command's archive")
                .containsExactly("snapshots-azblob.jsa", "snapshots-s3.jsa");
    }
}
