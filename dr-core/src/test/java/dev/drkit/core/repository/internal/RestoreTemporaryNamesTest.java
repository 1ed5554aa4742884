package dev.drkit.core.repository.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RestoreTemporaryNamesTest {

    @Test
    void aReplacementIsWrittenBesideTheFileUnderAShortRecognisableNameOfItsOwn() {
        Path out = Path.of("/restore/src/dir").resolve("名".repeat(84));
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            Path tmp = RestoreRun.temporarySibling(out);
            assertThat(tmp.getParent()).isEqualTo(out.getParent());
            String name = tmp.getFileName().toString();
            assertThat(name).matches("\\.dr-[0-9a-f]{16}\\.tmp");
            assertThat(name.getBytes(StandardCharsets.UTF_8)).hasSize(24);
            names.add(name);
        }
        assertThat(names).hasSize(1000);
    }
}
