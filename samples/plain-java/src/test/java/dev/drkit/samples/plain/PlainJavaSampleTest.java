package dev.drkit.samples.plain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain-Java sample runs from start to end and says what it did. */
class PlainJavaSampleTest {
    @TempDir
    Path dir;

    @Test
    void theSampleBacksUpRollsBackAndRecovers() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            PlainJavaSample.main(new String[] {dir.toString()});
        } finally {
            System.setOut(original);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("backed up 1 files", "guard fees is ROLLED_BACK",
                "plan SUCCEEDED", "(met: true), accounts: 2 lines", "audit log intact: true");
    }
}
