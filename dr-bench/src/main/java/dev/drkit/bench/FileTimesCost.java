package dev.drkit.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a restore pays per file to give it its times. Java 17 sets a file's times through an
 * open file: {@code BasicFileAttributeView.setTimes} opens the file again (read only), calls
 * {@code futimens} and closes it, where one {@code utimensat} by path would do. This times, in
 * CPU of the process, writing files as a restore does (create, write, close) with and without
 * then setting their times, alternating, in directories of 100 files.
 *
 * <pre>
 * java -cp dr-bench/target/benchmarks.jar dev.drkit.bench.FileTimesCost DIR FILES ROUNDS
 * </pre>
 *
 * <p>Prints the median CPU microseconds per file of each form and their difference, which is
 * what the second open costs with the {@code futimens}.
 */
public final class FileTimesCost {
    private FileTimesCost() {
    }

    /**
     * Runs the comparison.
     *
     * @param args the directory to write in (emptied first), the files per round, the rounds
     * @throws IOException when a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        int files = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        FileTime time = FileTime.from(Instant.parse("2024-03-01T10:00:00.123456789Z"));
        byte[] data = new byte[4096];
        List<Double> plain = new ArrayList<>();
        List<Double> timed = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (boolean setTimes : new boolean[] {round % 2 == 0, round % 2 != 0}) {
                Path dir = root.resolve("round-" + round + (setTimes ? "-timed" : "-plain"));
                for (int d = 0; d < (files + 99) / 100; d++) {
                    Files.createDirectories(dir.resolve("d" + d));
                }
                long cpu = os.getProcessCpuTime();
                for (int i = 0; i < files; i++) {
                    Path file = dir.resolve("d" + i / 100).resolve("f" + i);
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE)) {
                        ch.write(ByteBuffer.wrap(data));
                    }
                    if (setTimes) {
                        Files.getFileAttributeView(file, BasicFileAttributeView.class).setTimes(time, time, null);
                    }
                }
                double perFile = (os.getProcessCpuTime() - cpu) / 1e3 / files;
                (setTimes ? timed : plain).add(perFile);
                ProcessRuns.deleteTree(dir);
            }
        }
        double without = ProcessRuns.median(plain);
        double with = ProcessRuns.median(timed);
        System.out.printf("%d files a round, %d rounds: CPU per file %.2f us without times, %.2f us with "
                + "(setTimes: %.2f us, %.0f ms per 100,000 files)%n", files, rounds, without, with, with - without,
                (with - without) * 100_000 / 1e3);
    }
}
