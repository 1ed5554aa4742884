package dev.drkit.spring.actuate;

import dev.drkit.core.repository.JournalStatus;
import dev.drkit.spring.DrJournals;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of continuous protection: DOWN when a change has waited longer than the journal's
 * recovery point objective ({@code dr.backup.continuous.rpo}) to become durable; UP otherwise.
 */
public final class JournalHealthIndicator implements HealthIndicator {
    private final DrJournals journals;

    /**
     * Creates the indicator.
     *
     * @param journals the journals to report on
     */
    public JournalHealthIndicator(DrJournals journals) {
        this.journals = journals;
    }

    @Override
    public Health health() {
        Health.Builder b = journals.rpoMet() ? Health.up() : Health.down();
        b.withDetail("rpo", journals.rpo().toString());
        for (JournalStatus s : journals.statuses()) {
            b.withDetail(s.source(), DrEndpoint.journalView(s));
        }
        return b.build();
    }

}
