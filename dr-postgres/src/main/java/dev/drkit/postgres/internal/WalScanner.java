package dev.drkit.postgres.internal;

import dev.drkit.postgres.Lsn;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Reads WAL records from segment files and collects the timestamps of transaction ends
 * (commits and aborts, prepared or not), which are the records a {@code recovery_target_time}
 * is compared with. It follows PostgreSQL's page and record layout (8 KiB pages, 8-byte
 * aligned records that may cross pages, segment switches) and checks each transaction
 * record's CRC, so a record only partly streamed is not counted.
 */
public final class WalScanner {
    static final int PAGE = 8192;
    private static final int RECORD_HEADER = 24;
    private static final int SHORT_PAGE_HEADER = 24;
    private static final int LONG_PAGE_HEADER = 40;
    private static final int XLP_FIRST_IS_CONTRECORD = 0x0001;
    private static final int XLP_LONG_HEADER = 0x0002;
    private static final int RM_XLOG_ID = 0;
    private static final int RM_XACT_ID = 1;
    private static final int XLOG_SWITCH = 0x40;
    private static final int XACT_OPMASK = 0x70;
    private static final int MAX_BUFFERED_RECORD = 1 << 20;
    /** PostgreSQL's epoch, 2000-01-01T00:00:00Z, in Unix seconds. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;

    /**
     * What a scan found.
     *
     * @param transactionEnds the commit and abort timestamps, in WAL order
     * @param end the position after the last whole record
     */
    public record Result(List<Instant> transactionEnds, Lsn end) {
        /**
         * Returns the latest transaction end, if any.
         *
         * @return the time
         */
        public Optional<Instant> latest() {
            return transactionEnds.stream().max(Instant::compareTo);
        }
    }

    private WalScanner() {
    }

    /**
     * Scans WAL from a segment's start until it ends (a missing file, a page that is not the
     * expected one, or an empty record).
     *
     * @param segments the segment files
     * @param from a segment's first position
     * @return the transaction ends found
     * @throws IOException when a file cannot be read
     */
    public static Result scan(WalSegments segments, Lsn from) throws IOException {
        List<Instant> ends = new ArrayList<>();
        byte[] page = new byte[PAGE];
        long pageStart = from.value();
        long lastEnd = from.value();
        byte[] record = null;
        int recordFilled = 0;
        int recordRemaining = 0;
        int recordLength = 0;
        byte[] header = new byte[RECORD_HEADER];
        boolean firstPage = true;
        while (segments.readPage(new Lsn(pageStart), page)) {
            if (le64(page, 8) != pageStart || le16(page, 0) == 0) {
                break;
            }
            int info = le16(page, 2);
            int off = (info & XLP_LONG_HEADER) != 0 ? LONG_PAGE_HEADER : SHORT_PAGE_HEADER;
            if (recordRemaining > 0) {
                if ((info & XLP_FIRST_IS_CONTRECORD) == 0) {
                    break;
                }
            } else if (firstPage && (info & XLP_FIRST_IS_CONTRECORD) != 0) {
                recordRemaining = (int) le32(page, 16);
                record = null;
                recordLength = 0;
            }
            firstPage = false;
            boolean nextSegment = false;
            while (true) {
                if (recordRemaining > 0) {
                    int take = Math.min(recordRemaining, PAGE - off);
                    if (record != null) {
                        System.arraycopy(page, off, record, recordFilled, take);
                    } else if (recordFilled < RECORD_HEADER && recordLength > 0) {
                        int h = Math.min(take, RECORD_HEADER - recordFilled);
                        System.arraycopy(page, off, header, recordFilled, h);
                    }
                    recordFilled += take;
                    recordRemaining -= take;
                    off += take;
                    if (recordRemaining > 0) {
                        break;
                    }
                    if (recordLength > 0) {
                        lastEnd = pageStart + off;
                        byte[] whole = record != null ? record : header;
                        if (isSwitch(whole)) {
                            nextSegment = true;
                            break;
                        }
                        if (record != null) {
                            transactionEnd(record).ifPresent(ends::add);
                        }
                    }
                    record = null;
                }
                off = align8(off);
                if (off + 4 > PAGE) {
                    break;
                }
                long total = le32(page, off);
                if (total == 0) {
                    return new Result(ends, new Lsn(lastEnd));
                }
                if (total < RECORD_HEADER) {
                    return new Result(ends, new Lsn(lastEnd));
                }
                recordLength = (int) total;
                recordRemaining = recordLength;
                recordFilled = 0;
                boolean xact = off + 18 <= PAGE && (page[off + 17] & 0xff) == RM_XACT_ID;
                record = xact && recordLength <= MAX_BUFFERED_RECORD ? new byte[recordLength] : null;
            }
            if (nextSegment) {
                long size = segments.segmentSize();
                pageStart = pageStart - Long.remainderUnsigned(pageStart, size) + size;
                recordRemaining = 0;
                record = null;
                firstPage = true;
            } else {
                pageStart += PAGE;
            }
        }
        return new Result(ends, new Lsn(lastEnd));
    }

    private static boolean isSwitch(byte[] header) {
        return (header[17] & 0xff) == RM_XLOG_ID && (header[16] & 0xf0) == XLOG_SWITCH;
    }

    private static Optional<Instant> transactionEnd(byte[] r) {
        CRC32C crc = new CRC32C();
        crc.update(r, RECORD_HEADER, r.length - RECORD_HEADER);
        crc.update(r, 0, 20);
        if ((int) crc.getValue() != (int) le32(r, 20)) {
            return Optional.empty();
        }
        int op = r[16] & XACT_OPMASK;
        if (op != 0x00 && op != 0x20 && op != 0x30 && op != 0x40) {
            return Optional.empty();
        }
        int pos = RECORD_HEADER;
        long mainLength = -1;
        while (pos < r.length) {
            int id = r[pos] & 0xff;
            if (id == 255) {
                mainLength = r[pos + 1] & 0xff;
                break;
            } else if (id == 254) {
                mainLength = le32(r, pos + 1);
                break;
            } else if (id == 253) {
                pos += 1 + 2;
            } else if (id == 252) {
                pos += 1 + 4;
            } else {
                return Optional.empty();
            }
        }
        if (mainLength < 8 || mainLength > r.length) {
            return Optional.empty();
        }
        long micros = le64(r, (int) (r.length - mainLength));
        return Optional.of(Instant.ofEpochSecond(PG_EPOCH_SECONDS + Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1000L));
    }

    private static int align8(int off) {
        return (off + 7) & ~7;
    }

    private static int le16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static long le32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    private static long le64(byte[] b, int at) {
        return le32(b, at) | le32(b, at + 4) << 32;
    }
}
