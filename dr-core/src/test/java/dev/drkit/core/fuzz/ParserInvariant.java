package dev.drkit.core.fuzz;

import dev.drkit.api.DrException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The invariant every fuzz target checks: a parser of untrusted input, given any input, returns
 * or throws a {@link DrException} with a code, within a second; anything else (an unchecked JDK
 * exception, an {@link Error} such as {@link OutOfMemoryError}, a hang) fails the input.
 *
 * <p>The parse runs on a worker thread so that a hang is reported as one instead of stalling
 * the run. "Within a second" counts the worker's CPU time, not the wall clock, so that a loaded
 * machine (builds share two cores) does not fail a parse that merely waited; a parse that has
 * not ended after {@link #HANG} of wall time is a hang. The first call of each target is not
 * timed, since it loads the parser's classes.
 */
public final class ParserInvariant {
    /**
     * How long {@code JAZZER_FUZZ=1} fuzzes one target. Jazzer 0.24.0 takes the run time from
     * {@code @FuzzTest(maxDuration)} alone (it appends {@code -max_total_time} after any other
     * libFuzzer flag), so a longer campaign edits this constant.
     */
    public static final String FUZZ_DURATION = "40s";
    /** The time one input may take. */
    public static final Duration LIMIT = Duration.ofSeconds(1);
    /** The wall time after which a parse counts as hung, far above {@link #LIMIT}. */
    static final Duration HANG = Duration.ofSeconds(30);
    /** The largest input a target looks at; longer ones are cut, so that no run is a test of memory. */
    public static final int MAX_INPUT = 64 << 10;

    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-parse");
        t.setDaemon(true);
        return t;
    });
    private static final Set<String> WARM = ConcurrentHashMap.newKeySet();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** A parse that may throw. */
    @FunctionalInterface
    public interface Parse {
        /** Runs the parse. @throws Exception anything */
        void run() throws Exception;
    }

    private ParserInvariant() {
    }

    /**
     * Runs a parse and checks the invariant.
     *
     * @param target the target's name, for messages
     * @param parse the parse of one input
     * @throws AssertionError when the invariant does not hold
     */
    public static void check(String target, Parse parse) {
        long[] cpuNanos = new long[1];
        Future<?> run = WORKER.submit(() -> {
            long start = THREADS.getCurrentThreadCpuTime();
            try {
                parse.run();
            } finally {
                cpuNanos[0] = THREADS.getCurrentThreadCpuTime() - start;
            }
            return null;
        });
        boolean first = WARM.add(target);
        Throwable failure = null;
        try {
            run.get(HANG.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            throw new AssertionError(target + ": the parse did not end within " + HANG.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(target + ": interrupted", e);
        } catch (ExecutionException e) {
            failure = e.getCause();
        }
        if (!first && cpuNanos[0] > LIMIT.toNanos()) {
            throw new AssertionError(target + ": the parse used " + cpuNanos[0] / 1_000_000 + " ms of CPU, more than "
                    + LIMIT.toMillis() + " ms", failure);
        }
        if (failure instanceof DrException dr) {
            if (dr.code() == null) {
                throw new AssertionError(target + ": a DrException without a code", dr);
            }
        } else if (failure != null) {
            throw new AssertionError(target + ": " + failure, failure);
        }
    }

    /**
     * Cuts an input to {@link #MAX_INPUT} bytes.
     *
     * @param data the input
     * @return the input or its first {@link #MAX_INPUT} bytes
     */
    public static byte[] bounded(byte[] data) {
        return data.length <= MAX_INPUT ? data : java.util.Arrays.copyOf(data, MAX_INPUT);
    }
}
