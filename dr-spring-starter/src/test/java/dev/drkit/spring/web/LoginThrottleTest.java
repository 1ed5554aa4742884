package dev.drkit.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final ManualClock clock = ManualClock.at(Instant.parse("2026-06-01T10:00:00Z"));
    private final List<AuditEvent> audited = new ArrayList<>();
    private final LoginThrottle throttle = new LoginThrottle("door", 2, Duration.ofMinutes(1), clock, audited::add);

    @Test
    void aClientIsRefusedAfterItsFailuresUntilTheWindowEnds() {
        throttle.failed("10.0.0.1", "wrong bearer token");
        assertThat(throttle.retryAfter("10.0.0.1")).isEmpty();
        clock.advance(Duration.ofSeconds(20));
        throttle.failed("10.0.0.1", "wrong bearer token");
        assertThat(throttle.retryAfter("10.0.0.1")).contains(Duration.ofSeconds(40));
        assertThat(throttle.retryAfter("10.0.0.2")).as("another address").isEmpty();

        clock.advance(Duration.ofSeconds(40));
        assertThat(throttle.retryAfter("10.0.0.1")).isEmpty();
        throttle.failed("10.0.0.1", "wrong bearer token");
        assertThat(throttle.retryAfter("10.0.0.1")).as("a new window counts afresh").isEmpty();
    }

    @Test
    void everyFailureIsAuditedWithoutWhatWasPresented() {
        throttle.failed("10.0.0.1", "bad credentials");
        assertThat(audited).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("10.0.0.1");
            assertThat(e.action()).isEqualTo(LoginThrottle.FAILED_LOGIN_ACTION);
            assertThat(e.target()).isEqualTo("door");
            assertThat(e.outcome()).isEqualTo(AuditOutcome.DENIED);
            assertThat(e.details()).containsEntry("reason", "bad credentials").containsEntry("failures", "1");
        });
    }

    @Test
    void retryAfterRoundsUpToWholeSeconds() {
        assertThat(LoginThrottle.retryAfterSeconds(Duration.ofMillis(1))).isEqualTo(1);
        assertThat(LoginThrottle.retryAfterSeconds(Duration.ofMillis(59_001))).isEqualTo(60);
        assertThat(LoginThrottle.retryAfterSeconds(Duration.ofSeconds(60))).isEqualTo(60);
    }

    @Test
    void aLimitBelowOneOrAnEmptyWindowIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> new LoginThrottle("door", 0, Duration.ofMinutes(1), clock, null))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("dr.security.login-failures").hasMessageContaining("0");
        assertThatThrownBy(() -> new LoginThrottle("door", 1, Duration.ZERO, clock, null))
                .hasMessageContaining("dr.security.login-window");
    }
}
