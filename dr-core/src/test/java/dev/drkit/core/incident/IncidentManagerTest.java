package dev.drkit.core.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.incident.FaultType;
import dev.drkit.api.incident.Incident;
import dev.drkit.api.incident.IncidentStatus;
import dev.drkit.api.incident.Notification;
import dev.drkit.api.incident.Severity;
import dev.drkit.api.incident.TimelineEntry;
import dev.drkit.testkit.ManualClock;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class IncidentManagerTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    final ManualClock clock = ManualClock.at(T0);
    final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    final List<Notification> sent = new CopyOnWriteArrayList<>();
    final IncidentManager incidents = IncidentManager.builder().clock(clock).audit(audit::add).notifier(sent::add)
            .escalation(EscalationPolicy.of(Duration.ofMinutes(10), "team-lead", "incident-commander")).build();

    static IncidentSignal alert(Map<String, String> labels, String fingerprint) {
        return new IncidentSignal(IncidentSource.ALERT, "OrdersApiDown", "alert OrdersApiDown firing", labels,
                "checkout", T0.minusSeconds(120), fingerprint, "alertmanager");
    }

    @Test
    void anAlertIsClassifiedByItsSeverityAndFaultLabels() {
        Incident i = incidents.open(alert(Map.of("severity", "critical", "dr_fault", "network"), "fp1"));
        assertThat(i.severity()).isEqualTo(Severity.SEV1);
        assertThat(i.faultType()).isEqualTo(FaultType.NETWORK);
        assertThat(i.status()).isEqualTo(IncidentStatus.OPEN);
        assertThat(i.timeline()).extracting(TimelineEntry::kind).containsExactly("opened", "classified");
        assertThat(i.timeline().get(0).actor()).as("who raised the signal, not its source").isEqualTo("alertmanager");
        assertThat(audit).singleElement().satisfies(a -> {
            assertThat(a.action()).isEqualTo("incident.open");
            assertThat(a.details()).containsEntry("severity", "SEV1").containsEntry("source", "alert")
                    .containsEntry("faultStartedAt", T0.minusSeconds(120).toString());
        });
        assertThat(sent).singleElement().extracting(Notification::kind).isEqualTo("incident.opened");
    }

    @Test
    void withoutLabelsTheSourceAndTheWordsClassify() {
        HealthProbe disk = HealthProbe.named("disk", ProbeResult::up);
        Incident probe = incidents.openFor(disk, ProbeResult.down("disk /var is full"));
        assertThat(probe.severity()).isEqualTo(Severity.SEV2);
        assertThat(probe.faultType()).isEqualTo(FaultType.HARDWARE);
        Incident op = incidents.open(IncidentSignal.operator("alice", "Orders table corrupted after migration"));
        assertThat(op.severity()).isEqualTo(Severity.SEV3);
        assertThat(op.faultType()).isEqualTo(FaultType.DATA);
        Incident custom = IncidentManager.builder().clock(clock).rules(List.of(ClassificationRule.when("payments",
                s -> s.title().contains("payment"), Severity.SEV1, FaultType.SOFTWARE))).build()
                .open(IncidentSignal.operator("bob", "payment failures"));
        assertThat(custom.severity()).isEqualTo(Severity.SEV1);
    }

    @Test
    void signalsWithTheSameDedupKeyAddToTheOpenIncidentUntilItIsResolved() {
        Incident first = incidents.open(alert(Map.of("severity", "warning"), "fp1"));
        Incident again = incidents.open(alert(Map.of("severity", "warning"), "fp1"));
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.timeline()).extracting(TimelineEntry::kind).contains("repeated");
        assertThat(incidents.list()).hasSize(1);
        incidents.resolve(first.id(), "alice", "restarted the pods", "a bad config push");
        Incident third = incidents.open(alert(Map.of("severity", "warning"), "fp1"));
        assertThat(third.id()).isNotEqualTo(first.id());
    }

    @Test
    void acknowledgementAssignmentAndResolutionAreInTheTimelineAndTheAuditLog() {
        Incident i = incidents.open(alert(Map.of("severity", "major"), "fp2"));
        clock.advance(Duration.ofMinutes(3));
        incidents.acknowledge(i.id(), "alice");
        incidents.assign(i.id(), "bob", "alice");
        Incident done = incidents.resolve(i.id(), "bob", "failed over to the standby", "disk controller died");
        assertThat(done.status()).isEqualTo(IncidentStatus.RESOLVED);
        assertThat(done.assignee()).isEqualTo("bob");
        assertThat(done.timeline()).extracting(TimelineEntry::kind)
                .containsExactly("opened", "classified", "acknowledged", "assigned", "root-cause", "resolved");
        assertThat(audit).extracting(AuditEvent::action)
                .containsExactly("incident.open", "incident.ack", "incident.assign", "incident.resolve");
        assertThat(sent).extracting(Notification::kind).containsExactly("incident.opened", "incident.resolved");
        assertThatThrownBy(() -> incidents.acknowledge("INC-99", "x")).isInstanceOf(DrException.class)
                .hasMessageContaining("no incident INC-99");
    }

    @Test
    void blankTitlesNotesAndResolutionsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> IncidentSignal.operator("alice", " ")).isInstanceOf(DrException.class)
                .hasMessage("title must not be blank, but was ' '");
        Incident i = incidents.open(alert(Map.of(), "fp"));
        assertThatThrownBy(() -> incidents.note(i.id(), "alice", "note", "")).isInstanceOf(DrException.class)
                .hasMessage("text must not be blank, but was ''");
        assertThatThrownBy(() -> incidents.note(i.id(), "alice", "", "found it")).hasMessage(
                "kind must not be blank, but was ''");
        assertThatThrownBy(() -> incidents.resolve(i.id(), "alice", "\t", null)).hasMessage(
                "resolution must not be blank, but was '\t'");
        assertThatThrownBy(() -> incidents.resolve(i.id(), "alice", "restarted", "")).hasMessage(
                "rootCause must not be blank, but was ''");
        assertThat(incidents.get(i.id()).orElseThrow().timeline()).extracting(TimelineEntry::kind)
                .containsExactly("opened", "classified");
        assertThat(audit).extracting(AuditEvent::action).containsExactly("incident.open");
    }

    @Test
    void aSecondResolutionIsRefusedNamingTheFirstAndChangesNothing() {
        Incident i = incidents.open(alert(Map.of(), "fp"));
        clock.advance(Duration.ofMinutes(5));
        incidents.resolve(i.id(), "alice", "restarted the pods", null);
        clock.advance(Duration.ofMinutes(5));
        assertThatThrownBy(() -> incidents.resolve(i.id(), "bob", "failed over", "a bad disk"))
                .isInstanceOf(DrException.class)
                .hasMessage("incident " + i.id() + " is resolved already, at 2026-11-26T10:05:00Z by alice: restarted the "
                        + "pods; it is not resolved again (add a note instead, of kind root-cause for a cause found later)")
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.ILLEGAL_STATE);
        assertThat(incidents.get(i.id()).orElseThrow().timeline()).extracting(TimelineEntry::kind)
                .containsExactly("opened", "classified", "resolved");
        assertThat(audit).extracting(AuditEvent::action).containsExactly("incident.open", "incident.resolve");
        assertThat(sent).extracting(Notification::kind).containsExactly("incident.opened", "incident.resolved");
    }

    @Test
    void anAlertWithABlankSummaryIsTitledByItsName() {
        AlertmanagerPayload.Alert a = new AlertmanagerPayload.Alert("firing", Map.of("alertname", "DiskFull"),
                Map.of("summary", " ", "description", ""), T0, null, "", "fp");
        assertThat(a.summary()).isEqualTo("DiskFull");
        assertThat(new AlertmanagerPayload.Alert("firing", Map.of("alertname", ""), Map.of(), T0, null, "", "fp")
                .summary()).isEqualTo("unnamed");
    }

    @Test
    void anUnacknowledgedIncidentEscalatesAlongTheChainAndSev1EscalatesSooner() {
        Incident minor = incidents.open(alert(Map.of("severity", "warning"), "a"));
        Incident critical = incidents.open(alert(Map.of("severity", "critical"), "b"));
        clock.advance(Duration.ofMinutes(6));
        assertThat(incidents.checkEscalations()).extracting(Incident::id).containsExactly(critical.id());
        assertThat(incidents.checkEscalations()).isEmpty();
        clock.advance(Duration.ofMinutes(5));
        assertThat(incidents.checkEscalations()).extracting(Incident::id).containsExactly(minor.id(), critical.id());
        incidents.acknowledge(minor.id(), "alice");
        clock.advance(Duration.ofHours(1));
        assertThat(incidents.checkEscalations()).isEmpty();
        assertThat(audit).filteredOn(a -> a.action().equals("incident.escalate")).extracting(a -> a.details().get("to"))
                .containsExactly("team-lead", "team-lead", "incident-commander");
        assertThat(sent).filteredOn(n -> n.kind().equals("incident.escalated")).hasSize(3);
    }

    @Test
    void anEscalationSaysHowLongTheIncidentWaitedAsPeopleWriteIt() {
        Incident minor = incidents.open(alert(Map.of("severity", "warning"), "a"));
        clock.advance(Duration.ofMinutes(10).plusSeconds(30));
        assertThat(incidents.checkEscalations()).extracting(Incident::id).containsExactly(minor.id());
        assertThat(incidents.get(minor.id()).orElseThrow().timeline()).last().satisfies(e -> {
            assertThat(e.kind()).isEqualTo("escalated");
            assertThat(e.text()).isEqualTo("not acknowledged after 10 min 30 s; escalated to team-lead");
        });
        assertThat(sent).filteredOn(n -> n.kind().equals("incident.escalated")).singleElement()
                .satisfies(n -> assertThat(n.text()).isEqualTo("Not acknowledged after 10 min 30 s."));
    }

    @Test
    void aRestartedManagerRebuildsItsIncidentsFromTheAuditLog() {
        Incident open = incidents.open(alert(Map.of("severity", "critical"), "fp-a"));
        Incident done = incidents.open(alert(Map.of("severity", "warning"), "fp-b"));
        incidents.acknowledge(open.id(), "alice");
        incidents.assign(open.id(), "bob", "alice");
        incidents.resolve(done.id(), "carol", "restarted", "leak");
        List<dev.drkit.core.audit.AuditRecord> records = new java.util.ArrayList<>();
        long seq = 1;
        for (AuditEvent e : audit) {
            records.add(new dev.drkit.core.audit.AuditRecord(seq++, e.time(), e.actor(), e.action(), e.target(),
                    e.outcome(), e.details(), "0".repeat(64), "0".repeat(64)));
        }
        IncidentManager restarted = IncidentManager.builder().clock(clock).build();
        assertThat(restarted.restore(records)).isEqualTo(2);
        Incident back = restarted.get(open.id()).orElseThrow();
        assertThat(back.status()).isEqualTo(IncidentStatus.ACKNOWLEDGED);
        assertThat(back.assignee()).isEqualTo("bob");
        assertThat(back.severity()).isEqualTo(Severity.SEV1);
        assertThat(restarted.get(done.id()).orElseThrow().status()).isEqualTo(IncidentStatus.RESOLVED);
        // the open incident still absorbs its alert; a new one gets a fresh id
        assertThat(restarted.open(alert(Map.of("severity", "critical"), "fp-a")).id()).isEqualTo(open.id());
        assertThat(restarted.open(alert(Map.of("severity", "warning"), "fp-b")).id()).isNotIn(open.id(), done.id());
    }

    @Test
    void aRestoredEscalationReadsAsItDidWhenItEscalated() {
        Incident minor = incidents.open(alert(Map.of("severity", "warning"), "a"));
        clock.advance(Duration.ofMinutes(10).plusSeconds(30));
        incidents.checkEscalations();
        clock.advance(Duration.ofMinutes(10));
        incidents.checkEscalations();
        List<TimelineEntry> live = incidents.get(minor.id()).orElseThrow().timeline().stream()
                .filter(e -> e.kind().equals("escalated")).toList();
        assertThat(live).extracting(TimelineEntry::text).containsExactly(
                "not acknowledged after 10 min 30 s; escalated to team-lead",
                "not acknowledged after 20 min 30 s; escalated to incident-commander");
        List<dev.drkit.core.audit.AuditRecord> records = new java.util.ArrayList<>();
        long seq = 1;
        for (AuditEvent e : audit) {
            records.add(new dev.drkit.core.audit.AuditRecord(seq++, e.time(), e.actor(), e.action(), e.target(),
                    e.outcome(), e.details(), "0".repeat(64), "0".repeat(64)));
        }
        IncidentManager restarted = IncidentManager.builder().clock(clock).build();
        assertThat(restarted.restore(records)).isEqualTo(1);
        assertThat(restarted.get(minor.id()).orElseThrow().timeline()).filteredOn(e -> e.kind().equals("escalated"))
                .containsExactlyElementsOf(live);
    }

    @Test
    void aFailingNotifierDoesNotStopTheOthers() {
        List<Notification> second = new CopyOnWriteArrayList<>();
        IncidentManager m = IncidentManager.builder().clock(clock).notifier(n -> {
            throw new IllegalStateException("smtp down");
        }).notifier(second::add).build();
        m.open(IncidentSignal.operator("alice", "x"));
        assertThat(second).hasSize(1);
    }

    @Test
    void theWebhookNotifierPostsJsonAndTreatsErrorsAsFailures() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        AtomicReference<Integer> status = new AtomicReference<>(204);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        server.start();
        try {
            var hook = Notifiers.webhook(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"),
                    Duration.ofSeconds(5));
            Notification n = new Notification(T0, "incident.opened", "SEV1 DATA: orders", "corrupted", Severity.SEV1,
                    "INC-1", Map.of("k", "v"));
            hook.send(n);
            assertThat(bodies).singleElement().asString().contains("\"subject\":\"SEV1 DATA: orders\"")
                    .contains("\"severity\":\"SEV1\"").contains("\"incidentId\":\"INC-1\"");
            status.set(500);
            assertThatThrownBy(() -> hook.send(n)).isInstanceOf(DrException.class).hasMessageContaining("answered 500");
        } finally {
            server.stop(0);
        }
        Notifiers.logging().send(new Notification(T0, "k", "s", "t", null, null, Map.of()));
    }
}
