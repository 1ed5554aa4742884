package dev.drkit.core.fuzz;

import dev.drkit.api.DrException;
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
 * the run. The first call of each target gets longer, since it loads and compiles the parser.
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
    /** The time the first input of a target may take: class loading and JIT warm-up. */
    static final Duration FIRST_LIMIT = Duration.ofSeconds(20);
    /** The largest input a target looks at; longer ones are cut, so that no run is a test of memory. */
    public static final int MAX_INPUT = 64 << 10;

    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-parse");
        t.setDaemon(true);
        return t;
    });
    private static final Set<String> WARM = ConcurrentHashMap.newKeySet();

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
        Future<?> run = WORKER.submit(() -> {
            parse.run();
            return null;
        });
        Duration limit = WARM.add(target) ? FIRST_LIMIT : LIMIT;
        try {
            run.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            throw new AssertionError(target + ": the parse took longer than " + limit.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(target + ": interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DrException dr) {
                if (dr.code() == null) {
                    throw new AssertionError(target + ": a DrException without a code", dr);
                }
                return;
            }
            throw new AssertionError(target + ": " + cause, cause);
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
