package dev.drkit.bench;

import static dev.drkit.bench.ProcessRuns.deleteTree;
import static dev.drkit.bench.ProcessRuns.dr;
import static dev.drkit.bench.ProcessRuns.exec;
import static dev.drkit.bench.ProcessRuns.last;
import static dev.drkit.bench.ProcessRuns.median;
import static dev.drkit.bench.ProcessRuns.middleFile;
import static dev.drkit.bench.ProcessRuns.requireSame;
import static dev.drkit.bench.ProcessRuns.restoreRoot;
import static dev.drkit.bench.ProcessRuns.time;

import dev.drkit.storage.azure.AzuriteServer;
import dev.drkit.storage.s3.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Backs up and restores one data set with dr and restic into the same S3 server (S3Proxy on
 * loopback, started here), with dr into Azurite (Azure Blob on loopback, started here), and
 * with dr into a local file repository, in one invocation; prints the median wall time of
 * whole processes.
 *
 * <pre>
 * java [-Dazurite.home=DIR] [-Drestore.dir=DIR] [-Ds3.only=true] [-Done.file=PATH]
 *     -cp dr-bench/target/benchmarks.jar dev.drkit.bench.S3Comparison DATA_DIR DR [RUNS]
 * </pre>
 *
 * <p>{@code DR} is either {@code dr.jar}, run as {@code java -jar dr.jar} with the JVM's defaults,
 * or the launcher as shipped ({@code ./dr} of a checkout, or an installed {@code bin/dr}), run
 * with its JVM options and class-data-sharing archives. The archives are kept in a cache of this
 * invocation's own ({@code XDG_CACHE_HOME}) and trained before the timed runs by one init, backup,
 * restore and one-file restore of a small tree on the same S3 server, as an operator's first
 * commands against their bucket would.
 *
 * <p>After each S3 backup, one file is restored alone from it by each tool ({@code restic
 * restore --include}, {@code dr restore --include}) and compared with the original: the file
 * {@code one.file} names (relative to the data directory), else the middle one of the data
 * set's files in path order. With {@code s3.only=true} only the S3 backups and those one-file
 * restores run (no Azurite, no file repository, no whole restores), for large data sets.
 *
 * <p>Restores go to tmpfs ({@code /dev/shm}) when it exists, or to the {@code restore.dir}
 * directory: on ext4 without a journal, creating files is slow for minutes after many were
 * deleted, whoever deleted them, which would charge one run's clean-up to the next run's
 * restores.
 *
 * <p>Azurite is the npm package pinned by {@code dr-storage-azure/src/test/azurite}, found
 * from the working directory or next to the jar, or in {@code azurite.home}; it is installed
 * there with {@code npm ci} when missing, which needs Node.js 20 or later and npm.
 */
public final class S3Comparison {
    private S3Comparison() {
    }

