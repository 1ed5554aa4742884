package dev.drkit.spring.actuate;

import dev.drkit.core.repository.JournalStatus;
import dev.drkit.spring.DrJournals;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of continuous protection: DOWN when a change has waited longer than the journal's
 * recovery point objective ({@code dr.backup.continuous.rpo}) to become durable, or when another
 * writer took a journal's writer lock over (the detail {@code writerLockLost} names each such
 * source with its new holder: that journal writes no more); UP otherwise.
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
        Map<String, String> lost = journals.lostWriterLocks();
        Health.Builder b = journals.rpoMet() && lost.isEmpty() ? Health.up() : Health.down();
        b.withDetail("rpo", journals.rpo().toString());
        if (!lost.isEmpty()) {
            b.withDetail("writerLockLost", lost);
        }
        for (JournalStatus s : journals.statuses()) {
            b.withDetail(s.source(), DrEndpoint.journalView(s));
        }
        return b.build();
    }

}
