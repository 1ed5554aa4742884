package dev.drkit.core.recovery.file;

import dev.drkit.api.recovery.Failover;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A failover that {@link java.util.ServiceLoader} finds under the name {@code orders-db}; it logs its calls. */
public class RecordingFailover implements Failover {
    static final List<String> CALLS = new CopyOnWriteArrayList<>();

    /** Creates it, as the service loader does. */
    public RecordingFailover() {
    }

    @Override
    public String name() {
        return "orders-db";
    }

    @Override
    public String describe() {
        return "orders-db primary -> standby";
    }

    @Override
    public void verifyReady() {
        CALLS.add("ready?");
    }

    @Override
    public void failover(String idempotencyKey) {
        CALLS.add("failover " + idempotencyKey);
    }

    @Override
    public void failback(String idempotencyKey) {
        CALLS.add("failback " + idempotencyKey);
    }
}
