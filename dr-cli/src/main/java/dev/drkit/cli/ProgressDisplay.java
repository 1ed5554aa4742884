package dev.drkit.cli;

import dev.drkit.core.report.Durations;
import dev.drkit.core.repository.Progress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Shows the progress of a long repository operation on standard error while it runs: a bar
 * redrawn in place on a terminal (bytes, files, rate, ETA), plain lines every
 * {@code DR_PROGRESS_INTERVAL} seconds otherwise (10 by default; a command that ends sooner
 * prints none), nothing with {@code --json} or {@code DR_PROGRESS=off}. {@code DR_PROGRESS=bar}
 * or {@code lines} chooses the form. A value these variables do not accept is a display
 * preference gone wrong, not a reason to stop the operation: it is named once on standard error
 * and the default is used.
 */
final class ProgressDisplay implements AutoCloseable {
    /** How a display shows progress. */
    enum Mode {
        /** A bar redrawn in place. */
        BAR,
        /** A line now and then. */
        LINES,
        /** Nothing. */
        OFF
    }

    static final int BAR_WIDTH = 24;
    private static final Duration BAR_EVERY = Duration.ofMillis(200);
    private static final Duration DEFAULT_LINE_EVERY = Duration.ofSeconds(10);

    private final Mode mode;
    private final PrintWriter err;
    private final Supplier<Optional<Progress>> source;
    private final @Nullable ScheduledExecutorService timer;
    private int lines;
    private int lastWidth;
    private boolean closed;

    private ProgressDisplay(Mode mode, PrintWriter err, Supplier<Optional<Progress>> source, Duration every) {
        this.mode = mode;
        this.err = err;
        this.source = source;
        if (mode == Mode.OFF) {
            this.timer = null;
            return;
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dr-progress");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, every.toMillis());
        timer.scheduleAtFixedRate(this::tick, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts showing the progress that {@code source} reads, in the mode the environment and
     * the terminal choose.
     *
     * @param environment the command's environment ({@code DR_PROGRESS}, {@code DR_PROGRESS_INTERVAL})
     * @param json whether the command prints JSON (no progress then)
     * @param err standard error
     * @param source reads the operation's progress
     * @return the display, to close when the operation ends
     */
    static ProgressDisplay start(Map<String, String> environment, boolean json, PrintWriter err,
            Supplier<Optional<Progress>> source) {
        Mode mode = mode(environment, json, err);
        Duration every = mode == Mode.BAR ? BAR_EVERY : mode == Mode.OFF ? DEFAULT_LINE_EVERY
                : interval(environment, err);
        return new ProgressDisplay(mode, err, source, every);
    }

    /**
     * The mode for an environment: {@code DR_PROGRESS}, else a bar on a terminal and lines
     * otherwise. A value it does not accept is named on {@code err} and the default is used.
     */
    static Mode mode(Map<String, String> environment, boolean json, PrintWriter err) {
        if (json) {
            return Mode.OFF;
        }
        Mode fallback = System.console() != null ? Mode.BAR : Mode.LINES;
        String chosen = environment.get("DR_PROGRESS");
        if (chosen == null || chosen.isBlank()) {
            return fallback;
        }
        switch (chosen.trim().toLowerCase(Locale.ROOT)) {
            case "bar":
                return Mode.BAR;
            case "lines":
                return Mode.LINES;
            case "off", "none":
                return Mode.OFF;
            default:
                warn(err, "DR_PROGRESS='" + chosen + "' is not one of bar, lines or off; showing progress as "
                        + fallback.name().toLowerCase(Locale.ROOT));
                return fallback;
        }
    }

    private static void warn(PrintWriter err, String message) {
        err.println("warning: " + TerminalText.escape(message));
        err.flush();
    }

    private static Duration interval(Map<String, String> environment, PrintWriter err) {
        String text = environment.get("DR_PROGRESS_INTERVAL");
        if (text == null || text.isBlank()) {
            return DEFAULT_LINE_EVERY;
        }
        try {
            double seconds = Double.parseDouble(text.trim());
            if (seconds > 0) {
                return Duration.ofNanos((long) (seconds * 1e9));
            }
        } catch (NumberFormatException e) {
            // named below
        }
        warn(err, "DR_PROGRESS_INTERVAL='" + text + "' is not a number of seconds > 0; printing progress every "
                + DEFAULT_LINE_EVERY.toSeconds() + " s");
        return DEFAULT_LINE_EVERY;
    }

    private synchronized void tick() {
        if (closed) {
            return;
        }
        source.get().ifPresent(p -> show(p, false));
    }

    private void show(Progress p, boolean last) {
        if (mode == Mode.BAR) {
            String text = bar(p);
            int pad = Math.max(0, lastWidth - text.length());
            err.print("\r" + text + " ".repeat(pad) + (last ? "\n" : ""));
            lastWidth = text.length();
        } else if (mode == Mode.LINES) {
            err.println(line(p));
            lines++;
        }
        err.flush();
    }

    /** The bar: {@code backup [#########...........]  45% 1.2 MiB/2.7 MiB 12/30 files 3.4 MiB/s ETA 2 s}. */
    static String bar(Progress p) {
        int filled = (int) Math.round(p.fraction() * BAR_WIDTH);
        return String.format(Locale.ROOT, "%-7s [%s%s] %3.0f%% %s %s %s ETA %s", p.operation(), "#".repeat(filled),
                ".".repeat(BAR_WIDTH - filled), p.fraction() * 100, amounts(p, "/"), files(p, "/"), rate(p), eta(p));
    }

    /** The bar of a plan run: {@code plan    [######..............]  25% restore RUNNING, ETA 40 s}. */
    static String planBar(double percent, String step, String state, Optional<Duration> eta) {
        int filled = (int) Math.round(Math.min(100, Math.max(0, percent)) / 100 * BAR_WIDTH);
        return String.format(Locale.ROOT, "%-7s [%s%s] %3.0f%% %s %s, ETA %s", "plan", "#".repeat(filled),
                ".".repeat(BAR_WIDTH - filled), percent, step, state, eta.map(Durations::human).orElse("?"));
    }

    /** The plain line: {@code backup: 45%, 1.2 MiB of 2.7 MiB, 12 of 30 files, 3.4 MiB/s, ETA 2 s}. */
    static String line(Progress p) {
        return String.format(Locale.ROOT, "%s: %.0f%%, %s, %s, %s, ETA %s%s", p.operation(), p.fraction() * 100,
                amounts(p, " of "), files(p, " of "), rate(p), eta(p), p.finished() ? " (done in "
                        + Durations.human(p.elapsed()) + ")" : "");
    }

    private static String amounts(Progress p, String of) {
        return ByteSizes.format(p.bytes()) + (p.bytesTotal() > 0 ? of + ByteSizes.format(p.bytesTotal()) : "");
    }

    private static String files(Progress p, String of) {
        String unit = switch (p.operation()) {
            case "verify", "prune" -> "pack";
            case "copy" -> "snapshot";
            default -> "file";
        };
        return p.filesTotal() > 0 ? p.files() + of + Counts.of(p.filesTotal(), unit) : Counts.of(p.files(), unit);
    }

    private static String rate(Progress p) {
        return ByteSizes.format((long) p.bytesPerSecond()) + "/s";
    }

    private static String eta(Progress p) {
        return p.eta().map(Durations::human).orElse("?");
    }

    /** Stops the updates; a bar is drawn once more, complete, and a line is printed when lines were. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        Optional<Progress> p = source.get();
        if (p.isPresent() && (mode == Mode.BAR || lines > 0)) {
            show(p.get(), true);
        }
    }
}
