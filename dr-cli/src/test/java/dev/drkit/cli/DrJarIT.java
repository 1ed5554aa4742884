package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code target/dr.jar}, run as an operator runs it (after {@code package}, by
 * Failsafe): it bundles an SLF4J binding, so the kit's log lines reach stderr and SLF4J's
 * {@code No SLF4J providers were found} does not.
 */
class DrJarIT {
    @TempDir
    Path dir;

    @Test
    void theJarPrintsTheGuardsLogLineAndNoSlf4jWarning() throws Exception {
        Path jar = Path.of("target", "dr.jar").toAbsolutePath();
        assertThat(jar).as("built by the package phase").isRegularFile();
        Path stdout = dir.resolve("out.txt");
        Path stderr = dir.resolve("err.txt");
        Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx256m", "-jar", jar.toString(), "demo", "--workdir", dir.resolve("drill").toString()))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("dr demo did not finish in 3 minutes: " + read(stdout) + read(stderr));
        }
        String err = read(stderr);
        assertThat(process.exitValue()).as(read(stdout) + err).isZero();
        assertThat(err).doesNotContain("SLF4J");
        assertThat(err).as("the guard's decision, logged at WARN through slf4j-simple")
                .containsPattern("\\[WARN\\] guard \\S+ rolled back");
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
