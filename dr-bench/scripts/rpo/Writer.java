import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Changes files at a fixed rate and logs when each change returned: {@code <seq> <epoch ms> <file>}.
 * Each change rewrites one of 500 files with 4 KiB whose first line is {@code seq <n>}.
 * Usage: java Writer.java DIR RATE_PER_SECOND SECONDS LOG
 */
public final class Writer {
    public static void main(String[] args) throws IOException, InterruptedException {
        Path dir = Path.of(args[0]);
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        Files.createDirectories(dir);
        long periodNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(Path.of(args[3])), true)) {
            for (long i = 0; i < (long) rate * seconds; i++) {
                long wait = start + i * periodNanos - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                String name = "f" + (i % 500);
                byte[] content = new byte[4096];
                Arrays.fill(content, (byte) 'x');
                byte[] head = ("seq " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(head, 0, content, 0, head.length);
                Files.write(dir.resolve(name), content);
                log.println(i + " " + System.currentTimeMillis() + " " + name);
            }
        }
    }
}
