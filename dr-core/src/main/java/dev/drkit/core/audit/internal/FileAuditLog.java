package dev.drkit.core.audit.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.core.audit.AuditDigest;
import dev.drkit.core.audit.AuditDurability;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditLogConfig;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.audit.AuditVerification;
import dev.drkit.core.audit.AuditVerifier;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An audit log in one file of JSON lines, written through a {@link FileChannel}. */
final class FileAuditLog implements AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger(FileAuditLog.class);

    private final Path file;
    private final AuditLogConfig config;
    private final ChainState chain;
    /** Null when the log was opened to read: it appends nothing and takes no lock. */
    private final @Nullable FileChannel channel;
    private final @Nullable FileChannel lockChannel;
    private int sinceSync;
    private boolean closed;

    private FileAuditLog(Path file, AuditLogConfig config, @Nullable FileChannel channel,
            @Nullable FileChannel lockChannel, @Nullable AuditRecord last) {
        this.file = file;
        this.config = config;
        this.channel = channel;
        this.lockChannel = lockChannel;
        this.chain = new ChainState(config.hmacKey(), config.digestEvery());
        chain.resumeAfter(last);
    }

    /** What opening the file found at its end: the last whole record and any torn bytes cut off after it. */
    private record Tail(@Nullable AuditRecord last, long cutBytes, long cutAt) {
    }

    /**
     * Opens or creates a file log. The exclusive lock is taken on a sibling file
     * ({@code <name>.lock}), never on the log itself: an OS lock on a file is released when its
     * process closes any descriptor of that file, so a lock on the log would be lost as soon as
     * this process read it ({@link #records}, {@link #verify}, a console listing it), and a second
     * writer would interleave its lines with ours. Nobody opens the lock file but writers.
     *
     * @param file the file
     * @param config the configuration
     * @return the log
     */
    public static FileAuditLog open(Path file, AuditLogConfig config) {
        FileChannel lockChannel = null;
        FileChannel ch = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Path lockFile = lockFileOf(file);
            lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // another AuditLog of this process holds it
            }
            if (lock == null) {
                throw new DrException(ErrorCode.LOCKED, "audit log " + file + " is written by another process (or"
                        + " another AuditLog of this one), which holds its lock " + lockFile + ": one writer per file"
                        + " keeps the chain whole, so each instance needs its own file", file.toString());
            }
            // Appends land at the end of the file whatever its size was when we opened it.
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            Tail tail;
            try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ)) {
                tail = readLast(reader, file, config);
            }
            if (tail.cutBytes() > 0) {
                ch.truncate(tail.cutAt());
                ch.force(true);
            }
            FileAuditLog log = new FileAuditLog(file, config, ch, lockChannel, tail.last());
            if (tail.cutBytes() > 0) {
                log.recordRepair(tail);
            }
            return log;
        } catch (IOException e) {
            closeQuietly(ch);
            closeQuietly(lockChannel);
            throw new DrException(ErrorCode.IO_FAILURE, "cannot open audit log " + file + ": " + e.getMessage(),
                    file.toString(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            closeQuietly(lockChannel);
            throw e;
        }
    }

    /**
     * Opens a file log to read while its writer (another process, such as the service) keeps
     * it: no lock is taken and nothing is appended; {@link #record} and {@link #digest} are
     * refused. A missing file reads as an empty log.
     *
     * @param file the file
     * @param config the configuration, whose key verifies the records
     * @return the log
     * @throws DrException {@code IO_FAILURE} when the file cannot be read
     */
    public static FileAuditLog openToRead(Path file, AuditLogConfig config) {
        if (!Files.exists(file)) {
            return new FileAuditLog(file, config, null, null, null);
        }
        try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ)) {
            return new FileAuditLog(file, config, null, null, readLast(reader, file, config).last());
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "cannot read audit log " + file + ": " + e.getMessage(),
                    file.toString(), e);
        }
    }

    /** Returns the file whose lock a writer of {@code file} holds: {@code <name>.lock} beside it. */
    static Path lockFileOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".lock");
    }

    private static void closeQuietly(@Nullable FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing, or closing
            }
        }
    }

    /**
     * Writes the record that says a torn tail was cut off, so that the cut stays visible in
     * the chain (a verification of the file as it is now cannot see the bytes that are gone).
     */
    private void recordRepair(Tail tail) throws IOException {
        AuditRecord last = tail.last();
        Instant now = Instant.now();
        Instant time = last != null && last.time().isAfter(now) ? last.time() : now;
        synchronized (this) {
            write(chain.next(ChainState.repairEvent(time, tail.cutBytes(), tail.cutAt(), last)).line());
            channel.force(false);
        }
    }

    /**
     * Finds the last complete line and parses it, refusing a log whose last record was not
     * written with the configured key (or keylessness), and measures a torn line after it, which
     * the caller cuts off. A refused log is left as it was.
     */
    private static Tail readLast(FileChannel ch, Path file, AuditLogConfig config) throws IOException {
        long size = ch.size();
        if (size == 0) {
            return new Tail(null, 0, 0);
        }
        long end = findNewlineBefore(ch, size) + 1;
        AuditRecord last = null;
        if (end > 0) {
            long prevNewline = findNewlineBefore(ch, end - 1);
            int len = (int) (end - 1 - (prevNewline + 1));
            ByteBuffer buf = ByteBuffer.allocate(len);
            ch.read(buf, prevNewline + 1);
            String line = new String(buf.array(), StandardCharsets.UTF_8);
            AuditLines lines = new AuditLines(config.hmacKey());
            AuditLines.Parsed parsed;
            try {
                parsed = lines.parse(line);
            } catch (IllegalArgumentException e) {
                throw new DrException(ErrorCode.INTEGRITY, "the last record of audit log " + file
                        + " cannot be read (" + e.getMessage() + "); run 'dr audit verify' (AuditVerifier.verify)", file.toString(), e);
            }
            String mismatch = lines.keyMismatch(parsed, line);
            if (mismatch != null) {
                // Records appended under another key would break the chain where they start.
                throw new DrException(ErrorCode.INTEGRITY, "refusing to append to audit log " + file + ": "
                        + mismatch + "; nothing was appended", file.toString());
            }
            last = parsed.record();
        }
        long cutBytes = size - end;
        if (cutBytes > 0) {
            LOG.warn("audit log {} ends in a torn record ({} bytes at offset {}); cutting it off and recording an {}"
                    + " record", file, cutBytes, end, AuditRecord.REPAIR_ACTION);
        }
        return new Tail(last, cutBytes, end);
    }

    /** Returns the offset of the last newline before {@code end}, or -1. */
    private static long findNewlineBefore(FileChannel ch, long end) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        long pos = end;
        while (pos > 0) {
            int n = (int) Math.min(buf.capacity(), pos);
            buf.clear().limit(n);
            ch.read(buf, pos - n);
            for (int i = n - 1; i >= 0; i--) {
                if (buf.get(i) == '\n') {
                    return pos - n + i;
                }
            }
            pos -= n;
        }
        return -1;
    }

    @Override
    public synchronized AuditRecord record(AuditEvent event) {
        ensureOpen();
        ensureWriter();
        AuditLines.Encoded enc = chain.next(event);
        write(enc.line());
        if (chain.digestDue()) {
            writeDigest(event.time());
        }
        return enc.record();
    }

    private AuditRecord writeDigest(Instant time) {
        AuditLines.Encoded d = chain.next(chain.digestEvent(time));
        write(d.line());
        chain.published(d.record());
        return d.record();
    }

    private void ensureWriter() {
        if (channel == null) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "audit log " + file + " was opened to read: it appends "
                    + "nothing while its writer keeps it", file.toString());
        }
    }

    private void write(String line) {
        FileChannel channel = this.channel;
        if (channel == null) {
            throw new IllegalStateException("opened to read");
        }
        ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            if (config.durability() == AuditDurability.FSYNC_EACH) {
                channel.force(false);
            } else if (++sinceSync >= config.fsyncEvery()) {
                channel.force(false);
                sinceSync = 0;
            }
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "cannot append to audit log " + file + ": " + e.getMessage(),
                    file.toString(), e);
        }
    }

    @Override
    public synchronized AuditDigest digest() {
        ensureOpen();
        ensureWriter();
        return writeDigest(Instant.now()).digest();
    }

    @Override
    public void onDigest(Consumer<AuditDigest> listener) {
        chain.digestListeners.add(listener);
    }

    @Override
    public synchronized Optional<AuditDigest> head() {
        return chain.seq == 0 ? Optional.empty() : Optional.of(new AuditDigest(chain.seq, chain.head));
    }

    @Override
    public List<AuditRecord> records(AuditFilter filter) {
        flush();
        if (channel == null && !Files.exists(file)) {
            return List.of(); // opened to read before its writer created it
        }
        return AuditVerifier.read(file, filter);
    }

    @Override
    public AuditVerification verify() {
        flush();
        return AuditVerifier.verify(file, config.hmacKey(), null);
    }

    @Override
    public synchronized void flush() {
        FileChannel channel = this.channel;
        if (closed || channel == null) {
            return;
        }
        try {
            channel.force(false);
            sinceSync = 0;
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "cannot flush audit log " + file + ": " + e.getMessage(),
                    file.toString(), e);
        }
    }

    @Override
    public synchronized void close() {
        FileChannel channel = this.channel;
        if (closed || channel == null) {
            closed = true;
            return;
        }
        try {
            if (chain.sinceDigest > 0) {
                writeDigest(lastTime());
            }
            channel.force(false);
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "cannot close audit log " + file + ": " + e.getMessage(),
                    file.toString(), e);
        } finally {
            closed = true;
            closeQuietly(channel);
            closeQuietly(lockChannel); // releases the lock: the next writer may open the file
        }
    }

    private Instant lastTime() {
        return chain.lastTime == null ? Instant.now() : chain.lastTime;
    }

    private void ensureOpen() {
        if (closed) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "audit log " + file + " is closed", file.toString());
        }
    }

    @Override
    public String toString() {
        return "FileAuditLog[" + file + "]";
    }
}
