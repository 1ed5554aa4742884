package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoredObject;
import dev.drkit.core.repository.LockInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer lock of a journaled source, {@code journal-locks/<source>}: one running journal
 * per source across processes and hosts, so that a second writer is refused when it starts
 * instead of failing at its first flush.
 *
 * <p>It keeps out only other writers of the same source: backups, restores, forget, prune,
 * verify and journals of other sources never look at it (it lives outside {@code locks/}).
 * Its holder refreshes it, {@link #TTL} ahead, every {@link #REFRESH_EVERY} from a background
 * journal's thread and on every flush; a lock past its expiry belongs to a writer that stopped
 * (killed, or paused longer than the TTL) and is taken over by the next writer that starts.
 * A writer whose lock was taken over finds out at its next refresh or flush, and its flushes
 * then fail {@code LOCKED} instead of writing beside the new holder.
 */
public final class JournalLock implements AutoCloseable {
    /** The key prefix of journal writer locks. */
    public static final String PREFIX = LockInfo.JOURNAL_WRITER_PREFIX;
    /** How long a journal writer lock holds without a refresh. */
    public static final Duration TTL = Duration.ofMinutes(5);
    /** How often a background journal refreshes its lock. */
    public static final Duration REFRESH_EVERY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(JournalLock.class);
    private static final int ATTEMPTS = 3;

    private final Engine engine;
    private final String source;
    private final String key;
    private final Maintenance.LockFile file;
    // Guarded by this.
    private String etag;
    private Instant refreshed;
    private @Nullable String lost;
    private boolean released;
    private final List<Consumer<String>> onLost = new ArrayList<>();

    private JournalLock(Engine engine, String source, String key, Maintenance.LockFile file, String etag,
            Instant refreshed) {
        this.engine = engine;
        this.source = source;
        this.key = key;
        this.file = file;
        this.etag = etag;
        this.refreshed = refreshed;
    }

    /**
     * Takes the writer lock of a source, taking over one that expired or cannot be read, and one
     * this host's process took that no longer runs (a watch killed with kill -9 and started
     * again, as a service manager does, takes its source back at once rather than after the TTL).
     *
     * @param engine the repository
     * @param source the journaled source
     * @return the held lock; closing releases it
     * @throws DrException {@code LOCKED} naming the source and the holder (owner, host, pid,
     *     since when and until when) when another writer holds a live lock
     */
    static JournalLock take(Engine engine, String source) {
        SnapshotStore store = engine.store();
        String key = PREFIX + source;
        Instant now = engine.options().clock().instant();
        Maintenance.LockFile mine = new Maintenance.LockFile(engine.options().actor(), engine.options().host(),
                ProcessHandle.current().pid(), false, now.toString(), now.plus(TTL).toString());
        byte[] bytes = mine.encode();
        for (int attempt = 1; ; attempt++) {
            Optional<ObjectInfo> written = store.putIfAbsent(key, bytes);
            if (written.isPresent()) {
                return new JournalLock(engine, source, key, mine, written.get().etag(), now);
            }
            Optional<StoredObject> held = store.getObject(key);
            if (held.isPresent()) {
                Maintenance.LockFile other = decode(held.get().data());
                boolean gone = other != null && Maintenance.processGone(engine, other);
                if (other != null && !Instant.parse(other.expires()).isBefore(now) && !gone) {
                    throw refusal(engine, source, key, other);
                }
                written = store.replace(key, bytes, held.get().etag());
                if (written.isPresent()) {
                    if (other == null) {
                        LOG.warn("Journal '{}' took over its writer lock {}, which could not be read", source, key);
                    } else if (gone) {
                        LOG.warn("Journal '{}' took over its writer lock {} from {} on this host (pid {}, since {}), "
                                + "whose process is gone", source, key, other.owner(), other.pid(), other.created());
                    } else {
                        LOG.warn("Journal '{}' took over its writer lock {} from {} on {} (pid {}, since {}), "
                                + "which expired at {}", source, key, other.owner(), other.host(), other.pid(),
                                other.created(), other.expires());
                    }
                    return new JournalLock(engine, source, key, mine, written.get().etag(), now);
                }
            }
            if (attempt == ATTEMPTS) {
                // Released and taken again, or taken over by another, between our looks.
                Maintenance.LockFile other = read(store, key);
                if (other != null) {
                    throw refusal(engine, source, key, other);
                }
                throw new DrException(ErrorCode.LOCKED, "The writer lock " + key + " of source '" + source
                        + "' changed hands " + ATTEMPTS + " times while this journal tried to take it", key);
            }
        }
    }

    private static DrException refusal(Engine engine, String source, String key, Maintenance.LockFile other) {
        // A lock of this host whose process is gone was taken over before a refusal is made.
        String remedy = "stop that writer first; if it is gone, the lock expires at " + other.expires()
                + " and the next writer takes it over (or 'dr unlock' (Repository.unlock) removes it after then)";
        return new DrException(ErrorCode.LOCKED, "Source '" + source + "' is journaled already by " + other.owner()
                + " on " + other.host() + " (pid " + other.pid() + ", since " + other.created() + "): its writer "
                + "lock " + key + " holds until " + other.expires() + "; " + remedy, key);
    }

    /**
     * Refreshes the lock when it was last refreshed at least {@code age} ago, then tells whether
     * it is still this writer's.
     *
     * @param age how old the last refresh may be before the store is asked again; zero always asks
     * @throws DrException {@code LOCKED} naming the new holder when another writer took the lock over
     */
    void confirm(Duration age) {
        List<Consumer<String>> tell = List.of();
        String holder;
        synchronized (this) {
            if (lost == null && !released) {
                Instant now = engine.options().clock().instant();
                if (!now.isBefore(refreshed.plus(age))) {
                    tell = refresh(now);
                }
            }
            holder = lost;
        }
        announce(tell, holder);
        if (holder != null) {
            throw new DrException(ErrorCode.LOCKED, lostMessage(holder), key);
        }
    }

    /**
     * Says why this writer writes no more: the message of the {@code LOCKED} failures of its flushes.
     *
     * @param holder the new holder, as {@link #onLost} tells it
     * @return the message
     */
    String lostMessage(String holder) {
        return "The journal of source '" + source + "' lost its writer lock " + key + " to " + holder
                + " (this writer left it unrefreshed past its expiry, or it was removed); it writes no more: "
                + "close it and start the source's journal again once the other writer stops";
    }

    /** Tells whether another writer took the lock over: then this one writes no more. @return true when lost */
    synchronized boolean lost() {
        return lost != null;
    }

    /**
     * Registers a listener told once, when this writer finds that another one took the lock over,
     * on the thread that found out; at once, on this thread, when it found out already.
     *
     * @param listener told the new holder: {@code owner on host (pid 4242, since <instant>)}
     */
    void onLost(Consumer<String> listener) {
        String holder;
        synchronized (this) {
            holder = lost;
            if (holder == null) {
                onLost.add(listener);
            }
        }
        if (holder != null) {
            announce(List.of(listener), holder);
        }
    }

    private void announce(List<Consumer<String>> listeners, @Nullable String holder) {
        if (holder == null) {
            return;
        }
        for (Consumer<String> listener : listeners) {
            try {
                listener.accept(holder);
            } catch (RuntimeException e) {
                LOG.warn("Journal '{}': a listener of its lost writer lock failed: {}", source, e.toString());
            }
        }
    }

    /** Refreshes the lock from the background; a storage failure is logged and retried next time. */
    void refreshQuietly() {
        List<Consumer<String>> tell;
        String holder;
        synchronized (this) {
            if (lost != null || released) {
                return;
            }
            try {
                tell = refresh(engine.options().clock().instant());
            } catch (RuntimeException e) {
                LOG.warn("Journal '{}' could not refresh its writer lock {}: {}", source, key, e.toString());
                return;
            }
            holder = lost;
        }
        announce(tell, holder);
    }

    /**
     * Refreshes the lock, or finds it lost; returns the listeners to tell, outside this lock,
     * when it was lost now.
     */
    private List<Consumer<String>> refresh(Instant now) {
        Maintenance.LockFile fresh = new Maintenance.LockFile(file.owner(), file.host(), file.pid(), false,
                file.created(), now.plus(TTL).toString());
        Optional<ObjectInfo> written = engine.store().replace(key, fresh.encode(), etag);
        if (written.isEmpty()) {
            // Removed (dr unlock --remove-all) and not taken since: this writer takes it again.
            written = engine.store().putIfAbsent(key, fresh.encode());
            written.ifPresent(w -> LOG.warn("Journal '{}' took its writer lock {} again after it was removed",
                    source, key));
        }
        if (written.isPresent()) {
            etag = written.get().etag();
            refreshed = now;
            return List.of();
        }
        Maintenance.LockFile other = read(engine.store(), key);
        lost = other == null ? "a writer whose lock cannot be read"
                : other.owner() + " on " + other.host() + " (pid " + other.pid() + ", since " + other.created() + ")";
        LOG.error("Journal '{}' lost its writer lock {} to {}; it writes no more", source, key, lost);
        List<Consumer<String>> tell = List.copyOf(onLost);
        onLost.clear();
        return tell;
    }

    /** Releases the lock unless another writer took it over meanwhile. */
    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        released = true;
        if (lost != null) {
            return;
        }
        try {
            // A taker replaces the object, which changes its etag: one that still matches is ours.
            if (engine.store().stat(key).filter(i -> i.etag().equals(etag)).isPresent()) {
                engine.store().delete(key);
            }
        } catch (RuntimeException e) {
            LOG.warn("Journal '{}' could not release its writer lock {} ({}); it expires at {}", source, key,
                    e.toString(), refreshed.plus(TTL));
        }
    }

    /**
     * Lists the journal writer locks with their state.
     *
     * @param engine the repository
     * @return the locks, in key order
     */
    public static List<LockInfo> locks(Engine engine) {
        Instant now = engine.options().clock().instant();
        List<LockInfo> out = new ArrayList<>();
        for (ObjectInfo info : engine.store().list(PREFIX).toList()) {
            byte[] json;
            try {
                json = engine.store().get(info.key());
            } catch (DrException e) {
                if (e.code() == ErrorCode.NOT_FOUND) {
                    continue; // released meanwhile
                }
                throw e;
            }
            Maintenance.LockFile file;
            try {
                file = Maintenance.LockFile.decode(json);
            } catch (RuntimeException e) {
                out.add(new LockInfo(info.key(), "", "", 0, false, Instant.EPOCH, LockInfo.State.UNREADABLE));
                continue;
            }
            Instant expires = Instant.parse(file.expires());
            LockInfo.State state = expires.isBefore(now) ? LockInfo.State.EXPIRED
                    : Maintenance.processGone(engine, file) ? LockInfo.State.PROCESS_GONE : LockInfo.State.LIVE;
            out.add(new LockInfo(info.key(), file.owner(), file.host(), file.pid(), false, expires, state));
        }
        return out;
    }

    /**
     * Removes journal writer locks: those no running writer holds or, with {@code live}, all.
     *
     * @param engine the repository
     * @param live whether live locks go too
     * @return the removed locks
     */
    public static List<LockInfo> remove(Engine engine, boolean live) {
        List<LockInfo> removed = new ArrayList<>();
        for (LockInfo lock : locks(engine)) {
            if (live || lock.state() != LockInfo.State.LIVE) {
                engine.store().delete(lock.key());
                removed.add(lock);
                LOG.info("Removed the journal writer lock {} of {} on {} (pid {}, {})", lock.key(), lock.owner(),
                        lock.host(), lock.pid(), lock.state());
            }
        }
        return removed;
    }

    private static Maintenance.@Nullable LockFile read(SnapshotStore store, String key) {
        try {
            return decode(store.get(key));
        } catch (DrException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    private static Maintenance.@Nullable LockFile decode(byte[] bytes) {
        try {
            return Maintenance.LockFile.decode(bytes);
        } catch (RuntimeException e) {
            return null; // unreadable: blocks nobody
        }
    }
}
