package dev.drkit.core.audit.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoreKeys;
import dev.drkit.core.audit.AuditDigest;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditLogConfig;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.audit.AuditVerification;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * An audit log kept as immutable segment objects in a {@link SnapshotStore}, each created once
 * with a conditional create named by its first sequence number. Writers that take turns (the
 * holders of a writer lease one after another) share one chain: a segment whose key another
 * writer took meanwhile is renumbered after that writer's last record and written again, so
 * the chain never forks and no record is lost or written twice.
 */
final class StoreAuditLog implements AuditLog {
    private static final String SUFFIX = ".jsonl";
    /** How many times a segment is renumbered after another writer's before the append fails. */
    static final int MAX_RENUMBERINGS = 16;

    private final SnapshotStore store;
    private final String prefix;
    private final AuditLogConfig config;
    private final ChainState chain;
    /** The records not yet written, digests included, with their events to renumber them after a conflict. */
    private final List<Pending> pendingEvents = new ArrayList<>();
    private long pendingFirstSeq;
    private boolean closed;

    private StoreAuditLog(SnapshotStore store, String prefix, AuditLogConfig config) {
        this.store = store;
        this.prefix = prefix;
        this.config = config;
        this.chain = new ChainState(config.hmacKey(), config.digestEvery());
    }

    /**
     * Opens a store log, continuing after its last segment.
     *
     * @param store the store
     * @param prefix the key prefix
     * @param config the configuration
     * @return the log
     */
    public static StoreAuditLog open(SnapshotStore store, String prefix, AuditLogConfig config) {
        String p = normalize(prefix);
        StoreAuditLog log = new StoreAuditLog(store, p, config);
        log.chain.resumeAfter(lastRecord(store, p, config));
        return log;
    }

