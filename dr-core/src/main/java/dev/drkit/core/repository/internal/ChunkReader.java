package dev.drkit.core.repository.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a stream into content-defined chunks with a reused buffer, so that memory does not
 * grow with the stream's length. Not thread-safe; reuse one per thread with {@link #reset}.
 */
final class ChunkReader {
    private final FastCdc cdc;
    private byte[] buf;
    private InputStream in = InputStream.nullInputStream();
    private int start;
    private int end;
    private boolean eof = true;
    private long bytesRead;
    private int pending = -1;

    /**
     * Creates a reader.
     *
     * @param cdc the chunker
     */
    public ChunkReader(FastCdc cdc) {
        this.cdc = cdc;
        this.buf = new byte[Math.min(1 << 20, cdc.maxSize() * 2)];
    }

    /**
     * Starts reading another stream; the caller closes it.
     *
     * @param stream the stream
     */
    public void reset(InputStream stream) {
        this.in = stream;
        this.start = 0;
        this.end = 0;
        this.eof = false;
        this.bytesRead = 0;
        this.pending = -1;
    }

    /**
     * Returns how many bytes were read from the current stream.
     *
     * @return the count
     */
    public long bytesRead() {
        return bytesRead;
    }

    /**
     * Returns the next chunk as a fresh array, or {@code null} at the end of the stream.
     *
     * @return the chunk's bytes, or {@code null}
     * @throws IOException when the stream fails
     */
    public byte[] next() throws IOException {
        int length = nextLength();
        if (length < 0) {
            return null;
        }
        byte[] chunk = new byte[length];
        take(chunk, 0);
        return chunk;
    }

    /**
     * Finds the next chunk without taking it, for callers that copy chunks into arrays of their
     * own with {@link #take}.
     *
     * @return the next chunk's length, or -1 at the end of the stream
     * @throws IOException when the stream fails
     */
    public int nextLength() throws IOException {
        if (pending >= 0) {
            return pending;
        }
        if (end - start < cdc.maxSize() && !eof) {
            fill();
        }
        int available = end - start;
        pending = available == 0 ? -1 : cdc.cut(buf, start, available);
        return pending;
    }

    /**
     * Copies the chunk found by {@link #nextLength} into {@code dst} and moves past it.
     *
     * @param dst the array to copy into
     * @param offset where in {@code dst} the chunk goes
     */
    public void take(byte[] dst, int offset) {
        if (pending < 0) {
            throw new IllegalStateException("no chunk found");
        }
        System.arraycopy(buf, start, dst, offset, pending);
        start += pending;
        pending = -1;
    }

    private void fill() throws IOException {
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        while (true) {
            while (end < buf.length) {
                // Bounded reads: see RestoreRun.IO_SLICE.
                int n = in.read(buf, end, Math.min(buf.length - end, RestoreRun.IO_SLICE));
                if (n < 0) {
                    eof = true;
                    return;
                }
                end += n;
                bytesRead += n;
            }
            // The buffer is full. A cut needs up to the largest chunk ahead: the buffer starts
            // small, so that many small files cost little, and grows until it holds that much.
            // (Twice that would copy less when refilling; measured, it was no faster and cost
            // about 30 MB more at peak, with two readers.)
            if (end - start >= cdc.maxSize()) {
                return;
            }
            buf = Arrays.copyOf(buf, Math.min(buf.length * 2, cdc.maxSize() * 2));
        }
    }
}
