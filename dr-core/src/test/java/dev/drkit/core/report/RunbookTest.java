package dev.drkit.core.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.recovery.ApprovalGate;
import dev.drkit.api.recovery.CompensationStrategy;
import dev.drkit.api.recovery.RecoveryStep;
import dev.drkit.api.recovery.StepContext;
import dev.drkit.api.recovery.VerificationPhase;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.Steps;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunbookTest {
    /** A step that undoes itself and says how. */
    static RecoveryStep undoable(String does, String undoes) {
        return new RecoveryStep() {
            @Override
            public void execute(StepContext context) {
            }

            @Override
            public void compensate(StepContext context) {
            }

            @Override
            public String describe() {
                return does;
            }

            @Override
            public Optional<String> describeCompensation() {
                return Optional.of(undoes);
            }
        };
    }

    /** A step that undoes itself without saying how. */
    static final class SwitchTraffic implements RecoveryStep {
        @Override
        public void execute(StepContext context) {
        }

        @Override
        public void compensate(StepContext context) {
        }
    }

    static Plan plan() {
        HealthProbe orders = HealthProbe.named("orders-api", ProbeResult::up);
        return Plan.builder("orders-db-restore").description("The orders database lost or corrupted data.")
                .objectives(Duration.ofMinutes(30), Duration.ofMinutes(15))
                .step("fence", undoable("Fence writes to orders-db", "Unfence writes to orders-db"),
                        s -> s.owner("dba").compensation(CompensationStrategy.ALWAYS))
                .step("restore", Steps.restore("the latest snapshot of orders-db", c -> Instant.EPOCH),
                        s -> s.dependsOn("fence").owner("dba").timeout(Duration.ofMinutes(20)).retry(3, Duration.ofSeconds(10)))
                .step("notify", Steps.described("Tell support", c -> {
                }), s -> s.dependsOn("fence").optional().compensation(CompensationStrategy.NEVER))
                .step("switch", Steps.described("Switch traffic to the restored database", new SwitchTraffic()),
                        s -> s.dependsOn("restore").owner("sre").approval(ApprovalGate.of("dba-oncall",
                                Duration.ofMinutes(5), "incident-commander", Duration.ofMinutes(15))))
                .step("orders-up", Steps.probe(orders, false), s -> s.dependsOn("switch"))
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
                .contains("| Can run alongside | restore, switch, orders-up |")
                .contains("note it and carry on: the step is optional")
                .contains("## Before you start", "standby reachable", "## Verify recovery", "**orders readable**")
                .contains("## If a step fails");
    }

    @Test
    void aStepThatDoesNotDescribeItselfIsNamedByItsPlanStep() {
        RecoveryStep anonymous = new RecoveryStep() {
            @Override
            public void execute(StepContext context) {
            }
        };
        Runbook rb = Runbook.of(Plan.builder("restore").objectives(Duration.ofMinutes(5), Duration.ofMinutes(5))
                .step("restore-db", anonymous)
                .step("switch", new SwitchTraffic(), s -> s.dependsOn("restore-db"))
                .step("ping", c -> { }, s -> s.dependsOn("switch")).build());

        assertThat(rb.steps()).extracting(Runbook.Step::action)
                .containsExactly("Run step 'restore-db'", "Run step 'switch'", "Run step 'ping'");
        assertThat(rb.toMarkdown()).contains("Run step 'restore-db'.\n").doesNotContain("Run .");
        assertThat(rb.toJson()).contains("Run step 'restore-db'").doesNotContain("\"Run \"");
    }

    @Test
    void onlyStepsWithACompensationShowHowToUndoThem() {
        String md = Runbook.of(plan()).toMarkdown();
        assertThat(section(md, "### 1. fence"))
                .contains("| Undo | Unfence writes to orders-db (always, at the end, whatever the outcome) |");
        assertThat(section(md, "### 4. switch")).contains("| Undo | Undo what the step did (if a later step fails) |");
        assertThat(section(md, "### 2. restore")).doesNotContain("Undo");
        assertThat(section(md, "### 3. notify")).as("never undone").doesNotContain("Undo");
        assertThat(section(md, "### 5. orders-up")).doesNotContain("Undo");
        assertThat(section(md, "## If a step fails")).contains("1. switch (sre): Undo what the step did\n"
                + "1. fence (dba): Unfence writes to orders-db\n").doesNotContain("restore").doesNotContain("notify");

        String none = Runbook.of(Plan.builder("restart").objectives(Duration.ofMinutes(5), Duration.ofMinutes(5))
                .step("restart", Steps.described("Restart the service", c -> {
                })).build()).toMarkdown();
        assertThat(none).doesNotContain("| Undo |").contains("| If it fails | stop the plan and escalate to the plan owner |")
                .contains("No step has anything to undo; escalate to the plan owner.");
    }

    @Test
    void verificationStepsAreListedUnderVerifyRecovery() {
        String md = Runbook.of(plan()).toMarkdown();
        assertThat(section(md, "## Verify recovery")).startsWith("## Verify recovery\n\n"
                + "- [ ] **orders-up** (step 5): Check that probe orders-api answers UP\n"
                + "- [ ] **orders readable** (probe `orders-api`) answers UP (retry up to 2 times)\n");
        assertThat(md).contains("### 5. orders-up").doesNotContain("No automated check");
    }

    /** The part of the Markdown from a heading to the next heading. */
    static String section(String md, String heading) {
        int from = md.indexOf(heading);
        assertThat(from).as(heading).isNotNegative();
        int next = md.indexOf("\n#", from + heading.length());
        return md.substring(from, next < 0 ? md.length() : next + 1);
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
