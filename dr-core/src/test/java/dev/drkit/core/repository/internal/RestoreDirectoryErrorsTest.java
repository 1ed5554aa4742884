package dev.drkit.core.repository.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreDirectoryErrorsTest {
    @TempDir
    Path dir;

    @Test
    void aDirectoryTheFileSystemRefusesIsNamedWithWhereAndWhy() throws Exception {
        Path file = Files.writeString(dir.resolve("orders"), "not a directory");
        Path out = file.resolve("2026");
        assertThatThrownBy(() -> RestoreRun.makeDirectory(out, "orders/2026", false))
                .isInstanceOfSatisfying(DrException.class, e -> org.assertj.core.api.Assertions.assertThat(e.code())
                        .isEqualTo(ErrorCode.IO_FAILURE))
                .hasMessage("Cannot create directory 'orders/2026' at " + out.toAbsolutePath() + ": Not a directory");
    }
}
