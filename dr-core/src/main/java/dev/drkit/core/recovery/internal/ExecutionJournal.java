package dev.drkit.core.recovery.internal;

import dev.drkit.core.json.JsonMappers;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
        return store.list(prefix + executionId + "/").findAny().isPresent();
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
        List<ObjectInfo> objects = store.list(prefix + executionId + "/").toList();
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
            if (slash > 0) {
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
