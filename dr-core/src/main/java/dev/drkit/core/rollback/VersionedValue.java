package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A configuration value with a history of revisions, each change rolled out as a guarded
 * release: the new revision serves a growing share of keys, the uses that fail count against
 * it, and it is rolled back automatically when the judge says so. Any earlier revision can be
 * restored at once.
 *
 * <pre>{@code
 * VersionedValue<Limits> limits = VersionedValue.of("limits", Limits.DEFAULT, guard -> guard.clock(clock));
 * limits.set(new Limits(500), "alice", "raise the cap");
 * Response r = limits.call(tenantId, l -> handle(request, l)); // a throw counts against the revision
 * limits.rollbackTo(1, "bob", "the cap overloads the database");
 * }</pre>
 *
 * @param <V> the value's type, preferably immutable
 */
public final class VersionedValue<V> implements AutoCloseable {

    /**
     * One revision of the value.
     *
     * @param number the revision number, from 1
     * @param value the value
     * @param author who set it
     * @param comment why
     * @param at when it was set
     * @param <V> the value's type
     */
    public record Revision<V>(int number, V value, String author, String comment, Instant at) {
        /** Checks that no field is null. */
        public Revision {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(author, "author");
            Objects.requireNonNull(comment, "comment");
            Objects.requireNonNull(at, "at");
        }
    }

    private final List<Revision<V>> history = new CopyOnWriteArrayList<>();
    private final GuardedRelease<Revision<V>> guard;
    private final Clock clock;

    private VersionedValue(String name, V initial, UnaryOperator<GuardedReleaseBuilder<Revision<V>>> customizer,
            Clock clock) {
        this.clock = clock;
        Revision<V> first = new Revision<>(1, Objects.requireNonNull(initial, "initial"), GuardedRelease.SYSTEM,
                "initial value", clock.instant());
        history.add(first);
        GuardedReleaseBuilder<Revision<V>> b = GuardedRelease.<Revision<V>>builder(name).clock(clock)
                .stable(label(1), first);
        this.guard = customizer.apply(b).build();
    }

    /**
     * Creates a versioned value whose guard is built with the given customization (config,
     * clock, scheduler, audit sink, meters, listeners); the stable version is set here.
     *
     * @param name the value's name, used as the guard's name
     * @param initial revision 1
     * @param customizer adds settings to the guard's builder
     * @param <V> the value's type
     * @return the value
     * @throws DrException {@code INVALID_ARGUMENT} for a blank name
     */
    public static <V> VersionedValue<V> of(String name, V initial,
            UnaryOperator<GuardedReleaseBuilder<Revision<V>>> customizer) {
        return new VersionedValue<>(name, initial, customizer, Clock.systemUTC());
    }

    /**
     * Creates a versioned value with a clock for the revision times (and, unless the
     * customizer sets another, the guard's clock).
     *
     * @param name the value's name
     * @param initial revision 1
     * @param clock the clock
     * @param customizer adds settings to the guard's builder
     * @param <V> the value's type
     * @return the value
     */
    public static <V> VersionedValue<V> of(String name, V initial, Clock clock,
            UnaryOperator<GuardedReleaseBuilder<Revision<V>>> customizer) {
        return new VersionedValue<>(name, initial, customizer, clock);
    }

    private static String label(int revision) {
        return "r" + revision;
    }

    /**
     * Returns the value a key sees now: the candidate revision for keys in its share, the
     * stable one otherwise.
     *
     * @param key the routing key
     * @return the value
     */
    public V get(Object key) {
        return guard.call(key, Revision::value);
    }

    /**
     * Uses the value a key sees; an exception thrown by {@code use} counts as a failure of
     * that revision (unless the guard ignores it) and is passed on.
     *
     * @param key the routing key
     * @param use what to do with the value
     * @param <R> the result type
     * @return the result of {@code use}
     */
    public <R> R call(Object key, Function<? super V, ? extends R> use) {
        return guard.call(key, r -> use.apply(r.value()));
    }

    /**
     * Sets a new value: it becomes the next revision and is rolled out as a guarded release.
     *
     * @param value the new value
     * @param author who sets it
     * @param comment why
     * @return the new revision
     * @throws DrException {@code ILLEGAL_STATE} while an earlier change is still rolling out
     */
    public synchronized Revision<V> set(V value, String author, String comment) {
        Revision<V> next = new Revision<>(history.size() + 1, value, author, comment, clock.instant());
        if (guard.candidateVersion().isPresent()) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "revision " + guard.candidateVersion().get()
                    + " of " + guard.name() + " is still rolling out", guard.name());
        }
        guard.deploy(label(next.number()), () -> next);
        history.add(next);
        return next;
    }

    /**
     * Restores an earlier revision at once for every key; a change still rolling out is rolled back first.
     *
     * @param revision the revision number to restore
     * @param actor who asks
     * @param reason why
     * @return the rollback that restored it
     * @throws DrException {@code NOT_FOUND} when there is no such revision
     */
    public synchronized RollbackEvent rollbackTo(int revision, String actor, String reason) {
        if (revision < 1 || revision > history.size()) {
            throw new DrException(ErrorCode.NOT_FOUND, "revision " + revision + " of " + guard.name()
                    + " does not exist (revisions 1.." + history.size() + ")", "revision=" + revision);
        }
        Revision<V> target = history.get(revision - 1);
        return guard.restore(label(revision), target, actor, reason);
    }

    /**
     * Returns the revision that keys outside the rollout see.
     *
     * @return the stable revision
     */
    public Revision<V> current() {
        return history.get(Integer.parseInt(guard.stableVersion().substring(1)) - 1);
    }

    /**
     * Returns the revision being rolled out, if any.
     *
     * @return the candidate revision
     */
    public Optional<Revision<V>> candidate() {
        return guard.candidateVersion().map(v -> history.get(Integer.parseInt(v.substring(1)) - 1));
    }

    /**
     * Returns every revision ever set, oldest first.
     *
     * @return the history
     */
    public List<Revision<V>> history() {
        return List.copyOf(history);
    }

    /**
     * Returns where the latest change stands.
     *
     * @return the guard's state
     */
    public GuardState state() {
        return guard.state();
    }

    /**
     * Returns the guard that rolls changes out, for its operator actions and checks.
     *
     * @return the guard
     */
    public GuardedRelease<Revision<V>> guard() {
        return guard;
    }

    /** Stops the guard's scheduled checks. */
    @Override
    public void close() {
        guard.close();
    }
}
