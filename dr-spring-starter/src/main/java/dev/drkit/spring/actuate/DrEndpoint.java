package dev.drkit.spring.actuate;

import dev.drkit.api.DrException;
import dev.drkit.spring.DrCoordination;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.api.incident.Incident;
import dev.drkit.api.incident.IncidentStatus;
import dev.drkit.api.incident.TimelineEntry;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.rollback.DecisionRecord;
import dev.drkit.api.rollback.Evidence;
import dev.drkit.api.rollback.Guard;
import dev.drkit.api.rollback.GuardSnapshot;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.audit.AuditVerification;
import dev.drkit.core.backup.ScheduledBackups;
import dev.drkit.core.incident.IncidentManager;
import dev.drkit.core.recovery.Execution;
import dev.drkit.core.recovery.ExecutionProgress;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.repository.BackupResult;
import dev.drkit.core.repository.Snapshot;
import dev.drkit.core.repository.JournalStatus;
import dev.drkit.spring.DrBackups;
import dev.drkit.spring.DrOverviewSection;
import dev.drkit.spring.DrJournals;
import dev.drkit.spring.DrPlans;
import dev.drkit.spring.DrGuards;
import dev.drkit.spring.DrProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The {@code dr} actuator endpoint: the state of the guards and the audit trail, and the
 * operator's actions on them.
 *
 * <ul>
 *   <li>{@code GET /actuator/dr}: guards with states and weights, the last backup against the
 *       RPO, the plans and running executions, the audit head;</li>
 *   <li>{@code GET /actuator/dr/guards/{name}}: one guard, with its last rollback and evidence;</li>
 *   <li>{@code POST /actuator/dr/guards/{name}} with {@code {"action": "rollback" | "promote" |
 *       "pause" | "resume" | "acknowledge", "reason": "..."}};</li>
 *   <li>{@code POST /actuator/dr/backups/now}, answering with the snapshot, the files new, changed,
 *       unchanged and vanished, {@code unreadable}, {@code specialCount} and {@code packsMissing}
 *       (packs the store had lost, named; empty in a sound repository);
 *       {@code GET /actuator/dr/snapshots/all}, newest first,
 *       each with {@code unreadableCount}, the entries its backup could not read and left out (0
 *       when complete);</li>
 *   <li>{@code POST /actuator/dr/plans/{name}} with {@code {"mode": "DRILL" | "LIVE"}} (202 with the
 *       execution id) and {@code GET /actuator/dr/executions/{id}} for its progress and result;</li>
 *   <li>{@code GET /actuator/dr/incidents/all} and {@code GET /actuator/dr/incidents/{id}};</li>
 *   <li>{@code GET /actuator/dr/audit/all?actor=&action=&target=&since=&limit=}: records, newest first;</li>
 *   <li>{@code GET /actuator/dr/audit/verify}: the chain's verification.</li>
 * </ul>
 *
 * <p>Write operations need an authenticated principal with the operator role when Spring
 * Security is present; without it they are refused unless {@code dr.security.unsecured-writes}
 * is set. Every write is recorded in the audit log, when there is one.
 */
@Endpoint(id = "dr")
public class DrEndpoint {
    /** How many decisions {@code guards/{name}} shows unless {@code limit} says otherwise. */
    public static final int DEFAULT_DECISIONS = 20;

    /** The most audit records one read returns unless {@code limit} says otherwise. */
    public static final int DEFAULT_AUDIT_LIMIT = 100;

    private final DrGuards guards;
    private final @Nullable AuditLog audit;
    private final @Nullable DrBackups backups;
    private volatile @Nullable DrJournals journals;
    private final @Nullable DrPlans plans;
    private @Nullable IncidentManager incidents;
    private @Nullable DrCoordination fleet;
    private final DrProperties.Security security;
    private final boolean springSecurity;
    private final Clock clock;
    private final List<DrOverviewSection> sections = new CopyOnWriteArrayList<>();

