package dev.drkit.core.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Creates {@code java.io.tmpdir} (the build points it at {@code target/tmp}) before any test
 * runs: Jazzer installs its agent through a temporary jar before the first fuzz test's class is
 * initialized, and fails with "No such file or directory" when the directory is missing.
 */
public final class TemporaryDirectoryReady implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        try {
            Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
