package dev.drkit.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Writes the mixed data set of the backup benchmarks, reproducibly from a seed: a few large
 * files, incompressible random files, text, many small files, a deep tree of small files and
 * duplicates; and changes about one percent of its files for the incremental run.
 *
 * <pre>
 * java -cp dr-bench/target/benchmarks.jar dev.drkit.bench.DatasetGenerator generate DIR [MiB] [seed]
 * java -cp dr-bench/target/benchmarks.jar dev.drkit.bench.DatasetGenerator mutate DIR [percent] [seed]
 * </pre>
 */
public final class DatasetGenerator {
    private static final String[] WORDS = ("the of and to in is that for it as was with be by on not he this are or his "
            + "from at which but have an they you were her she there been one all we their has would when if so no "
            + "backup restore snapshot chunk repository recovery rollback guard release pack index verify order "
            + "customer invoice amount currency status shipped pending cancelled warehouse quantity price total")
            .split(" ");
    private static final int MIB = 1024 * 1024;

    private DatasetGenerator() {
    }

    /**
     * Runs the generator.
     *
     * @param args {@code generate DIR [MiB] [seed]} or {@code mutate DIR [percent] [seed]}
     * @throws IOException when the files cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: DatasetGenerator generate DIR [MiB] [seed] | mutate DIR [percent] [seed]");
            System.exit(2);
        }
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "generate" -> generate(dir, args.length > 2 ? Integer.parseInt(args[2]) : 500,
                    args.length > 3 ? Long.parseLong(args[3]) : 1L);
            case "mutate" -> mutate(dir, args.length > 2 ? Double.parseDouble(args[2]) : 1.0,
                    args.length > 3 ? Long.parseLong(args[3]) : 2L);
            default -> {
                System.err.println("unknown command " + args[0]);
                System.exit(2);
            }
        }
    }

    static void generate(Path dir, int totalMib, long seed) throws IOException {
        Random random = new Random(seed);
        double scale = totalMib / 500.0;
        Files.createDirectories(dir);
        // About 200 MiB in a few large files: random, text and half-compressible.
        writeRandom(dir.resolve("large/video.bin"), (int) (96 * MIB * scale), random);
        writeText(dir.resolve("large/events.log"), (int) (64 * MIB * scale), random);
        writeMixed(dir.resolve("large/db.img"), (int) (40 * MIB * scale), random);
        // About 120 MiB of incompressible medium files.
        List<Path> medium = new ArrayList<>();
        for (int i = 0; i < (int) (200 * scale); i++) {
            Path p = dir.resolve(String.format("random/r%02d/file-%04d.bin", i % 10, i));
            writeRandom(p, 256 * 1024 + random.nextInt(768 * 1024), random);
            medium.add(p);
        }
        // About 70 MiB of text.
        for (int i = 0; i < (int) (2000 * scale); i++) {
            Path p = dir.resolve(String.format("text/t%02d/doc-%05d.txt", i % 20, i));
            writeText(p, 4 * 1024 + random.nextInt(60 * 1024), random);
            medium.add(p);
        }
        // About 65 MiB in 16,000 small files in 200 directories, some empty, some Unicode-named.
        for (int i = 0; i < (int) (16_000 * scale); i++) {
            String name = i % 997 == 0 ? String.format("small/s%03d/tiny-ünïcødé-%05d.dat", i % 200, i)
                    : String.format("small/s%03d/f-%05d.dat", i % 200, i);
            Path p = dir.resolve(name);
            int size = i % 503 == 0 ? 0 : 100 + random.nextInt(8 * 1024);
            if (i % 2 == 0) {
                writeRandom(p, size, random);
            } else {
                writeText(p, size, random);
            }
        }
        // About 45 MiB in 8,000 files of a deep tree, as in source trees and package caches.
        writeDeepTree(dir.resolve("tree"), (int) (8_000 * scale), random);
        // About 30 MiB of exact duplicates.
        for (int i = 0; i < medium.size() / 10; i++) {
            Path from = medium.get(random.nextInt(medium.size()));
            Path to = dir.resolve(String.format("dup/copy-%04d-%s", i, from.getFileName()));
            Files.createDirectories(to.getParent());
            Files.copy(from, to);
        }
    }

    /**
     * Writes {@code count} files into a tree of directories up to nine levels deep: sizes
     * log-normal around 2 KiB (nine in ten under 16 KiB, a few up to 2 MiB), mostly text, a
     * quarter random; one file in ten executable, one in fifty private; and one relative
     * symbolic link per hundred files, to a file of the same directory.
     */
    static void writeDeepTree(Path root, int count, Random random) throws IOException {
        List<Path> dirs = new ArrayList<>();
        addDirs(root, 0, dirs, random, Math.max(1, count / 10));
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path parent = dirs.get(random.nextInt(dirs.size()));
            String ext = switch (i % 4) {
                case 0 -> ".java";
                case 1 -> ".json";
                case 2 -> ".class";
                default -> ".md";
            };
            Path p = parent.resolve(String.format("n%05d%s", i, ext));
            int size = (int) Math.min(2 * MIB, Math.exp(7.5 + 1.5 * random.nextGaussian()));
            if (i % 4 == 2) {
                writeRandom(p, size, random);
            } else {
                writeText(p, size, random);
            }
            if (i % 10 == 3) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            } else if (i % 50 == 7) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
            }
            written.add(p);
            if (i % 100 == 99) {
                Path to = written.get(random.nextInt(written.size()));
                Path link = to.resolveSibling("link-" + i);
                Files.createSymbolicLink(link, to.getFileName());
            }
        }
    }

    private static void addDirs(Path dir, int depth, List<Path> out, Random random, int max) throws IOException {
        Files.createDirectories(dir);
        out.add(dir);
        int fanout = depth < 2 ? 6 : depth < 9 ? random.nextInt(4) : 0;
        for (int i = 0; i < fanout && out.size() < max; i++) {
            addDirs(dir.resolve(String.format("d%d-%d", depth, i)), depth + 1, out, random, max);
        }
    }

    static void mutate(Path dir, double percent, long seed) throws IOException {
        Random random = new Random(seed);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        int changes = Math.max(1, (int) Math.round(files.size() * percent / 100.0));
        for (int i = 0; i < changes; i++) {
            Path p = files.get(random.nextInt(files.size()));
            byte[] data = Files.readAllBytes(p);
            switch (i % 3) {
                case 0 -> { // overwrite a 4 KiB region in the middle
                    int at = data.length / 2;
                    for (int j = at; j < Math.min(data.length, at + 4096); j++) {
                        data[j] = (byte) random.nextInt();
                    }
                    Files.write(p, data);
                }
                case 1 -> { // append 1 KiB
                    byte[] more = new byte[1024];
                    random.nextBytes(more);
                    Files.write(p, more, StandardOpenOption.APPEND);
                }
                default -> writeText(p, Math.max(100, data.length), random);
            }
        }
        writeText(dir.resolve("new/added-after-mutation.txt"), 64 * 1024, random);
    }

    private static void writeRandom(Path p, int size, Random random) throws IOException {
        Files.createDirectories(p.getParent());
        byte[] buf = new byte[Math.min(size, MIB)];
        try (OutputStream out = Files.newOutputStream(p)) {
            for (int left = size; left > 0; left -= buf.length) {
                random.nextBytes(buf);
                out.write(buf, 0, Math.min(left, buf.length));
            }
        }
    }

    private static void writeText(Path p, int size, Random random) throws IOException {
        Files.createDirectories(p.getParent());
        StringBuilder sb = new StringBuilder(Math.min(size, MIB) + 64);
        try (OutputStream out = Files.newOutputStream(p)) {
            int written = 0;
            while (written < size) {
                sb.setLength(0);
                while (sb.length() < Math.min(size - written, MIB)) {
                    sb.append(random.nextInt(100_000)).append(' ');
                    for (int w = 0; w < 12; w++) {
                        sb.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
                    }
                    sb.append('\n');
                }
                byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
                int n = Math.min(bytes.length, size - written);
                out.write(bytes, 0, n);
                written += n;
            }
        }
    }

    private static void writeMixed(Path p, int size, Random random) throws IOException {
        Files.createDirectories(p.getParent());
        byte[] page = new byte[8192];
        try (OutputStream out = Files.newOutputStream(p)) {
            for (int left = size; left > 0; left -= page.length) {
                if (random.nextBoolean()) {
                    random.nextBytes(page);
                } else {
                    Arrays.fill(page, (byte) random.nextInt(4));
                }
                out.write(page, 0, Math.min(left, page.length));
            }
        }
    }
}