    private static @Nullable AuditRecord lastRecord(SnapshotStore store, String prefix, AuditLogConfig config) {
        List<ObjectInfo> segments = segments(store, prefix);
        if (segments.isEmpty()) {
            return null;
        }
        String key = segments.get(segments.size() - 1).key();
        String text = new String(store.get(key), StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        String line = lines[lines.length - 1];
        AuditLines codec = new AuditLines(config.hmacKey());
        AuditLines.Parsed parsed;
        try {
            parsed = codec.parse(line);
        } catch (IllegalArgumentException e) {
            throw new DrException(ErrorCode.INTEGRITY, "the last record of audit segment " + key
                    + " cannot be read (" + e.getMessage() + ")", key, e);
        }
        String mismatch = codec.keyMismatch(parsed, line);
        if (mismatch != null) {
            // Records appended under another key would break the chain where they start.
            throw new DrException(ErrorCode.INTEGRITY, "refusing to append to audit log " + store.describe() + "/"
                    + prefix + " (segment " + key + "): " + mismatch + "; nothing was appended", key);
        }
        return parsed.record();
    }

    private static String normalize(String prefix) {
        String p = prefix.endsWith("/") ? prefix : prefix + "/";
        StoreKeys.requireValidPrefix(p);
        return p;
    }

    private static List<ObjectInfo> segments(SnapshotStore store, String prefix) {
        return store.list(prefix).filter(o -> o.key().endsWith(SUFFIX)).collect(Collectors.toList());
    }

    /**
     * Runs a reading of the whole log, and once more when it finds the log broken: a listing
     * taken while writers append may leave out segments on some S3-compatible servers (S3Proxy's
     * file-system back end left out three segments written 20 s before, once in about ten fleet
     * runs), so a break is reported only when a second reading finds it too.
     *
     * @param reading lists and reads the log afresh
     * @return the second reading's verification when the first found a break, else the first's
     */
    static AuditVerification confirmed(Supplier<AuditVerification> reading) {
        AuditVerification first = reading.get();
        return first.intact() ? first : reading.get();
    }

    /**
     * Feeds every segment of a store log, in order, to a verifier.
     *
     * @param store the store
     * @param prefix the prefix
     * @param v the verifier
     */
    public static void feed(SnapshotStore store, String prefix, ChainVerifier v) {
        String p = normalize(prefix);
        for (ObjectInfo seg : segments(store, p)) {
            String text = new String(store.get(seg.key()), StandardCharsets.UTF_8);
            try {
                ChainVerifier.readLines(new StringReader(text), v);
            } catch (IOException e) {
                throw new IllegalStateException("a string reader does not fail", e);
            }
            if (v.failed()) {
                return;
            }
        }
    }

    @Override
    public synchronized AuditRecord record(AuditEvent event) {
        ensureOpen();
        AuditLines.Encoded enc = chain.next(event);
        add(new Pending(event, false, enc));
        if (chain.digestDue()) {
            addDigest(event.time());
        }
        if (pendingEvents.size() >= config.storeSegmentRecords()) {
            writeSegment();
        }
        return enc.record();
    }

    /** Adds a digest record; its listeners hear of it once its segment is written. */
    private void addDigest(Instant time) {
        AuditLines.Encoded d = chain.next(chain.digestEvent(time));
        add(new Pending(d.record().event(), true, d));
    }

    private void add(Pending entry) {
        if (pendingEvents.isEmpty()) {
            pendingFirstSeq = entry.encoded().record().seq();
        }
        pendingEvents.add(entry);
    }

    /**
     * Writes the pending records as one segment. A segment that holds the key already is
     * either this log's own (a create whose answer was lost, holding all or the first of the
     * pending records: those count as written) or another writer's: then the pending records
     * are renumbered after the store's last record (their digests recomputed) and written again.
     */
    private void writeSegment() {
        for (int attempt = 0; !pendingEvents.isEmpty(); ) {
            String key = prefix + String.format("%020d", pendingFirstSeq) + SUFFIX;
            StringBuilder text = new StringBuilder();
            pendingEvents.forEach(e -> text.append(e.encoded().line()));
            if (store.putIfAbsent(key, text.toString().getBytes(StandardCharsets.UTF_8)).isPresent()) {
                written(pendingEvents.size());
                return;
            }
            int own = ownPrefix(new String(store.get(key), StandardCharsets.UTF_8));
            if (own > 0) {
                written(own);
                continue;
            }
            if (attempt++ == MAX_RENUMBERINGS) {
                throw new DrException(ErrorCode.PRECONDITION_FAILED, "audit segment " + key + " exists already, "
                        + MAX_RENUMBERINGS + " times renumbered: other writers keep appending to the same log", key);
            }
            renumberAfter(lastRecord(store, prefix, config));
        }
    }

    /** How many of the first pending records a stored segment holds exactly, 0 when it is not theirs. */
    private int ownPrefix(String stored) {
        int length = 0;
        for (int i = 0; i < pendingEvents.size(); i++) {
            String line = pendingEvents.get(i).encoded().line();
            if (!stored.startsWith(line, length)) {
                return 0;
            }
            length += line.length();
            if (length == stored.length()) {
                return i + 1;
            }
        }
        return 0;
    }

    /** Drops the first {@code count} pending records, which are stored, and publishes their digests. */
    private void written(int count) {
        List<Pending> done = new ArrayList<>(pendingEvents.subList(0, count));
        pendingEvents.subList(0, count).clear();
        if (!pendingEvents.isEmpty()) {
            pendingFirstSeq = pendingEvents.get(0).encoded().record().seq();
        }
        for (Pending p : done) {
            if (p.digest()) {
                chain.published(p.encoded().record());
            }
        }
    }

    private void renumberAfter(@Nullable AuditRecord last) {
        List<Pending> events = List.copyOf(pendingEvents);
        pendingEvents.clear();
        chain.resumeAfter(last);
        for (Pending p : events) {
            if (p.digest()) {
                addDigest(p.event().time());
            } else {
                add(new Pending(p.event(), false, chain.next(p.event())));
            }
        }
    }

    /** An event whose line is pending; a digest is recomputed when renumbered. */
    private record Pending(AuditEvent event, boolean digest, AuditLines.Encoded encoded) {
    }

    @Override
    public synchronized AuditDigest digest() {
        ensureOpen();
        Instant t = chain.lastTime == null ? Instant.now() : chain.lastTime;
        addDigest(t);
        writeSegment();
        return head().orElseThrow();
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
        List<AuditRecord> out = new ArrayList<>();
        AuditVerification result = confirmed(() -> {
            out.clear();
            ChainVerifier v = new ChainVerifier(null, r -> {
                if (filter.test(r)) {
                    out.add(r);
                }
            });
            v.parseOnly();
            feed(store, prefix, v);
            return v.finish();
        });
        if (!result.intact()) {
            throw new DrException(ErrorCode.INTEGRITY, "audit log " + store.describe() + "/" + prefix + ": "
                    + result.problem(), prefix);
        }
        return out;
    }

    @Override
    public AuditVerification verify() {
        flush();
        return confirmed(() -> {
            ChainVerifier v = new ChainVerifier(config.hmacKey(), null);
            feed(store, prefix, v);
            return v.finish();
        });
    }

    @Override
    public synchronized void flush() {
        if (!closed) {
            writeSegment();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (chain.sinceDigest > 0) {
            addDigest(chain.lastTime == null ? Instant.now() : chain.lastTime);
        }
        writeSegment();
        closed = true;
    }

    private void ensureOpen() {
        if (closed) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "audit log " + prefix + " is closed", prefix);
        }
    }

    @Override
    public String toString() {
        return "StoreAuditLog[" + store.describe() + " " + prefix + "]";
    }

}
