package dev.drkit.core.repository.internal;

import dev.drkit.core.repository.ReplicaStatus;
import dev.drkit.core.repository.Snapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships a journal's segments to one secondary repository as they become durable in the
 * primary: each commit queues a shipment (commits that arrive while one waits join it), which
 * copies the base snapshot when the secondary lacks it, then the segments it lacks. A failed
 * shipment is retried after {@link #RETRY}, doubling up to 32 times that while it keeps
 * failing, and by the next commit; nothing is lost, the secondary only lags. Before a new base,
 * the chains since the newest base the secondary holds are shipped whole (after a compaction,
 * also one that came while the secondary was unreachable or the journal was down), so the
 * secondary covers every instant the primary does.
 *
 * <p>Thread-safe; shipments run one at a time on the shipper's own thread.
 */
public final class SegmentShipper implements AutoCloseable {
    /** How long a failed shipment waits before it is tried again without a new commit. */
    public static final Duration RETRY = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(SegmentShipper.class);

    private final Engine source;
    private final Engine destination;
    private final String name;
    private final int secondary;
    private final Clock clock;
    private final ScheduledExecutorService thread;

    // Guarded by this.
    private JournalWriter.@Nullable Status latest;
    private boolean queued;
    private boolean closed;
    /** When the oldest commit the secondary lacks was made, or null when it lacks none. */
    private @Nullable Instant oldestUnshipped;
    /** When the first commit during the running shipment was made. */
    private @Nullable Instant firstDuringShipment;
    private boolean shipping;

    // Confined to the shipper's thread.
    private @Nullable ChainCopy chain;
    private volatile long shipped;
    private volatile @Nullable Instant shippedUntil;
    private volatile @Nullable String lastError;
    private volatile long failures;
    /** Failed shipments since the last success; retries wait longer as it grows. */
    private int streak;

    /**
     * Creates a shipper.
     *
     * @param source the primary
     * @param destination the secondary
     * @param name the journaled source, for the thread's name and messages
     * @param secondary the secondary's position, for the thread's name and the status
     */
    public SegmentShipper(Engine source, Engine destination, String name, int secondary) {
        this.source = source;
        this.destination = destination;
        this.name = name;
        this.secondary = secondary;
        this.clock = source.options().clock();
        this.thread = Executors.newSingleThreadScheduledExecutor(Engine.daemonThreads("dr-ship-" + name + "-"
                + secondary));
    }

    /**
     * Tells the shipper that the primary committed; returns at once.
     *
     * @param status the journal's status after the commit
     */
    public synchronized void committed(JournalWriter.Status status) {
        if (closed) {
            return;
        }
        if (latest != null && latest.base().equals(status.base()) && status.segments() < latest.segments()) {
            return; // an older status than one already given (the journal's first, read on another thread)
        }
        latest = status;
        Instant now = clock.instant();
        if (oldestUnshipped == null) {
            oldestUnshipped = now;
        }
        if (shipping && firstDuringShipment == null) {
            firstDuringShipment = now;
        }
        if (!queued) {
            queued = true;
            thread.execute(this::ship);
        }
    }

    /**
     * Ships what the primary has committed and waits for it: for tests and an orderly stop.
     *
     * @param timeout how long to wait
     * @param untilFailure whether to stop waiting when a shipment fails instead of waiting
     *     through its retries
     * @return true when the secondary holds every commit made before the call
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean drain(Duration timeout, boolean untilFailure) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long failedBefore = failures;
        while (true) {
            synchronized (this) {
                if (oldestUnshipped == null) {
                    return true;
                }
                if (untilFailure && failures != failedBefore) {
                    return false;
                }
                if (!queued && !shipping && !closed) {
                    queued = true;
                    thread.execute(this::ship);
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(5);
        }
    }

    /** Returns where the shipper stands. @return the status */
    public ReplicaStatus status() {
        Instant oldest;
        synchronized (this) {
            oldest = oldestUnshipped;
        }
        Duration lag = oldest == null ? Duration.ZERO : Duration.between(oldest, clock.instant());
        return new ReplicaStatus(secondary, shipped, shippedUntil, lag.isNegative() ? Duration.ZERO : lag, lastError);
    }

    private void ship() {
        JournalWriter.Status target;
        synchronized (this) {
            queued = false;
            if (closed || latest == null) {
                return;
            }
            target = latest;
            shipping = true;
            firstDuringShipment = null;
        }
        boolean ok = false;
        try {
            shipTo(target);
            ok = true;
            lastError = null;
            streak = 0;
        } catch (RuntimeException e) {
            chain = null; // read both chains afresh next time
            String error = e.toString();
            if (streak == 0 || !error.equals(lastError)) {
                LOG.warn("Shipping journal '{}' to {} failed; retrying: {}", name, destination.store().describe(),
                        e.getMessage());
            } else {
                LOG.debug("Shipping journal '{}' to {} failed again: {}", name, destination.store().describe(),
                        e.getMessage());
            }
            lastError = error;
            failures++;
            streak++;
        } finally {
            synchronized (this) {
                shipping = false;
                if (ok) {
                    oldestUnshipped = firstDuringShipment;
                } else if (!closed && !queued) {
                    queued = true;
                    long wait = RETRY.toMillis() << Math.min(5, streak - 1); // 1 s doubling to 32 s
                    thread.schedule(this::ship, wait, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    private void shipTo(JournalWriter.Status target) {
        ChainCopy current = chain;
        if (current != null && !current.base().equals(target.base())) {
            current = null; // compacted since the last shipment: the chains in between first
        }
        if (current == null) {
            Snapshot base = Engine.toSnapshot(target.base(), source.readManifest(target.base()));
            shipped += catchUpTo(base);
            new Copier(source, destination).copy(List.of(base));
            current = ChainCopy.open(source, destination, base.id(), name);
            chain = current;
        }
        shipped += current.advance(target.segments());
        Instant until = current.sentUntil();
        if (until != null) {
            shippedUntil = until;
        }
    }

    /**
     * Ships the chains that came before {@code base} since the newest base the secondary holds:
     * that base's chain's tail, then every later base with its whole chain, oldest first. These
     * are the segments written while the secondary was unreachable, a shipment ran or the
     * journal was down, across any number of compactions.
     */
    private int catchUpTo(Snapshot base) {
        List<Snapshot> earlier = new ArrayList<>();
        for (Snapshot s : source.snapshots()) { // oldest first
            if (JournalWriter.isBase(s) && s.sources().get(0).equals(name) && !s.id().equals(base.id())
                    && !s.time().isAfter(base.time())) {
                earlier.add(s);
            }
        }
        int from = earlier.size();
        while (from > 0 && !destination.store().stat(Engine.SNAPSHOTS + earlier.get(from - 1).id()).isPresent()) {
            from--;
        }
        if (from == 0) {
            return 0; // the secondary holds none of this source's earlier bases: it starts at this one
        }
        List<Snapshot> toShip = earlier.subList(from - 1, earlier.size());
        if (toShip.size() > 1) {
            new Copier(source, destination).copy(toShip.subList(1, toShip.size()));
        }
        return Journals.copy(source, destination, toShip);
    }

    /** Stops shipping; what is not shipped yet is shipped by the next journal or copy. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
