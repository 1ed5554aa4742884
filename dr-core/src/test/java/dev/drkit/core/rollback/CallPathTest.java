package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.rollback.GuardState;
import dev.drkit.core.rollback.ReleaseVersion.Outcome;
import dev.drkit.core.rollback.internal.FailureClassifier;
import dev.drkit.core.rollback.internal.VariantRecorder;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CallPathTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final GuardMeters meters = new GuardMeters("g", registry);
    final AtomicLong nanos = new AtomicLong();
    final Rollout rollout = new Rollout(1, new VariantRecorder(Long.MAX_VALUE), new VariantRecorder(Long.MAX_VALUE));
    final List<String> heard = new ArrayList<>();

    final CallPath.CandidateListener<Greeter> listener = new CallPath.CandidateListener<>() {
        @Override
        public void candidateSucceeded(RoutingState<Greeter> seen, long sample, long took) {
            heard.add("success " + took);
        }

        @Override
        public void candidateFailed(RoutingState<Greeter> seen) {
            heard.add("failure");
        }
    };

    ReleaseVersion<Greeter> version(String name, Greeter impl) {
        return new ReleaseVersion<>(name, impl, CircuitBreaker.ofDefaults(name), meters.callCounters(name));
    }

    CallPath<Greeter> path(Greeter candidate, boolean shadow, boolean retryOnStable) {
        RoutingState<Greeter> s = RoutingState.rolling(GuardState.ROLLING_OUT, version("v1", Greeter.saying("hello")),
                version("v2", candidate), rollout, 0, 1.0, Instant.EPOCH);
        FailureClassifier classifier = new FailureClassifier(List.of(), List.of(IllegalArgumentException.class));
        return new CallPath<>(() -> s, listener, classifier,
                r -> "ERROR".equals(r), Objects::equals, nanos::get, shadow, retryOnStable);
    }

    double count(String version, String outcome) {
        return registry.get("dr.guard.calls").tags("version", version, "outcome", outcome).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    Greeter takes(long ns, Greeter g) {
        return who -> {
            nanos.addAndGet(ns);
            return g.greet(who);
        };
    }

    @Test
    void oneRoutineRecordsEachOutcomeInTheBreakerTheCounterAndTheEvidence() {
        CircuitBreaker breaker = CircuitBreaker.of("v", CircuitBreakerConfig.custom()
                .ignoreExceptions(IllegalArgumentException.class).build());
        ReleaseVersion<String> v = new ReleaseVersion<>("v", "impl", breaker, meters.callCounters("v"));
        VariantRecorder evidence = new VariantRecorder(Long.MAX_VALUE);

        assertThat(CallPath.record(v, true, evidence, 5, Outcome.SUCCESS, null, "ok")).isNotNegative();
        assertThat(CallPath.record(v, true, evidence, 5, Outcome.FAILURE, new IllegalStateException(), null))
                .isEqualTo(CallPath.FAILED);
        assertThat(CallPath.record(v, true, evidence, 5, Outcome.IGNORED, new IllegalArgumentException(), null))
                .isEqualTo(CallPath.IGNORED);

        assertThat(count("v", "success")).isEqualTo(1);
        assertThat(count("v", "failure")).isEqualTo(1);
        assertThat(count("v", "ignored")).isEqualTo(1);
        assertThat(registry.get("dr.guard.calls").tags("version", "v", "role", "candidate", "outcome", "success")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("dr.guard.calls").tags("version", "v", "role", "stable", "outcome", "success")
                .counter().count()).isZero();
        assertThat(evidence.stats(false).calls()).isEqualTo(2);
        assertThat(evidence.stats(false).failures()).isEqualTo(1);
        assertThat(v.breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
        assertThat(v.breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
    }

    @Test
    void aCallIsTimedWithTheTickerAndItsOutcomeReachesTheRollout() {
        String out = path(takes(3_000_000, Greeter.saying("hi")), false, false).call("k", g -> g.greet("x"));

        assertThat(out).isEqualTo("hi x");
        assertThat(heard).containsExactly("success 3000000");
        assertThat(rollout.candidate.stats(false).p99()).isBetween(Duration.ofMillis(2), Duration.ofMillis(4));
        assertThat(count("v2", "success")).isEqualTo(1);
    }

    @Test
    void aFailingResultIsRetriedOnStableWhenAsked() {
        CallPath<Greeter> p = path(who -> "ERROR", false, true);

        assertThat(p.<String>call("k", g -> g.greet("x"))).isEqualTo("hello x");
        assertThat(heard).containsExactly("failure");
        assertThat(count("v2", "failure")).isEqualTo(1);
        assertThat(count("v1", "success")).isEqualTo(1);
    }

    @Test
    void aCandidateExceptionReachesTheCallerUnlessRetriedAndAnIgnoredOneTellsNobody() {
        assertThatThrownBy(() -> path(Greeter.failing("boom"), false, false).call("k", g -> g.greet("x")))
                .hasMessageContaining("boom");
        assertThat(heard).containsExactly("failure");

        heard.clear();
        Greeter badInput = who -> {
            throw new IllegalArgumentException("bad input");
        };
        assertThatThrownBy(() -> path(badInput, false, false).call("k", g -> g.greet("x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(heard).isEmpty();
        assertThat(count("v2", "ignored")).isEqualTo(1);
    }

    @Test
    void inShadowTheStableResultIsReturnedAndAMismatchIsACandidateFailure() {
        CallPath<Greeter> p = path(Greeter.saying("hi"), true, false);

        assertThat(p.<String>call("k", g -> g.greet("x"))).isEqualTo("hello x");

        assertThat(heard).containsExactly("failure");
        assertThat(count("v1", "success")).isEqualTo(1);
        assertThat(count("v2", "failure")).isEqualTo(1);
        assertThat(rollout.candidate.stats(false).failures()).isEqualTo(1);
    }
}
