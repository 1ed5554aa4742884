package dev.drkit.core.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.incident.FaultType;
import dev.drkit.api.incident.Incident;
import dev.drkit.api.incident.TimelineEntry;
import dev.drkit.testkit.ManualClock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How an operator's incident title becomes a fault type, through {@link IncidentManager#open}. */
class FaultWordsTest {
    final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    final IncidentManager incidents = IncidentManager.builder().clock(ManualClock.at(Instant.parse("2026-12-01T10:00:00Z")))
            .audit(audit::add).build();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # words inside other words do not count
            memory leak in checkout service                  | SOFTWARE
            PowerShell job failed                             | SOFTWARE
            Diskless boot image rebuilt                       | SOFTWARE
            ECCentric vendor portal slow to load pages        | SOFTWARE
            # alert names run words together
            NodeDown                                          | HARDWARE
            DNSFailures                                       | NETWORK
            PostgresReplicationLag                            | DATA
            HighRequestLatency                                | NETWORK
            OrdersApiDown                                     | SOFTWARE
            PowerShellJobFailed                               | SOFTWARE
            DDoSDetected                                      | SECURITY
            # security, by its own words
            Ransomware encrypted the orders share             | SECURITY
            Malware found on build agent                      | SECURITY
            Customer data breach reported                     | SECURITY
            DDoS against the public API                       | SECURITY
            Credentials leaked in a public repository         | SECURITY
            Unauthorised access to the admin console          | SECURITY
            Suspicious logins from unknown countries          | SECURITY
            Ransomware encrypted disks on the file server     | SECURITY
            # hardware, including the building
            data centre fire                                  | HARDWARE
            Flooding in the basement data center              | HARDWARE
            Power outage in rack B7                           | HARDWARE
            Two failed disks in the RAID array                | HARDWARE
            ECC memory errors on db-3                         | HARDWARE
            Host down: db-2                                   | HARDWARE
            Cooling failure, servers overheating              | HARDWARE
            # network
            DNS resolution failing for orders.internal        | NETWORK
            Packet loss between zones                         | NETWORK
            Orders service unreachable from the gateway       | NETWORK
            Connection refused by payments                    | NETWORK
            Network partition split the cluster               | NETWORK
            # data
            Orders table corrupted after migration            | DATA
            Checksum mismatch in nightly export               | DATA
            Data loss in the ledger                           | DATA
            Inconsistent balances between ledger and orders   | DATA
            # software
            orders API 500s; latency dashboards fine          | SOFTWARE
            Regression after deploy of checkout 4.2           | SOFTWARE
            NullPointerException in the pricing job           | SOFTWARE
            Out of memory after the release                   | SOFTWARE
            # negation and false alarms set words aside
            no corruption found, false alarm                  | SOFTWARE
            Disk alert was a false alarm                      | SOFTWARE
            Checkout slow, not a network problem              | SOFTWARE
            Replica caught up without data loss               | SOFTWARE
            No packet loss but DNS is failing                 | NETWORK
            Disks healthy; orders table corrupted             | DATA
            Login page isn't loading, no breach               | SOFTWARE
            # nothing to go on: the default, not a guess
            Checkout page is blank                            | SOFTWARE
            Something is wrong with orders                    | SOFTWARE
            """)
    void anOperatorsTitleIsClassifiedByWholeWordsAndNegations(String title, FaultType expected) {
        Incident i = incidents.open(IncidentSignal.operator("alice", title));
        assertThat(i.faultType()).as(title + ": " + i.timeline().get(1).text()).isEqualTo(expected);
    }

    @Test
    void theTimelineAndTheAuditRecordSayWhichWordsDecided() {
        Incident i = incidents.open(IncidentSignal.operator("alice", "Ransomware encrypted the orders share"));
        assertThat(i.timeline().get(1)).extracting(TimelineEntry::text)
                .isEqualTo("SEV3 SECURITY by rule source:operator: words 'ransomware' point to SECURITY");
        assertThat(audit.get(0).details()).containsEntry("reason", "words 'ransomware' point to SECURITY");

        Incident none = incidents.open(IncidentSignal.operator("alice", "no corruption found, false alarm"));
        assertThat(none.timeline().get(1).text()).isEqualTo("SEV3 SOFTWARE by rule source:operator: no fault words, "
                + "so the default SOFTWARE; set aside 'corruption' (a false alarm)");

        Incident fine = incidents.open(IncidentSignal.operator("alice", "orders API 500s; latency dashboards fine"));
        assertThat(fine.timeline().get(1).text()).endsWith("words '500s' point to SOFTWARE; set aside 'latency' "
                + "(then 'fine')");
    }

    @Test
    void anIncidentRebuiltFromTheAuditLogKeepsTheReason() {
        Incident i = incidents.open(IncidentSignal.operator("alice", "data centre fire"));
        IncidentManager after = IncidentManager.builder().clock(ManualClock.at(Instant.parse("2026-12-01T11:00:00Z")))
                .build();
        after.restore(audit.stream().map(e -> new dev.drkit.core.audit.AuditRecord(1, e.time(), e.actor(), e.action(),
                e.target(), e.outcome(), e.details(), "", "")).toList());
        assertThat(after.get(i.id()).orElseThrow().timeline().get(1).text())
                .isEqualTo("SEV3 HARDWARE by rule source:operator: words 'fire', 'data centre' point to HARDWARE");
    }
}
