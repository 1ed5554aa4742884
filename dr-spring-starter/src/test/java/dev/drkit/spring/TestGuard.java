package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.Guard;
import dev.drkit.api.rollback.GuardState;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.api.rollback.RollbackMode;
import dev.drkit.api.rollback.TriggerKind;
import dev.drkit.api.rollback.Verdict;
import java.time.Instant;
import java.util.function.Function;

/** A guard whose state the test sets, over two implementations of an interface. */
public final class TestGuard<T> implements Guard<T> {
    private final String name;
    private final T stable;
    private final T candidate;
    private volatile GuardState state = GuardState.ROLLING_OUT;
    private volatile double weight = 0.25;

    public TestGuard(String name, T stable, T candidate) {
        this.name = name;
        this.stable = stable;
        this.candidate = candidate;
    }

    public static TestGuard<String> named(String name) {
        return new TestGuard<>(name, "v1", "v2");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public <R> R call(Object key, Function<? super T, ? extends R> fn) {
        boolean toCandidate = state == GuardState.ROLLING_OUT && Math.floorMod(key.hashCode(), 100) < weight * 100;
        return fn.apply(toCandidate ? candidate : stable);
    }

    @Override
    public GuardState state() {
        return state;
    }

    public void state(GuardState s) {
        this.state = s;
    }

    @Override
    public double candidateWeight() {
        return state == GuardState.ROLLING_OUT || state == GuardState.PAUSED ? weight : 0;
    }

    @Override
    public RollbackEvent rollback(String actor, String reason) {
        if (state != GuardState.ROLLING_OUT && state != GuardState.PAUSED) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "guard " + name + " has no candidate to roll back",
                    "guard=" + name);
        }
        state = GuardState.ROLLED_BACK;
        return new RollbackEvent(name, RollbackMode.EMERGENCY, TriggerKind.OPERATOR, "operator", actor, reason,
                new Verdict(Decision.ROLLBACK, reason, Evidence.NONE), "v2", "v1", Instant.now());
    }
}
