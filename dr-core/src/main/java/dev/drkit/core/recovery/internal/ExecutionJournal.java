package dev.drkit.core.recovery.internal;

import dev.drkit.core.json.JsonMappers;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoredObject;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * The journal of executions in a store: one immutable object per entry,
 * {@code <prefix>/<executionId>/<seq>.json}, written with a conditional create, so that a
 * crash leaves every earlier entry whole. Replaying the entries rebuilds where an execution
 * stood.
 */
public final class ExecutionJournal {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionJournal.class);
    private static final ObjectMapper JSON = JsonMappers.compact();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };

    private final SnapshotStore store;
    private final String prefix;

    /**
     * Creates a journal.
     *
     * @param store the store
     * @param prefix the key prefix
     */
    public ExecutionJournal(SnapshotStore store, String prefix) {
        this.store = store;
        this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
    }

    /**
     * Checks that an execution id can be used in keys.
     *
     * @param id the id
     * @return the id
     * @throws DrException {@code INVALID_ARGUMENT} for an id with other than letters, digits, {@code . _ -}
     */
    public static String requireValidId(String id) {
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw DrException.invalidArgument("executionId", "must be letters, digits, '.', '_' or '-'", id);
        }
        return id;
    }

    /** How long a lease holds without a renewal. */
    static final Duration LEASE_TTL = Duration.ofMinutes(1);
    /** How often a running execution renews its lease. */
    static final Duration LEASE_RENEWAL = Duration.ofSeconds(20);
    private static final String LEASE = "lease";

    String key(String executionId, int seq) {
        return prefix + executionId + "/" + String.format("%08d", seq) + ".json";
    }

    /**
     * Returns whether the journal has entries for an execution.
     *
     * @param executionId the id
     * @return true when it has
     */
    public boolean exists(String executionId) {
        return entries(executionId).findAny().isPresent();
    }

    /** The entry objects of an execution, in order: its lease is not one. */
    private java.util.stream.Stream<ObjectInfo> entries(String executionId) {
        String lease = leaseKey(executionId);
        return store.list(prefix + executionId + "/").filter(o -> !o.key().equals(lease));
    }

    private String leaseKey(String executionId) {
        return prefix + executionId + "/" + LEASE;
    }

    /**
     * Who holds an execution: the process that runs it, renewing its lease every
     * {@link #LEASE_RENEWAL} to {@link #LEASE_TTL} ahead.
     *
     * @param actor who runs it
     * @param host the host name of the process
     * @param pid the process id on that host
     * @param since when the process took the execution
     * @param expires when the lease stops holding unless renewed
     */
    public record Lease(String actor, String host, long pid, Instant since, Instant expires) {
        /** Says who holds the lease, for messages. */
        String describe() {
            return actor + " on " + host + " (pid " + pid + ", since " + since + ", lease until " + expires + ")";
        }

        byte[] encode() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("actor", actor);
            m.put("host", host);
            m.put("pid", pid);
            m.put("since", since.toString());
            m.put("expires", expires.toString());
            return JSON.writeValueAsBytes(m);
        }

        static @Nullable Lease decode(byte[] bytes) {
            try {
                Map<String, Object> m = JSON.readValue(bytes, MAP);
                return new Lease(text(m, "actor"), text(m, "host"), ((Number) m.get("pid")).longValue(),
                        instant(m, "since"), instant(m, "expires"));
            } catch (RuntimeException e) {
                return null;
            }
        }

        /**
         * Tells whether the lease keeps others out at {@code now}: not expired, and not taken on
         * this host by a process that no longer runs (as the repository's locks judge it).
         */
        boolean holds(String executionId, Instant now) {
            if (expires.isBefore(now)) {
                return false;
            }
            if (!host.equals(HOST) || pid <= 0) {
                return true;
            }
            if (pid == ProcessHandle.current().pid()) {
                return HELD_HERE.contains(executionId); // this process: only while it runs the execution
            }
            try {
                return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            } catch (RuntimeException e) {
                return true; // not allowed to look: the process may run
            }
        }
    }

    /**
     * The executions whose lease this process holds: a lease of this process's pid holds only
     * while the process runs the execution (it may have stopped running it without giving the
     * lease up, as when the store failed).
     */
    private static final Set<String> HELD_HERE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** This host's name, as the repository's options take it by default. */
    static final String HOST = hostName();

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | RuntimeException e) {
            return "localhost";
        }
    }

    /**
     * Takes the lease of an execution for this process, taking over one that expired, cannot
     * be read, or was taken on this host by a process that no longer runs.
     *
     * @param executionId the execution
     * @param actor who runs it
     * @param now the time
     * @return the lease's etag, for {@link #renewLease}
     * @throws DrException {@code LOCKED} naming the execution and its holder while the holder runs it
     */
    public String takeLease(String executionId, String actor, Instant now) {
        String key = leaseKey(executionId);
        Lease mine = new Lease(actor, HOST, ProcessHandle.current().pid(), now, now.plus(LEASE_TTL));
        for (int attempt = 1; attempt <= 3; attempt++) {
            Optional<ObjectInfo> written = store.putIfAbsent(key, mine.encode());
            if (written.isPresent()) {
                HELD_HERE.add(executionId);
                return written.get().etag();
            }
            Optional<StoredObject> held = store.getObject(key);
            if (held.isEmpty()) {
                continue;
            }
            Lease other = Lease.decode(held.get().data());
            if (other != null && other.holds(executionId, now)) {
                throw new DrException(ErrorCode.LOCKED, "execution " + executionId + " is running: it is held by "
                        + other.describe() + "; let it end or cancel it there, and resume it only once its process "
                        + "has stopped", executionId);
            }
            written = store.replace(key, mine.encode(), held.get().info().etag());
            if (written.isPresent()) {
                if (other != null) {
                    LOG.warn("execution {} taken over from {}, which no longer holds it", executionId,
                            other.describe());
                }
                HELD_HERE.add(executionId);
                return written.get().etag();
            }
        }
        throw new DrException(ErrorCode.LOCKED, "execution " + executionId + " changed hands while this process "
                + "tried to take it", executionId);
    }

    /**
     * Renews this process's lease of an execution.
     *
     * @param executionId the execution
     * @param actor who runs it
     * @param since when this process took it
     * @param etag the lease's etag as this process last wrote it
     * @param now the time
     * @return the new etag, or empty when another process took the lease over
     */
    public Optional<String> renewLease(String executionId, String actor, Instant since, String etag, Instant now) {
        Lease mine = new Lease(actor, HOST, ProcessHandle.current().pid(), since, now.plus(LEASE_TTL));
        return store.replace(leaseKey(executionId), mine.encode(), etag).map(ObjectInfo::etag);
    }

    /**
     * Gives up the lease of an execution that ended here.
     *
     * @param executionId the execution
     */
    public void releaseLease(String executionId) {
        HELD_HERE.remove(executionId);
        store.delete(leaseKey(executionId));
    }

    /**
     * Writes an entry.
     *
     * @param executionId the execution
     * @param seq the entry's number, from 0
     * @param entry the entry
     * @throws DrException {@code ALREADY_EXISTS} when the entry was written by someone else
     */
    public void append(String executionId, int seq, Map<String, Object> entry) {
        String key = key(executionId, seq);
        byte[] bytes = JSON.writeValueAsBytes(entry);
        if (store.putIfAbsent(key, bytes).isEmpty()) {
            throw new DrException(ErrorCode.ALREADY_EXISTS, "journal entry " + key
                    + " exists already: another process runs this execution", key);
        }
    }

    /**
     * The entries of an execution as replayed.
     *
     * @param entries the sound entries in order
     * @param nextSeq the number of the next entry to write
     * @param finished whether a finish entry was found
     */
    public record Replay(List<Map<String, Object>> entries, int nextSeq, boolean finished) {
        /**
         * Returns the status the finish entry recorded.
         *
         * @return the status, or {@code RUNNING} when the execution has not finished
         */
        public String status() {
            for (int i = entries.size() - 1; i >= 0; i--) {
                Map<String, Object> e = entries.get(i);
                if ("finish".equals(e.get("type"))) {
                    return String.valueOf(e.get("status"));
                }
            }
            return "RUNNING";
        }
    }

    /**
     * Reads an execution's entries. A last entry that cannot be read (torn by a crash) is
     * deleted with a warning; a damaged or missing entry before the last is an error.
     *
     * @param executionId the execution
     * @return the replay
     * @throws DrException {@code NOT_FOUND} when there are no entries; {@code INTEGRITY} for a
     *     damaged entry before the last, naming its key
     */
    public Replay read(String executionId) {
        List<ObjectInfo> objects = entries(executionId).toList();
        if (objects.isEmpty()) {
            throw new DrException(ErrorCode.NOT_FOUND, "the journal has no execution " + executionId, executionId);
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        boolean finished = false;
        for (int i = 0; i < objects.size(); i++) {
            String key = objects.get(i).key();
            if (!key.equals(key(executionId, i))) {
                throw new DrException(ErrorCode.INTEGRITY, "journal of execution " + executionId + " is damaged: entry "
                        + key(executionId, i) + " is missing (found " + key + ")", key(executionId, i));
            }
            Map<String, Object> e;
            try {
                e = JSON.readValue(store.get(key), MAP);
                if (!(e.get("type") instanceof String)) {
                    throw new IllegalArgumentException("no type");
                }
            } catch (JacksonException | IllegalArgumentException ex) {
                if (i == objects.size() - 1) {
                    LOG.warn("journal entry {} is torn (the process stopped while writing it); it is discarded", key);
                    store.delete(key);
                    return new Replay(entries, i, finished);
                }
                throw new DrException(ErrorCode.INTEGRITY, "journal of execution " + executionId
                        + " is damaged: entry " + key + " cannot be read", key, ex);
            }
            if (i == 0 && !"start".equals(e.get("type"))) {
                throw new DrException(ErrorCode.INTEGRITY, "journal of execution " + executionId
                        + " is damaged: entry " + key + " is not a start entry", key);
            }
            if ("finish".equals(e.get("type"))) {
                finished = true;
            }
            entries.add(e);
        }
        if (entries.isEmpty()) {
            throw new DrException(ErrorCode.INTEGRITY, "journal of execution " + executionId
                    + " has no readable start entry", key(executionId, 0));
        }
        return new Replay(entries, objects.size(), finished);
    }

    /**
     * Lists the executions that have no finish entry.
     *
     * @return their ids
     */
    public List<String> unfinished() {
        Set<String> ids = new LinkedHashSet<>();
        store.list(prefix).forEach(o -> {
            String rest = o.key().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash > 0 && !rest.endsWith("/" + LEASE)) {
                ids.add(rest.substring(0, slash));
            }
        });
        List<String> out = new ArrayList<>();
        for (String id : ids) {
            try {
                if (!read(id).finished()) {
                    out.add(id);
                }
            } catch (DrException e) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * Reads a text field of an entry.
     *
     * @throws IllegalArgumentException when it is missing or not text
     */
    static String text(Map<String, Object> entry, String field) {
        if (entry.get(field) instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("field '" + field + "' is missing or not text");
    }

    /**
     * Reads an optional instant field of an entry.
     *
     * @return the instant, or null when the field is absent
     * @throws IllegalArgumentException when it is present but not an ISO-8601 instant
     */
    static @Nullable Instant optionalInstant(Map<String, Object> entry, String field) {
        return entry.get(field) == null ? null : instant(entry, field);
    }

    /**
     * Reads an instant field of an entry.
     *
     * @throws IllegalArgumentException when it is missing or not an ISO-8601 instant
     */
    static Instant instant(Map<String, Object> entry, String field) {
        String value = text(entry, field);
        try {
            return Instant.parse(value);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("field '" + field + "' is not an instant: " + value, e);
        }
    }

    /**
     * Reads an enum field of an entry.
     *
     * @throws IllegalArgumentException when it is missing or names no constant
     */
    static <E extends Enum<E>> E constant(Map<String, Object> entry, String field, Class<E> type) {
        String value = text(entry, field);
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field '" + field + "' is not one of "
                    + java.util.Arrays.toString(type.getEnumConstants()) + ": " + value, e);
        }
    }

    /**
     * Reads a count field of an entry.
     *
     * @return the count, or {@code absent} when the field is absent
     * @throws IllegalArgumentException when it is present but not a whole number from 0 to {@code Integer.MAX_VALUE}
     */
    static int count(Map<String, Object> entry, String field, int absent) {
        Object value = entry.get(field);
        if (value == null) {
            return absent;
        }
        if (value instanceof Integer i && i >= 0) {
            return i;
        }
        throw new IllegalArgumentException("field '" + field + "' is not a count: " + value);
    }

    static @Nullable String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v == null ? null : v.toString();
    }
}
