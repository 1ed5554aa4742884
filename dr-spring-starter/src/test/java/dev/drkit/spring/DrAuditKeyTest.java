package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditLogConfig;
import dev.drkit.core.audit.AuditVerification;
import dev.drkit.core.audit.AuditVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * {@code dr.audit.key-file}: the starter's audit log becomes an HMAC chain under the key in the
 * file, and a log that key did not write stops the application instead of being appended to.
 */
@ExtendWith(OutputCaptureExtension.class)
class DrAuditKeyTest {
    private static final String KEY = "audit-key-7f3c9e1d";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DrAutoConfiguration.class));

    @TempDir
    Path dir;

    private static AuditEvent event(String action) {
        return new AuditEvent(Instant.now(), "test", action, "t", AuditOutcome.SUCCESS, Map.of());
    }

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private static DrException failure(AssertableApplicationContext ctx) {
        Throwable t = ctx.getStartupFailure();
        while (t != null && !(t instanceof DrException)) {
            t = t.getCause();
        }
        assertThat(t).as("a DrException stopped the application").isNotNull();
        return (DrException) t;
    }

    @Test
    void theRecordsWrittenVerifyWithTheKeyOfTheKeyFileOnlyAndARestartAppendsToThem(CapturedOutput output)
            throws Exception {
        Path log = dir.resolve("logs/audit.jsonl");
        Path keyFile = Files.write(dir.resolve("audit.key"), bytes(KEY));
        String[] props = {"dr.audit.file=" + log, "dr.audit.key-file=" + keyFile};
        runner.withPropertyValues(props).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            ctx.getBean(AuditLog.class).append(event("first.run"));
        });
        runner.withPropertyValues(props).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            ctx.getBean(AuditLog.class).append(event("second.run"));
        });

        AuditVerification keyed = AuditVerifier.verify(log, bytes(KEY), null);
        assertThat(keyed.intact()).as(keyed.problem()).isTrue();
        assertThat(keyed.records()).isGreaterThanOrEqualTo(2);
        assertThat(AuditVerifier.verify(log, null, null).keyMismatch()).isTrue();
        assertThat(AuditVerifier.verify(log, bytes("another-key"), null).keyMismatch()).isTrue();
        assertThat(output.getAll()).doesNotContain(KEY);
    }

    @Test
    void anExistingUnkeyedLogStopsTheApplicationNamingThePropertyAndTheLogAndIsLeftAsItWas() throws Exception {
        Path log = dir.resolve("audit.jsonl");
        try (AuditLog unkeyed = AuditLog.file(log)) {
            unkeyed.append(event("before.the.key"));
        }
        byte[] before = Files.readAllBytes(log);
        Path keyFile = Files.write(dir.resolve("audit.key"), bytes(KEY));
        runner.withPropertyValues("dr.audit.file=" + log, "dr.audit.key-file=" + keyFile).run(ctx -> {
            DrException e = failure(ctx);
            assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
            assertThat(e.getMessage()).startsWith("dr.audit.key-file " + keyFile.toAbsolutePath())
                    .contains("audit log " + log.toAbsolutePath()).contains("nothing was appended")
                    .doesNotContain(KEY);
        });
        assertThat(Files.readAllBytes(log)).isEqualTo(before);
    }

    @Test
    void aKeyedLogWithoutTheKeyFileStopsTheApplicationNamingThePropertyAndTheLogAndIsLeftAsItWas()
            throws Exception {
        Path log = dir.resolve("audit.jsonl");
        try (AuditLog keyed = AuditLog.file(log, AuditLogConfig.builder().hmacKey(bytes(KEY)).build())) {
            keyed.append(event("keyed.record"));
        }
        byte[] before = Files.readAllBytes(log);
        runner.withPropertyValues("dr.audit.file=" + log).run(ctx -> {
            DrException e = failure(ctx);
            assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
            assertThat(e.getMessage()).startsWith("audit log " + log.toAbsolutePath() + " (dr.audit.file) is HMAC-keyed, "
                    + "but dr.audit.key-file is not set").contains("nothing was appended");
        });
        assertThat(Files.readAllBytes(log)).isEqualTo(before);
        assertThat(AuditVerifier.verify(log, bytes(KEY), null).intact()).isTrue();
    }

    @Test
    void aLogWrittenWithAnotherKeyStopsTheApplication() throws Exception {
        Path log = dir.resolve("audit.jsonl");
        try (AuditLog other = AuditLog.file(log, AuditLogConfig.builder().hmacKey(bytes("another-key")).build())) {
            other.append(event("other.key"));
        }
        Path keyFile = Files.write(dir.resolve("audit.key"), bytes(KEY));
        runner.withPropertyValues("dr.audit.file=" + log, "dr.audit.key-file=" + keyFile).run(ctx -> {
            DrException e = failure(ctx);
            assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
            assertThat(e.getMessage()).contains("dr.audit.key-file").contains(log.toAbsolutePath().toString());
        });
    }

    @Test
    void aMissingKeyFileStopsTheApplicationNamingTheProperty() {
        Path missing = dir.resolve("no-such.key");
        runner.withPropertyValues("dr.audit.file=" + dir.resolve("audit.jsonl"), "dr.audit.key-file=" + missing)
                .run(ctx -> assertThat(failure(ctx).getMessage())
                        .startsWith("dr.audit.key-file does not exist, but was " + missing.toAbsolutePath()));
        assertThat(dir.resolve("audit.jsonl")).doesNotExist();
    }

    @Test
    void anEmptyKeyFileStopsTheApplicationNamingThePropertyAndTheFile() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.key"));
        runner.withPropertyValues("dr.audit.file=" + dir.resolve("audit.jsonl"), "dr.audit.key-file=" + empty)
                .run(ctx -> assertThat(failure(ctx).getMessage()).startsWith("dr.audit.key-file is empty")
                        .contains(empty.toAbsolutePath().toString()));
    }

    @Test
    void aKeyFileWithoutAnAuditFileStopsTheApplication() throws Exception {
        Path keyFile = Files.write(dir.resolve("audit.key"), bytes(KEY));
        runner.withPropertyValues("dr.audit.key-file=" + keyFile).run(ctx -> assertThat(failure(ctx).getMessage())
                .startsWith("dr.audit.key-file keys the audit log of dr.audit.file; set dr.audit.file too"));
    }

    @Test
    void aSecondInstanceGivenTheSameAuditFileStopsNamingThePropertyWhileTheFirstKeepsWriting() {
        Path log = dir.resolve("audit.jsonl");
        runner.withPropertyValues("dr.audit.file=" + log).run(first -> {
            assertThat(first).hasNotFailed();
            first.getBean(AuditLog.class).append(event("first.instance"));
            runner.withPropertyValues("dr.audit.file=" + log).run(second -> {
                DrException e = failure(second);
                assertThat(e.code()).isEqualTo(ErrorCode.LOCKED);
                assertThat(e.input()).isEqualTo("dr.audit.file");
                assertThat(e.getMessage()).startsWith("audit log " + log.toAbsolutePath() + " (dr.audit.file) is "
                        + "written by another process").contains("one writer per file",
                        "give each instance its own dr.audit.file");
            });
            first.getBean(AuditLog.class).append(event("first.instance.after"));
        });
        AuditVerification v = AuditVerifier.verify(log, null, null);
        assertThat(v.intact()).as(v.problem()).isTrue();
        assertThat(AuditVerifier.read(log, AuditFilter.all())).filteredOn(r -> !r.isDigest())
                .extracting(r -> r.event().action()).containsExactly("first.instance", "first.instance.after");
        runner.withPropertyValues("dr.audit.file=" + log).run(restarted -> assertThat(restarted).hasNotFailed());
    }

    @Test
    void withoutTheKeyFileTheLogStaysUnkeyed() {
        Path log = dir.resolve("audit.jsonl");
        runner.withPropertyValues("dr.audit.file=" + log).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            ctx.getBean(AuditLog.class).append(event("unkeyed"));
        });
        assertThat(AuditVerifier.verify(log, null, null).intact()).isTrue();
    }
}
