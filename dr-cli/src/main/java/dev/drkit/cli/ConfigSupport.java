package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.rollback.JudgeConfig;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Reads guard settings from a {@code rollback_config.json} for the commands that need them. */
final class ConfigSupport {
    private ConfigSupport() {
    }

    /** Returns the judge settings of the named guard in the file. */
    static JudgeConfig judgeOf(Path file, @Nullable String guard) {
        throw new DrException(ErrorCode.UNSUPPORTED, "--config is not supported yet", file.toString());
    }
}
