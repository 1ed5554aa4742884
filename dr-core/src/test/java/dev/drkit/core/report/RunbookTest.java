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
import java.util.List;
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
                .contains("| Approval | from dba-oncall before starting; escalate to incident-commander after 5 min |")
                .contains("| Time limit | 15 min to get the approval (unanswered, the step fails); then 5 min per attempt |")
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

    /** A runbook step as {@link Runbook#parse} reads it, which no plan validation has seen. */
    static Runbook.Step step(String name, String action, String undo, String... dependsOn) {
        return new Runbook.Step(name, action, List.of(dependsOn), "", Duration.ofMinutes(5), 1, Duration.ZERO, true,
                CompensationStrategy.ON_FAILURE, null, undo, false);
    }

    @Test
    void namesAndSentencesShowAsWrittenWithoutBreakingHeadingsOrTables() {
        Runbook rb = new Runbook("orders | *prod*", "# not a heading", Duration.ofMinutes(5), Duration.ofMinutes(5),
                List.of(step("a|b *bold*", "Copy <data> & [link](x)", "Run `rm a|b`"),
                        step("line\n## break", "", "", "a|b *bold*"),
                        step("_x_", "- not a list", "", "line\n## break")), List.of());
        String md = rb.toMarkdown();
        assertThat(md).startsWith("# Runbook: orders \\| \\*prod\\*\n\n\\# not a heading\n")
                .contains("### 1. a\\|b \\*bold\\*\n")
                .contains("Copy \\<data> \\& \\[link\\](x).\n")
                .contains("### 2. line ## break\n", "| After | a\\|b \\*bold\\* |")
                .contains("### 3. \\_x\\_\n", "\\- not a list.\n")
                .contains("| Undo | Run `rm a\\|b` (if a later step fails) |")
                .as("outside a table a code span keeps its pipe").contains("1. a\\|b \\*bold\\* (on-call engineer): Run `rm a|b`\n");
        assertThat(md.lines().filter(l -> l.startsWith("## ") || l.startsWith("# "))).extracting(l -> l)
                .containsExactly("# Runbook: orders \\| \\*prod\\*", "## Steps", "## Verify recovery", "## If a step fails");
        assertThat(md.lines().filter(l -> l.startsWith("|"))).as("every table row has two cells")
                .allSatisfy(l -> assertThat(l.replace("\\|", "").chars().filter(c -> c == '|').count()).as(l).isEqualTo(3));
    }

    @Test
    void theStepsAlongsideAreSummarisedSoTheRunbookGrowsInStepWithThePlan() {
        String small = Runbook.of(chainAndFan(100)).toMarkdown();
        String large = Runbook.of(chainAndFan(1_000)).toMarkdown();
        assertThat(section(large, "### 1. chain-1")).contains("| Can run alongside | free-1, free-2, free-3, free-4, "
                + "free-5 and 495 more steps |");
        assertThat(section(large, "### 501. free-1")).contains("| Can run alongside | chain-1, chain-2, chain-3, "
                + "chain-4, chain-5 and 994 more steps |");
        assertThat(large.length()).as("ten times the steps, about ten times the text, not a hundred")
                .isLessThan(small.length() * 12);
    }

    /** Half the steps in a chain, half independent of everything. */
    static Plan chainAndFan(int n) {
        Plan.Builder b = Plan.builder("big").objectives(Duration.ofMinutes(30), Duration.ofMinutes(15));
        for (int i = 1; i <= n / 2; i++) {
            String dep = i == 1 ? null : "chain-" + (i - 1);
            b.step("chain-" + i, Steps.described("Do chain step " + i, c -> {
            }), s -> {
                if (dep != null) {
                    s.dependsOn(dep);
                }
            });
        }
        for (int i = 1; i <= n / 2; i++) {
            b.step("free-" + i, Steps.described("Do free step " + i, c -> {
            }));
        }
        return b.build();
    }

    @Test
    void undoingStepsThatRanAlongsideEachOtherFollowsTheirCompletionNotThePlansOrder() {
        Plan plan = Plan.builder("fan").objectives(Duration.ofMinutes(30), Duration.ofMinutes(15))
                .step("fence", undoable("Fence writes", "Unfence writes"))
                .step("copy-a", undoable("Copy a", "Delete the copy of a"), s -> s.dependsOn("fence"))
                .step("copy-b", undoable("Copy b", "Delete the copy of b"), s -> s.dependsOn("fence"))
                .step("switch", undoable("Switch", "Switch back"), s -> s.dependsOn("copy-a", "copy-b"))
                .build();
        assertThat(section(Runbook.of(plan).toMarkdown(), "## If a step fails"))
                .contains("in the reverse order of their completion")
                .contains("1. switch (on-call engineer): Switch back\n"
                        + "1. copy-b (on-call engineer): Delete the copy of b (ran alongside copy-a)\n"
                        + "1. copy-a (on-call engineer): Delete the copy of a (ran alongside copy-b)\n"
                        + "1. fence (on-call engineer): Unfence writes\n")
                .doesNotContain("in this order");
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
