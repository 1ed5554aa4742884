package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.rollback.JudgeConfig;
import dev.drkit.core.rollback.RollbackConfig;
import dev.drkit.core.rollback.RollbackConfigJson;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Reads guard settings from a {@code rollback_config.json} for the commands that need them. */
final class ConfigSupport {
    private ConfigSupport() {
    }

    /**
     * Returns the judge settings of the named guard in the file, or of its only guard.
     *
     * @throws DrException {@code INVALID_ARGUMENT} when the file has several guards and none is named
     */
    static JudgeConfig judgeOf(Path file, @Nullable String guard) {
        RollbackConfig config = RollbackConfigJson.read(file);
        if (guard != null) {
            return config.guard(guard).judge();
        }
        if (config.guards().size() == 1) {
            return config.guards().values().iterator().next().judge();
        }
        throw new DrException(ErrorCode.INVALID_ARGUMENT, "--guard must name one of the guards in " + file + ": "
                + String.join(", ", config.guards().keySet()), "guard");
    }
}
