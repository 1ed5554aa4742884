package dev.drkit.core.incident;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.audit.AuditSink;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.incident.FaultType;
import dev.drkit.api.incident.Incident;
import dev.drkit.api.incident.IncidentStatus;
import dev.drkit.api.incident.Notification;
import dev.drkit.api.incident.Notifier;
import dev.drkit.api.incident.Severity;
import dev.drkit.api.incident.TimelineEntry;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.report.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens, classifies, tracks and closes incidents: each change is a timeline entry, an audit
 * record ({@code incident.open}, {@code incident.ack}, {@code incident.assign},
 * {@code incident.escalate}, {@code incident.note}, {@code incident.resolve}) and, for
 * openings, escalations and resolutions, a notification. Signals with the same dedup key
 * add to the open incident instead of opening another.
 *
 * <p>Thread-safe. Escalation runs when {@link #checkEscalations()} is called, for example by
 * {@link #scheduleEscalations}.
 */
public final class IncidentManager {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentManager.class);
    /** Ids carry the minute they were opened, so that ids of different processes do not collide. */
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter
            .ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC);

    private final Clock clock;
    private final @Nullable AuditSink audit;
    private final List<Notifier> notifiers;
    private final List<ClassificationRule> rules;
    private final EscalationPolicy escalation;
    private final String idPrefix;
    private final AtomicLong counter = new AtomicLong();
    private final Map<String, State> incidents = new LinkedHashMap<>();
    private final Map<String, String> openByDedupKey = new LinkedHashMap<>();

    /** The mutable bookkeeping of one incident; guarded by the manager. */
    private static final class State {
        Incident incident;
        @Nullable String dedupKey;
        int escalations;

        State(Incident incident, @Nullable String dedupKey) {
            this.incident = incident;
            this.dedupKey = dedupKey;
        }
    }

    private IncidentManager(Builder b) {
        this.clock = b.clock;
        this.audit = b.audit;
        this.notifiers = List.copyOf(b.notifiers);
        this.rules = List.copyOf(b.rules);
        this.escalation = b.escalation;
        this.idPrefix = b.idPrefix;
    }

    /**
     * Returns a builder with the system clock, the default rules, no notifier, and escalation
     * to {@code incident-commander} after 15 minutes.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens an incident for a signal, or adds the signal to the open incident with the same
     * dedup key.
     *
     * @param signal the signal
     * @return the incident as it stands
     */
    public synchronized Incident open(IncidentSignal signal) {
        Instant now = clock.instant();
        if (signal.dedupKey() != null) {
            String existing = openByDedupKey.get(signal.dedupKey());
            if (existing != null) {
                State s = incidents.get(existing);
                add(s, new TimelineEntry(now, signal.actor(), "repeated", signal.trigger()));
                return s.incident;
            }
        }
        Classification c = classify(signal);
        String id = idPrefix + ID_TIME.format(now) + "-" + counter.incrementAndGet();
        List<TimelineEntry> tl = new ArrayList<>();
        tl.add(new TimelineEntry(now, signal.actor(), "opened", signal.trigger()));
        tl.add(new TimelineEntry(now, "system", "classified", c.severity() + " " + c.faultType() + " by rule " + c.rule()
                + (c.reason().isBlank() ? "" : ": " + c.reason())));
        Incident inc = new Incident(id, signal.title(), c.severity(), c.faultType(), IncidentStatus.OPEN, now, null, tl);
        State s = new State(inc, signal.dedupKey());
        incidents.put(id, s);
        if (signal.dedupKey() != null) {
            openByDedupKey.put(signal.dedupKey(), id);
        }
        Map<String, String> d = new LinkedHashMap<>();
        d.put("title", signal.title());
        d.put("severity", c.severity().name());
        d.put("faultType", c.faultType().name());
        d.put("source", signal.source().name().toLowerCase());
        d.put("trigger", signal.trigger());
        d.put("rule", c.rule());
        if (!c.reason().isBlank()) {
            d.put("reason", c.reason());
        }
        if (!signal.impact().isBlank()) {
            d.put("impact", signal.impact());
        }
        if (signal.faultStartedAt() != null) {
            d.put("faultStartedAt", signal.faultStartedAt().toString());
        }
        if (signal.dedupKey() != null) {
            d.put("dedupKey", signal.dedupKey());
        }
        audit(now, signal.actor(), "incident.open", id, d);
        notify(inc, "incident.opened", c.severity() + " " + c.faultType() + ": " + signal.title(), signal.trigger()
                + (signal.impact().isBlank() ? "" : "\nImpact: " + signal.impact()));
        return inc;
    }

    /**
     * Opens (or adds to) an incident for a rollback; the guard's name is the dedup key.
     *
     * @param rollback the rollback
     * @return the incident
     */
    public Incident openFor(RollbackEvent rollback) {
        return open(new IncidentSignal(IncidentSource.ROLLBACK, "Guard " + rollback.guard() + " rolled back",
                rollback.reason() + " (" + rollback.triggerKind() + " " + rollback.trigger() + ")", Map.of("guard",
                        rollback.guard()), "", null, "rollback:" + rollback.guard(), rollback.actor()));
    }

    /**
     * Opens (or adds to) an incident for a probe that answered badly; the probe's name is the dedup key.
     *
     * @param probe the probe
     * @param result what it answered
     * @return the incident
     */
    public Incident openFor(HealthProbe probe, ProbeResult result) {
        return open(new IncidentSignal(IncidentSource.PROBE, "Probe " + probe.name() + " is " + result.status(),
                result.detail(), Map.of("probe", probe.name()), "", null, "probe:" + probe.name(), "probe:" + probe.name()));
    }

    private Classification classify(IncidentSignal signal) {
        for (ClassificationRule r : rules) {
            Optional<Classification> c = r.classify(signal);
            if (c.isPresent()) {
                return c.get();
            }
        }
        return ClassificationRule.bySource().classify(signal).orElseThrow();
    }

    /**
     * Acknowledges an incident: a person has it. Acknowledging twice is recorded once.
     *
     * @param id the incident
     * @param actor who
     * @return the incident
     * @throws DrException {@code NOT_FOUND} for an unknown id
     */
    public synchronized Incident acknowledge(String id, String actor) {
        State s = state(id);
        if (s.incident.status() != IncidentStatus.OPEN) {
            return s.incident;
        }
        Instant now = clock.instant();
        s.incident = with(s.incident, IncidentStatus.ACKNOWLEDGED, s.incident.assignee() == null ? actor
                : s.incident.assignee());
        add(s, new TimelineEntry(now, actor, "acknowledged", "acknowledged by " + actor));
        audit(now, actor, "incident.ack", id, Map.of());
        return s.incident;
    }

    /**
     * Assigns an incident.
     *
     * @param id the incident
     * @param assignee who gets it
     * @param actor who assigns it
     * @return the incident
     * @throws DrException {@code NOT_FOUND} for an unknown id
     */
    public synchronized Incident assign(String id, String assignee, String actor) {
        State s = state(id);
        Instant now = clock.instant();
        s.incident = with(s.incident, s.incident.status(), assignee);
        add(s, new TimelineEntry(now, actor, "assigned", "assigned to " + assignee));
        audit(now, actor, "incident.assign", id, Map.of("assignee", assignee));
        return s.incident;
    }

    /**
     * Adds a note to an incident's timeline, such as a finding or the root cause
     * ({@code kind} {@code root-cause}).
     *
     * @param id the incident
     * @param actor who
     * @param kind a short lowercase tag; not blank
     * @param text the note; not blank
     * @return the incident
     * @throws DrException {@code NOT_FOUND} for an unknown id, {@code INVALID_ARGUMENT} for a blank kind or text
     */
    public synchronized Incident note(String id, String actor, String kind, String text) {
        requireText("kind", kind);
        requireText("text", text);
        State s = state(id);
        Instant now = clock.instant();
        add(s, new TimelineEntry(now, actor, kind, text));
        audit(now, actor, "incident.note", id, Map.of("kind", kind, "text", text));
        return s.incident;
    }

    /**
     * Records a recovery execution in an incident's timeline.
     *
     * @param id the incident
     * @param result the execution's result
     * @return the incident
     * @throws DrException {@code NOT_FOUND} for an unknown id
     */
    public synchronized Incident link(String id, ExecutionResult result) {
        State s = state(id);
        add(s, new TimelineEntry(result.finishedAt(), "plan:" + result.planName(), "plan", result.mode() + " run "
                + result.executionId() + " " + result.status()
                + result.achievedRto().map(d -> ", RTO " + d).orElse("")
                + result.achievedRpo().map(d -> ", RPO " + d).orElse("")));
        return s.incident;
    }

    /**
     * Resolves an incident. An incident is resolved once: resolving it again is refused, naming
     * when and by whom it was resolved, since a second resolution would either be lost or
     * rewrite what the first recorded; a cause or fix found later is added as a note (kind
     * {@code root-cause} for a cause), which the post-incident report reads.
     *
     * @param id the incident
     * @param actor who
     * @param resolution how it was resolved; not blank
     * @param rootCause the cause found, or null while unknown; not blank when given
     * @return the incident
     * @throws DrException {@code NOT_FOUND} for an unknown id, {@code INVALID_ARGUMENT} for a blank resolution
     *     or root cause, {@code ILLEGAL_STATE} for an incident that is resolved already
     */
    public synchronized Incident resolve(String id, String actor, String resolution, @Nullable String rootCause) {
        requireText("resolution", resolution);
        if (rootCause != null) {
            requireText("rootCause", rootCause);
        }
        State s = state(id);
        if (s.incident.status() == IncidentStatus.RESOLVED) {
            TimelineEntry first = s.incident.timeline().stream().filter(e -> e.kind().equals("resolved")).findFirst()
                    .orElseThrow();
            throw new DrException(ErrorCode.ILLEGAL_STATE, "incident " + id + " is resolved already, at " + first.at()
                    + " by " + first.actor() + ": " + first.text() + "; it is not resolved again (add a note instead, "
                    + "of kind root-cause for a cause found later)", id);
        }
        Instant now = clock.instant();
        s.incident = with(s.incident, IncidentStatus.RESOLVED, s.incident.assignee());
        if (rootCause != null) {
            add(s, new TimelineEntry(now, actor, "root-cause", rootCause));
        }
        add(s, new TimelineEntry(now, actor, "resolved", resolution));
        if (s.dedupKey != null) {
            openByDedupKey.remove(s.dedupKey);
        }
        Map<String, String> d = new LinkedHashMap<>();
        d.put("resolution", resolution);
        if (rootCause != null) {
            d.put("rootCause", rootCause);
        }
        audit(now, actor, "incident.resolve", id, d);
        notify(s.incident, "incident.resolved", "Resolved: " + s.incident.title(), resolution);
        return s.incident;
    }

    /**
     * Returns the open incident for a dedup key.
     *
     * @param dedupKey the key
     * @return the incident, or empty
     */
    public synchronized Optional<Incident> openFor(String dedupKey) {
        String id = openByDedupKey.get(dedupKey);
        return id == null ? Optional.empty() : Optional.of(incidents.get(id).incident);
    }

    /**
     * Escalates every open incident that was not acknowledged in time: one level per
     * {@link EscalationPolicy#waitFor} waited, each level notified once.
     *
     * @return the incidents that escalated now
     */
    public synchronized List<Incident> checkEscalations() {
        Instant now = clock.instant();
        List<Incident> escalated = new ArrayList<>();
        for (State s : incidents.values()) {
            if (s.incident.status() != IncidentStatus.OPEN || escalation.chain().isEmpty()) {
                continue;
            }
            Duration waited = Duration.between(s.incident.openedAt(), now);
            long due = waited.toNanos() / escalation.waitFor(s.incident.severity()).toNanos();
            int level = (int) Math.min(due, escalation.chain().size());
            boolean any = false;
            while (s.escalations < level) {
                String to = escalation.chain().get(s.escalations);
                s.escalations++;
                add(s, new TimelineEntry(now, "system", "escalated", escalated(waited, to)));
                audit(now, "system", "incident.escalate", s.incident.id(), Map.of("to", to,
                        "level", Integer.toString(s.escalations)));
                notify(s.incident, "incident.escalated", "Escalated to " + to + ": " + s.incident.title(),
                        "Not acknowledged after " + Durations.human(waited) + ".");
                any = true;
            }
            if (any) {
                escalated.add(s.incident);
            }
        }
        return escalated;
    }

    /**
     * The text of an escalation's timeline entry, the same when it escalates and when it is
     * rebuilt from the audit log, where the wait is the time from the opening to the record.
     */
    private static String escalated(Duration waited, String to) {
        return "not acknowledged after " + Durations.human(waited) + "; escalated to " + to;
    }

    /**
     * Runs {@link #checkEscalations()} periodically.
     *
     * @param scheduler the scheduler
     * @param every the period
     * @return the scheduled task, to cancel
     */
    public ScheduledFuture<?> scheduleEscalations(ScheduledExecutorService scheduler, Duration every) {
        return scheduler.scheduleAtFixedRate(() -> {
            try {
                checkEscalations();
            } catch (RuntimeException e) {
                LOG.warn("escalation check failed", e);
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Rebuilds incidents from an audit log's {@code incident.*} records, after a restart:
     * their state, timeline, escalations and dedup keys. Nothing is written to the audit log
     * or notified; incidents already known are left alone.
     *
     * @param records the audit records, oldest first
     * @return how many incidents were rebuilt
     */
    public synchronized int restore(List<AuditRecord> records) {
        Set<String> rebuilt = new HashSet<>();
        for (AuditRecord r : records) {
            if (!r.action().startsWith("incident.")) {
                continue;
            }
            Map<String, String> d = r.details();
            String id = r.target();
            if (r.action().equals("incident.open")) {
                if (incidents.containsKey(id)) {
                    continue;
                }
                Severity sev = Severity.valueOf(d.getOrDefault("severity", "SEV3"));
                FaultType type = ClassificationRule.parseFault(d.getOrDefault("faultType", "SOFTWARE"));
                List<TimelineEntry> tl = new ArrayList<>();
                tl.add(new TimelineEntry(r.time(), r.actor(), "opened", d.getOrDefault("trigger", "")));
                tl.add(new TimelineEntry(r.time(), "system", "classified", sev + " " + type + " by rule "
                        + d.getOrDefault("rule", "?") + (d.containsKey("reason") ? ": " + d.get("reason") : "")));
                State st = new State(new Incident(id, d.getOrDefault("title", id), sev, type, IncidentStatus.OPEN, r.time(),
                        null, tl), d.get("dedupKey"));
                incidents.put(id, st);
                if (st.dedupKey != null) {
                    openByDedupKey.put(st.dedupKey, id);
                }
                rebuilt.add(id);
                int dash = id.lastIndexOf('-');
                try {
                    long n = Long.parseLong(id.substring(dash + 1));
                    counter.accumulateAndGet(n, Math::max);
                } catch (NumberFormatException e) {
                    // an id of another scheme
                }
                continue;
            }
            State st = incidents.get(id);
            if (st == null || !rebuilt.contains(id)) {
                continue;
            }
            Incident i = st.incident;
            switch (r.action()) {
                case "incident.ack" -> {
                    if (i.status() == IncidentStatus.OPEN) {
                        st.incident = with(i, IncidentStatus.ACKNOWLEDGED, i.assignee() == null ? r.actor() : i.assignee());
                        add(st, new TimelineEntry(r.time(), r.actor(), "acknowledged", "acknowledged by " + r.actor()));
                    }
                }
                case "incident.assign" -> {
                    st.incident = with(i, i.status(), d.get("assignee"));
                    add(st, new TimelineEntry(r.time(), r.actor(), "assigned", "assigned to " + d.get("assignee")));
                }
                case "incident.escalate" -> {
                    st.escalations++;
                    add(st, new TimelineEntry(r.time(), "system", "escalated",
                            escalated(Duration.between(i.openedAt(), r.time()), d.getOrDefault("to", "?"))));
                }
                case "incident.note" -> add(st, new TimelineEntry(r.time(), r.actor(), d.getOrDefault("kind", "note"),
                        d.getOrDefault("text", "")));
                case "incident.resolve" -> {
                    st.incident = with(i, IncidentStatus.RESOLVED, i.assignee());
                    if (d.containsKey("rootCause")) {
                        add(st, new TimelineEntry(r.time(), r.actor(), "root-cause", d.get("rootCause")));
                    }
                    add(st, new TimelineEntry(r.time(), r.actor(), "resolved", d.getOrDefault("resolution", "")));
                    if (st.dedupKey != null) {
                        openByDedupKey.remove(st.dedupKey);
                    }
                }
                default -> {
                }
            }
        }
        return rebuilt.size();
    }

    /**
     * Returns an incident.
     *
     * @param id the id
     * @return the incident, or empty
     */
    public synchronized Optional<Incident> get(String id) {
        State s = incidents.get(id);
        return s == null ? Optional.empty() : Optional.of(s.incident);
    }

    /**
     * Returns every incident, oldest first.
     *
     * @return the incidents
     */
    public synchronized List<Incident> list() {
        return incidents.values().stream().map(s -> s.incident).toList();
    }

    private State state(String id) {
        State s = incidents.get(id);
        if (s == null) {
            throw new DrException(ErrorCode.NOT_FOUND, "no incident " + id, id);
        }
        return s;
    }

    private static void requireText(String field, String value) {
        Objects.requireNonNull(value, field);
        if (value.isBlank()) {
            throw DrException.invalidArgument(field, "must not be blank", "'" + value + "'");
        }
    }

    private static Incident with(Incident i, IncidentStatus status, @Nullable String assignee) {
        return new Incident(i.id(), i.title(), i.severity(), i.faultType(), status, i.openedAt(), assignee, i.timeline());
    }

    private static void add(State s, TimelineEntry e) {
        Incident i = s.incident;
        List<TimelineEntry> tl = new ArrayList<>(i.timeline());
        tl.add(e);
        s.incident = new Incident(i.id(), i.title(), i.severity(), i.faultType(), i.status(), i.openedAt(), i.assignee(),
                tl);
    }

    private void audit(Instant at, String actor, String action, String id, Map<String, String> details) {
        if (audit == null) {
            return;
        }
        try {
            audit.append(new AuditEvent(at, actor, action, id, AuditOutcome.SUCCESS, details));
        } catch (RuntimeException e) {
            LOG.warn("cannot write audit record {} of {}: {}", action, id, e.getMessage());
        }
    }

    private void notify(Incident i, String kind, String subject, String text) {
        Notification n = new Notification(clock.instant(), kind, subject, text, i.severity(), i.id(),
                Map.of("faultType", i.faultType().name(), "status", i.status().name()));
        for (Notifier notifier : notifiers) {
            try {
                notifier.send(n);
            } catch (Exception e) {
                LOG.warn("notifier {} failed to send {} of {}: {}", notifier, kind, i.id(), e.toString());
            }
        }
    }

    /** Builds an {@link IncidentManager}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private @Nullable AuditSink audit;
        private final List<Notifier> notifiers = new ArrayList<>();
        private List<ClassificationRule> rules = ClassificationRule.DEFAULT;
        private EscalationPolicy escalation = EscalationPolicy.of(Duration.ofMinutes(15), "incident-commander");
        private String idPrefix = "INC-";

        private Builder() {
        }

        /**
         * Sets the clock.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Records every change in an audit sink.
         *
         * @param audit the sink
         * @return this builder
         */
        public Builder audit(AuditSink audit) {
            this.audit = Objects.requireNonNull(audit, "audit");
            return this;
        }

        /**
         * Adds a notifier.
         *
         * @param notifier the notifier
         * @return this builder
         */
        public Builder notifier(Notifier notifier) {
            notifiers.add(Objects.requireNonNull(notifier, "notifier"));
            return this;
        }

        /**
         * Sets the classification rules, tried in order before the source-based default.
         *
         * @param rules the rules
         * @return this builder
         */
        public Builder rules(List<ClassificationRule> rules) {
            this.rules = List.copyOf(rules);
            return this;
        }

        /**
         * Sets the escalation policy.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder escalation(EscalationPolicy policy) {
            this.escalation = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Sets the prefix of incident ids, which are followed by the UTC minute of opening and a
         * counter: {@code INC-20261126-1054-1}.
         *
         * @param prefix the prefix, such as {@code INC-}
         * @return this builder
         */
        public Builder idPrefix(String prefix) {
            this.idPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * Builds the manager.
         *
         * @return the manager
         */
        public IncidentManager build() {
            return new IncidentManager(this);
        }
    }
}
