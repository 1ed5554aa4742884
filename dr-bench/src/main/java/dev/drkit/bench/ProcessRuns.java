package dev.drkit.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the comparisons that time whole processes share: running, timing, checking, medians. */
final class ProcessRuns {
    private ProcessRuns() {
    }

    static String[] dr(List<String> command, String... args) {
        List<String> all = new ArrayList<>(command);
        all.addAll(Arrays.asList(args));
        return all.toArray(String[]::new);
    }

    /** The middle regular file of the data set in path order, relative to it. */
    static String middleFile(Path data) throws IOException {
        try (Stream<Path> walk = Files.walk(data)) {
            List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException("No file in " + data);
            }
            return data.relativize(files.get(files.size() / 2)).toString();
        }
    }

    static void requireSame(byte[] expected, Path restored) throws IOException {
        if (!Files.isRegularFile(restored) || !Arrays.equals(expected, Files.readAllBytes(restored))) {
            throw new IllegalStateException(restored + " is missing or differs from the original");
        }
    }

    /** Fails unless {@code diff -r --no-dereference} finds the restored tree the same as the original. */
    static void requireSameTree(Path original, Path restored, Path work) throws Exception {
        exec(Map.of("PATH", System.getenv("PATH")), work, "diff", "-r", "--no-dereference", original.toString(),
                restored.toString());
    }

    /** The {@code restore.dir} property, else {@code /dev/shm} when writable, else {@code work}. */
    static Path restoreRoot(Path work) {
        String property = System.getProperty("restore.dir");
        if (property != null) {
            return Path.of(property);
        }
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : work;
    }

    static void time(Map<String, List<Double>> seconds, String what, Map<String, String> env, Path work,
            String... command) throws Exception {
        long start = System.nanoTime();
        exec(env, work, command);
        seconds.computeIfAbsent(what, k -> new ArrayList<>()).add((System.nanoTime() - start) / 1e9);
    }

    static void exec(Map<String, String> env, Path work, String... command) throws Exception {
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

    static String last(Map<String, List<Double>> seconds) {
        StringBuilder sb = new StringBuilder();
        seconds.forEach((k, v) -> sb.append(k).append(' ').append(String.format("%.2f", v.get(v.size() - 1)))
                .append("s; "));
        return sb.toString();
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
