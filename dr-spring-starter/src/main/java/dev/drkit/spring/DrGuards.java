package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.rollback.Guard;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.core.rollback.GuardedRelease;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The application's guarded releases by name, with the operators' acknowledgements of
 * rollbacks: a guard that was rolled back stays a problem for the health contributor until
 * someone acknowledges it.
 *
 * <p>Thread-safe.
 */
public final class DrGuards {
    private final Map<String, Guard<?>> guards;
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> acknowledgedRollbacks = new ConcurrentHashMap<>();

    /**
     * Creates a registry of guards.
     *
     * @param guards the guards; names must be unique
     * @throws DrException {@code INVALID_CONFIG} naming a guard name used twice
     */
    public DrGuards(Collection<? extends Guard<?>> guards) {
        Map<String, Guard<?>> byName = new LinkedHashMap<>();
        for (Guard<?> g : guards) {
            if (byName.putIfAbsent(g.name(), g) != null) {
                throw new DrException(ErrorCode.INVALID_CONFIG, "two guards are named '" + g.name() + "'",
                        "guard=" + g.name());
            }
        }
        this.guards = Collections.unmodifiableMap(byName);
    }

    /**
     * Returns every guard by name, in registration order.
     *
     * @return the guards
     */
    public Map<String, Guard<?>> all() {
        return guards;
    }

    /**
     * Returns the guard of a name.
     *
     * @param name the name
     * @return the guard, or empty
     */
    public Optional<Guard<?>> find(String name) {
        return Optional.ofNullable(guards.get(name));
    }

    /**
     * Returns the guard of a name.
     *
     * @param name the name
     * @return the guard
     * @throws DrException {@code NOT_FOUND} naming the known guards
     */
    public Guard<?> get(String name) {
        Guard<?> g = guards.get(name);
        if (g == null) {
            throw new DrException(ErrorCode.NOT_FOUND, "no guard is named '" + name + "'; guards: "
                    + guards.keySet(), "guard=" + name);
        }
        return g;
    }

    /**
     * Records that an operator has seen a guard's rollback, so that it no longer makes the
     * application unhealthy.
     *
     * @param name the guard's name
     * @return true when the guard was rolled back and is now acknowledged
     * @throws DrException {@code NOT_FOUND} for an unknown guard
     */
    public boolean acknowledge(String name) {
        Guard<?> g = get(name);
        if (g.state() != GuardState.ROLLED_BACK) {
            return false;
        }
        g.snapshot().rollback().ifPresent(r -> acknowledgedRollbacks.put(name, r.at()));
        acknowledged.add(name);
        return true;
    }

    /**
     * Returns whether a guard was rolled back automatically and nobody has acknowledged it yet.
     * For a guard whose snapshot names its last rollback (a {@code GuardedRelease}) the
     * acknowledgement belongs to one rollback, so the next rollback needs a new one and an
     * operator's own rollback needs none; for other guards a guard seen outside the rolled-back
     * state (a new rollout) forgets its old acknowledgement.
     *
     * @param name the guard's name
     * @return true while the rollback waits for an operator
     * @throws DrException {@code NOT_FOUND} for an unknown guard
     */
    public boolean awaitingAcknowledgement(String name) {
        Guard<?> g = get(name);
        if (g.state() != GuardState.ROLLED_BACK) {
            acknowledged.remove(name);
            return false;
        }
        Optional<RollbackEvent> last = g.snapshot().rollback();
        if (last.isPresent()) {
            return GuardedRelease.SYSTEM.equals(last.get().actor())
                    && !last.get().at().equals(acknowledgedRollbacks.get(name));
        }
        return !acknowledged.contains(name);
    }
}
