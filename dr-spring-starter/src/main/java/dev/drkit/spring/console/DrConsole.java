package dev.drkit.spring.console;

import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.json.JsonMappers;
import dev.drkit.core.recovery.Execution;
import dev.drkit.spring.DrPlans;
import dev.drkit.spring.actuate.DrEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.ObjectMapper;

/**
 * The console's page and its event stream: every {@code dr.console.refresh} each open page
 * receives the state (the {@code dr} endpoint's overview, the recent plan executions step by
 * step, and the audit chain's verdict) as one server-sent event named {@code state}.
 */
@RestController
public class DrConsole {
    /** How many recent executions the page shows. */
    public static final int EXECUTIONS_SHOWN = 10;
    /** How long a verdict on an unchanged audit chain is shown before it is verified again. */
    public static final Duration AUDIT_VERIFY_EVERY = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(DrConsole.class);
    private static final ObjectMapper JSON = JsonMappers.compact();

    private final DrEndpoint endpoint;
    private final @Nullable DrPlans plans;
    private final @Nullable AuditLog audit;
    private final ScheduledExecutorService scheduler;
    private final Duration refresh;
    private final String page;
    private final List<SseEmitter> open = new CopyOnWriteArrayList<>();
    private final Clock clock = Clock.systemUTC();
    private @Nullable ScheduledFuture<?> pushes;
    private @Nullable Object auditVerdict;
    private @Nullable Instant auditVerifiedAt;
    private @Nullable String auditVerifiedHead;

    /**
     * Creates the console.
     *
     * @param endpoint the dr endpoint, whose views the page shows
     * @param plans the plans, when there are any
     * @param audit the audit log, when there is one
     * @param scheduler pushes the state
     * @param refresh how often
     * @param eventsPath the event stream's path, for the page
     * @param endpointPath the dr endpoint's path, where the page starts drills
     */
    public DrConsole(DrEndpoint endpoint, @Nullable DrPlans plans, @Nullable AuditLog audit,
            ScheduledExecutorService scheduler, Duration refresh, String eventsPath, String endpointPath) {
        this.endpoint = endpoint;
        this.plans = plans;
        this.audit = audit;
        this.scheduler = scheduler;
        this.refresh = refresh;
        try (InputStream in = DrConsole.class.getResourceAsStream("console.html")) {
            if (in == null) {
                throw new IllegalStateException("console.html is missing from the starter's jar");
            }
            this.page = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("@EVENTS@", eventsPath).replace("@ENDPOINT@", endpointPath);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read console.html", e);
        }
    }

    /**
     * Serves the page.
     *
     * @return the HTML
     */
    @GetMapping(path = "${dr.console.path:/dr}", produces = MediaType.TEXT_HTML_VALUE)
    public ResponseEntity<String> page() {
        return ResponseEntity.ok().header("Cache-Control", "no-store").contentType(MediaType.TEXT_HTML).body(page);
    }

    /**
     * Opens an event stream: the state now, then every refresh.
     *
     * @return the stream
     */
    @GetMapping(path = "${dr.console.path:/dr}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public SseEmitter events() {
        SseEmitter emitter = new SseEmitter(0L);
        emitter.onCompletion(() -> open.remove(emitter));
        emitter.onTimeout(() -> open.remove(emitter));
        emitter.onError(e -> open.remove(emitter));
        open.add(emitter);
        send(emitter, JSON.writeValueAsString(state()));
        startPushes();
        return emitter;
    }

    /**
     * Returns what the page shows: the endpoint's overview, the recent executions and the audit chain's verdict.
     *
     * @return the state
     */
    public Map<String, Object> state() {
        Map<String, Object> s = new LinkedHashMap<>(endpoint.overview());
        s.put("at", clock.instant().toString());
        DrPlans p = plans;
        if (p != null) {
            List<Object> executions = new ArrayList<>();
            for (Execution e : p.recent()) {
                if (executions.size() == EXECUTIONS_SHOWN) {
                    break;
                }
                executions.add(endpoint.read("executions", e.id(), null, null, null, null, null).getBody());
            }
            s.put("executions", executions);
        }
        AuditLog log = audit;
        if (log != null) {
            s.put("auditVerification", auditVerdict(log));
        }
        return s;
    }

    /** Verifies the chain again when records were added, and at least every {@link #AUDIT_VERIFY_EVERY}. */
    private synchronized @Nullable Object auditVerdict(AuditLog log) {
        Instant now = clock.instant();
        String head = log.head().map(Object::toString).orElse("");
        if (auditVerifiedAt == null || !head.equals(auditVerifiedHead)
                || Duration.between(auditVerifiedAt, now).compareTo(AUDIT_VERIFY_EVERY) >= 0) {
            auditVerdict = endpoint.read("audit", "verify", null, null, null, null, null).getBody();
            auditVerifiedAt = now;
            auditVerifiedHead = head;
        }
        return auditVerdict;
    }

    private synchronized void startPushes() {
        if (pushes != null) {
            return;
        }
        try {
            pushes = scheduler.scheduleWithFixedDelay(this::push, refresh.toMillis(), refresh.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.warn("the console's pushes could not be scheduled ({}): open pages will not update", e.toString());
        }
    }

    /**
     * Sends the state to every open page. Never throws: a periodic task that throws is not run again, and every
     * open page would stop updating.
     */
    private void push() {
        if (open.isEmpty()) {
            return;
        }
        String json;
        try {
            json = JSON.writeValueAsString(state());
        } catch (RuntimeException e) {
            LOG.warn("the console's state could not be read: {}", e.toString());
            return;
        }
        for (SseEmitter emitter : open) {
            send(emitter, json);
        }
    }

    /** Sends the state to one page; a page that cannot take it is closed (its browser opens a new stream). */
    private void send(SseEmitter emitter, String json) {
        try {
            emitter.send(SseEmitter.event().name("state").data(json));
        } catch (IOException | RuntimeException e) {
            open.remove(emitter);
            if (!(e instanceof IOException || e instanceof IllegalStateException)) {
                LOG.warn("the console's state could not be sent to a page: {}", e.toString());
            }
            try {
                emitter.completeWithError(e);
            } catch (RuntimeException closing) {
                LOG.debug("a page's stream could not be closed: {}", closing.toString());
            }
        }
    }

    /** Stops the pushes and closes the open streams. */
    public synchronized void close() {
        ScheduledFuture<?> p = pushes;
        if (p != null) {
            p.cancel(false);
        }
        for (SseEmitter emitter : open) {
            emitter.complete();
        }
        open.clear();
    }
}
