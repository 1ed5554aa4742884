package dev.drkit.bench;

import dev.drkit.storage.s3.S3ProxyServer;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Restores from S3 as far away as a cloud region: S3Proxy on loopback behind a {@link LatencyProxy}
 * that adds a round trip of {@code latency.ms} (default 40) to every exchange. One data set is
 * backed up once by restic and once by dr straight into S3Proxy; then, alternating which goes
 * first, each tool restores the whole snapshot (into tmpfs), one file of it ({@code --include})
 * and lists the snapshots through the proxy. Every restore is compared with the original
 * ({@code diff -r} for whole restores). Prints the median wall time of whole processes.
 *
 * <pre>
 * java [-Dlatency.ms=40] [-Drestore.dir=DIR] [-Done.file=PATH]
 *     -cp dr-bench/target/benchmarks.jar dev.drkit.bench.LatencyComparison DATA_DIR RUNS LABEL=DR...
 * </pre>
 *
 * <p>Each {@code LABEL=DR} is a form of dr to time: a launcher ({@code ./dr} of a checkout, or
 * a copy of it beside another build's {@code dr-cli/target/dr.jar}), each with a cache of its
 * own, warmed by one untimed restore before the timed runs.
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

    private static String[] dr(List<String> command, String... args) {
        List<String> all = new ArrayList<>(command);
        all.addAll(Arrays.asList(args));
        return all.toArray(String[]::new);
    }

    private static String middleFile(Path data) throws IOException {
        try (Stream<Path> walk = Files.walk(data)) {
            List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException("No file in " + data);
            }
            return data.relativize(files.get(files.size() / 2)).toString();
        }
    }

    private static void requireSame(byte[] expected, Path restored) throws IOException {
        if (!Files.isRegularFile(restored) || !Arrays.equals(expected, Files.readAllBytes(restored))) {
            throw new IllegalStateException(restored + " is missing or differs from the original");
        }
    }

    /** Fails unless {@code diff -r --no-dereference} finds the restored tree the same as the original. */
    private static void requireSameTree(Path original, Path restored, Path work) throws Exception {
        exec(Map.of("PATH", System.getenv("PATH")), work, "diff", "-r", "--no-dereference", original.toString(),
                restored.toString());
    }

    /** The {@code restore.dir} property, else {@code /dev/shm} when writable, else {@code work}. */
    private static Path restoreRoot(Path work) {
        String property = System.getProperty("restore.dir");
        if (property != null) {
            return Path.of(property);
        }
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : work;
    }

    private static void time(Map<String, List<Double>> seconds, String what, Map<String, String> env, Path work,
            String... command) throws Exception {
        long start = System.nanoTime();
        exec(env, work, command);
        seconds.computeIfAbsent(what, k -> new ArrayList<>()).add((System.nanoTime() - start) / 1e9);
    }

    private static void exec(Map<String, String> env, Path work, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("last.log").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n"
                    + Files.readString(work.resolve("last.log")));
        }
    }

    private static String last(Map<String, List<Double>> seconds) {
        StringBuilder sb = new StringBuilder();
        seconds.forEach((k, v) -> sb.append(k).append(' ').append(String.format("%.2f", v.get(v.size() - 1)))
                .append("s; "));
        return sb.toString();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
