package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.CopyResult;
import dev.drkit.core.repository.Replication;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secondary repository of {@code dr.replication.*}, which the core's {@link Replication}
 * keeps in step with a primary: the starter's {@code ScheduledBackups} copy each backup to it
 * before the backup returns ({@code ScheduledBackups.Builder.replication}), and each journal
 * of continuous protection ships its segments to it as soon as they are durable.
 *
 * <p>A secondary that cannot be reached when the application starts (its store fails with
 * {@code UNAVAILABLE}, {@code IO_FAILURE} or {@code TIMEOUT}: a region down) does not stop
 * the application: a warning is logged and the secondary is opened again in the background,
 * after 1 s, then at doubling intervals up to 1 min, while {@link #state()} is
 * {@link State#CONNECTING}. Once it opens, the backups of each primary that
 * {@linkplain #whenOpen asked for it} are copied to it from then on, and a catch-up copies
 * every snapshot (with its journal chain) the secondary lacks. Configuration errors (a bad
 * URI, a wrong password, no repository there without {@code dr.replication.init-if-missing})
 * stop the start; found only when a late open succeeds, they are logged at ERROR and leave the
 * secondary {@link State#FAILED}, without further tries. The secondary keeps every snapshot
 * it receives: the starter's retention forgets only in the primary.
 *
 * <p>Thread-safe.
 */
public final class DrReplication implements DrOverviewSection, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DrReplication.class);
    /** The codes of a store that cannot be reached, after which the secondary is tried again. */
    private static final Set<ErrorCode> UNREACHABLE = Set.of(ErrorCode.UNAVAILABLE, ErrorCode.IO_FAILURE,
            ErrorCode.TIMEOUT);
    /** The wait before the first retry, doubled after each failed one. */
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    /** The longest wait between two tries. */
    static final Duration MAX_RETRY = Duration.ofMinutes(1);

    /** Where the secondary stands. */
    public enum State {
        /** Open: backups and journal segments are copied to it. */
        OPEN,
        /** Not reached yet: it is tried again in the background. */
        CONNECTING,
        /** Reached, but refused by a configuration error; not tried again. */
        FAILED,
        /** Closed with the application. */
        CLOSED
    }

    private final DrSettings settings;
    private final String target;
    private final Object lock = new Object();
    /** The primaries whose replication waits for the secondary to open, with what to do then. */
    private final Map<Repository, List<Consumer<Replication>>> waiting = new IdentityHashMap<>();
    private @Nullable SnapshotStore store;
    private volatile @Nullable Repository secondary;
    private volatile State state = State.CONNECTING;
    private volatile @Nullable String problem;
    private volatile @Nullable Instant nextAttempt;
    private volatile @Nullable Instant openedAt;
    private volatile @Nullable String catchUp;
    private volatile int failedAttempts;
    private @Nullable ScheduledExecutorService opener;

    private DrReplication(DrSettings settings, @Nullable SnapshotStore store, String target) {
        this.settings = settings;
        this.store = store;
        this.target = target;
    }

    /**
     * Opens the secondary of {@code dr.replication.uri}, creating it first when
     * {@code dr.replication.init-if-missing} is set and its store holds none; when its store
     * cannot be reached, returns a secondary that keeps trying in the background.
     *
     * @param settings the {@code dr.*} settings
     * @return the secondary, closed (with its store) by {@link #close()}
     * @throws DrException {@code INVALID_CONFIG} naming {@code dr.replication.uri} when it is no
     *     usable store URI; {@code NOT_FOUND} naming it when the store holds no repository and
     *     none may be created; {@code WRONG_PASSWORD} saying where the password came from; any
     *     other failure of the store than one of reaching it
     */
    public static DrReplication open(DrSettings settings) {
        String uri = Objects.requireNonNull(settings.properties().replication().uri(), "dr.replication.uri");
        DrReplication r = new DrReplication(settings, null, RedactedUri.of(uri));
        r.firstAttempt();
        return r;
    }

    /**
     * Opens the secondary in a store the application made itself (a store with its own client
     * settings, or one a test controls), with the password and {@code init-if-missing} of
     * {@code dr.replication.*}; when the store cannot be reached, returns a secondary that keeps
     * trying in the background.
     *
     * @param settings the {@code dr.*} settings
     * @param store the secondary's store, closed by {@link #close()}
     * @return the secondary
     * @throws DrException as {@link #open(DrSettings)}
     */
    public static DrReplication open(DrSettings settings, SnapshotStore store) {
        Objects.requireNonNull(store, "store");
        DrReplication r = new DrReplication(settings, store, store.describe());
        r.firstAttempt();
        return r;
    }

    private void firstAttempt() {
        try {
            attempt();
        } catch (RuntimeException e) {
            closeStore();
            throw e;
        }
        if (state == State.CONNECTING) {
            LOG.warn("DR Kit starts without its secondary {}, which cannot be reached ({}); backups go to the "
                    + "primary alone and the secondary is tried again in the background", target, problem);
            schedule(FIRST_RETRY);
        }
    }

    /** One try; leaves the state OPEN or CONNECTING, or throws a configuration error. */
    private void attempt() {
        try {
            SnapshotStore s = store;
            if (s == null) {
                s = openStore();
                store = s;
            }
            Repository repository = openRepository(s);
            synchronized (lock) {
                if (state == State.CLOSED) {
                    repository.close();
                    return;
                }
                secondary = repository;
                state = State.OPEN;
                problem = null;
                nextAttempt = null;
                openedAt = Instant.now();
            }
        } catch (DrException e) {
            if (!UNREACHABLE.contains(e.code())) {
                throw e;
            }
            failedAttempts++;
            problem = e.code().id() + ": " + e.getMessage();
        }
    }

    private SnapshotStore openStore() {
        return settings.openStore("dr.replication.uri",
                Objects.requireNonNull(settings.properties().replication().uri(), "dr.replication.uri"));
    }

    private Repository openRepository(SnapshotStore s) {
        RepositoryOptions.Builder options = RepositoryOptions.builder().actor("dr-spring");
        DrSettings.Password password = settings.replicationPassword();
        try {
            return Repository.open(s, password.chars(), options.build());
        } catch (DrException e) {
            if (e.code() == ErrorCode.WRONG_PASSWORD) {
                throw new DrException(ErrorCode.WRONG_PASSWORD, "dr.replication.uri: " + e.getMessage()
                        + " (the password came from " + password.source() + ")", "dr.replication.password", e);
            }
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            if (!settings.properties().replication().initIfMissing()) {
                throw new DrException(ErrorCode.NOT_FOUND, "dr.replication.uri: " + e.getMessage() + "; create it "
                        + "with 'dr init' or set dr.replication.init-if-missing=true"
                        + settings.at("dr.replication.uri"), "dr.replication.uri", e);
            }
            Repository created = Repository.init(s, password.chars(), options.kdf(settings.kdf()).build());
            LOG.info("DR Kit created a new secondary repository {} in {} (dr.replication.init-if-missing=true)",
                    created.id(), s.describe());
            return created;
        } finally {
            Arrays.fill(password.chars(), '\0');
        }
    }

    private void schedule(Duration wait) {
        synchronized (lock) {
            if (state != State.CONNECTING) {
                return;
            }
            ScheduledExecutorService o = opener;
            if (o == null) {
                o = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "dr-replication-open");
                    t.setDaemon(true);
                    return t;
                });
                opener = o;
            }
            nextAttempt = Instant.now().plus(wait);
            o.schedule(() -> retry(wait), wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** A try in the background; on success runs what waited for the secondary and catches it up. */
    private void retry(Duration waited) {
        if (state != State.CONNECTING) {
            return;
        }
        try {
            attempt();
        } catch (RuntimeException e) {
            synchronized (lock) {
                if (state == State.CLOSED) {
                    return;
                }
                state = State.FAILED;
                problem = (e instanceof DrException d ? d.code().id() + ": " : "") + e.getMessage();
                nextAttempt = null;
            }
            LOG.error("DR Kit's secondary {} answered, but cannot be used: {}; fix dr.replication.* and restart "
                    + "the application (backups go to the primary alone)", target, e.getMessage());
            return;
        }
        if (state == State.CONNECTING) {
            Duration next = waited.multipliedBy(2);
            schedule(next.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : next);
            return;
        }
        if (state == State.OPEN) {
            LOG.info("DR Kit opened its secondary {} after {} failed tries; replicating to it from now on",
                    target, failedAttempts);
            opened();
        }
    }

    /** Replicates each waiting primary from now on, and copies what the secondary lacks of it. */
    private void opened() {
        Map<Repository, List<Consumer<Replication>>> ready;
        synchronized (lock) {
            ready = new IdentityHashMap<>(waiting);
            waiting.clear();
        }
        List<String> caughtUp = new ArrayList<>();
        for (Map.Entry<Repository, List<Consumer<Replication>>> e : ready.entrySet()) {
            Replication r;
            try {
                r = replication(e.getKey());
            } catch (DrException x) {
                fail(x);
                return;
            }
            try {
                for (Consumer<Replication> c : e.getValue()) {
                    c.accept(r);
                }
                for (Replication.Outcome o : r.replicateNew()) {
                    CopyResult copied = o.result();
                    DrException error = o.error();
                    caughtUp.add(copied != null ? copied.copied().size() + " snapshot(s) copied"
                            : "failed, the next backup copies what it lacks: "
                                    + (error == null ? "" : error.getMessage()));
                }
            } catch (RuntimeException x) {
                caughtUp.add("failed, the next backup copies what it lacks: " + x.getMessage());
            }
        }
        catchUp = caughtUp.isEmpty() ? "nothing to copy" : String.join("; ", caughtUp);
        LOG.info("DR Kit caught its secondary {} up: {}", target, catchUp);
    }

    private void fail(DrException e) {
        LOG.error("DR Kit's secondary {} cannot be used: {}", target, e.getMessage());
        Repository s;
        synchronized (lock) {
            state = State.FAILED;
            problem = e.code().id() + ": " + e.getMessage();
            s = secondary;
            secondary = null;
        }
        if (s != null) {
            s.close();
        }
    }

    /**
     * Returns the replication of a primary to the secondary, when the secondary is open.
     *
     * @param primary the primary
     * @return the replication, or empty while the secondary is not open
     * @throws DrException {@code INVALID_CONFIG} naming {@code dr.replication.uri} when the
     *     secondary is the primary (the same repository id)
     */
    public Optional<Replication> replicationOf(Repository primary) {
        return secondary == null ? Optional.empty() : Optional.of(replication(primary));
    }

    private Replication replication(Repository primary) {
        Repository s = Objects.requireNonNull(secondary, "secondary");
        if (primary == s || primary.id().equals(s.id())) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "dr.replication.uri names the repository " + primary.id()
                    + " that is replicated itself (" + target + "); give another store", "dr.replication.uri=" + target);
        }
        return Replication.of(primary, List.of(s));
    }

    /**
     * Runs an action with the replication of a primary once the secondary is open: at once
     * when it is, else on the background thread that opens it, which then also copies every
     * snapshot of the primary the secondary lacks. Nothing runs when the secondary fails or is
     * closed first.
     *
     * @param primary the primary
     * @param action what to do with its replication, such as {@code ScheduledBackups::replicateTo}
     * @throws DrException as {@link #replicationOf(Repository)} when the secondary is open
     */
    public void whenOpen(Repository primary, Consumer<Replication> action) {
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(action, "action");
        Replication now;
        synchronized (lock) {
            if (state == State.CONNECTING) {
                waiting.computeIfAbsent(primary, k -> new ArrayList<>()).add(action);
                return;
            }
            if (state != State.OPEN) {
                return;
            }
            now = replication(primary);
        }
        action.accept(now);
    }

    /**
     * Returns the secondary repository, when it is open.
     *
     * @return the repository, or empty while it is not
     */
    public Optional<Repository> secondary() {
        return Optional.ofNullable(secondary);
    }

    /**
     * Returns where the secondary stands.
     *
     * @return the state
     */
    public State state() {
        return state;
    }

    /**
     * Returns why the secondary is not open: the last failure to reach it, or the configuration
     * error it answered with.
     *
     * @return the code and message, or empty while it is open
     */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /**
     * Returns the secondary's store URI with its credentials redacted (or the store's
     * description), for messages and views.
     *
     * @return the URI
     */
    public String target() {
        return target;
    }

    @Override
    public String sectionName() {
        return "replication";
    }

    /**
     * Describes the secondary for {@code GET /actuator/dr} and the health contributor.
     *
     * @return target, state, the secondary's repository id when open, the failed tries and the
     *     next one while connecting, the problem, and the catch-up after a late open
     */
    @Override
    public Map<String, Object> sectionView() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("target", target);
        v.put("state", state.name());
        Repository s = secondary;
        if (s != null) {
            v.put("secondaryRepository", s.id());
        }
        Instant opened = openedAt;
        if (opened != null) {
            v.put("openedAt", opened.toString());
        }
        if (failedAttempts > 0) {
            v.put("failedAttempts", failedAttempts);
        }
        Instant next = nextAttempt;
        if (next != null) {
            v.put("nextAttempt", next.toString());
        }
        String p = problem;
        if (p != null) {
            v.put("problem", p);
        }
        String c = catchUp;
        if (c != null) {
            v.put("catchUp", c);
        }
        return v;
    }

    /** Stops trying, and closes the secondary repository and its store. */
    @Override
    public void close() {
        Repository s;
        ScheduledExecutorService o;
        synchronized (lock) {
            state = State.CLOSED;
            nextAttempt = null;
            waiting.clear();
            s = secondary;
            secondary = null;
            o = opener;
        }
        if (o != null) {
            o.shutdownNow();
        }
        try {
            if (s != null) {
                s.close();
            }
        } finally {
            closeStore();
        }
    }

    private void closeStore() {
        SnapshotStore s = store;
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (Exception e) {
            LOG.warn("Closing the secondary store failed: {}", e.toString());
        }
    }
}
