package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.config.DurationText;
import dev.drkit.core.recovery.Execution;
import dev.drkit.core.recovery.ExecutionEvent;
import dev.drkit.core.recovery.ExecutionHistory;
import dev.drkit.core.recovery.ExecutionRequest;
import dev.drkit.core.recovery.ExecutionResult;
import dev.drkit.core.recovery.ExecutionStatus;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.RecoveryExecutor;
import dev.drkit.core.recovery.Restorers;
import dev.drkit.core.recovery.file.PlanFileReader;
import dev.drkit.core.recovery.StepState;
import dev.drkit.core.report.Durations;
import dev.drkit.core.report.ReportInput;
import dev.drkit.core.store.SnapshotStores;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dr plan run}: runs a plan file on the same {@link RecoveryExecutor} as a plan built in
 * Java, as a drill or live, printing a line per event; with a journal it can be resumed after
 * a crash, with an audit log every step is recorded, and the RTO and RPO achieved are checked
 * against the plan's objectives. Exit 0 when the execution succeeded cleanly, 4 when it succeeded
 * with optional steps failed or an undo failed, 1 when it did not succeed (failed, cancelled,
 * aborted, or not ended within {@code --wait}, when it is cancelled).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a plan file as a drill (steps rehearse, nothing changes) or live.")
