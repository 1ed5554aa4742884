package dev.drkit.spring.actuate;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.rollback.Guard;
import dev.drkit.api.rollback.RollbackEvent;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.audit.AuditVerification;
import dev.drkit.spring.DrGuards;
import dev.drkit.spring.DrProperties;
import java.security.Principal;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 *   <li>{@code GET /actuator/dr}: every guard with its state and weight, the audit head;</li>
 *   <li>{@code GET /actuator/dr/guards/{name}}: one guard;</li>
 *   <li>{@code POST /actuator/dr/guards/{name}} with {@code {"action": "rollback" | "acknowledge",
 *       "reason": "..."}};</li>
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
    /** The most audit records one read returns unless {@code limit} says otherwise. */
    public static final int DEFAULT_AUDIT_LIMIT = 100;

    private final DrGuards guards;
    private final @Nullable AuditLog audit;
    private final DrProperties.Security security;
    private final boolean springSecurity;
    private final Clock clock;

    /**
     * Creates the endpoint.
     *
     * @param guards the guards
     * @param audit the audit log, or null
     * @param security who may write
     * @param springSecurity whether Spring Security authenticates the requests: then writes need
     *     the operator role; else they need {@code dr.security.unsecured-writes}
     * @param clock the clock for audit records
     */
    public DrEndpoint(DrGuards guards, @Nullable AuditLog audit, DrProperties.Security security,
            boolean springSecurity, Clock clock) {
        this.guards = guards;
        this.audit = audit;
        this.security = security;
        this.springSecurity = springSecurity;
        this.clock = clock;
    }

    /**
     * Returns the overview: guards with their states and weights, and the audit log's head.
     *
     * @return the overview
     */
    @ReadOperation
    public Map<String, Object> overview() {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> list = new ArrayList<>();
        guards.all().keySet().forEach(name -> list.add(guardView(name)));
        out.put("guards", list);
        AuditLog log = audit;
        if (log != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("head", log.head().map(Object::toString).orElse(null));
            out.put("audit", a);
        }
        return out;
    }

    /**
     * Reads one item: {@code guards/{name}}, {@code audit/all} or {@code audit/verify}.
     *
     * @param section {@code guards} or {@code audit}
     * @param name the guard's name, or {@code all} / {@code verify} for the audit log
     * @param actor for {@code audit/all}: only this actor's records
     * @param action for {@code audit/all}: only this action, or a prefix such as {@code guard.*}
     * @param target for {@code audit/all}: only records about this target
     * @param since for {@code audit/all}: only records at or after this ISO-8601 instant
     * @param limit for {@code audit/all}: at most this many records (default 100)
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
                    return ok(guardView(name));
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
                    return error(404, "no section '" + section + "'; sections: guards, audit");
            }
        } catch (DrException e) {
            return failure(e);
        }
    }

    /**
     * Acts on one item: {@code guards/{name}} with {@code action} {@code rollback} (roll the
     * candidate back now) or {@code acknowledge} (clear the health contributor's DOWN after a rollback).
     *
     * @param section {@code guards}
     * @param name the guard's name
     * @param action what to do
     * @param reason why, for the audit log
     * @param securityContext who asks
     * @return the result, or 400 / 401 / 403 / 404 / 409 / 501 with an {@code error}
     */
    @WriteOperation
    public WebEndpointResponse<Object> write(@Selector String section, @Selector String name,
            @Nullable String action, @Nullable String reason, SecurityContext securityContext) {
        WebEndpointResponse<Object> refused = refuseUnlessOperator(securityContext);
        if (refused != null) {
            return refused;
        }
        String actor = actorOf(securityContext);
        if (!section.equals("guards")) {
            return error(404, "no writable section '" + section + "'; writable: guards");
        }
        try {
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
                case "resume":
                    return error(501, "guard '" + name + "' offers no '" + act + "': this application's guard "
                            + "implementation supports rollback and acknowledge only");
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
            if (!ctx.isUserInRole(security.getOperatorRole())) {
                return error(403, "write operations need role " + security.getOperatorRole());
            }
            return null;
        }
        if (!security.isUnsecuredWrites()) {
            return error(403, "write operations are off: add Spring Security and give operators role "
                    + security.getOperatorRole() + ", or set dr.security.unsecured-writes=true behind an "
                    + "authenticating proxy");
        }
        return null;
    }

    private static String actorOf(SecurityContext ctx) {
        Principal p = ctx.getPrincipal();
        return p == null ? "anonymous" : p.getName();
    }

    private Map<String, Object> guardView(String name) {
        Guard<?> g = guards.get(name);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("state", g.state().name());
        out.put("candidateWeight", g.candidateWeight());
        out.put("awaitingAcknowledgement", guards.awaitingAcknowledgement(name));
        return out;
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
