package dev.drkit.test.acceptance;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.recovery.RecoveryStep;
import dev.drkit.api.recovery.StepContext;
import dev.drkit.api.recovery.VerificationPhase;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.Steps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A small but real service to recover: its orders file, a routing file that says which copy
 * serves traffic, a fence file that blocks writes, and snapshots in a file store.
 */
final class OrdersRecovery {
    final Path root;
    final Path service;
    final Path orders;
    final Path restored;
    final Path routing;
    final Path fence;
    final Path marker;
    final SnapshotStore backups;

    OrdersRecovery(Path root, SnapshotStore backups) {
        backups.createLocationIfMissing(); // the service's own store of backups, made on its first start
        this.root = root;
        this.service = root.resolve("service");
        this.orders = service.resolve("orders.db");
        this.restored = service.resolve("orders.restored.db");
        this.routing = service.resolve("routing");
        this.fence = service.resolve("fence");
        this.marker = root.resolve("marker");
        this.backups = backups;
    }

    static final String GOOD = "order 1 paid\norder 2 paid\norder 3 shipped\nEND\n";

    /** Lays out a corrupted service and two snapshots, the latest taken {@code age} before {@code detectedAt}. */
    void setUp(Instant detectedAt, Duration age) throws IOException {
        Files.createDirectories(service);
        Files.writeString(orders, "order 1 paid\norder 2 p\u0000\u0000\u0000");
        Files.writeString(routing, "primary");
        backups.put("snapshots/" + detectedAt.minus(age.multipliedBy(3)), "order 1 paid\nEND\n".getBytes(StandardCharsets.UTF_8));
        backups.put("snapshots/" + detectedAt.minus(age), GOOD.getBytes(StandardCharsets.UTF_8));
    }

    String routing() throws IOException {
        return Files.readString(routing);
    }

    /** The plan: fence writes, restore the latest snapshot, verify the data, switch traffic, unfence. */
    Plan plan(String hangAt) {
        HealthProbe backupsReachable = HealthProbe.named("backups-reachable", () ->
                backups.list("snapshots/").findAny().isPresent() ? ProbeResult.up("snapshots present")
                        : ProbeResult.down("no snapshot"));
        HealthProbe ordersReadable = HealthProbe.named("orders-readable", () -> {
            Path serving = routing().equals("restored") ? restored : orders;
            String data = Files.readString(serving);
            if (routing().equals("primary") && !Files.exists(fence)) {
                // a drill leaves the service as it was; check the rehearsal's copy instead
                Path copy = root.resolve("drill-restore.db");
                return Files.exists(copy) && Files.readString(copy).endsWith("END\n") ? ProbeResult.up("drill copy readable")
                        : ProbeResult.down("drill copy missing");
            }
            return data.endsWith("END\n") ? ProbeResult.up(serving.getFileName() + " readable")
                    : ProbeResult.down(serving.getFileName() + " is corrupt");
        });
        return Plan.builder("orders-recovery")
                .description("The orders store holds corrupted data: restore it from the latest snapshot.")
                .objectives(Duration.ofMinutes(15), Duration.ofMinutes(10))
                .step("fence-writes", hangable("fence-writes", hangAt, new RecoveryStep() {
                    @Override
                    public void execute(StepContext c) throws IOException {
                        if (c.mode() == ExecutionMode.DRILL) {
                            c.progress(1, "would fence writes to " + service);
                            return;
                        }
                        Files.writeString(fence, c.idempotencyKey());
                    }

                    @Override
                    public void compensate(StepContext c) throws IOException {
                        if (c.mode() == ExecutionMode.LIVE) {
                            Files.deleteIfExists(fence);
                        }
                    }

                    @Override
                    public String describe() {
                        return "Fence writes to the orders store";
                    }
                }), s -> s.owner("orders-team"))
                .step("restore", hangable("restore", hangAt, Steps.restore("the latest snapshot of the orders store",
                        this::restoreLatest)), s -> s.dependsOn("fence-writes").owner("dba").timeout(Duration.ofMinutes(10))
                        .retry(3, Duration.ofMillis(10)))
                .step("verify-data", hangable("verify-data", hangAt, Steps.described(
                        "Check that the restored orders end with the END marker", c -> {
                            Path copy = c.mode() == ExecutionMode.LIVE ? restored : root.resolve("drill-restore.db");
                            if (!Files.readString(copy).endsWith("END\n")) {
                                throw new DrException(ErrorCode.INTEGRITY, "restored orders are incomplete", copy.toString());
                            }
                        })), s -> s.dependsOn("restore").owner("dba"))
                .step("switch-traffic", hangable("switch-traffic", hangAt, new RecoveryStep() {
                    @Override
                    public void execute(StepContext c) throws IOException {
                        if (c.mode() == ExecutionMode.DRILL) {
                            c.progress(1, "would route traffic to " + restored.getFileName());
                            return;
                        }
                        Files.writeString(routing, "restored");
                    }

                    @Override
                    public void compensate(StepContext c) throws IOException {
                        if (c.mode() == ExecutionMode.LIVE) {
                            Files.writeString(routing, "primary");
                        }
                    }

                    @Override
                    public String describe() {
                        return "Switch traffic to the restored orders store";
                    }
                }), s -> s.dependsOn("verify-data").owner("sre"))
                .step("unfence-writes", hangable("unfence-writes", hangAt, Steps.described("Remove the write fence", c -> {
                    if (c.mode() == ExecutionMode.LIVE) {
                        Files.deleteIfExists(fence);
                    }
                })), s -> s.dependsOn("switch-traffic").owner("orders-team"))
                .verify("backups reachable", backupsReachable, VerificationPhase.BEFORE, 0)
                .verify("orders readable", ordersReadable, VerificationPhase.AFTER, 2)
                .build();
    }

    private Instant restoreLatest(StepContext c) throws IOException {
        List<ObjectInfo> snapshots = backups.list("snapshots/").toList();
        ObjectInfo latest = snapshots.get(snapshots.size() - 1);
        byte[] data = backups.get(latest.key());
        Path target = c.mode() == ExecutionMode.LIVE ? restored : root.resolve("drill-restore.db");
        Files.write(target, data);
        return Instant.parse(latest.key().substring("snapshots/".length()));
    }

    /** Wraps a step so that, when it is the one to hang at, it writes the marker and blocks until killed. */
    private RecoveryStep hangable(String name, String hangAt, RecoveryStep step) {
        if (!name.equals(hangAt)) {
            return step;
        }
        return new RecoveryStep() {
            @Override
            public void execute(StepContext c) throws Exception {
                step.execute(c);
                Files.writeString(marker, name);
                new CountDownLatch(1).await();
            }

            @Override
            public void compensate(StepContext c) throws Exception {
                step.compensate(c);
            }

            @Override
            public String describe() {
                return step.describe();
            }
        };
    }
}
