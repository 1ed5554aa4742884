package dev.drkit.core.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.recovery.ApprovalGate;
import dev.drkit.api.recovery.CompensationStrategy;
import dev.drkit.api.recovery.VerificationPhase;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.Steps;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RunbookTest {
    static Plan plan() {
        HealthProbe orders = HealthProbe.named("orders-api", ProbeResult::up);
        return Plan.builder("orders-db-restore").description("The orders database lost or corrupted data.")
                .objectives(Duration.ofMinutes(30), Duration.ofMinutes(15))
                .step("fence", Steps.described("Fence writes to orders-db", c -> {
                }), s -> s.owner("dba").compensation(CompensationStrategy.ALWAYS))
                .step("restore", Steps.restore("the latest snapshot of orders-db", c -> Instant.EPOCH),
                        s -> s.dependsOn("fence").owner("dba").timeout(Duration.ofMinutes(20)).retry(3, Duration.ofSeconds(10)))
                .step("notify", Steps.described("Tell support", c -> {
                }), s -> s.dependsOn("fence").optional().compensation(CompensationStrategy.NEVER))
                .step("switch", Steps.described("Switch traffic to the restored database", c -> {
                }), s -> s.dependsOn("restore").owner("sre").approval(ApprovalGate.of("dba-oncall",
                        Duration.ofMinutes(5), "incident-commander", Duration.ofMinutes(15))))
                .verify("standby reachable", orders, VerificationPhase.BEFORE, 0)
                .verify("orders readable", orders, VerificationPhase.AFTER, 2)
                .build();
    }

    @Test
    void theMarkdownRunbookListsStepsInOrderWithOwnersApprovalsTimeoutsAndUndo() {
        String md = Runbook.of(plan()).toMarkdown();
        assertThat(md).startsWith("# Runbook: orders-db-restore")
                .contains("recover within 30 min of detection (RTO); lose at most 15 min of data (RPO)")
                .contains("### 1. fence", "### 2. restore", "### 3. notify", "### 4. switch")
                .contains("Restore the latest snapshot of orders-db.")
                .contains("| Owner | dba |")
                .contains("| Time limit | 20 min per attempt; up to 3 attempts, waiting 10 s")
                .contains("| Approval | from dba-oncall before starting; escalate to incident-commander after 5 min; give up after 15 min |")
                .contains("| Can run alongside | restore, switch |")
                .contains("note it and carry on: the step is optional")
                .contains("always undo it at the end")
                .contains("## Before you start", "standby reachable", "## Verify recovery", "**orders readable**")
                .contains("## If a step fails");
        assertThat(md.indexOf("1. switch (sre)")).isLessThan(md.indexOf("1. fence (dba)"));
    }

    @Test
    void theJsonRunbookRoundTrips() {
        Runbook r = Runbook.of(plan());
        Runbook back = Runbook.parse(r.toJson());
        assertThat(back).isEqualTo(r);
        assertThat(back.toMarkdown()).isEqualTo(r.toMarkdown());
    }

    @Test
    void aMalformedRunbookNamesTheField() {
        assertThatThrownBy(() -> Runbook.parse("{\"plan\":\"p\",\"objectives\":{\"rto\":\"PT1M\",\"rpo\":\"soon\"}}"))
                .isInstanceOf(DrException.class).hasMessageContaining("objectives.rpo must be an ISO-8601 duration")
                .hasMessageContaining("soon");
        assertThatThrownBy(() -> Runbook.parse("{\"plan\":\"p\",\"objectives\":{\"rto\":\"PT1M\",\"rpo\":\"PT1M\"},"
                + "\"steps\":[{\"action\":\"x\"}]}")).hasMessageContaining("steps[0].name must be a non-empty string");
        assertThatThrownBy(() -> Runbook.parse("{nope")).hasMessageContaining("not valid JSON");
    }
}
