package dev.drkit.core.incident;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.incident.Incident;
import dev.drkit.core.config.NearestName;
import dev.drkit.core.incident.AlertmanagerPayload.Alert;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Turns Alertmanager webhooks into actions. Each firing alert is mapped by its labels
 * {@code dr_action} ({@code rollback}, {@code run_plan}, {@code open_incident}),
 * {@code dr_guard} and {@code dr_plan}, or else by the first configured rule that matches; it
 * opens an incident (deduplicated by fingerprint) and rolls back or starts a plan. A firing
 * alert already handled (same fingerprint and start) does nothing again. A resolved alert
 * annotates its incident, and closes it when configured to or labelled
 * {@code dr_close_on_resolve=true}. A payload that fails to parse triggers nothing.
 *
 * <p>Thread-safe. The HTTP endpoint lives in the Spring starter; it passes the body to
 * {@link #handle(byte[])}.
 */
public final class AlertRouter {
    /** The actions an alert can map to. */
    public static final List<String> ACTIONS = List.of("rollback", "run_plan", "open_incident");

    private final IncidentManager incidents;
    private final AlertActions actions;
    private final List<Rule> rules;
    private final boolean closeOnResolve;
    private final int maxBytes;
    private final Map<String, Boolean> seen;

    /**
     * A configured mapping from alerts to an action.
     *
     * @param name the rule's name
     * @param when which alerts it applies to
     * @param action one of {@link #ACTIONS}
     * @param target the guard or plan, or empty for {@code open_incident}
     */
    public record Rule(String name, Predicate<Alert> when, String action, String target) {
        /**
         * Validates the rule.
         *
         * @throws DrException {@code INVALID_ARGUMENT} for an unknown action or a missing target
         */
        public Rule {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(when, "when");
            Objects.requireNonNull(target, "target");
            if (!ACTIONS.contains(action)) {
                throw DrException.invalidArgument("action", "must be one of " + ACTIONS, action);
            }
            if (!action.equals("open_incident") && target.isBlank()) {
                throw DrException.invalidArgument("target", "must name the guard or plan for " + action, "\"\"");
            }
        }
    }

    private AlertRouter(Builder b) {
        this.incidents = b.incidents;
        this.actions = b.actions;
        this.rules = List.copyOf(b.rules);
        this.closeOnResolve = b.closeOnResolve;
        this.maxBytes = b.maxBytes;
        int remember = b.remember;
        this.seen = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > remember;
            }
        };
    }

    /**
     * Returns a builder.
     *
     * @param incidents where incidents are opened
     * @param actions what rollbacks and plans run through
     * @return the builder
     */
    public static Builder builder(IncidentManager incidents, AlertActions actions) {
        return new Builder(incidents, actions);
    }

    /**
     * Handles a webhook body.
     *
     * @param body the request body
     * @return what each alert led to
     * @throws DrException {@code INVALID_ARGUMENT} for a payload that is oversized, malformed
     *     or of another version; nothing is triggered then
     */
    public List<AlertOutcome> handle(byte[] body) {
        return handle(AlertmanagerPayload.parse(body, maxBytes));
    }

    /**
     * Handles a parsed payload.
     *
     * @param payload the payload
     * @return what each alert led to
     * @throws DrException {@code INVALID_ARGUMENT} when a firing alert's {@code dr_action} label is
     *     not one of {@link #ACTIONS} (a misspelt action would otherwise lose the alert), and
     *     {@code NOT_FOUND} when a firing alert's {@code dr_guard} label names no guard
     *     ({@link AlertActions#hasGuard}); nothing is done for any alert of the payload then
     */
    public List<AlertOutcome> handle(AlertmanagerPayload payload) {
        for (int i = 0; i < payload.alerts().size(); i++) {
            Alert a = payload.alerts().get(i);
            String action = a.labels().get("dr_action");
            if (a.firing() && action != null && !ACTIONS.contains(action)) {
                String nearest = NearestName.of(action, ACTIONS);
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "alerts[" + i + "].labels.dr_action is not a known "
                        + "action: '" + action + "'" + (nearest == null ? "" : "; did you mean '" + nearest + "'?")
                        + " (expected one of " + ACTIONS + "); nothing was done", "dr_action=" + action);
            }
        }
        for (int i = 0; i < payload.alerts().size(); i++) {
            Alert a = payload.alerts().get(i);
            String guard = a.labels().get("dr_guard");
            if (a.firing() && "rollback".equals(a.labels().get("dr_action")) && guard != null && !guard.isBlank()
                    && !actions.hasGuard(guard)) {
                throw new DrException(ErrorCode.NOT_FOUND, "alerts[" + i + "].labels.dr_guard names no guard: '"
                        + guard + "'; nothing was done", "dr_guard=" + guard);
            }
        }
        List<AlertOutcome> out = new ArrayList<>();
        for (Alert a : payload.alerts()) {
            out.add(a.firing() ? firing(a, payload) : resolved(a));
        }
        return out;
    }

    private AlertOutcome firing(Alert a, AlertmanagerPayload p) {
        String key = a.fingerprint() + "@" + a.startsAt();
        synchronized (seen) {
            if (seen.containsKey(key)) {
                Optional<Incident> open = incidents.openFor(dedupKey(a));
                return new AlertOutcome(a.fingerprint(), a.name(), "duplicate", "", open.map(Incident::id).orElse(null),
                        true, "already handled");
            }
        }
        String action = a.labels().get("dr_action");
        String target = "";
        String via = "labels";
        if (action == null) {
            Rule r = rules.stream().filter(x -> x.when().test(a)).findFirst().orElse(null);
            if (r == null) {
                return new AlertOutcome(a.fingerprint(), a.name(), "ignored", "", null, true,
                        "no dr_action label and no rule matches");
            }
            action = r.action();
            target = r.target();
            via = "rule " + r.name();
        } else if (action.equals("rollback")) {
            target = a.labels().getOrDefault("dr_guard", "");
        } else if (action.equals("run_plan")) {
            target = a.labels().getOrDefault("dr_plan", "");
        }
        if (!ACTIONS.contains(action)) {
            return new AlertOutcome(a.fingerprint(), a.name(), "ignored", "", null, false,
                    "unknown dr_action " + action + "; expected one of " + ACTIONS);
        }
        if (!action.equals("open_incident") && target.isBlank()) {
            return new AlertOutcome(a.fingerprint(), a.name(), "ignored", "", null, false, "dr_action " + action
                    + " needs the label " + (action.equals("rollback") ? "dr_guard" : "dr_plan"));
        }
        Map<String, String> labels = new LinkedHashMap<>(p.commonLabels());
        labels.putAll(a.labels());
        Incident incident = incidents.open(new IncidentSignal(IncidentSource.ALERT, a.summary(), "alert " + a.name()
                + " firing (" + via + ")" + (a.generatorURL().isEmpty() ? "" : " " + a.generatorURL()), labels,
                a.annotations().getOrDefault("impact", ""), a.startsAt(), dedupKey(a), "alertmanager"));
        synchronized (seen) {
            seen.put(key, Boolean.TRUE);
        }
        try {
            switch (action) {
                case "rollback" -> {
                    actions.rollback(target, "alert " + a.name() + ": " + a.summary());
                    incidents.note(incident.id(), "alertmanager", "rollback", "rolled back guard " + target);
                }
                case "run_plan" -> {
                    actions.runPlan(target, incident.id());
                    incidents.note(incident.id(), "alertmanager", "plan", "started plan " + target);
                }
                default -> {
                }
            }
            return new AlertOutcome(a.fingerprint(), a.name(), action, target, incident.id(), true, "done (" + via + ")");
        } catch (Exception e) {
            String msg = action + " " + target + " failed: " + e.getMessage();
            incidents.note(incident.id(), "alertmanager", "action-failed", msg);
            return new AlertOutcome(a.fingerprint(), a.name(), action, target, incident.id(), false, msg);
        }
    }

    private AlertOutcome resolved(Alert a) {
        Optional<Incident> open = incidents.openFor(dedupKey(a));
        if (open.isEmpty()) {
            return new AlertOutcome(a.fingerprint(), a.name(), "ignored", "", null, true, "no open incident");
        }
        String id = open.get().id();
        incidents.note(id, "alertmanager", "alert-resolved", "alert " + a.name() + " resolved"
                + (a.endsAt() == null ? "" : " at " + a.endsAt()));
        boolean close = closeOnResolve || "true".equals(a.labels().get("dr_close_on_resolve"));
        if (close) {
            try {
                incidents.resolve(id, "alertmanager", "alert " + a.name() + " resolved", null);
            } catch (DrException e) {
                if (e.code() != ErrorCode.ILLEGAL_STATE) {
                    throw e;
                }
                // resolved by someone else since openFor: the incident is closed, as asked
            }
        }
        return new AlertOutcome(a.fingerprint(), a.name(), "resolve", "", id, true,
                close ? "incident resolved" : "incident annotated");
    }

    private static String dedupKey(Alert a) {
        return "alert:" + a.fingerprint();
    }

    /** Builds an {@link AlertRouter}. */
    public static final class Builder {
        private final IncidentManager incidents;
        private final AlertActions actions;
        private final List<Rule> rules = new ArrayList<>();
        private boolean closeOnResolve;
        private int maxBytes = AlertmanagerPayload.DEFAULT_MAX_BYTES;
        private int remember = 10_000;

        private Builder(IncidentManager incidents, AlertActions actions) {
            this.incidents = Objects.requireNonNull(incidents, "incidents");
            this.actions = Objects.requireNonNull(actions, "actions");
        }

        /**
         * Adds a rule for alerts without a {@code dr_action} label; rules are tried in order.
         *
         * @param rule the rule
         * @return this builder
         */
        public Builder rule(Rule rule) {
            rules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /**
         * Closes an alert's incident when the alert resolves (by default it is only annotated).
         *
         * @param close whether to close
         * @return this builder
         */
        public Builder closeOnResolve(boolean close) {
            this.closeOnResolve = close;
            return this;
        }

        /**
         * Sets the largest payload accepted.
         *
         * @param bytes the limit, {@code >= 1}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} below 1
         */
        public Builder maxBytes(int bytes) {
            if (bytes < 1) {
                throw DrException.invalidArgument("maxBytes", "must be >= 1", bytes);
            }
            this.maxBytes = bytes;
            return this;
        }

        /**
         * Sets how many handled alerts are remembered for deduplication.
         *
         * @param alerts the count, {@code >= 1}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} below 1
         */
        public Builder remember(int alerts) {
            if (alerts < 1) {
                throw DrException.invalidArgument("remember", "must be >= 1", alerts);
            }
            this.remember = alerts;
            return this;
        }

        /**
         * Builds the router.
         *
         * @return the router
         */
        public AlertRouter build() {
            return new AlertRouter(this);
        }
    }

}
