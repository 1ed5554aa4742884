package dev.drkit.core.rollback;

import dev.drkit.api.rollback.Decision;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.Judge;
import dev.drkit.api.rollback.Observation;
import dev.drkit.api.rollback.RollbackTrigger;
import dev.drkit.api.rollback.TriggerKind;
import dev.drkit.api.rollback.VariantStats;
import dev.drkit.api.rollback.Verdict;
import dev.drkit.core.report.Durations;
import dev.drkit.core.rollback.internal.SequentialJudge;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules that may roll a candidate back on its calls: the judge (with its circuit-breaker
 * and consecutive-failure limits), the custom triggers and the latency limits, asked in that
 * order. A breach names its rule as a type, never as a string to match.
 */
final class GuardRules {
    private static final Logger LOG = LoggerFactory.getLogger(GuardRules.class);

    /** The rule behind an automatic rollback. */
    enum Rule {
        /** The sequential test of the default judge. */
        SEQUENTIAL_TEST(TriggerKind.JUDGE),
        /** The candidate's circuit breaker opened. */
        CIRCUIT_OPEN(TriggerKind.CIRCUIT_BREAKER),
        /** The candidate failed too many times in a row. */
        CONSECUTIVE_FAILURES(TriggerKind.CIRCUIT_BREAKER),
        /** A judge given to the builder. */
        CUSTOM_JUDGE(TriggerKind.JUDGE),
        /** A {@link RollbackTrigger}. */
        TRIGGER(TriggerKind.CUSTOM),
        /** The latency limits. */
        LATENCY(TriggerKind.LATENCY);

        final TriggerKind kind;

        Rule(TriggerKind kind) {
            this.kind = kind;
        }

        static Rule of(SequentialJudge.Rule rule) {
            return switch (rule) {
                case CIRCUIT_OPEN -> CIRCUIT_OPEN;
                case CONSECUTIVE_FAILURES -> CONSECUTIVE_FAILURES;
                case SEQUENTIAL_TEST -> SEQUENTIAL_TEST;
            };
        }
    }

    /**
     * A rule's request for a rollback.
     *
     * @param rule which rule
     * @param trigger the name recorded as the rollback's trigger
     * @param verdict the ROLLBACK verdict with its reason and evidence
     */
    record Breach(Rule rule, String trigger, Verdict verdict) {
        TriggerKind kind() {
            return rule.kind;
        }
    }

    /**
     * What the rules say about an observation.
     *
     * @param verdict the judge's verdict
     * @param breach the first rule that asks for a rollback, or null
     */
    record Ruling(Verdict verdict, @Nullable Breach breach) {
    }

    private final String guard;
    private final Function<Observation, SequentialJudge.Ruling> judge;
    private final String judgeName;
    private final List<RollbackTrigger> triggers;
    private final LatencySettings latency;

    GuardRules(String guard, @Nullable Judge custom, JudgeConfig judgeConfig, List<RollbackTrigger> triggers,
            LatencySettings latency) {
        this.guard = guard;
        if (custom == null) {
            this.judge = new SequentialJudge(judgeConfig)::rule;
            this.judgeName = "sequential";
        } else if (custom instanceof SequentialJudge sequential) {
            this.judge = sequential::rule;
            this.judgeName = custom.getClass().getSimpleName();
        } else {
            this.judge = o -> new SequentialJudge.Ruling(custom.judge(o), null);
            this.judgeName = custom.getClass().getSimpleName();
        }
        this.triggers = List.copyOf(triggers);
        this.latency = latency;
    }

    /** Asks the judge, the triggers and the latency limits, in that order. */
    Ruling evaluate(Observation o) {
        SequentialJudge.Ruling r = judge.apply(o);
        Verdict v = r.verdict();
        if (v.decision() == Decision.ROLLBACK) {
            SequentialJudge.Rule rule = r.rule();
            Breach b = rule == null || rule == SequentialJudge.Rule.SEQUENTIAL_TEST
                    ? new Breach(rule == null ? Rule.CUSTOM_JUDGE : Rule.SEQUENTIAL_TEST, judgeName, v)
                    : new Breach(Rule.of(rule), rule.id(), v);
            return new Ruling(v, b);
        }
        for (RollbackTrigger trigger : triggers) {
            Optional<String> why;
            try {
                why = trigger.evaluate(o);
            } catch (RuntimeException e) {
                LOG.error("guard {}: trigger {} failed: {}", guard, trigger.name(), e.toString());
                continue;
            }
            if (why.isPresent()) {
                return new Ruling(v, new Breach(Rule.TRIGGER, trigger.name(),
                        new Verdict(Decision.ROLLBACK, why.get(), v.evidence())));
            }
        }
        String slow = latencyBreach(o);
        if (slow != null) {
            return new Ruling(v, new Breach(Rule.LATENCY, "latency", new Verdict(Decision.ROLLBACK, slow,
                    withExtra(v.evidence(), Map.of("stableP95", o.stable().p95().toString(),
                            "stableP99", o.stable().p99().toString(), "candidateP95", o.candidate().p95().toString(),
                            "candidateP99", o.candidate().p99().toString())))));
        }
        return new Ruling(v, null);
    }

