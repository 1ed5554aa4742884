package dev.drkit.core.recovery;

import dev.drkit.api.recovery.RecoveryStep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** A plan whose steps write their effects to a file, and that can be made to hang at one step. */
final class CrashPlans {
    private CrashPlans() {
    }

    static void effect(Path effects, String line) {
        try {
            Files.writeString(effects, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> effects(Path effects) throws IOException {
        return Files.exists(effects) ? Files.readAllLines(effects) : List.of();
    }

    /**
     * Returns the plan fence -> restore -> switch -> unfence.
     *
     * @param effects where steps write "step key"
     * @param hangAt the step that writes {@code marker} and hangs, or null
     * @param marker the file that says the hang began
     */
    static Plan plan(Path effects, String hangAt, Path marker) {
        return Plan.builder("orders-db").objectives(Duration.ofMinutes(15), Duration.ofMinutes(10))
                .step("fence", step("fence", effects, hangAt, marker))
                .step("restore", step("restore", effects, hangAt, marker), s -> s.dependsOn("fence"))
                .step("switch", step("switch", effects, hangAt, marker), s -> s.dependsOn("restore"))
                .step("unfence", step("unfence", effects, hangAt, marker), s -> s.dependsOn("switch"))
                .build();
    }

    private static RecoveryStep step(String name, Path effects, String hangAt, Path marker) {
        return c -> {
            effect(effects, name + " " + c.idempotencyKey());
            if (name.equals("restore")) {
                c.restoredDataAsOf(c.clock().instant().minus(Duration.ofMinutes(3)));
                c.put("snapshot", "snap-7");
            }
            if (name.equals(hangAt)) {
                Files.writeString(marker, "hanging");
                new CountDownLatch(1).await();
            }
        };
    }
}