    /**
     * Runs the comparison.
     *
     * @param args the data directory, the path of dr.jar, and the number of runs (default 3)
     * @throws Exception when a tool fails
     */
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]).toAbsolutePath();
        String drPath = Path.of(args[1]).toAbsolutePath().toString();
        List<String> drCommand = drPath.endsWith(".jar") ? List.of("java", "-jar", drPath) : List.of(drPath);
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        boolean s3Only = Boolean.getBoolean("s3.only");
        String oneFile = System.getProperty("one.file", middleFile(data));
        byte[] oneFileBytes = Files.readAllBytes(data.resolve(oneFile));
        Path azuriteHome = s3Only ? null : azuriteHome();
        Path work = Files.createTempDirectory("s3-comparison-");
        Path restores = work;
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        List<Path> serverData = new ArrayList<>();
        try (S3ProxyServer server = S3ProxyServer.start();
                AzuriteServer azurite = s3Only ? null : AzuriteServer.start(azuriteHome)) {
            restores = Files.createTempDirectory(restoreRoot(work), "s3-comparison-restores-");
            serverData.add(server.directory());
            if (azurite != null) {
                serverData.addAll(List.of(azurite.directory(), azurite.log()));
            }
            String endpoint = server.endpoint().toString();
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
            env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
            if (azurite != null) {
                env.put("AZURE_STORAGE_CONNECTION_STRING", AzuriteServer.connectionString(azurite.port()));
            }
            env.put("RESTIC_PASSWORD", "bench-password");
            env.put("DR_PASSWORD", "bench-password");
            if (drCommand.size() == 1) {
                Path cache = Files.createDirectories(work.resolve("cache"));
                env.put("XDG_CACHE_HOME", cache.toString());
                train(env, work, drCommand, "s3://dr-train/repo?endpoint=" + endpoint
                        + "&region=us-east-1&pathStyle=true");
            }
            for (int run = 1; run <= runs; run++) {
                String restic = "s3:" + endpoint + "/restic-" + run;
                String drS3 = "s3://dr-" + run + "/repo?endpoint=" + endpoint + "&region=us-east-1&pathStyle=true";
                String drAzure = "azblob://dr-" + run + "/repo";
                String drFile = work.resolve("file-" + run).toString();
                boolean resticFirst = run % 2 == 1;
                for (int turn = 0; turn < 2; turn++) {
                    if ((turn == 0) == resticFirst) {
                        exec(env, work, "restic", "-r", restic, "init");
                        time(seconds, "restic s3 backup", env, work, "restic", "-r", restic, "backup", data.toString());
                        Path one = restores.resolve("restic-one-" + run);
                        time(seconds, "restic s3 restore one file", env, work, "restic", "-r", restic, "restore",
                                "latest", "--target", one.toString(), "--include", data.resolve(oneFile).toString());
                        requireSame(oneFileBytes, one.resolve(data.toString().substring(1)).resolve(oneFile));
                        if (!s3Only) {
                            time(seconds, "restic s3 restore", env, work, "restic", "-r", restic, "restore", "latest",
                                    "--target", restores.resolve("restic-out-" + run).toString());
                        }
                    } else {
                        Map<String, String> repos = new LinkedHashMap<>();
                        repos.put("s3", drS3);
                        if (!s3Only) {
                            repos.put("azurite", drAzure);
                            repos.put("file", drFile);
                        }
                        for (Map.Entry<String, String> repo : repos.entrySet()) {
                            String what = "dr " + repo.getKey();
                            exec(env, work, dr(drCommand, "init", "--repo", repo.getValue()));
                            time(seconds, what + " backup", env, work, dr(drCommand, "backup", "--repo",
                                    repo.getValue(), data.toString()));
                            if (repo.getKey().equals("s3")) {
                                Path one = restores.resolve("dr-one-" + run);
                                String source = data.getFileName().toString();
                                time(seconds, "dr s3 restore one file", env, work, dr(drCommand, "restore",
                                        "--repo", repo.getValue(), "latest", "--target", one.toString(), "--include",
                                        source + "/" + oneFile));
                                requireSame(oneFileBytes, one.resolve(source).resolve(oneFile));
                            }
                            if (!s3Only) {
                                time(seconds, what + " restore", env, work, dr(drCommand, "restore", "--repo",
                                        repo.getValue(), "latest", "--target",
                                        restores.resolve("dr-" + repo.getKey() + "-out-" + run).toString()));
                            }
                        }
                    }
                }
                for (String out : List.of("restic-out-", "dr-s3-out-", "dr-azurite-out-", "dr-file-out-", "restic-one-",
                        "dr-one-")) {
                    deleteTree(restores.resolve(out + run));
                }
                deleteTree(Path.of(drFile));
                System.out.println("run " + run + ": " + last(seconds));
            }
        } finally {
            deleteTree(work);
            deleteTree(restores);
            for (Path path : serverData) {
                deleteTree(path);
            }
        }
        double mib = sizeOf(data) / 1048576.0;
        System.out.printf("%n%.0f MiB; medians of %d runs%n| what | seconds | MiB/s |%n|---|---|---|%n", mib, runs);
        for (Map.Entry<String, List<Double>> e : seconds.entrySet()) {
            double m = median(e.getValue());
            System.out.printf("| %s | %.2f | %.0f |%n", e.getKey(), m, mib / m);
        }
        System.out.printf("%ndr/restic backup into S3Proxy: %.2fx faster%n",
                median(seconds.get("restic s3 backup")) / median(seconds.get("dr s3 backup")));
        if (!s3Only) {
            System.out.printf("dr/restic restore from S3Proxy: %.2fx faster%n",
                    median(seconds.get("restic s3 restore")) / median(seconds.get("dr s3 restore")));
        }
        System.out.printf("one file (%s, %d bytes) restored from S3Proxy: restic %.2f s, dr %.2f s, dr/restic time "
                + "%.2fx%n", oneFile, oneFileBytes.length, median(seconds.get("restic s3 restore one file")),
                median(seconds.get("dr s3 restore one file")), median(seconds.get("dr s3 restore one file"))
                / median(seconds.get("restic s3 restore one file")));
    }

    /** The launcher's first run of each command records its classes: one small round trip, untimed. */
    private static void train(Map<String, String> env, Path work, List<String> command, String repo)
            throws Exception {
        Path tree = Files.createDirectories(work.resolve("train/tree/d"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(tree.resolve("f-" + i + ".txt"), "training file " + i + "\n".repeat(i));
        }
        exec(env, work, dr(command, "init", "--repo", repo));
        exec(env, work, dr(command, "backup", "--repo", repo, work.resolve("train/tree").toString()));
        exec(env, work, dr(command, "restore", "--repo", repo, "latest", "--target",
                work.resolve("train/out").toString()));
        exec(env, work, dr(command, "restore", "--repo", repo, "latest", "--target",
                work.resolve("train/one").toString(), "--include", "tree/d/f-3.txt"));
        requireSame(Files.readAllBytes(tree.resolve("f-3.txt")), work.resolve("train/one/tree/d/f-3.txt"));
    }

    /**
     * Finds the directory whose package-lock.json pins Azurite: the {@code azurite.home}
     * property, else {@code dr-storage-azure/src/test/azurite} under the working directory or
     * under the checkout that holds this jar.
     */
    private static Path azuriteHome() throws Exception {
        String property = System.getProperty("azurite.home");
        List<Path> candidates = new ArrayList<>();
        if (property != null) {
            candidates.add(Path.of(property));
        } else {
            Path relative = Path.of("dr-storage-azure", "src", "test", "azurite");
            candidates.add(relative.toAbsolutePath());
            // This class is in CHECKOUT/dr-bench/target/benchmarks.jar or .../target/classes.
            Path jar = Path.of(S3Comparison.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            candidates.add(jar.resolve("../../..").normalize().resolve(relative));
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate.resolve("package-lock.json"))) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IllegalStateException("Azurite's package-lock.json is not in " + candidates + ". Run from the "
                + "root of the DR Kit checkout, or pass -Dazurite.home=DIR with DIR the checkout's "
                + "dr-storage-azure/src/test/azurite. Azurite is installed there with `npm ci` on first use "
                + "(Node.js 20 or later and npm); to install it by hand: (cd DIR && npm ci)");
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
