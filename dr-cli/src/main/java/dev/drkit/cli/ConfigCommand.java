package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.report.Durations;
import dev.drkit.core.rollback.GuardConfig;
import dev.drkit.core.rollback.RollbackConfig;
import dev.drkit.core.rollback.RollbackConfigJson;
import dev.drkit.core.rollback.RolloutStep;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dr config}: checks a {@code rollback_config.json} before it ships. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Check a rollback_config.json.",
        subcommands = ConfigCommand.Validate.class)
public final class ConfigCommand {

    /** Creates the command. */
    public ConfigCommand() {
    }

    /** {@code dr config validate}: reads the file with the same rules as the library; exit 2 naming the field. */
    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Read the file as the library would; exit 2 naming the first bad field and its value.")
    static final class Validate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--file", defaultValue = "rollback_config.json",
                description = "The file to check (default: ${DEFAULT-VALUE}).")
        Path file;

        @Option(names = "--json", description = "Print the guards as JSON.")
        boolean json;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "--file " + file + ": no such file", file.toString());
            }
            RollbackConfig config = RollbackConfigJson.read(file);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> guards = new LinkedHashMap<>();
                config.guards().forEach((name, guard) -> guards.put(name, summary(guard)));
                CliJson.printLine(out, Map.of("file", file.toString(), "valid", true, "guards", guards));
            } else {
                out.println(file + ": valid, " + config.guards().size() + " guard"
                        + (config.guards().size() == 1 ? "" : "s"));
                config.guards().forEach((name, guard) -> out.println("  " + name + ": steps " + weights(guard)
                        + ", alpha " + guard.judge().alpha() + ", probes every " + Durations.human(guard.probes().interval())
                        + ", revert window " + Durations.human(guard.revertWindow())));
            }
            out.flush();
            return DrCommand.EXIT_OK;
        }

        private static Map<String, Object> summary(GuardConfig guard) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("steps", weights(guard));
            s.put("alpha", guard.judge().alpha());
            s.put("probeInterval", guard.probes().interval().toString());
            s.put("revertWindow", guard.revertWindow().toString());
            return s;
        }

        private static List<Double> weights(GuardConfig guard) {
            List<Double> weights = new ArrayList<>();
            for (RolloutStep step : guard.plan().steps()) {
                weights.add(step.weight());
            }
            return weights;
        }
    }
}