    /**
     * Creates the endpoint.
     *
     * @param guards the guards
     * @param audit the audit log, or null
     * @param backups the backups, or null without a repository
     * @param plans the recovery plans, or null
     * @param security who may write
     * @param springSecurity whether Spring Security authenticates the requests: then writes need
     *     the operator role; else they need {@code dr.security.unsecured-writes}
     * @param clock the clock for audit records
     */
    public DrEndpoint(DrGuards guards, @Nullable AuditLog audit, @Nullable DrBackups backups, @Nullable DrPlans plans,
            DrProperties.Security security, boolean springSecurity, Clock clock) {
        this.guards = guards;
        this.audit = audit;
        this.backups = backups;
        this.plans = plans;
        this.security = security;
        this.springSecurity = springSecurity;
        this.clock = clock;
    }

    /**
     * Shows the open incidents of a manager in the overview and under {@code incidents/all}.
     *
     * @param manager the incident manager
     * @return this endpoint
     */
    public DrEndpoint withIncidents(IncidentManager manager) {
        this.incidents = manager;
        return this;
    }

    /**
     * Shows a section contributed by an optional part of the starter in the overview.
     *
     * @param section the section, such as the PostgreSQL streaming
     * @return this endpoint
     */
    public DrEndpoint withSection(DrOverviewSection section) {
        this.sections.add(section);
        return this;
    }

    /**
     * Shows the journals of continuous protection, with their lag, in the overview.
     *
     * @param running the journals
     * @return this endpoint
     */
    public DrEndpoint withJournals(DrJournals running) {
        this.journals = running;
        return this;
    }

    /**
     * Shows the fleet in the overview: the lease's holder and epoch and the live members.
     *
     * @param fleet the fleet view
     * @return this endpoint
     */
    public DrEndpoint withFleet(DrCoordination fleet) {
        this.fleet = fleet;
        return this;
    }

