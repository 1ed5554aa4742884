package dev.drkit.core.rollback.internal;

import dev.drkit.api.Ticker;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.health.ProbeResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs probes in parallel on an executor, each within a timeout: a probe that throws counts
 * as DOWN; one that does not answer in time is reported as silent (and interrupted), for the
 * guard to treat as missing data or as DOWN. The timeout and the probes' latencies are
 * measured on the guard's {@link Ticker}, so that a test can let a probe time out by moving
 * its ticker rather than by waiting.
 */
public final class ProbeRunner {
    /**
     * One probe's answer at one poll.
     *
     * @param result what the probe said (DOWN with the cause when it threw or stayed silent)
     * @param answered false when the probe did not answer within the timeout
     */
    public record Poll(ProbeResult result, boolean answered) {
    }

    private final ExecutorService executor;
    private final Duration timeout;
    private final Ticker ticker;

    /**
     * Creates a runner.
     *
     * @param executor where probes run
     * @param timeout how long each probe may take
     * @param ticker what the timeout and the latencies are measured on
     */
    public ProbeRunner(ExecutorService executor, Duration timeout, Ticker ticker) {
        this.executor = executor;
        this.timeout = timeout;
        this.ticker = ticker;
    }

    /**
     * Runs the probes and waits for all of them, at most the timeout in total.
     *
     * @param probes the probes
     * @return each probe's poll by name, in the given order
     */
    public Map<String, Poll> runAll(List<HealthProbe> probes) {
        long deadline = ticker.read() + timeout.toNanos();
        List<Future<ProbeResult>> futures = new ArrayList<>(probes.size());
        for (HealthProbe probe : probes) {
            futures.add(executor.submit(() -> timed(probe)));
        }
        Map<String, Poll> results = new LinkedHashMap<>();
        for (int i = 0; i < probes.size(); i++) {
            Future<ProbeResult> future = futures.get(i);
            ProbeResult result;
            boolean answered = true;
            try {
                result = await(future, deadline);
            } catch (TimeoutException e) {
                future.cancel(true);
                answered = false;
                result = new ProbeResult(HealthStatus.DOWN, "timed out after " + timeout, timeout);
            } catch (ExecutionException e) {
                result = ProbeResult.down(String.valueOf(e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                future.cancel(true);
                result = ProbeResult.down("interrupted");
            }
            results.put(probes.get(i).name(), new Poll(result, answered));
        }
        return results;
    }

    /**
     * Waits for a probe until the ticker reaches the deadline: a real-time wait for what is
     * left by the ticker, repeated while the ticker says time is left.
     */
    private ProbeResult await(Future<ProbeResult> future, long deadline)
            throws TimeoutException, ExecutionException, InterruptedException {
        while (true) {
            long left = deadline - ticker.read();
            if (left <= 0) {
                if (future.isDone()) {
                    return future.get();
                }
                throw new TimeoutException();
            }
            try {
                return future.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // the ticker decides whether the time is up
            }
        }
    }

    private ProbeResult timed(HealthProbe probe) {
        long start = ticker.read();
        try {
            ProbeResult r = probe.check();
            if (r == null) {
                return ProbeResult.down("probe returned null");
            }
            return r.latency().isZero() ? r.withLatency(Duration.ofNanos(ticker.read() - start)) : r;
        } catch (Exception e) {
            return ProbeResult.down(String.valueOf(e)).withLatency(Duration.ofNanos(ticker.read() - start));
        }
    }
}
