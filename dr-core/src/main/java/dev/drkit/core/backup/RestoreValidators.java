package dev.drkit.core.backup;

import dev.drkit.api.DrException;
import dev.drkit.api.backup.RestoreValidator;
import dev.drkit.api.backup.RestoredSnapshot;
import dev.drkit.api.backup.ValidationResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The common {@link RestoreValidator}s: a row count, checksums, a smoke command. Paths are
 * relative to the sandbox ({@code <source>/<path in the source>}) and may not leave it.
 */
public final class RestoreValidators {
    /** How long a smoke command may run unless told otherwise. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(5);

    private RestoreValidators() {
    }

    /**
     * Counts the rows of a restored text file (its lines, less {@code headerLines}) and passes
     * when there are at least {@code atLeast}.
     *
     * @param file the file, relative to the sandbox: {@code orders/ledger.csv}
     * @param headerLines lines at the top that are not rows
     * @param atLeast the fewest rows the data may have
     * @return the validator
     * @throws DrException {@code INVALID_ARGUMENT} for a negative count or an absolute path
     */
    public static RestoreValidator rowCount(String file, int headerLines, long atLeast) {
        relative(file);
        if (headerLines < 0) {
            throw DrException.invalidArgument("headerLines", "must be >= 0", headerLines);
        }
        if (atLeast < 0) {
            throw DrException.invalidArgument("atLeast", "must be >= 0", atLeast);
        }
        return named("rows of " + file, restored -> {
            long rows;
            try (Stream<String> lines = Files.lines(inside(restored, file), StandardCharsets.UTF_8)) {
                rows = Math.max(0, lines.count() - headerLines);
            }
            String detail = file + ": " + rows + " rows (at least " + atLeast + ")";
            return rows >= atLeast ? ValidationResult.passed(detail) : ValidationResult.failed(detail);
        });
    }

    /**
     * Checks restored files against a checksum file in the sandbox, in the format of
     * {@code sha256sum} ({@code <hex>  <path>} per line, paths relative to the checksum file's
     * directory), as an application may write next to its data before each backup.
     *
     * @param checksumFile the checksum file, relative to the sandbox: {@code orders/SHA256SUMS}
     * @return the validator
     * @throws DrException {@code INVALID_ARGUMENT} for an absolute path
     */
    public static RestoreValidator sha256Sums(String checksumFile) {
        relative(checksumFile);
        return named("checksums in " + checksumFile, restored -> {
            Path sums = inside(restored, checksumFile);
            Path base = sums.getParent();
            List<String> bad = new ArrayList<>();
            int checked = 0;
            for (String line : Files.readAllLines(sums, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                int space = line.indexOf(' ');
                if (space != 64) {
                    throw new IllegalArgumentException(checksumFile + ": not a sha256sum line: " + line);
                }
                String expected = line.substring(0, 64).toLowerCase(Locale.ROOT);
                String name = line.substring(space).strip().replaceFirst("^\\*", "");
                Path file = base.resolve(name).normalize();
                if (!file.startsWith(restored.directory())) {
                    throw new IllegalArgumentException(checksumFile + ": path leaves the sandbox: " + name);
                }
                checked++;
                if (!Files.isRegularFile(file)) {
                    bad.add(name + " (missing)");
                } else if (!expected.equals(sha256(file))) {
                    bad.add(name);
                }
            }
            return bad.isEmpty() ? ValidationResult.passed(checked + " files match " + checksumFile)
                    : ValidationResult.failed(bad.size() + " of " + checked + " files differ from " + checksumFile + ": "
                            + String.join(", ", bad.subList(0, Math.min(5, bad.size())))
                            + (bad.size() > 5 ? ", ..." : ""));
        });
    }

    /**
     * Runs a smoke command (a query against a database file, the application's own check) in
     * the sandbox and passes when it exits 0. The command runs with the sandbox as its working
     * directory and in {@code DR_RESTORE_DIR}, the snapshot's id in {@code DR_SNAPSHOT}.
     *
     * @param name the validator's name
     * @param command the program and its arguments
     * @param timeout how long it may run
     * @return the validator
     * @throws DrException {@code INVALID_ARGUMENT} for an empty command or a non-positive timeout
     */
    public static RestoreValidator command(String name, List<String> command, Duration timeout) {
        Objects.requireNonNull(name, "name");
        List<String> words = List.copyOf(command);
        if (words.isEmpty()) {
            throw DrException.invalidArgument("command", "must not be empty", words);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw DrException.invalidArgument("timeout", "must be > 0", timeout);
        }
        return named(name, restored -> {
            ProcessBuilder pb = new ProcessBuilder(words).directory(restored.directory().toFile())
                    .redirectErrorStream(true);
            pb.environment().put("DR_RESTORE_DIR", restored.directory().toString());
            pb.environment().put("DR_SNAPSHOT", restored.snapshotId());
            Process p = pb.start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(4096);
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return ValidationResult.failed("`" + String.join(" ", words) + "` timed out after " + timeout);
            }
            String text = new String(out, StandardCharsets.UTF_8).strip().replaceAll("\\s*\\R\\s*", " | ");
            String detail = "`" + String.join(" ", words) + "` exited " + p.exitValue() + (text.isEmpty() ? ""
                    : ": " + text);
            return p.exitValue() == 0 ? ValidationResult.passed(detail) : ValidationResult.failed(detail);
        });
    }

    /**
     * Gives a validator a name.
     *
     * @param name the name reports use
     * @param validator the check
     * @return the named validator
     */
    public static RestoreValidator named(String name, RestoreValidator validator) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(validator, "validator");
        return new RestoreValidator() {
            @Override
            public ValidationResult validate(RestoredSnapshot restored) throws Exception {
                return validator.validate(restored);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    private static void relative(String path) {
        Objects.requireNonNull(path, "path");
        if (path.isBlank() || Path.of(path).isAbsolute()) {
            throw DrException.invalidArgument("path", "must be a path relative to the sandbox", path);
        }
    }

    private static Path inside(RestoredSnapshot restored, String path) throws IOException {
        Path p = restored.directory().resolve(path).normalize();
        if (!p.startsWith(restored.directory())) {
            throw new IOException(path + " leaves the sandbox");
        }
        if (!Files.exists(p)) {
            throw new IOException(path + " was not restored (sources: " + String.join(", ", restored.sources()) + ")");
        }
        return p;
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
