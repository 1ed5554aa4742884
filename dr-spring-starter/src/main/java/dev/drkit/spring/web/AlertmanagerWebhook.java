package dev.drkit.spring.web;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.incident.AlertOutcome;
import dev.drkit.core.incident.AlertRouter;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Alertmanager webhook at {@code dr.alertmanager.path} (default {@code /dr/alertmanager}):
 * it checks the bearer token Alertmanager sends ({@code http_config.authorization}) against
 * {@code dr.alertmanager.token}, then hands the payload to the {@link AlertRouter}, which opens
 * incidents and rolls back guards or starts plans as the alerts' {@code dr_*} labels say.
 *
 * <p>A missing or wrong token answers 401, and a malformed payload or a firing alert whose
 * {@code dr_action} label is not a known action 400 (logged at WARN); neither triggers anything. The token is compared in constant time and never logged. With a
 * {@link LoginThrottle}, every call with a missing or wrong token is audited, and a client
 * address that failed too often answers 429 with {@code Retry-After} until its window ends.
 */
@RestController
public class AlertmanagerWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(AlertmanagerWebhook.class);

    /** The door named in the audit records of failed calls. */
    public static final String DOOR = "alertmanager-webhook";

    private final AlertRouter router;
    private final byte[] token;
    private final @Nullable LoginThrottle throttle;

    /**
     * Creates the webhook without a limit on failed calls.
     *
     * @param router turns alerts into actions
     * @param token the bearer token Alertmanager must send
     * @throws DrException {@code INVALID_CONFIG} for a blank token
     */
    public AlertmanagerWebhook(AlertRouter router, String token) {
        this(router, token, null);
    }

    /**
     * Creates the webhook.
     *
     * @param router turns alerts into actions
     * @param token the bearer token Alertmanager must send
     * @param throttle counts, audits and limits calls with a wrong token per client address, or null
     * @throws DrException {@code INVALID_CONFIG} for a blank token
     */
    public AlertmanagerWebhook(AlertRouter router, String token, @Nullable LoginThrottle throttle) {
        if (token.isBlank()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "dr.alertmanager.token must be set", "dr.alertmanager.token");
        }
        this.router = router;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.throttle = throttle;
    }

    /**
     * Receives one webhook call.
     *
     * @param authorization the {@code Authorization} header
     * @param body the payload
     * @param request the request, for the client address
     * @return 200 with what each alert did, 400 for a malformed payload or an unknown
     *     {@code dr_action} (nothing done), 404 for an alert naming
     *     no guard (nothing done), 401 for a bad token, 429
     *     after too many bad tokens from the client's address
     */
    @PostMapping(path = "${dr.alertmanager.path:/dr/alertmanager}", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Map<String, Object>> receive(
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) @Nullable String authorization,
            @RequestBody(required = false) byte @Nullable [] body, HttpServletRequest request) {
        LoginThrottle t = throttle;
        String client = request.getRemoteAddr();
        if (t != null) {
            Optional<Duration> wait = t.retryAfter(client);
            if (wait.isPresent()) {
                return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                        .header(HttpHeaders.RETRY_AFTER, Long.toString(LoginThrottle.retryAfterSeconds(wait.get())))
                        .body(Map.of("error", "too many calls with a wrong token from this address"));
            }
        }
        if (!authorized(authorization)) {
            if (t != null) {
                t.failed(client, authorization == null ? "no bearer token" : "wrong bearer token");
            }
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"dr-alertmanager\"")
                    .body(Map.of("error", "a valid bearer token is required"));
        }
        List<AlertOutcome> outcomes;
        try {
            outcomes = router.handle(body == null ? new byte[0] : body);
        } catch (DrException e) {
            if (e.code() == ErrorCode.INVALID_ARGUMENT) {
                LOG.warn("Alertmanager webhook: payload refused: {}", e.getMessage());
                return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
            }
            if (e.code() == ErrorCode.NOT_FOUND) {
                LOG.warn("Alertmanager webhook: payload refused: {}", e.getMessage());
                return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", e.getMessage()));
            }
            throw e;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("alerts", outcomes.size());
        out.put("outcomes", outcomes.stream().map(AlertmanagerWebhook::view).toList());
        return ResponseEntity.ok(out);
    }

    private boolean authorized(@Nullable String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }

    private static Map<String, Object> view(AlertOutcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alert", o.alert());
        m.put("fingerprint", o.fingerprint());
        m.put("action", o.action());
        m.put("target", o.target());
        m.put("incidentId", o.incidentId());
        m.put("ok", o.ok());
        m.put("message", o.message());
        return m;
    }
}