    /**
     * Describes one journal for the overview and the health contributor.
     *
     * @param s its status
     * @return lag in seconds, segments, base snapshot, last durable instant, pending changes, last error
     */
    static Map<String, Object> journalView(JournalStatus s) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("source", s.source());
        v.put("lagSeconds", s.lag().toNanos() / 1e9);
        v.put("segments", s.segments());
        v.put("baseSnapshot", s.baseSnapshotId());
        v.put("lastDurable", s.lastDurable() == null ? null : s.lastDurable().toString());
        v.put("pending", s.pending());
        v.put("committedPosition", s.committedPosition());
        if (s.lastError() != null) {
            v.put("lastError", s.lastError());
        }
        return v;
    }

    /**
     * Returns the overview: guards with their states and weights, the fleet's lease holder,
     * epoch and members, the journals, and the audit log's head.
     *
     * @return the overview
     */
    @ReadOperation
    public Map<String, Object> overview() {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> list = new ArrayList<>();
        guards.all().keySet().forEach(name -> list.add(guardView(name)));
        out.put("guards", list);
        DrBackups b = backups;
        if (b != null) {
            out.put("backups", backupsView(b));
        }
        DrJournals j = journals;
        if (j != null) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("rpo", j.rpo().toString());
            view.put("lagSeconds", j.maxLag().toNanos() / 1e9);
            view.put("rpoMet", j.rpoMet());
            Map<String, String> lost = j.lostWriterLocks();
            if (!lost.isEmpty()) {
                view.put("writerLockLost", lost);
            }
            view.put("sources", j.statuses().stream().map(DrEndpoint::journalView).toList());
            out.put("journal", view);
        }
        DrPlans p = plans;
        if (p != null) {
            out.put("plans", p.all().keySet());
            List<Map<String, Object>> running = new ArrayList<>();
            p.running().forEach(e -> running.add(progressView(e.progress())));
            out.put("runningExecutions", running);
        }
        IncidentManager im = incidents;
        if (im != null) {
            List<Map<String, Object>> open = new ArrayList<>();
            for (Incident i : im.list()) {
                if (i.status() != IncidentStatus.RESOLVED) {
                    open.add(incidentView(i));
                }
            }
            out.put("openIncidents", open);
        }
        for (DrOverviewSection section : sections) {
            out.put(section.sectionName(), section.sectionView());
        }
        DrCoordination f = fleet;
        if (f != null) {
            out.put("fleet", fleetView(f));
        }
        AuditLog log = audit;
        if (log != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("head", log.head().map(Object::toString).orElse(null));
            out.put("audit", a);
        }
        return out;
    }

    /**
     * Reads one item: {@code guards/{name}}, {@code snapshots/all}, {@code executions/{id}},
     * {@code audit/all} or {@code audit/verify}.
     *
     * @param section {@code guards}, {@code snapshots}, {@code executions} or {@code audit}
     * @param name the guard's name, the execution's id, or {@code all} / {@code verify}
     * @param actor for {@code audit/all}: only this actor's records
     * @param action for {@code audit/all}: only this action, or a prefix such as {@code guard.*}
     * @param target for {@code audit/all}: only records about this target
     * @param since for {@code audit/all}: only records at or after this ISO-8601 instant
     * @param limit for {@code audit/all}: at most this many records (default 100); for
     *     {@code guards/{name}}: the last decisions shown, newest first, with their evidence
     *     (default {@value #DEFAULT_DECISIONS})
     * @return the item, or 404 / 400 with an {@code error}
     */
    @ReadOperation
    public WebEndpointResponse<Object> read(@Selector String section, @Selector String name,
            @Nullable String actor, @Nullable String action, @Nullable String target, @Nullable String since,
            @Nullable Integer limit) {
        try {
            switch (section) {
                case "guards":
                    guards.get(name);
                    if (limit != null && limit < 0) {
                        return error(400, "limit must be >= 0, but was " + limit);
                    }
                    return ok(guardView(name, limit == null ? DEFAULT_DECISIONS : limit));
                case "snapshots": {
                    if (!name.equals("all")) {
                        return error(404, "no snapshot view '" + name + "'; use snapshots/all");
                    }
                    List<Map<String, Object>> out = new ArrayList<>();
                    List<Snapshot> list = requireBackups().repository().snapshots();
                    for (int i = list.size() - 1; i >= 0; i--) {
                        out.add(snapshotView(list.get(i)));
                    }
                    return ok(out);
                }
                case "incidents": {
                    IncidentManager im = incidents;
                    if (im == null) {
                        return error(404, "no incident manager is configured");
                    }
                    if (name.equals("all")) {
                        List<Map<String, Object>> all = new ArrayList<>();
                        im.list().forEach(i -> all.add(incidentView(i)));
                        return ok(all);
                    }
                    return ok(incidentView(im.get(name).orElseThrow(() -> new DrException(ErrorCode.NOT_FOUND,
                            "no incident has id '" + name + "'", "incident=" + name))));
                }
                case "executions": {
                    Execution e = requirePlans().execution(name).orElseThrow(() -> new DrException(
                            ErrorCode.NOT_FOUND, "no recent execution has id '" + name + "'", "execution=" + name));
                    return ok(executionView(e));
                }
                case "audit":
                    AuditLog log = requireAudit();
                    if (name.equals("verify")) {
                        return ok(verificationView(log.verify()));
                    }
                    if (name.equals("all")) {
                        return ok(auditRecords(log, actor, action, target, since, limit));
                    }
                    return error(404, "no audit view '" + name + "'; use audit/all or audit/verify");
                default:
                    return error(404, "no section '" + section + "'; sections: guards, snapshots, executions, incidents, audit");
            }
        } catch (DrException e) {
            return failure(e);
        }
    }

    /**
     * Acts on one item: {@code guards/{name}} with an {@code action} (rollback, promote, pause,
     * resume, or acknowledge to clear the health contributor's DOWN after an automatic
     * rollback), {@code backups/now}, or {@code plans/{name}} with a {@code mode}.
     *
     * @param section {@code guards}, {@code backups} or {@code plans}
     * @param name the guard's or plan's name, or {@code now}
     * @param action for a guard: what to do
     * @param reason for a guard: why, for the audit log
     * @param mode for a plan: DRILL or LIVE
     * @param securityContext who asks
     * @return the result, or 400 / 401 / 403 / 404 / 409 / 501 with an {@code error}
     */
    @WriteOperation
    public WebEndpointResponse<Object> write(@Selector String section, @Selector String name,
            @Nullable String action, @Nullable String reason, @Nullable String mode, SecurityContext securityContext) {
        WebEndpointResponse<Object> refused = refuseUnlessOperator(securityContext);
        if (refused != null) {
            return refused;
        }
        String actor = actorOf(securityContext);
        try {
            if (section.equals("backups") && name.equals("now")) {
                DrBackups b = requireBackups();
                BackupResult r;
                try {
                    r = b.backupNow(BackupKind.INCREMENTAL, "operator", ScheduledBackups.ON_DEMAND_TAG);
                } catch (DrException e) {
                    record(actor, "operator.backup.now", "backups", AuditOutcome.FAILURE,
                            Map.of("error", e.getMessage()));
                    throw missingSource(e);
                }
                record(actor, "operator.backup.now", "backups", AuditOutcome.SUCCESS,
                        Map.of("snapshot", r.snapshot().id(), "sources", String.join(",", r.snapshot().sources())));
                Map<String, Object> out = snapshotView(r.snapshot());
                out.put("filesNew", r.filesNew());
                out.put("filesChanged", r.filesChanged());
                out.put("filesUnchanged", r.filesUnchanged());
                out.put("filesVanished", r.filesVanished());
                out.put("bytesAdded", r.bytesAdded());
                out.put("unreadableCount", r.unreadableCount());
                out.put("unreadable", r.unreadable().stream()
                        .map(u -> Map.of("path", u.path(), "reason", u.reason())).toList());
                out.put("specialCount", r.specialCount()); // FIFOs, sockets and devices skipped
                out.put("packsMissing", r.packsMissing()); // packs the store lost, stored again where the sources had them
                out.put("duration", r.duration().toString());
                return ok(out);
            }
            if (section.equals("plans")) {
                ExecutionMode m;
                try {
                    m = ExecutionMode.valueOf((mode == null ? "" : mode).toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    return error(400, "mode must be DRILL or LIVE, but was '" + (mode == null ? "" : mode) + "'");
                }
                Execution e = requirePlans().start(name, m, actor);
                Map<String, Object> out = progressView(e.progress());
                out.put("plan", name);
                out.put("mode", m.name());
                out.put("progress", "/actuator/dr/executions/" + e.id());
                return new WebEndpointResponse<>(out, 202);
            }
            if (!section.equals("guards")) {
                return error(404, "no writable section '" + section + "'; writable: guards/{name}, backups/now, "
                        + "plans/{name}");
            }
            Guard<?> guard = guards.get(name);
            String act = action == null ? "" : action.toLowerCase(Locale.ROOT);
            String why = reason == null || reason.isBlank() ? "operator request" : reason;
            switch (act) {
                case "rollback": {
                    RollbackEvent event;
                    try {
                        event = guard.rollback(actor, why);
                    } catch (DrException e) {
                        record(actor, "operator.guard.rollback", name, AuditOutcome.FAILURE,
                                Map.of("reason", why, "error", e.getMessage()));
                        throw e;
                    }
                    guards.acknowledge(name);
                    record(actor, "operator.guard.rollback", name, AuditOutcome.SUCCESS,
                            Map.of("reason", why, "from", event.fromVersion(), "to", event.toVersion()));
                    Map<String, Object> out = guardView(name);
                    out.put("rolledBackFrom", event.fromVersion());
                    out.put("rolledBackTo", event.toVersion());
                    return ok(out);
                }
                case "acknowledge": {
                    boolean done = guards.acknowledge(name);
                    if (!done) {
                        return error(409, "guard '" + name + "' is " + guard.state() + "; only a rolled-back guard "
                                + "can be acknowledged");
                    }
                    record(actor, "operator.guard.acknowledge", name, AuditOutcome.SUCCESS, Map.of("reason", why));
                    return ok(guardView(name));
                }
                case "promote":
                case "pause":
                case "resume": {
                    if (act.equals("promote")) {
                        guard.promote(actor, why);
                    } else if (act.equals("pause")) {
                        guard.pause(actor);
                    } else {
                        guard.resume(actor);
                    }
                    record(actor, "operator.guard." + act, name, AuditOutcome.SUCCESS, Map.of("reason", why));
                    return ok(guardView(name));
                }
                default:
                    return error(400, "action must be one of rollback, promote, pause, resume, acknowledge, but was '"
                            + (action == null ? "" : action) + "'");
            }
        } catch (DrException e) {
            return failure(e);
        }
    }

    private @Nullable WebEndpointResponse<Object> refuseUnlessOperator(SecurityContext ctx) {
        if (springSecurity) {
            if (ctx.getPrincipal() == null) {
                return error(401, "write operations need an authenticated operator");
            }
            if (!ctx.isUserInRole(security.operatorRole())) {
                return error(403, "write operations need role " + security.operatorRole());
            }
            return null;
        }
        if (!security.unsecuredWrites()) {
            return error(403, "write operations are off: add Spring Security and give operators role "
                    + security.operatorRole() + ", or set dr.security.unsecured-writes=true behind an "
                    + "authenticating proxy");
        }
        return null;
    }

    private static String actorOf(SecurityContext ctx) {
        Principal p = ctx.getPrincipal();
        return p == null ? "anonymous" : p.getName();
    }

    private Map<String, Object> guardView(String name) {
        return guardView(name, 0);
    }

    private Map<String, Object> guardView(String name, int decisions) {
        Guard<?> g = guards.get(name);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("state", g.state().name());
        out.put("candidateWeight", g.candidateWeight());
        out.put("awaitingAcknowledgement", guards.awaitingAcknowledgement(name));
        GuardSnapshot snapshot = g.snapshot();
        if (snapshot.stableVersion() != null) {
            out.put("stableVersion", snapshot.stableVersion());
            out.put("candidateVersion", snapshot.candidateVersion());
            out.put("step", snapshot.step());
        }
        snapshot.rollback().ifPresent(r -> out.put("lastRollback", rollbackView(r)));
        snapshot.holding().ifPresent(h -> out.put("hold", Map.of("reason", h.reason().name(), "detail", h.detail())));
        List<DecisionRecord> all = g.decisions();
        List<Map<String, Object>> recent = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0 && recent.size() < decisions; i--) {
            recent.add(decisionView(all.get(i)));
        }
        if (decisions > 0) {
            out.put("decisions", recent);
        }
        return out;
    }

    private static Map<String, Object> decisionView(DecisionRecord d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", d.at().toString());
        m.put("action", d.action());
        m.put("actor", d.actor());
        m.put("signal", d.signal());
        m.put("details", new TreeMap<>(d.details()));
        return m;
    }

    private static Map<String, Object> rollbackView(RollbackEvent r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", r.at().toString());
        m.put("mode", r.mode().name());
        m.put("trigger", r.triggerKind().name() + ":" + r.trigger());
        m.put("actor", r.actor());
        m.put("reason", r.reason());
        m.put("from", r.fromVersion());
        m.put("to", r.toVersion());
        Evidence ev = r.verdict().evidence();
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("candidateCalls", ev.candidateCalls());
        e.put("candidateFailures", ev.candidateFailures());
        e.put("candidateRate", finite(ev.candidateRate()));
        e.put("baselineRate", finite(ev.baselineRate()));
        e.put("statistic", finite(ev.statistic()));
        e.put("rollbackThreshold", finite(ev.rollbackThreshold()));
        m.put("evidence", e);
        return m;
    }

    private static Map<String, Object> incidentView(Incident i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("title", i.title());
        m.put("severity", i.severity().name());
        m.put("faultType", i.faultType().name());
        m.put("status", i.status().name());
        m.put("openedAt", i.openedAt().toString());
        m.put("assignee", i.assignee());
        List<Map<String, String>> timeline = new ArrayList<>();
        for (TimelineEntry t : i.timeline()) {
            Map<String, String> e = new LinkedHashMap<>();
            e.put("at", t.at().toString());
            e.put("actor", t.actor());
            e.put("kind", t.kind());
            e.put("text", t.text());
            timeline.add(e);
        }
        m.put("timeline", timeline);
        return m;
    }

    /** JSON has no NaN or infinity: a figure that is not finite is shown as null. */
    private static @Nullable Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    private static Map<String, Object> fleetView(DrCoordination fleet) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("self", fleet.coordinator().memberId());
        try {
            DrCoordination.FleetStatus s = fleet.status();
            m.put("backend", s.backend());
            m.put("lease", s.lease());
            s.holder().ifPresent(h -> {
                m.put("holder", h.memberId());
                m.put("epoch", h.epoch());
            });
            m.put("group", s.group());
            m.put("members", List.copyOf(s.members()));
        } catch (DrException e) {
            m.put("error", e.code().id() + ": " + e.getMessage());
        }
        return m;
    }

    private static Map<String, Object> backupsView(DrBackups b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rpo", b.rpo().toString());
        b.latest().ifPresent(s -> m.put("lastSnapshot", s.shortId()));
        b.lastSuccess().ifPresent(t -> m.put("lastBackupAt", t.toString()));
        b.age().ifPresent(age -> m.put("age", age.withNanos(0).toString()));
        m.put("rpoMet", b.rpoMet());
        if (b.lastUnreadableCount() > 0) {
            m.put("lastBackupUnreadable", b.lastUnreadableCount());
        }
        b.lastError().ifPresent(e -> m.put("lastError", e));
        b.backups().lastReplicationError().ifPresent(e -> m.put("lastReplicationError", e));
        return m;
    }

    private static Map<String, Object> snapshotView(Snapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("time", s.time().toString());
        m.put("host", s.host());
        m.put("tags", s.tags());
        m.put("sources", s.sources());
        m.put("parent", s.parent());
        m.put("files", s.files());
        m.put("bytes", s.bytes());
        m.put("unreadableCount", s.unreadable()); // entries the backup left out; 0 when complete
        return m;
    }

    private static Map<String, Object> progressView(ExecutionProgress p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("executionId", p.executionId());
        m.put("percentDone", p.percentDone());
        m.put("elapsed", p.elapsed().toString());
        p.etaIfKnown().ifPresent(eta -> m.put("eta", eta.toString()));
        Map<String, String> steps = new LinkedHashMap<>();
        p.steps().forEach((k, v) -> steps.put(k, v.name()));
        m.put("steps", steps);
        return m;
    }

    private static Map<String, Object> executionView(Execution e) {
        Map<String, Object> m = progressView(e.progress());
        if (e.result().isDone() && !e.result().isCompletedExceptionally()) {
            ExecutionResult r = e.result().join();
            m.put("status", r.status().name());
            m.put("mode", r.mode().name());
            m.put("reason", r.reason());
            r.achievedRto().ifPresent(d -> m.put("achievedRto", d.toString()));
            r.achievedRpo().ifPresent(d -> m.put("achievedRpo", d.toString()));
            m.put("rtoObjective", r.objectives().rto().toString());
            m.put("rpoObjective", r.objectives().rpo().toString());
            m.put("rtoMet", r.rtoMet());
            m.put("rpoMet", r.rpoMet());
        } else {
            m.put("status", e.result().isDone() ? "FAILED" : "RUNNING");
        }
        return m;
    }

    private DrBackups requireBackups() {
        DrBackups b = backups;
        if (b == null) {
            throw new DrException(ErrorCode.NOT_FOUND, "no repository is configured; set dr.repository.uri",
                    "dr.repository.uri");
        }
        return b;
    }

    private DrPlans requirePlans() {
        DrPlans p = plans;
        if (p == null) {
            throw new DrException(ErrorCode.NOT_FOUND, "no recovery plans are configured", "dr.plans");
        }
        return p;
    }

    private List<Map<String, Object>> auditRecords(AuditLog log, @Nullable String actor, @Nullable String action,
            @Nullable String target, @Nullable String since, @Nullable Integer limit) {
        int max = limit == null ? DEFAULT_AUDIT_LIMIT : limit;
        if (max < 1) {
            throw DrException.invalidArgument("limit", "must be >= 1", max);
        }
        Instant from;
        try {
            from = since == null ? null : Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw DrException.invalidArgument("since", "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z",
                    since);
        }
        AuditFilter filter = AuditFilter.all().withActor(actor).withAction(action).withTarget(target)
                .withTime(from, null);
        List<AuditRecord> records = log.records(filter);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = records.size() - 1; i >= 0 && out.size() < max; i--) {
            AuditRecord r = records.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", r.seq());
            m.put("time", r.time().toString());
            m.put("actor", r.actor());
            m.put("action", r.action());
            m.put("target", r.target());
            m.put("outcome", r.outcome().name());
            m.put("details", r.details());
            m.put("hash", r.hash());
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> verificationView(AuditVerification v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("intact", v.intact());
        m.put("records", v.records());
        if (!v.intact()) {
            m.put("firstBadSeq", v.firstBadSeq());
            m.put("problem", v.problem());
        }
        m.put("head", v.headDigest().map(Object::toString).orElse(null));
        return m;
    }

    private AuditLog requireAudit() {
        AuditLog log = audit;
        if (log == null) {
            throw new DrException(ErrorCode.NOT_FOUND, "no audit log is configured; set dr.audit.file", "dr.audit.file");
        }
        return log;
    }

    private void record(String actor, String action, String target, AuditOutcome outcome, Map<String, String> details) {
        AuditLog log = audit;
        if (log != null) {
            log.append(new AuditEvent(clock.instant(), actor, action, target, outcome, details));
        }
    }

    /**
     * A backup source that is gone is a state of the server, not a wrong URL: 409 naming the
     * directory rather than the source's 404.
     */
    private static DrException missingSource(DrException e) {
        String input = e.input();
        if (e.code() != ErrorCode.NOT_FOUND || input == null || Files.exists(Path.of(input))) {
            return e;
        }
        return new DrException(ErrorCode.ILLEGAL_STATE, "the backup source " + input + " does not exist on this "
                + "server (dr.backup.sources); nothing was backed up", input, e);
    }

    private static WebEndpointResponse<Object> ok(Object body) {
        return new WebEndpointResponse<>(body, 200);
    }

    private static WebEndpointResponse<Object> error(int status, String message) {
        return new WebEndpointResponse<>(Map.of("status", status, "error", message), status);
    }

    private static WebEndpointResponse<Object> failure(DrException e) {
        int status = switch (e.code()) {
            case NOT_FOUND -> 404;
            case INVALID_ARGUMENT, INVALID_CONFIG -> 400;
            case ILLEGAL_STATE, LOCKED, ALREADY_EXISTS, PRECONDITION_FAILED -> 409;
            case UNSUPPORTED -> 501;
            default -> 500;
        };
        return new WebEndpointResponse<>(Map.of("status", status, "error", e.getMessage(), "code", e.code().id()),
                status);
    }
}
