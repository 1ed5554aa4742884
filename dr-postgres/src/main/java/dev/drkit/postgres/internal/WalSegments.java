package dev.drkit.postgres.internal;

import dev.drkit.postgres.Lsn;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Names WAL segment files and writes streamed bytes into them, as {@code pg_wal} holds them. */
public final class WalSegments {
    private final Path directory;
    private final int timeline;
    private final long segmentSize;

    /**
     * Returns the segments of a timeline in a directory.
     *
     * @param directory such as a data directory's {@code pg_wal}
     * @param timeline the timeline
     * @param segmentSize the segment size
     */
    public WalSegments(Path directory, int timeline, long segmentSize) {
        this.directory = directory;
        this.timeline = timeline;
        this.segmentSize = segmentSize;
    }

    /**
     * Returns the file name of the segment that holds a position: {@code 000000010000000000000003}.
     *
     * @param lsn the position
     * @return the name
     */
    public String fileName(Lsn lsn) {
        long segment = Long.divideUnsigned(lsn.value(), segmentSize);
        long perId = 0x1_0000_0000L / segmentSize;
        return String.format(Locale.ROOT, "%08X%08X%08X", timeline, segment / perId, segment % perId);
    }

    /**
     * Returns the file of the segment that holds a position.
     *
     * @param lsn the position
     * @return the path
     */
    public Path file(Lsn lsn) {
        return directory.resolve(fileName(lsn));
    }

    /**
     * Writes bytes that begin at {@code start} into the segments they belong to.
     *
     * @param start the position of the first byte
     * @param bytes the bytes
     * @throws IOException when a file cannot be written
     */
    public void write(Lsn start, byte[] bytes) throws IOException {
        int done = 0;
        while (done < bytes.length) {
            Lsn at = start.plus(done);
            long offset = Long.remainderUnsigned(at.value(), segmentSize);
            int n = (int) Math.min(bytes.length - done, segmentSize - offset);
            try (RandomAccessFile f = new RandomAccessFile(file(at).toFile(), "rw")) {
                f.seek(offset);
                f.write(bytes, done, n);
            }
            done += n;
        }
    }

    /**
     * Pads every segment file to the full segment size with zeros, as PostgreSQL expects.
     *
     * @throws IOException when a file cannot be extended
     */
    public void padAll() throws IOException {
        try (var files = Files.list(directory)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().matches("[0-9A-F]{24}") && Files.size(p) < segmentSize) {
                    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                        f.setLength(segmentSize);
                    }
                }
            }
        }
    }

    /**
     * Reads one page of WAL.
     *
     * @param pageStart the page's first position
     * @param page where the page goes
     * @return whether the page's segment file exists
     * @throws IOException when the file cannot be read
     */
    boolean readPage(Lsn pageStart, byte[] page) throws IOException {
        Path p = file(pageStart);
        if (!Files.exists(p)) {
            return false;
        }
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
            f.seek(Long.remainderUnsigned(pageStart.value(), segmentSize));
            f.readFully(page);
        }
        return true;
    }

    long segmentSize() {
        return segmentSize;
    }
}
