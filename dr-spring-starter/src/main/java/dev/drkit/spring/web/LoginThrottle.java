package dev.drkit.spring.web;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.api.audit.AuditSink;
import dev.drkit.spring.DrProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts failed logins per client address in fixed windows and refuses a client that failed
 * too often: after {@code dr.security.login-failures} failures within one
 * {@code dr.security.login-window}, further attempts from that address answer 429 with
 * {@code Retry-After} until the window ends. Every failure is written to the audit log (the
 * address, the door and the reason; never what was presented) and logged at WARN.
 *
 * <p>A success does not reset the count: an attacker who also holds one valid credential
 * gains no extra guesses. Behind a proxy the client address is the one the servlet container
 * reports, so set {@code server.forward-headers-strategy} to count the real client.
 * Thread-safe; entries of ended windows are dropped once more than {@value #MAX_CLIENTS}
 * clients are tracked.
 */
public final class LoginThrottle {
    /** The audit action of a failed login. */
    public static final String FAILED_LOGIN_ACTION = "auth.failure";
    static final int MAX_CLIENTS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);

    private record Window(Instant start, int failures) {
    }

    private final String door;
    private final int maxFailures;
    private final Duration window;
    private final Clock clock;
    private final @Nullable AuditSink audit;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /**
     * Creates a throttle for one door.
     *
     * @param door what is guarded, named in audit records, such as {@code alertmanager-webhook}
     * @param maxFailures failures allowed per client and window
     * @param window the length of a window
     * @param clock the clock that times the windows
     * @param audit where failures are recorded, or null for none
     * @throws DrException {@code INVALID_CONFIG} for a count below 1 or a window that is not positive
     */
    public LoginThrottle(String door, int maxFailures, Duration window, Clock clock, @Nullable AuditSink audit) {
        if (maxFailures < 1) {
            throw new DrException(ErrorCode.INVALID_CONFIG,
                    "dr.security.login-failures must be >= 1, but was " + maxFailures, "dr.security.login-failures");
        }
        if (window.isNegative() || window.isZero()) {
            throw new DrException(ErrorCode.INVALID_CONFIG,
                    "dr.security.login-window must be positive, but was " + window, "dr.security.login-window");
        }
        this.door = door;
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
        this.audit = audit;
    }

    /**
     * Creates a throttle for one door as {@code dr.security.login-failures} and
     * {@code dr.security.login-window} say, on the system clock.
     *
     * @param door what is guarded, named in audit records
     * @param security the {@code dr.security.*} properties
     * @param audit where failures are recorded, or null for none
     * @return the throttle
     * @throws DrException {@code INVALID_CONFIG} for a count below 1 or a window that is not positive
     */
    public static LoginThrottle of(String door, DrProperties.Security security, @Nullable AuditSink audit) {
        return new LoginThrottle(door, security.loginFailures(), security.loginWindow(), Clock.systemUTC(), audit);
    }

    /**
     * Tells whether a client must wait before its next attempt.
     *
     * @param client the client address
     * @return how long it must wait, or empty when it may try
     */
    public Optional<Duration> retryAfter(String client) {
        Instant now = clock.instant();
        Window w = windows.get(client);
        if (w == null || w.failures() < maxFailures) {
            return Optional.empty();
        }
        Duration left = Duration.between(now, w.start().plus(window));
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }

    /**
     * Records a failed login: counts it, audits it and logs it.
     *
     * @param client the client address
     * @param reason why it failed, without the credential presented
     */
    public void failed(String client, String reason) {
        Instant now = clock.instant();
        if (windows.size() > MAX_CLIENTS) {
            windows.values().removeIf(w -> !w.start().plus(window).isAfter(now));
        }
        Window w = windows.compute(client, (k, old) -> old == null || !old.start().plus(window).isAfter(now)
                ? new Window(now, 1) : new Window(old.start(), old.failures() + 1));
        LOG.warn("{}: failed login from {} ({}), {} of {} allowed in {}", door, client, reason, w.failures(),
                maxFailures, window);
        AuditSink sink = audit;
        if (sink != null) {
            try {
                sink.append(new AuditEvent(now, client, FAILED_LOGIN_ACTION, door, AuditOutcome.DENIED,
                        Map.of("reason", reason, "failures", Integer.toString(w.failures()))));
            } catch (DrException e) {
                // The refusal stands whether or not it could be recorded.
                LOG.error("{}: cannot audit a failed login from {}: {}", door, client, e.getMessage());
            }
        }
    }

    /**
     * Returns the seconds for a {@code Retry-After} header: the wait rounded up, at least 1.
     *
     * @param wait the wait
     * @return the seconds
     */
    public static long retryAfterSeconds(Duration wait) {
        long s = wait.toSeconds();
        return Math.max(1, wait.minusSeconds(s).isZero() ? s : s + 1);
    }

    @Override
    public String toString() {
        return "LoginThrottle[" + door + ", " + maxFailures + " per " + window + "]";
    }
}
