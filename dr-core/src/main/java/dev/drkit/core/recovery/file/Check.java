package dev.drkit.core.recovery.file;

import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A read-only check of a plan file: an HTTP request that must answer a status (and contain a
 * text), or a command that must exit with a code. Used by the verify and wait step kinds and
 * by the plan's verifications.
 */
sealed interface Check {

    /** What the check looks at, for runbooks. */
    String describe();

    /**
     * Runs the check once.
     *
     * @param env variables for a command
     * @return UP with what was seen, or DOWN with why not
     * @throws InterruptedException when interrupted, as by a step's timeout
     */
    ProbeResult run(Map<String, String> env) throws InterruptedException;

    /** The check as a probe, for verifications. */
    default HealthProbe probe(String name) {
        return HealthProbe.named(name, () -> run(Map.of()));
    }

    /** An HTTP GET that must answer {@code status} and, when given, contain {@code body}. */
    record Http(URI url, int status, @Nullable String body, Duration timeout) implements Check {
        private static final HttpClient CLIENT = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL).build();

        @Override
        public String describe() {
            return "GET " + url + " answers " + status + (body == null ? "" : " containing '" + body + "'");
        }

        @Override
        public ProbeResult run(Map<String, String> env) throws InterruptedException {
            HttpResponse<String> r;
            try {
                r = CLIENT.send(HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                return ProbeResult.down("GET " + url + " failed: " + e);
            }
            if (r.statusCode() != status) {
                return ProbeResult.down("GET " + url + " answered " + r.statusCode() + ", expected " + status);
            }
            if (body != null && !r.body().contains(body)) {
                return ProbeResult.down("GET " + url + " answered " + status + " without '" + body + "'");
            }
            return ProbeResult.up("GET " + url + " answered " + status);
        }
    }

    /** A command that must exit with {@code exit}. */
    record Command(List<String> words, int exit, @Nullable Path directory) implements Check {
        @Override
        public String describe() {
            return "command " + codeSpan(shellLine(words)) + " exits " + exit;
        }

        /**
         * The command line as a POSIX shell would read it back into the same words: a word of
         * only safe characters as it is, any other in single quotes (a single quote in it as
         * {@code '\''}), a word with a control character (a line break, a tab) as {@code $'...'}.
         */
        static String shellLine(List<String> words) {
            StringBuilder sb = new StringBuilder();
            for (String w : words) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(shellWord(w));
            }
            return sb.toString();
        }

        private static String shellWord(String w) {
            if (!w.isEmpty() && w.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c)
                    || "@%+=:,./_-".indexOf(c) >= 0))) {
                return w;
            }
            if (w.chars().noneMatch(Character::isISOControl)) {
                return "'" + w.replace("'", "'\\''") + "'";
            }
            StringBuilder sb = new StringBuilder("$'");
            for (int i = 0; i < w.length(); i++) {
                char c = w.charAt(i);
                switch (c) {
                    case '\n' -> sb.append("\\n");
                    case '\t' -> sb.append("\\t");
                    case '\r' -> sb.append("\\r");
                    case '\'', '\\' -> sb.append('\\').append(c);
                    default -> {
                        if (Character.isISOControl(c)) {
                            sb.append(String.format("\\%03o", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            return sb.append('\'').toString();
        }

        /** Text as a Markdown code span, fenced with more backticks than it holds in a row. */
        static String codeSpan(String text) {
            int longest = 0;
            int run = 0;
            for (int i = 0; i < text.length(); i++) {
                run = text.charAt(i) == '`' ? run + 1 : 0;
                longest = Math.max(longest, run);
            }
            String fence = "`".repeat(longest + 1);
            boolean pad = text.startsWith("`") || text.endsWith("`");
            return fence + (pad ? " " + text + " " : text) + fence;
        }

        @Override
        public ProbeResult run(Map<String, String> env) throws InterruptedException {
            Outcome o = execute(env);
            String tail = o.output().isBlank() ? "" : ": " + o.output();
            return o.exit() == exit ? ProbeResult.up("`" + String.join(" ", words) + "` exited " + o.exit() + tail)
                    : ProbeResult.down("`" + String.join(" ", words) + "` exited " + o.exit() + ", expected " + exit
                            + tail);
        }

        /** What a command did: its exit code and the tail of its output. */
        record Outcome(int exit, String output) {
        }

        /**
         * Runs the command, its output (with errors) to a scratch file; interruption kills it.
         *
         * @throws InterruptedException when interrupted; the process is killed first
         */
        Outcome execute(Map<String, String> env) throws InterruptedException {
            Path out = null;
            try {
                out = Files.createTempFile("dr-step-", ".out");
                ProcessBuilder pb = new ProcessBuilder(words).redirectErrorStream(true)
                        .redirectOutput(out.toFile());
                if (directory != null) {
                    pb.directory(directory.toFile());
                }
                pb.environment().putAll(env);
                Process p;
                try {
                    p = pb.start();
                } catch (IOException e) {
                    return new Outcome(-1, "cannot start: " + e.getMessage());
                }
                try {
                    int code = p.waitFor();
                    return new Outcome(code, tail(Files.readString(out, StandardCharsets.UTF_8)));
                } catch (InterruptedException e) {
                    // the command first, so that it does not go on once a child it waits for is killed
                    List<ProcessHandle> children = p.descendants().toList();
                    p.destroyForcibly();
                    children.forEach(ProcessHandle::destroyForcibly);
                    throw e;
                }
            } catch (IOException e) {
                return new Outcome(-1, "cannot capture output: " + e.getMessage());
            } finally {
                if (out != null) {
                    try {
                        Files.deleteIfExists(out);
                    } catch (IOException ignored) {
                        // a scratch file left in the temporary directory
                    }
                }
            }
        }

        /** The last few lines of output, on one line. */
        static String tail(String output) {
            String[] lines = output.strip().split("\\R");
            int from = Math.max(0, lines.length - 3);
            String t = String.join(" | ", Arrays.copyOfRange(lines, from, lines.length)).strip();
            return t.length() > 500 ? "..." + t.substring(t.length() - 500) : t;
        }
    }
}
