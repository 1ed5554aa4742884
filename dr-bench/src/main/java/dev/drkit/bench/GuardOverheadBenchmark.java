package dev.drkit.bench;

import dev.drkit.core.rollback.GuardConfig;
import dev.drkit.core.rollback.GuardedRelease;
import dev.drkit.core.rollback.RolloutPlan;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a guarded call costs: a bare call ({@code direct}), the same call through a bare
 * Resilience4j decorated supplier ({@code circuitBreaker}), and through a
 * {@link GuardedRelease} mid-rollout at 50% ({@code guarded}: sticky routing, the version's
 * circuit breaker, the outcome counters and latency histogram).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GuardOverheadBenchmark {

    /** The interface both versions implement. */
    public interface Pricing {
        /**
         * Prices an item.
         *
         * @param item the item
         * @return the price
         */
        long price(long item);
    }

    private static final Pricing V1 = item -> item * 31 + 7;
    private static final Pricing V2 = item -> item * 31 + 7;

    private final String[] keys = new String[1024];
    private long item = 42;
    private int next;
    private Supplier<Long> decorated = () -> 0L;
    private Function<Pricing, Long> work = p -> 0L;
    private GuardedRelease<Pricing> guard = GuardedRelease.<Pricing>builder("unused").stable("v1", V1).build();

    /** Builds the circuit breaker and the guard (candidate at 50%, never promoted during the run). */
    @Setup
    public void setUp() {
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "customer-" + i;
        }
        CircuitBreaker cb = CircuitBreaker.ofDefaults("bench");
        decorated = CircuitBreaker.decorateSupplier(cb, () -> V1.price(item));
        work = p -> p.price(item);
        guard.close();
        guard = GuardedRelease.<Pricing>builder("pricing")
                .config(GuardConfig.DEFAULT.withPlan(RolloutPlan.of(Long.MAX_VALUE / 2, Duration.ZERO, 0.5)))
                .stable("v1", V1).candidate("v2", () -> V2).build();
    }

    /** Stops the guard. */
    @TearDown
    public void tearDown() {
        guard.close();
    }

    /**
     * The bare call.
     *
     * @return the price
     */
    @Benchmark
    public long direct() {
        return V1.price(item);
    }

    /**
     * The call through a bare Resilience4j decorated supplier.
     *
     * @return the price
     */
    @Benchmark
    public Long circuitBreaker() {
        return decorated.get();
    }

    /**
     * The call through the guarded release, keys cycling over both versions.
     *
     * @return the price
     */
    @Benchmark
    public Long guarded() {
        String key = keys[next++ & (keys.length - 1)];
        return guard.call(key, work);
    }
}
