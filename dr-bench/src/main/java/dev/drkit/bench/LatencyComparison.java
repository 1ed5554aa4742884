package dev.drkit.bench;

import static dev.drkit.bench.ProcessRuns.deleteTree;
import static dev.drkit.bench.ProcessRuns.dr;
import static dev.drkit.bench.ProcessRuns.exec;
import static dev.drkit.bench.ProcessRuns.last;
import static dev.drkit.bench.ProcessRuns.median;
import static dev.drkit.bench.ProcessRuns.middleFile;
import static dev.drkit.bench.ProcessRuns.requireSame;
import static dev.drkit.bench.ProcessRuns.requireSameTree;
import static dev.drkit.bench.ProcessRuns.restoreRoot;
import static dev.drkit.bench.ProcessRuns.time;

import dev.drkit.storage.s3.S3ProxyServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restores from S3 as far away as a cloud region: S3Proxy on loopback behind a {@link LatencyProxy}
 * that adds a round trip of {@code latency.ms} (default 40) to every exchange. One data set is
 * backed up once by restic and once by dr straight into S3Proxy; then, alternating which goes
 * first, each tool restores the whole snapshot (into tmpfs), one file of it ({@code --include}),
 * lists the snapshots and backs the unchanged set up again through the proxy (a backup's
 * requests with no data to send: the open, the lock, the index file, the manifest and the
 * history's commit). Every restore is compared with the original ({@code diff -r} for whole
 * restores). Prints the median wall time of whole processes.
 *
 * <pre>
 * java [-Dlatency.ms=40] [-Drestore.dir=DIR] [-Done.file=PATH]
 *     -cp dr-bench/target/benchmarks.jar dev.drkit.bench.LatencyComparison DATA_DIR RUNS LABEL=DR...
 * </pre>
 *
 * <p>Each {@code LABEL=DR} is a form of dr to time: a launcher ({@code ./dr} of a checkout, or
 * a copy of it beside another build's {@code dr-cli/target/dr.jar}), each with a cache of its
 * own, warmed by one untimed restore and one untimed backup before the timed runs.
 */
public final class LatencyComparison {
    private LatencyComparison() {
    }

    /**
     * Runs the comparison.
     *
     * @param args the data directory, the number of runs, and one or more {@code LABEL=DR}
     * @throws Exception when a tool fails
     */
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]).toAbsolutePath();
        int runs = Integer.parseInt(args[1]);
        Map<String, List<String>> forms = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            String[] labelled = args[i].split("=", 2);
            String path = Path.of(labelled[1]).toAbsolutePath().toString();
            forms.put(labelled[0], path.endsWith(".jar") ? List.of("java", "-jar", path) : List.of(path));
        }
        long roundTripMs = Long.getLong("latency.ms", 40);
        String oneFile = System.getProperty("one.file", middleFile(data));
        byte[] oneFileBytes = Files.readAllBytes(data.resolve(oneFile));
        Path work = Files.createTempDirectory("latency-comparison-");
        Path restores = Files.createTempDirectory(restoreRoot(work), "latency-comparison-restores-");
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        try (S3ProxyServer server = S3ProxyServer.start();
                LatencyProxy proxy = LatencyProxy.start(new InetSocketAddress("127.0.0.1",
                        URI.create(server.endpoint().toString()).getPort()), Duration.ofMillis(roundTripMs).dividedBy(2))) {
            String direct = server.endpoint().toString();
            String far = "http://127.0.0.1:" + proxy.port();
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
            env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
            env.put("RESTIC_PASSWORD", "bench-password");
            env.put("DR_PASSWORD", "bench-password");
            env.put("XDG_CACHE_HOME", Files.createDirectories(work.resolve("restic-cache")).toString());
            String drRepo = "s3://dr-far/repo?endpoint=%s&region=us-east-1&pathStyle=true";
            List<String> firstDr = forms.values().iterator().next();
            exec(env, work, dr(firstDr, "init", "--repo", drRepo.formatted(direct)));
            exec(env, work, dr(firstDr, "backup", "--repo", drRepo.formatted(direct), data.toString()));
            exec(env, work, "restic", "-r", "s3:" + direct + "/restic", "init");
            exec(env, work, "restic", "-r", "s3:" + direct + "/restic", "backup", data.toString());
            Map<String, Map<String, String>> formEnv = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> form : forms.entrySet()) {
                Map<String, String> own = new HashMap<>(env);
                own.put("XDG_CACHE_HOME", Files.createDirectories(work.resolve("cache-" + form.getKey())).toString());
                formEnv.put(form.getKey(), own);
                exec(own, work, dr(form.getValue(), "restore", "--repo", drRepo.formatted(far), "latest", "--target",
                        restores.resolve("warm-" + form.getKey()).toString()));
                deleteTree(restores.resolve("warm-" + form.getKey()));
                // its own files cache, so that its timed backups find every file unchanged
                exec(own, work, dr(form.getValue(), "backup", "--repo", drRepo.formatted(far), data.toString()));
            }
            List<String> tools = new ArrayList<>();
            tools.add("restic");
            tools.addAll(forms.keySet());
            for (int run = 1; run <= runs; run++) {
                for (int turn = 0; turn < tools.size(); turn++) {
                    String tool = tools.get((turn + run) % tools.size());
                    Path out = restores.resolve(tool + "-" + run);
                    Path one = restores.resolve(tool + "-one-" + run);
                    if (tool.equals("restic")) {
                        String repo = "s3:" + far + "/restic";
                        time(seconds, "restic restore", env, work, "restic", "-r", repo, "restore", "latest",
                                "--target", out.toString());
                        requireSameTree(data, out.resolve(data.toString().substring(1)), work);
                        time(seconds, "restic restore one file", env, work, "restic", "-r", repo, "restore", "latest",
                                "--target", one.toString(), "--include", data.resolve(oneFile).toString());
                        requireSame(oneFileBytes, one.resolve(data.resolve(oneFile).toString().substring(1)));
                        time(seconds, "restic snapshots", env, work, "restic", "-r", repo, "snapshots");
                        time(seconds, "restic backup unchanged", env, work, "restic", "-r", repo, "backup",
                                data.toString());
                    } else {
                        List<String> command = forms.get(tool);
                        Map<String, String> own = formEnv.get(tool);
                        String repo = drRepo.formatted(far);
                        time(seconds, tool + " restore", own, work, dr(command, "restore", "--repo", repo, "latest",
                                "--target", out.toString()));
                        requireSameTree(data, out.resolve(data.getFileName().toString()), work);
                        time(seconds, tool + " restore one file", own, work, dr(command, "restore", "--repo", repo,
                                "latest", "--target", one.toString(), "--include",
                                data.getFileName() + "/" + oneFile));
                        requireSame(oneFileBytes, one.resolve(data.getFileName().toString()).resolve(oneFile));
                        time(seconds, tool + " snapshots", own, work, dr(command, "snapshots", "--repo", repo));
                        time(seconds, tool + " backup unchanged", own, work, dr(command, "backup", "--repo", repo,
                                data.toString()));
                    }
                    deleteTree(out);
                    deleteTree(one);
                }
                System.out.println("run " + run + ": " + last(seconds));
            }
        } finally {
            deleteTree(restores);
            deleteTree(work);
        }
        System.out.printf("%nround trip added: %d ms; one file: %s (%d bytes)%n", roundTripMs, oneFile,
                oneFileBytes.length);
        System.out.println("| what | runs, seconds | median |");
        System.out.println("|---|---|---|");
        seconds.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> System.out.printf(
                "| %s | %s | %.2f |%n", e.getKey(), String.join(", ", e.getValue().stream()
                        .map(v -> String.format("%.2f", v)).toList()), median(e.getValue())));
    }
}
