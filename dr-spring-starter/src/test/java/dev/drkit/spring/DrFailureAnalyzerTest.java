package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** A mistake in the dr.* settings stops a real application with Spring Boot's failure report, not a stack trace. */
@ExtendWith(OutputCaptureExtension.class)
class DrFailureAnalyzerTest {
    @TempDir
    Path dir;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @Test
    void aMisspeltPropertyIsReportedAsApplicationFailedToStartWithTheNearestNameAndWhatToDo(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties("dr.repository.uri=mem:analyzed", "dr.repository.password=pw",
                        "dr.repository.init-if-missing=true", "dr.backup.schedule.intervall=10s")
                .run().close()).isNotNull();

        assertThat(output.getOut() + output.getErr()).contains("APPLICATION FAILED TO START")
                .contains("DR Kit stopped the application (invalid-config): dr.backup.schedule.intervall is not a "
                        + "known property; did you mean dr.backup.schedule.interval?")
                .contains("Action:").contains("Correct the setting named above");
    }

    @Test
    void aWrongPasswordSaysWhereToGiveIt(CapturedOutput output) {
        String uri = "dr.repository.uri=file:" + dir.resolve("repo");
        new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties(uri, "dr.repository.password=right",
                        "dr.repository.init-if-missing=true", "dr.repository.kdf.memory-kib=64",
                        "dr.repository.kdf.iterations=1", "dr.coordination.enabled=false")
                .run().close();
        assertThatThrownBy(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties(uri, "dr.repository.password=wrong",
                        "dr.coordination.enabled=false")
                .run().close()).isNotNull();

        assertThat(output.getOut() + output.getErr()).contains("APPLICATION FAILED TO START")
                .contains("DR Kit stopped the application (wrong-password)")
                .contains("dr.repository.password or dr.repository.password-file");
    }
}
