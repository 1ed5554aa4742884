package dev.drkit.core.incident;

import dev.drkit.api.DrException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something that may open an incident: a rollback, a failing probe, an alert or an operator's
 * word, with the labels that classification rules read.
 *
 * @param source what raised it
 * @param title one line; not blank
 * @param trigger what exactly fired: an alert name, a guard's verdict, a probe's detail
 * @param labels named values, such as an alert's labels ({@code severity}, {@code dr_fault})
 * @param impact who or what is affected, for a person; may be empty
 * @param faultStartedAt when the fault began, if known (an alert's startsAt), or {@code null}
 * @param dedupKey signals with the same key add to one open incident instead of opening
 *     another (an alert's fingerprint), or {@code null}
 * @param actor who raised it: a person, {@code alertmanager}, a guard's name
 */
public record IncidentSignal(IncidentSource source, String title, String trigger, Map<String, String> labels,
        String impact, @Nullable Instant faultStartedAt, @Nullable String dedupKey, String actor) {
    /**
     * Checks the fields and copies the labels.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a blank title
     */
    public IncidentSignal {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(title, "title");
        if (title.isBlank()) {
            throw DrException.invalidArgument("title", "must not be blank", "'" + title + "'");
        }
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(impact, "impact");
        Objects.requireNonNull(actor, "actor");
        labels = Map.copyOf(labels);
    }

    /** The trigger of an incident an operator opens: the operator's own report, who is the signal's actor. */
    public static final String OPERATOR_REPORT = "operator report";

    /**
     * Returns a signal from an operator.
     *
     * @param actor the operator
     * @param title one line; not blank
     * @return the signal
     * @throws DrException {@code INVALID_ARGUMENT} for a blank title
     */
    public static IncidentSignal operator(String actor, String title) {
        return new IncidentSignal(IncidentSource.OPERATOR, title, OPERATOR_REPORT, Map.of(), "", null, null, actor);
    }
}
