package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options every repository command shares: where the repository is and how to get its
 * password ({@code DR_PASSWORD} or {@code --password-file}).
 */
final class RepositoryOptions {
    /** The environment variable that holds the repository password. */
    static final String PASSWORD_ENV = "DR_PASSWORD";

    @Option(names = {"-r", "--repo"}, required = true, paramLabel = "URI",
            description = "The repository: a URI (file:, s3://, azblob://, mem:NAME) or a plain path, which means file:.")
    String repo;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "Read the password from the first line of FILE instead of $" + PASSWORD_ENV + ".")
    @Nullable Path passwordFile;

    /** Opens the store the repository lives in. */
    SnapshotStore openStore() {
        return SnapshotStores.open(repo);
    }

    /** Returns the password from the file or the environment. */
    char[] password(Map<String, String> env) {
        if (passwordFile != null) {
            try {
                String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
                int eol = text.indexOf('\n');
                String line = (eol >= 0 ? text.substring(0, eol) : text).replace("\r", "");
                if (line.isEmpty()) {
                    throw new DrException(ErrorCode.INVALID_CONFIG, "The password file " + passwordFile + " is empty",
                            passwordFile.toString());
                }
                return line.toCharArray();
            } catch (IOException e) {
                throw new DrException(ErrorCode.INVALID_CONFIG, "Cannot read the password file " + passwordFile + ": "
                        + IoReasons.of(e), passwordFile.toString(), e);
            }
        }
        String fromEnv = env.get(PASSWORD_ENV);
        if (fromEnv == null) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "No repository password: set $" + PASSWORD_ENV
                    + " or pass --password-file FILE", PASSWORD_ENV);
        }
        if (fromEnv.isEmpty()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "No repository password: $" + PASSWORD_ENV
                    + " is set but empty; put the password in it or pass --password-file FILE", PASSWORD_ENV);
        }
        return fromEnv.toCharArray();
    }
}
