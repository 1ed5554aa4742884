package dev.drkit.spring.security;

import dev.drkit.spring.web.LoginThrottle;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Limits and audits failed operator logins on the {@code dr} endpoint: a request that
 * presented credentials and ends in 401 counts as a failure of its client address (a request
 * without any, as a browser sends before the challenge, does not); an
 * address over the limit gets 429 with {@code Retry-After} before its credentials are even
 * checked. Requests to the Alertmanager webhook pass untouched: the webhook counts its own.
 */
final class FailedLoginFilter extends OncePerRequestFilter {
    /** The door named in the audit records of failed logins. */
    static final String DOOR = "dr-endpoint";

    private final LoginThrottle throttle;
    private final RequestMatcher skip;

    FailedLoginFilter(LoginThrottle throttle, RequestMatcher skip) {
        this.throttle = throttle;
        this.skip = skip;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return skip.matches(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String client = request.getRemoteAddr();
        Optional<Duration> wait = throttle.retryAfter(client);
        if (wait.isPresent()) {
            response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(LoginThrottle.retryAfterSeconds(wait.get())));
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.getWriter().write("{\"error\":\"too many failed logins from this address\"}");
            return;
        }
        chain.doFilter(request, response);
        if (response.getStatus() == HttpStatus.UNAUTHORIZED.value() && request.getHeader(HttpHeaders.AUTHORIZATION) != null) {
            throttle.failed(client, "bad credentials");
        }
    }
}
