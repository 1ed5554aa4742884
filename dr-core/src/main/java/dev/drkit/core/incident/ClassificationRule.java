package dev.drkit.core.incident;

import dev.drkit.api.incident.FaultType;
import dev.drkit.api.incident.Severity;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Gives a signal a severity and fault type; the first rule that answers wins, and
 * {@link #DEFAULT} end with a catch-all.
 */
@FunctionalInterface
public interface ClassificationRule {

    /**
     * Classifies a signal.
     *
     * @param signal the signal
     * @return the classification, or empty when the rule does not apply
     */
    Optional<Classification> classify(IncidentSignal signal);

    /**
     * Returns a rule that applies when a predicate holds.
     *
     * @param name the rule's name
     * @param when the predicate
     * @param severity the severity it gives
     * @param faultType the fault type it gives
     * @return the rule
     */
    static ClassificationRule when(String name, Predicate<IncidentSignal> when, Severity severity, FaultType faultType) {
        Objects.requireNonNull(when, "when");
        Classification c = new Classification(severity, faultType, name);
        return s -> when.test(s) ? Optional.of(c) : Optional.empty();
    }

    /**
     * Returns the rule that reads the labels {@code severity} ({@code critical}, {@code major}
     * or {@code error}, {@code warning} or {@code minor}, {@code info}, or {@code SEV1..SEV4})
     * and {@code dr_fault} ({@code hardware}, {@code software}, {@code network}, {@code data},
     * {@code security}); it applies when {@code severity} is present.
     *
     * @return the rule
     */
    static ClassificationRule byLabels() {
        return s -> {
            String sev = s.labels().get("severity");
            if (sev == null) {
                return Optional.empty();
            }
            Severity severity = switch (sev.toLowerCase(Locale.ROOT)) {
                case "critical", "sev1", "page" -> Severity.SEV1;
                case "major", "error", "high", "sev2" -> Severity.SEV2;
                case "warning", "minor", "medium", "sev3" -> Severity.SEV3;
                default -> Severity.SEV4;
            };
            String fault = s.labels().get("dr_fault");
            if (fault == null) {
                FaultWords.Guess g = guess(s);
                return Optional.of(new Classification(severity, g.type(), "labels", g.reason()));
            }
            return Optional.of(new Classification(severity, parseFault(fault), "labels", "label dr_fault=" + fault));
        };
    }

    /**
     * Returns the rule for the source: a rollback is SEV2 SOFTWARE; a probe is SEV2 with a
     * fault type guessed from the words; anything else SEV3 with a guessed fault type.
     *
     * @return the rule
     */
    static ClassificationRule bySource() {
        return s -> {
            if (s.source() == IncidentSource.ROLLBACK) {
                return Optional.of(new Classification(Severity.SEV2, FaultType.SOFTWARE, "source:rollback"));
            }
            FaultWords.Guess g = guess(s);
            Severity severity = s.source() == IncidentSource.PROBE ? Severity.SEV2 : Severity.SEV3;
            return Optional.of(new Classification(severity, g.type(), "source:" + s.source().name().toLowerCase(Locale.ROOT),
                    g.reason()));
        };
    }

    /** The default rules: labels first, then the source. */
    List<ClassificationRule> DEFAULT = List.of(byLabels(), bySource());

    /**
     * Returns {@link #DEFAULT}.
     *
     * @return the rules
     * @deprecated use {@link #DEFAULT}
     */
    @Deprecated
    static List<ClassificationRule> defaults() {
        return DEFAULT;
    }

    /**
     * Guesses a fault type from a signal's title and trigger. Words match whole (with their
     * plurals and endings, so "PowerShell" is not "power"); a word after "no", "not",
     * "without" or "never", a word followed by "fine", "ok" or "healthy", and every word of a
     * text that calls itself a "false alarm" are set aside; the class whose words weigh most
     * wins, ties going to SECURITY, DATA, HARDWARE, NETWORK, SOFTWARE in that order; SOFTWARE
     * when no word is left. {@link #bySource()} and {@link #byLabels()} record which words
     * decided in {@link Classification#reason()}.
     *
     * @param s the signal
     * @return the fault type
     */
    static FaultType byWords(IncidentSignal s) {
        return guess(s).type();
    }

    private static FaultWords.Guess guess(IncidentSignal s) {
        return FaultWords.guess(s.title() + ". " + s.trigger());
    }

    /**
     * Parses a fault type leniently.
     *
     * @param text such as {@code network} or {@code NETWORK}
     * @return the fault type, SOFTWARE when unknown
     */
    static FaultType parseFault(String text) {
        try {
            return FaultType.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return FaultType.SOFTWARE;
        }
    }
}
