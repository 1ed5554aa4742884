package dev.drkit.spring.actuate;

import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.core.backup.RestoreTestResult;
import dev.drkit.core.backup.RestoreTests;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the restore tests: DOWN when the last one failed, or when none passed within
 * {@code dr.backup.restore-test.max-age}; UNKNOWN while none has run yet; UP otherwise.
 */
public final class RestoreTestsHealthIndicator implements HealthIndicator {
    private final RestoreTests tests;

    /**
     * Creates the indicator.
     *
     * @param tests the restore tests to report on
     */
    public RestoreTestsHealthIndicator(RestoreTests tests) {
        this.tests = tests;
    }

    @Override
    public Health health() {
        ProbeResult verdict = tests.health();
        Health.Builder b = verdict.status() == HealthStatus.UP ? Health.up()
                : verdict.status() == HealthStatus.DOWN ? Health.down() : Health.unknown();
        b.withDetail("detail", verdict.detail()).withDetail("maxAge", tests.maxAge().toString());
        tests.nextRun().ifPresent(t -> b.withDetail("nextRun", t.toString()));
        tests.last().ifPresent((RestoreTestResult r) -> {
            b.withDetail("lastRun", r.startedAt().toString()).withDetail("passed", r.passed())
                    .withDetail("projectedRto", r.restoreTime().toString());
            if (r.snapshotId() != null) {
                b.withDetail("snapshot", r.snapshotId());
            }
            if (!r.reason().isEmpty()) {
                b.withDetail("reason", r.reason());
            }
        });
        return b.build();
    }
}