    /** Returns whether the latency limits are on. */
    boolean latencyLimited() {
        return latency.maxP95Ratio() > 0 || latency.maxP99Ratio() > 0;
    }

    /** Returns whether both versions have completed the calls the latency comparison needs. */
    boolean latencyHasData(Observation o) {
        return o.stable().calls() >= latency.minCalls() && o.candidate().calls() >= latency.minCalls();
    }

    long latencyMinCalls() {
        return latency.minCalls();
    }

    private @Nullable String latencyBreach(Observation o) {
        if (!latencyHasData(o)) {
            return null;
        }
        VariantStats st = o.stable();
        VariantStats c = o.candidate();
        long slack = latency.slack().toNanos();
        if (latency.maxP95Ratio() > 0 && exceeds(c.p95(), latency.maxP95Ratio(), st.p95())
                && c.p95().toNanos() - st.p95().toNanos() > slack) {
            return "candidate p95 " + Durations.human(c.p95()) + " exceeds " + latency.maxP95Ratio() + "x stable p95 "
                    + Durations.human(st.p95());
        }
        // A p99 of fewer than 1,000 calls rests on fewer than 10 above it: the candidate's p95,
        // lower, stands in for it until then, so that a couple of slow calls cannot decide.
        boolean p99Rests = c.calls() >= Math.round(LatencySettings.MIN_TAIL_CALLS / 0.01);
        Duration cp99 = p99Rests ? c.p99() : c.p95();
        if (latency.maxP99Ratio() > 0 && exceeds(cp99, latency.maxP99Ratio(), st.p99())
                && cp99.toNanos() - st.p99().toNanos() > slack) {
            return (p99Rests ? "candidate p99 " + Durations.human(cp99) : "candidate p95 " + Durations.human(cp99)
                    + " (its p99 until it has 1,000 calls, " + c.calls() + " so far)") + " exceeds "
                    + latency.maxP99Ratio() + "x stable p99 " + Durations.human(st.p99());
        }
        return null;
    }

    /**
     * Whether a candidate's percentile exceeds ratio times the stable's. The guard's percentiles
     * are the last nanosecond of a histogram bucket, and a bucket's end doubled is another's:
     * compared at the buckets' ends, a candidate in the bucket exactly twice the stable's is a
     * tie, not 1 ns past the limit (which rolled back two versions sleeping the same 5 ms:
     * candidate p99 18.9 ms against stable p99 9.44 ms, the buckets from 16.8 and 8.4 ms).
     */
    private static boolean exceeds(Duration candidate, double ratio, Duration stable) {
        return candidate.toNanos() + 1 > ratio * (stable.toNanos() + 1);
    }

    /** Returns the evidence with more named figures. */
    static Evidence withExtra(Evidence e, Map<String, String> more) {
        Map<String, String> extra = new HashMap<>(e.extra());
        extra.putAll(more);
        return new Evidence(e.candidateCalls(), e.candidateFailures(), e.baselineCalls(), e.baselineFailures(),
                e.candidateRate(), e.baselineRate(), e.statistic(), e.rollbackThreshold(), e.promoteThreshold(), extra);
    }

    /** Returns the evidence of an observation for a decision no judge made (an operator's, a probe's). */
    static Evidence evidenceOf(Observation o) {
        VariantStats c = o.candidate();
        VariantStats s = o.stable();
        return new Evidence(c.calls(), c.failures(), s.calls(), s.failures(), c.failureRate(), s.failureRate(), 0, 0,
                0, Map.of("callsTaken", Long.toString(c.calls()), "consecutiveFailures",
                        Long.toString(c.consecutiveFailures())));
    }
}
