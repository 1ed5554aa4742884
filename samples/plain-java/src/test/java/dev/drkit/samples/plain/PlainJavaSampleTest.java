package dev.drkit.samples.plain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain-Java sample runs from start to end, says what it did, and runs again on the same directory. */
class PlainJavaSampleTest {
    @TempDir
    Path dir;

    @Test
    void theSampleBacksUpRollsBackAndRecoversAndRunsAgainOnTheSameDirectory() throws Exception {
        String first = run();
        assertThat(first).contains("backed up 1 files", "(1 snapshots in the repository)", "guard fees is ROLLED_BACK",
                "plan SUCCEEDED", "(met: true), accounts: 2 lines", "audit log intact: true");
        String second = run();
        assertThat(second).contains("(2 snapshots in the repository)", "guard fees is ROLLED_BACK", "plan SUCCEEDED",
                "audit log intact: true");
    }

    private String run() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            PlainJavaSample.main(new String[] {dir.toString()});
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