final class PlanRunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "The plan file (.json, .yaml or .yml).")
    Path file;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    /** Exactly one of {@code --drill} and {@code --live}. */
    static final class Mode {
        @Option(names = "--drill", required = true, description = "Rehearse: check what can be checked, change nothing.")
        boolean drill;

        @Option(names = "--live", required = true, description = "Recover for real.")
        boolean live;
    }

    @Option(names = "--journal", paramLabel = "DIR",
            description = "Keep the execution's journal in DIR (a store location), so that --resume can continue it.")
    @Nullable String journal;

    @Option(names = "--resume", paramLabel = "ID",
            description = "Resume an interrupted execution from the journal: steps that completed are not run again.")
    @Nullable String resume;

    @Option(names = "--id", paramLabel = "ID", description = "The new execution's id (default: a random UUID).")
    @Nullable String id;

    @Option(names = "--audit", paramLabel = "FILE", description = "Append every start, step, approval and end to this "
            + "audit log (its earlier plan steps give the ETA).")
    @Nullable Path audit;

    @Option(names = "--key-file", paramLabel = "K", description = "The HMAC key of a keyed --audit log: the log is "
            + "checked with it before it is read (for the ETA and the --incident's detection), a log whose records "
            + "were not written with it refused (exit 3), and the records appended are keyed with it.")
    @Nullable Path keyFile;

    @Option(names = "--incident", paramLabel = "ID", description = "The incident the execution recovers from; "
            + "a live run without --detected-at counts its RTO from the incident's detection in the --audit log.")
    @Nullable String incident;

    @Option(names = "--actor", paramLabel = "NAME", description = "Who runs it (default: $USER).")
    @Nullable String actor;

    @Option(names = "--detected-at", paramLabel = "INSTANT",
            description = "When the fault was detected: " + InstantText.FORMS + "; the RTO counts from here "
                    + "(default: the detection of the --incident in the --audit log for a live run, else now); "
                    + "a live run counts from the --incident's detection when that is earlier.")
    @Nullable Instant detectedAt;

    @Option(names = "--approve", paramLabel = "STEP",
            description = "Approve this step's gate as soon as it opens (repeatable); * approves every gate.")
    List<String> approve = new ArrayList<>();

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "24h",
            description = "How long the execution may run: past it the execution is cancelled (running steps "
                    + "stopped, completed ones undone as the plan says, the end recorded) and the exit is 1: "
                    + DurationText.FORMS + " (default: ${DEFAULT-VALUE}).")
    Duration wait;

    @Option(names = "--stop-grace", paramLabel = "DURATION", defaultValue = "1m",
            description = "When the process is asked to stop (SIGTERM, Ctrl-C), how long to wait for the cancelled "
                    + "execution to stop its steps, undo completed ones and record its end: " + DurationText.FORMS
                    + " (default: ${DEFAULT-VALUE}).")
    Duration stopGrace;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the run's report (Markdown) to FILE.")
    @Nullable Path report;

    @Option(names = "--json", description = "Print the result as JSON; progress lines go to standard error.")
    boolean json;

    @Option(names = "--drill-dir", paramLabel = "DIR", description = "Where a drill's restores write, under a "
            + "directory per execution made readable by its owner only (default: dr-drill in the temporary directory).")
    @Nullable Path drillDir;

    @Option(names = "--keep-drill-data", description = "Keep what a drill restored when it ends (by default it is "
            + "deleted once the drill's checks have run).")
    boolean keepDrillData;

    /** The detection instant of the {@code --incident} in the audit log, or null when not known. */
    private @Nullable Instant incidentDetectedAt;

    /** What the RTO counts from, for a person: set when the request is made. */
    private String countedFrom = "the detection the execution was started with";

    @Override
    public Integer call() throws Exception {
        PlanFileReader reader = PlanCommand.reader(spec, drillDir);
        Plan plan = reader.read(file);
        if (resume != null && journal == null) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--resume needs the --journal the execution was kept in",
                    "--journal");
        }
        if (resume != null && id != null) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--id names a new execution; --resume continues one",
                    "--id");
        }
        if (keyFile != null && audit == null) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "--key-file keys the --audit log; give --audit too",
                    "--key-file");
        }
        requireKnownApprovals(plan);
        PrintWriter progress = json ? spec.commandLine().getErr() : spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean bar = ProgressDisplay.mode(((DrCommand) spec.root().userObject()).environment, json, err)
                == ProgressDisplay.Mode.BAR;
        String who = actor != null ? actor : Optional.ofNullable(System.getenv("USER")).orElse("operator");
        CompletableFuture<Execution> running = new CompletableFuture<>();
        try (SnapshotStore journalStore = journal == null ? null : SnapshotStores.open(journal);
                AuditLog auditLog = audit == null ? null : AuditKeyFile.openForAppend(audit, keyFile)) {
            RecoveryExecutor.Builder b = RecoveryExecutor.builder().listener(ev -> {
                if (bar) {
                    err.print("\r\033[K");
                    err.flush();
                }
                print(progress, ev);
                if (bar) {
                    err.print(ProgressDisplay.planBar(ev.progress().percentDone(), ev.step() == null ? "(plan)"
                            : TerminalText.escape(ev.step()), ev.kind().name(), ev.progress().etaIfKnown()));
                    err.flush();
                }
                if (ev.kind() == ExecutionEvent.Kind.AWAITING_APPROVAL
                        && (approve.contains(ev.step()) || approve.contains("*"))) {
                    running.thenAccept(ex -> ex.approve(ev.step(), who, "approved with --approve"));
                }
            });
            if (journalStore != null) {
                b.journal(journalStore, "executions");
            }
            if (auditLog != null) {
                List<AuditRecord> records = auditLog.records(AuditFilter.all());
                b.audit(auditLog).history(new ExecutionHistory().learnFrom(records));
                if (incident != null) {
                    incidentDetectedAt = ReportInput.fromAudit(records, incident).map(ReportInput::detectedAt)
                            .orElse(null);
                }
            }
            ExecutionResult result;
            try (RecoveryExecutor executor = b.build()) {
                Execution ex = resume != null ? resume(executor, plan) : start(executor, plan, who);
                running.complete(ex);
                Thread hook = new Thread(() -> cancelOnShutdown(ex, who, err), "dr-plan-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    result = awaitOrCancel(ex, who, err);
                } finally {
                    removeHook(hook);
                }
            }
            if (bar) {
                err.println();
                err.flush();
            }
            if (result.mode() == ExecutionMode.DRILL) {
                drillData(progress, reader.drillScratch(), result);
            }
            if (report != null) {
                PlanCommand.write(spec, report, PlanRunReport.markdown(result, countedFrom));
            }
            if (json) {
                CliJson.print(spec.commandLine().getOut(), result);
            } else {
                summary(spec.commandLine().getOut(), result);
            }
            spec.commandLine().getOut().flush();
            return exitCode(result);
        }
    }

    /**
     * Deletes what the drill restored, now that its checks have run, and says where it was;
     * keeps it with {@code --keep-drill-data}, and when the drill did not succeed and may be
     * resumed from the {@code --journal} (its later checks need it).
     */
    private void drillData(PrintWriter out, Path scratch, ExecutionResult r) {
        Path dir = Restorers.drillDirectory(scratch, r.executionId());
        if (!Files.isDirectory(dir)) {
            return;
        }
        String where = TerminalText.escape(dir.toString());
        if (keepDrillData) {
            out.println("drill data kept in " + where + " (--keep-drill-data); delete it when done: it holds "
                    + "restored backup data");
        } else if (!r.succeeded() && journal != null) {
            out.println("drill data kept in " + where + " for --resume; delete it when done: it holds restored "
                    + "backup data");
        } else {
            Restorers.removeDrillDirectory(scratch, r.executionId());
            out.println("drill data restored into " + where + " was removed (--keep-drill-data keeps it)");
        }
        out.flush();
    }

    /**
     * Waits up to {@code --wait} for the execution; past it the execution is cancelled as
     * {@link RecoveryExecutor#run} cancels at its limit (no further step starts, running steps
     * are interrupted, completed ones undone as the plan says, the finish recorded) and its
     * cancelled result is returned, so that the summary says which steps were left done.
     */
    private ExecutionResult awaitOrCancel(Execution ex, String who, PrintWriter err) {
        try {
            return ex.await(wait);
        } catch (DrException e) {
            if (e.code() != ErrorCode.TIMEOUT) {
                throw e;
            }
        }
        err.println("dr: execution " + TerminalText.escape(ex.id()) + " did not end within --wait "
                + Durations.human(wait) + "; cancelling it: running steps are stopped, completed ones undone as "
                + "the plan says");
        err.flush();
        ex.cancel(who, "--wait " + Durations.human(wait) + " was reached");
        return awaitEnd(ex);
    }

    /** Waits, without a limit, for a cancelled execution: its compensation is bounded by the steps' timeouts. */
    private static ExecutionResult awaitEnd(Execution ex) {
        try {
            return ex.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrException(ErrorCode.CANCELLED, "interrupted while execution " + ex.id() + " was being cancelled",
                    ex.id(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new DrException(ErrorCode.ILLEGAL_STATE, "execution " + ex.id() + " broke while being cancelled: "
                    + e.getCause(), ex.id(), e.getCause());
        }
    }

    /**
     * On a termination signal (SIGTERM, SIGINT), cancels the execution and waits up to
     * {@code --stop-grace} for it to end: running command steps are killed, completed steps
     * undone as the plan says and the finish recorded as CANCELLED in the journal and audit log.
     */
    private void cancelOnShutdown(Execution ex, String who, PrintWriter err) {
        if (ex.result().isDone()) {
            return;
        }
        err.println();
        err.println("dr: stopping: cancelling execution " + TerminalText.escape(ex.id()) + " (waiting up to "
                + Durations.human(stopGrace) + " for its steps to stop and be undone)");
        err.flush();
        ex.cancel(who, "the dr process was asked to stop");
        try {
            ex.result().get(stopGrace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            err.println("dr: execution " + TerminalText.escape(ex.id()) + " did not end within --stop-grace "
                    + Durations.human(stopGrace) + "; steps may be left done"
                    + (journal == null ? "" : ": resume it with --resume " + TerminalText.escape(ex.id())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            err.println("dr: execution " + TerminalText.escape(ex.id()) + " broke while being cancelled: "
                    + e.getCause());
        }
        err.flush();
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or has run: it cancels the execution
        }
    }

    /**
     * The exit code of a run: 0 for a clean success, {@link DrCommand#EXIT_INCOMPLETE} (4) for a
     * success in which optional steps failed (and those depending on them did not run) or an
     * undo failed, 1 when the execution failed, was cancelled or aborted.
     */
    static int exitCode(ExecutionResult r) {
        return r.succeededCleanly() ? DrCommand.EXIT_OK : r.succeeded() ? DrCommand.EXIT_INCOMPLETE
                : DrCommand.EXIT_FAILED;
    }

    /** Refuses an {@code --approve} that names no approval step of the plan, before anything runs. */
    private void requireKnownApprovals(Plan plan) {
        List<String> gates = plan.steps().stream().filter(s -> s.policy().approval() != null)
                .map(s -> s.name()).toList();
        for (String step : approve) {
            if (!step.equals("*") && !gates.contains(step)) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "--approve " + step + ": plan " + plan.name()
                        + " has no approval step " + step + "; its approval steps: "
                        + (gates.isEmpty() ? "none" : String.join(", ", gates)), step);
            }
        }
    }

    /** Resumes in the mode given, refusing when the execution ran in the other one. */
    private Execution resume(RecoveryExecutor executor, Plan plan) {
        ExecutionMode wanted = mode.live ? ExecutionMode.LIVE : ExecutionMode.DRILL;
        try {
            return executor.resume(plan, resume, wanted);
        } catch (DrException e) {
            if (e.code() != ErrorCode.INVALID_ARGUMENT || !"mode".equals(e.input())) {
                throw e;
            }
            ExecutionMode ran = wanted == ExecutionMode.LIVE ? ExecutionMode.DRILL : ExecutionMode.LIVE;
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "execution " + resume + " ran " + ran + "; resume it with --"
                    + flag(ran) + " (--" + flag(wanted) + " was given)", "--" + flag(wanted), e);
        }
    }

    /** Starts a new execution; an id the journal holds is refused with what to do instead. */
    private Execution start(RecoveryExecutor executor, Plan plan, String who) {
        try {
            return executor.start(plan, request(who));
        } catch (DrException e) {
            if (e.code() != ErrorCode.ALREADY_EXISTS || id == null) {
                throw e;
            }
            if (!executor.unfinished().contains(id)) {
                throw new DrException(ErrorCode.ALREADY_EXISTS, e.getMessage().replace("choose another id",
                        "choose another --id"), id, e);
            }
            throw new DrException(ErrorCode.ALREADY_EXISTS, "execution " + id + " exists in the journal and has not "
                    + "finished; resume it with --resume " + id + " instead of --id " + id, id, e);
        }
    }

    private static String flag(ExecutionMode m) {
        return m == ExecutionMode.LIVE ? "live" : "drill";
    }

    /**
     * The request of a new execution. A live run for an incident counts from the incident's
     * detection, as the incident's report measures it: without {@code --detected-at}, and with
     * a {@code --detected-at} later than that detection, which the report would not count from
     * (an earlier one moves the incident's detection, and is counted from). A drill keeps its
     * own measure, as the report keeps it.
     */
    private ExecutionRequest request(String who) {
        ExecutionRequest r = (mode.live ? ExecutionRequest.live() : ExecutionRequest.drill()).by(who);
        if (detectedAt != null && mode.live && incidentDetectedAt != null && incidentDetectedAt.isBefore(detectedAt)) {
            r = r.detectedAt(incidentDetectedAt);
            countedFrom = "the detection of incident " + incident + ", earlier than --detected-at " + detectedAt
                    + ", as its report counts";
        } else if (detectedAt != null) {
            r = r.detectedAt(detectedAt);
            countedFrom = "--detected-at";
        } else if (incident != null && mode.live && incidentDetectedAt != null) {
            r = r.detectedAt(incidentDetectedAt);
            countedFrom = "the detection of incident " + incident + ", as its report counts";
        } else if (incident == null) {
            countedFrom = "the run's start";
        } else if (!mode.live) {
            countedFrom = "the run's start: a drill keeps its own measure";
        } else {
            countedFrom = "the run's start: " + (audit == null ? "without --audit the detection of incident "
                    + incident + " is not known" : "the --audit log has no incident " + incident);
        }
        if (incident != null) {
            r = r.forIncident(incident);
        }
        return id != null ? r.withId(id) : r;
    }

    private static void print(PrintWriter out, ExecutionEvent ev) {
        String eta = ev.progress().etaIfKnown().map(d -> ", ETA " + Durations.human(d)).orElse("");
        out.printf("[%5.1f s %3.0f%%%s] %-20s %-19s %s%n", ev.progress().elapsed().toMillis() / 1000.0,
                ev.progress().percentDone(), eta, ev.step() == null ? "(plan)" : TerminalText.escape(ev.step()), ev.kind(),
                TerminalText.escape(ev.message()));
        out.flush();
    }

    private void summary(PrintWriter out, ExecutionResult r) {
        out.printf("execution %s of plan %s (%s): %s%s%s%n", TerminalText.escape(r.executionId()),
                TerminalText.escape(r.planName()), r.mode(), r.status(),
                r.succeeded() && !r.succeededCleanly() ? " (not clean)" : "", r.reason().isEmpty() ? ""
                        : ": " + TerminalText.escape(r.reason()));
        out.println(PlanRunReport.rtoLine(r));
        out.println("  counted from " + r.detectedAt() + " (" + TerminalText.escape(countedFrom) + ")");
        out.println(PlanRunReport.objectiveLine("RPO", r.achievedRpo(), r.objectives().rpo(), r.rpoMet()));
        if (!r.succeeded()) {
            List<String> leftDone = r.steps().stream().filter(s -> s.state() == StepState.SUCCEEDED)
                    .map(s -> TerminalText.escape(s.name())).toList();
            List<String> undone = r.steps().stream().filter(s -> s.state() == StepState.COMPENSATED)
                    .map(s -> TerminalText.escape(s.name())).toList();
            out.println("  steps left done: " + (leftDone.isEmpty() ? "none" : String.join(", ", leftDone))
                    + (undone.isEmpty() ? "" : "; undone: " + String.join(", ", undone)));
        }
        if (journal != null && !r.succeeded() && r.status() != ExecutionStatus.CANCELLED) {
            // the finish is in the journal, so --resume would be refused: a process that died
            // mid-run is what --resume continues, and it prints nothing here
            out.printf("execution %s is recorded as finished in the journal %s; to try again after fixing the "
                    + "cause: dr plan run --file %s --journal %s --%s%n", TerminalText.escape(r.executionId()),
                    TerminalText.escape(RedactedUri.of(journal)), TerminalText.escape(String.valueOf(file)),
                    TerminalText.escape(RedactedUri.of(journal)), mode.live ? "live" : "drill");
        }
    }
}
