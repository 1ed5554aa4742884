package dev.drkit.core.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.strings;

import org.junit.jupiter.api.Test;

class RoutingPropertiesTest {
    private static final long SEED = 4_2026L;

    private static boolean onCandidate(String key, double weight) {
        return GuardedRelease.bucket(key) < (int) Math.round(weight * 10_000);
    }

    @Test
    void aKeyOnTheCandidateAtOneWeightStaysOnItAtEveryHigherWeight() {
        qt().withFixedSeed(SEED).withExamples(2_000)
                .forAll(strings().allPossible().ofLengthBetween(0, 40), doubles().between(0, 1), doubles().between(0, 1))
                .checkAssert((key, a, b) -> {
                    double low = Math.min(a, b);
                    double high = Math.max(a, b);
                    if (onCandidate(key, low)) {
                        assertThat(onCandidate(key, high)).as("seed %d key %s %s -> %s", SEED, key, low, high).isTrue();
                    }
                });
    }

    @Test
    void everyKeyGoesToTheCandidateAtFullWeightAndNoneAtZero() {
        qt().withFixedSeed(SEED).withExamples(2_000).forAll(strings().allPossible().ofLengthBetween(0, 40))
                .checkAssert(key -> {
                    assertThat(onCandidate(key, 1.0)).as("seed %d", SEED).isTrue();
                    assertThat(onCandidate(key, 0.0)).as("seed %d", SEED).isFalse();
                });
    }
}
