package dev.drkit.core.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.incident.FaultType;
import dev.drkit.api.incident.IncidentStatus;
import dev.drkit.api.incident.Severity;
import dev.drkit.api.incident.TimelineEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AlertRouterTest {
    final List<String> done = new CopyOnWriteArrayList<>();
    final IncidentManager incidents = IncidentManager.builder().build();
    final AlertActions actions = new AlertActions() {
        @Override
        public void rollback(String guard, String reason) {
            done.add("rollback " + guard + ": " + reason);
        }

        @Override
        public void runPlan(String plan, String incidentId) {
            done.add("plan " + plan + " for " + incidentId);
        }
    };

    static String payload(String status, String alertStatus, String labels, String fingerprint) {
        return """
                {
                  "version": "4",
                  "groupKey": "{}:{alertname=\\"CheckoutErrors\\"}",
                  "truncatedAlerts": 0,
                  "status": "%s",
                  "receiver": "drkit",
                  "groupLabels": {"alertname": "CheckoutErrors"},
                  "commonLabels": {"alertname": "CheckoutErrors", "service": "checkout"},
                  "commonAnnotations": {"summary": "checkout error rate above 5%%"},
                  "externalURL": "http://alertmanager.local:9093",
                  "alerts": [
                    {
                      "status": "%s",
                      "labels": {%s},
                      "annotations": {"summary": "checkout error rate 12%%", "impact": "payments fail"},
                      "startsAt": "2026-11-26T09:58:00.123Z",
                      "endsAt": "%s",
                      "generatorURL": "http://prometheus.local/graph?g0.expr=...",
                      %s
                    }
                  ]
                }
                """.formatted(status, alertStatus, labels,
                alertStatus.equals("firing") ? "0001-01-01T00:00:00Z" : "2026-11-26T10:20:00Z",
                fingerprint == null ? "\"x\": null" : "\"fingerprint\": \"" + fingerprint + "\"");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static final String ROLLBACK = "\"alertname\": \"CheckoutErrors\", \"severity\": \"critical\", "
            + "\"dr_action\": \"rollback\", \"dr_guard\": \"checkout\"";

    @Test
    void aPayloadIsParsedWithEveryField() {
        AlertmanagerPayload p = AlertmanagerPayload.parse(bytes(payload("firing", "firing", ROLLBACK, "fp1")));
        assertThat(p.version()).isEqualTo("4");
        assertThat(p.receiver()).isEqualTo("drkit");
        assertThat(p.groupLabels()).containsEntry("alertname", "CheckoutErrors");
        assertThat(p.commonLabels()).containsEntry("service", "checkout");
        assertThat(p.externalURL()).isEqualTo("http://alertmanager.local:9093");
        assertThat(p.alerts()).singleElement().satisfies(a -> {
            assertThat(a.firing()).isTrue();
            assertThat(a.startsAt()).isEqualTo(Instant.parse("2026-11-26T09:58:00.123Z"));
            assertThat(a.endsAt()).isNull();
            assertThat(a.fingerprint()).isEqualTo("fp1");
            assertThat(a.summary()).isEqualTo("checkout error rate 12%");
        });
    }

    @Test
    void aMissingFingerprintIsComputedFromTheLabels() {
        AlertmanagerPayload a = AlertmanagerPayload.parse(bytes(payload("firing", "firing", ROLLBACK, null)));
        AlertmanagerPayload b = AlertmanagerPayload.parse(bytes(payload("firing", "firing", ROLLBACK, null)));
        assertThat(a.alerts().get(0).fingerprint()).hasSize(16).isEqualTo(b.alerts().get(0).fingerprint());
    }

    @Test
    void aRollbackAlertRollsTheGuardBackOncePerFingerprintAndOpensAnIncident() {
        AlertRouter router = AlertRouter.builder(incidents, actions).build();
        List<AlertOutcome> first = router.handle(bytes(payload("firing", "firing", ROLLBACK, "fp1")));
        List<AlertOutcome> again = router.handle(bytes(payload("firing", "firing", ROLLBACK, "fp1")));
        assertThat(done).containsExactly("rollback checkout: alert CheckoutErrors: checkout error rate 12%");
        assertThat(first).singleElement().satisfies(o -> {
            assertThat(o.action()).isEqualTo("rollback");
            assertThat(o.ok()).isTrue();
        });
        assertThat(again).singleElement().extracting(AlertOutcome::action).isEqualTo("duplicate");
        var incident = incidents.get(first.get(0).incidentId()).orElseThrow();
        assertThat(incident.severity()).isEqualTo(Severity.SEV1);
        assertThat(incident.timeline()).extracting(TimelineEntry::kind).contains("rollback");
    }

    @Test
    void aRunPlanAlertStartsThePlanForItsIncident() {
        AlertRouter router = AlertRouter.builder(incidents, actions).build();
        List<AlertOutcome> out = router.handle(bytes(payload("firing", "firing",
                "\"alertname\": \"OrdersDbDown\", \"severity\": \"major\", \"dr_fault\": \"hardware\", "
                        + "\"dr_action\": \"run_plan\", \"dr_plan\": \"orders-db-failover\"", "fp2")));
        String id = out.get(0).incidentId();
        assertThat(done).containsExactly("plan orders-db-failover for " + id);
        assertThat(incidents.get(id).orElseThrow().faultType()).isEqualTo(FaultType.HARDWARE);
    }

    @Test
    void configuredRulesMapAlertsWithoutActionLabels() {
        AlertRouter router = AlertRouter.builder(incidents, actions)
                .rule(new AlertRouter.Rule("checkout", a -> a.labels().getOrDefault("alertname", "").startsWith("Checkout"),
                        "rollback", "checkout-v2"))
                .build();
        router.handle(bytes(payload("firing", "firing", "\"alertname\": \"CheckoutErrors\"", "fp3")));
        List<AlertOutcome> unmapped = router.handle(bytes(payload("firing", "firing", "\"alertname\": \"Other\"", "fp4")));
        assertThat(done).singleElement().asString().startsWith("rollback checkout-v2");
        assertThat(unmapped).singleElement().extracting(AlertOutcome::action).isEqualTo("ignored");
        assertThatThrownBy(() -> new AlertRouter.Rule("x", a -> true, "reboot", "y"))
                .hasMessageContaining("action must be one of [rollback, run_plan, open_incident], but was reboot");
    }

    @Test
    void aFiringAlertWithAnUnknownDrActionIsRefusedNamingTheValueAndTheChoicesAndDoesNothing() {
        AlertRouter router = AlertRouter.builder(incidents, actions).build();
        assertThatThrownBy(() -> router.handle(bytes(payload("firing", "firing",
                "\"alertname\": \"OrdersDown\", \"dr_action\": \"rollbak\", \"dr_guard\": \"orders\"", "fp9"))))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("dr_action is not a known action: 'rollbak'; did you mean 'rollback'?")
                .hasMessageContaining("[rollback, run_plan, open_incident]");
        assertThat(done).isEmpty();
        assertThat(incidents.list()).isEmpty();
    }

    @Test
    void aResolvedAlertAnnotatesItsIncidentOrClosesItWhenConfigured() {
        AlertRouter annotating = AlertRouter.builder(incidents, actions).build();
        String labels = "\"alertname\": \"DiskFull\", \"dr_action\": \"open_incident\"";
        String id = annotating.handle(bytes(payload("firing", "firing", labels, "fp5"))).get(0).incidentId();
        annotating.handle(bytes(payload("resolved", "resolved", labels, "fp5")));
        assertThat(incidents.get(id).orElseThrow().status()).isEqualTo(IncidentStatus.OPEN);
        assertThat(incidents.get(id).orElseThrow().timeline()).extracting(TimelineEntry::kind).contains("alert-resolved");

        AlertRouter closing = AlertRouter.builder(incidents, actions).closeOnResolve(true).build();
        List<AlertOutcome> out = closing.handle(bytes(payload("resolved", "resolved", labels, "fp5")));
        assertThat(out.get(0).message()).isEqualTo("incident resolved");
        assertThat(incidents.get(id).orElseThrow().status()).isEqualTo(IncidentStatus.RESOLVED);
    }

    @Test
    void anAlertNamingNoGuardDoesNothing() {
        AlertRouter router = AlertRouter.builder(incidents, actions).build();
        List<AlertOutcome> out = router.handle(bytes(payload("firing", "firing",
                "\"alertname\": \"X\", \"dr_action\": \"rollback\"", "fp6")));
        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.ok()).isFalse();
            assertThat(o.message()).contains("needs the label dr_guard");
        });
        assertThat(done).isEmpty();
        assertThat(incidents.list()).isEmpty();
    }

    @Test
    void malformedOversizedOrUnknownVersionPayloadsAreRejectedAndTriggerNothing() {
        AlertRouter router = AlertRouter.builder(incidents, actions).maxBytes(4096).build();
        String good = payload("firing", "firing", ROLLBACK, "fp7");
        assertThatThrownBy(() -> router.handle(bytes(good.replace("\"version\": \"4\"", "\"version\": \"3\""))))
                .isInstanceOf(DrException.class).hasMessageContaining("version must be \"4\", but was \"3\"");
        assertThatThrownBy(() -> router.handle(bytes(good.substring(0, good.length() / 2))))
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> router.handle(bytes(payload("firing", "burning", ROLLBACK, "fp7"))))
                .hasMessageContaining("alerts[0].status must be firing or resolved");
        assertThatThrownBy(() -> router.handle(bytes(good.replace("2026-11-26T09:58:00.123Z", "yesterday"))))
                .hasMessageContaining("alerts[0].startsAt must be an RFC 3339 time");
        assertThatThrownBy(() -> router.handle(bytes(good + " ".repeat(5000)))).hasMessageContaining("must be at most 4096 bytes");
        assertThatThrownBy(() -> router.handle(bytes("[]"))).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> router.handle(bytes(good.replace("\"severity\": \"critical\"", "\"severity\": 1"))))
                .hasMessageContaining("alerts[0].labels.severity must be a string");
        assertThat(done).isEmpty();
        assertThat(incidents.list()).isEmpty();
    }
}
