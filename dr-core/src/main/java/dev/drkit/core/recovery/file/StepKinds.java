package dev.drkit.core.recovery.file;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthStatus;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.recovery.ApprovalGate;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.recovery.Failover;
import dev.drkit.api.recovery.RecoveryStep;
import dev.drkit.api.recovery.StepContext;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.incident.Notifiers;
import dev.drkit.core.recovery.Restorers;
import dev.drkit.core.recovery.Steps;
import dev.drkit.core.report.Durations;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.store.SnapshotStores;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The built-in step kinds of a plan file. Each reads its own fields (failing on unknown
 * ones with their path) and returns a {@link RecoveryStep} that behaves as the Java
 * builder's: read-only kinds run the same in a DRILL, others report what they would do.
 */
final class StepKinds {
    /** Fields every step may have, whatever its kind. */
    static final Set<String> COMMON = Set.of("name", "kind", "description", "dependsOn", "timeout", "retry",
            "optional", "compensation", "owner");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:.*");
    /** {@code ${restore.target}}: where the restore step named {@code restore} wrote in this execution. */
    private static final Pattern TARGET = Pattern.compile("\\$\\{([^${}]+)\\.target}");

    /**
     * What building a step needs from outside the file.
     *
     * @param restoreSteps the names of the plan's restore steps, which {@code ${name.target}} may name
     */
    record Env(Path baseDirectory, Map<String, String> environment, Function<String, @Nullable Failover> failovers,
            Set<String> failoverNames, Path drillScratch, Set<String> restoreSteps) {
    }

    private final Env env;

    StepKinds(Env env) {
        this.env = env;
    }

    /** The kinds, in the order runbooks and errors list them. */
    static final List<String> KINDS = List.of("approval", "command", "failover", "notify", "restore", "verify-command",
            "verify-http", "wait");

    /** Builds the step of the given kind from its node. */
    RecoveryStep build(String kind, Node s) {
        return switch (kind) {
            case "restore" -> restore(fields(s, "repository", "snapshot", "target", "passwordEnv", "passwordFile"));
            case "verify-http" -> verify(http(fields(s, "url", "status", "body", "requestTimeout")));
            case "verify-command" -> verify(command(fields(s, "run", "exit", "directory")));
            case "command" -> commandStep(fields(s, "run", "directory", "drill", "undo"));
            case "failover" -> failover(fields(s, "failover"));
            case "approval" -> approval(fields(s, "approvers", "escalateAfter", "escalateTo"));
            case "notify" -> notify(fields(s, "webhook", "subject", "text", "requestTimeout"));
            case "wait" -> waitStep(fields(s, "duration", "until", "interval"));
            default -> throw s.error("kind", "unknown step kind '" + kind + "'; known: " + String.join(", ", KINDS));
        };
    }

    private static Node fields(Node s, String... own) {
        Set<String> known = new TreeSet<>(COMMON);
        known.addAll(Arrays.asList(own));
        return s.only(known);
    }

    /** The approval gate of an {@code approval} step; its {@code timeout} is the gate's. */
    static ApprovalGate gate(Node s) {
        String approvers = s.text("approvers");
        Duration timeout = s.duration("timeout");
        Duration escalateAfter = s.duration("escalateAfter", timeout.dividedBy(2));
        String escalateTo = s.text("escalateTo", approvers);
        try {
            return ApprovalGate.of(approvers, escalateAfter, escalateTo, timeout);
        } catch (DrException e) {
            throw s.error(e.getMessage());
        }
    }

    private RecoveryStep approval(Node s) {
        ApprovalGate g = gate(s);
        return Steps.described("Get approval from " + g.approvers() + " (escalate to " + g.escalateTo() + " after "
                + Durations.human(g.escalateAfter()) + ")", c -> c.progress(1.0, "approved"));
    }

    private RecoveryStep restore(Node s) {
        String repository = location(s.text("repository"));
        String snapshot = s.text("snapshot", "latest");
        Path target = path(s.text("target"));
        String passwordEnv = s.text("passwordEnv", "DR_PASSWORD");
        Path passwordFile = s.has("passwordFile") ? path(s.text("passwordFile")) : null;
        String what = "snapshot " + snapshot + " of " + repository + " into " + target;
        return Steps.restore(what, c -> {
            char[] password = password(passwordEnv, passwordFile, c);
            try (SnapshotStore store = SnapshotStores.open(repository);
                    Repository repo = Repository.open(store, password)) {
                return Restorers.fromRepository(repo, snapshot, target, env.drillScratch()).restore(c);
            } finally {
                Arrays.fill(password, '\0');
            }
        });
    }

    private char[] password(String variable, @Nullable Path file, StepContext c) {
        if (file != null) {
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                return text.lines().findFirst().orElse("").toCharArray();
            } catch (IOException e) {
                throw new DrException(ErrorCode.INVALID_CONFIG, "step " + c.stepName() + ": cannot read the password file "
                        + file + ": " + e.getMessage(), file.toString(), e);
            }
        }
        String p = env.environment().get(variable);
        if (p == null || p.isEmpty()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "step " + c.stepName() + ": no repository password in $"
                    + variable, variable);
        }
        return p.toCharArray();
    }

    private String location(String repository) {
        return SCHEME.matcher(repository).matches() && !repository.matches("^[a-zA-Z]:\\\\.*") ? repository
                : path(repository).toString();
    }

    private Path path(String p) {
        return env.baseDirectory().resolve(p).normalize();
    }

    private static URI httpUrl(Node s, String field) {
        String url = s.text(field);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw s.error(field, "bad URL '" + url + "': " + e.getReason());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw s.error(field, "must be an http or https URL, but was '" + url + "'");
        }
        return uri;
    }

    Check.Http http(Node s) {
        return new Check.Http(httpUrl(s, "url"), s.integer("status", 200, 100), s.has("body") ? s.text("body") : null,
                s.duration("requestTimeout", Duration.ofSeconds(10)));
    }

    /** A command of a step, whose {@code run} may name where a restore step wrote: {@code ${restore.target}}. */
    Check.Command command(Node s) {
        List<String> words = s.words("run");
        for (String w : words) {
            Matcher m = TARGET.matcher(w);
            while (m.find()) {
                if (!env.restoreSteps().contains(m.group(1))) {
                    throw s.error("run", m.group() + " names no restore step; restore steps: "
                            + (env.restoreSteps().isEmpty() ? "none" : String.join(", ", env.restoreSteps())));
                }
            }
        }
        if (s.has("directory") && TARGET.matcher(s.text("directory")).find()) {
            throw s.error("directory", "cannot name a restore's target; use it in run, such as [sh, -c, 'cd \"${"
                    + "restore.target}\" && ...']");
        }
        return new Check.Command(words, s.integer("exit", 0, 0), s.has("directory") ? path(s.text("directory")) : null);
    }

    /** A command of a plan's verification, which runs outside any step and so cannot name a restore's target. */
    Check.Command verificationCommand(Node s) {
        for (String w : s.words("run")) {
            Matcher m = TARGET.matcher(w);
            if (m.find()) {
                throw s.error("run", m.group() + ": a verification runs outside the steps and cannot name a restore's "
                        + "target; check it in a verify-command step that depends on " + m.group(1));
            }
        }
        return command(s);
    }

    /**
     * The variables a command runs with: the execution's, and {@code DR_TARGET_<STEP>} for each
     * restore step that has restored (its name upper-cased, other characters than letters and
     * digits as {@code _}): the LIVE target, or in a DRILL the drill's directory.
     */
    private Map<String, String> variables(StepContext c) {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("DR_PLAN", c.planName());
        vars.put("DR_STEP", c.stepName());
        vars.put("DR_EXECUTION", c.executionId());
        vars.put("DR_MODE", c.mode().name());
        vars.put("DR_ATTEMPT", Integer.toString(c.attempt()));
        for (String r : env.restoreSteps()) {
            c.get(r + Restorers.TARGET).ifPresent(t -> vars.put(targetVariable(r), t));
        }
        return vars;
    }

    /** The variable that holds where a restore step wrote: {@code DR_TARGET_RESTORE_ORDERS} for {@code restore-orders}. */
    static String targetVariable(String restoreStep) {
        return "DR_TARGET_" + restoreStep.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** The check with each {@code ${restore.target}} of its command replaced by where that step restored. */
    private static Check resolved(Check check, StepContext c) {
        if (!(check instanceof Check.Command cmd) || cmd.words().stream().noneMatch(w -> TARGET.matcher(w).find())) {
            return check;
        }
        List<String> words = new ArrayList<>();
        for (String w : cmd.words()) {
            Matcher m = TARGET.matcher(w);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String target = c.get(m.group(1) + Restorers.TARGET).orElseThrow(() -> new DrException(
                        ErrorCode.ILLEGAL_STATE, "step " + c.stepName() + ": " + m.group() + " is not known: step "
                        + m.group(1) + " has not restored in this execution (make " + c.stepName() + " depend on it)",
                        c.stepName()));
                m.appendReplacement(out, Matcher.quoteReplacement(target));
            }
            m.appendTail(out);
            words.add(out.toString());
        }
        return new Check.Command(words, cmd.exit(), cmd.directory());
    }

    /** A read-only check as a step: it runs the same in a DRILL, and fails when the check answers DOWN. */
    private RecoveryStep verify(Check check) {
        return new RecoveryStep() {
            @Override
            public void execute(StepContext c) throws Exception {
                ProbeResult r = resolved(check, c).run(variables(c));
                if (r.status() == HealthStatus.DOWN) {
                    throw new DrException(ErrorCode.UNAVAILABLE, r.detail(), c.stepName());
                }
                c.progress(1.0, r.detail());
            }

            @Override
            public String describe() {
                return "Check that " + check.describe();
            }

            @Override
            public boolean verifies() {
                return true;
            }
        };
    }

    private RecoveryStep commandStep(Node s) {
        Check.Command run = command(s);
        boolean inDrill = s.flag("drill", false);
        Check.Command undo = s.has("undo") ? new Check.Command(s.words("undo"), 0, run.directory()) : null;
        String line = Check.Command.shellLine(run.words());
        return new RecoveryStep() {
            @Override
            public void execute(StepContext c) throws Exception {
                if (c.mode() == ExecutionMode.DRILL && !inDrill) {
                    c.progress(1.0, "would run `" + line + "`");
                    return;
                }
                expectSuccess(run, c, "");
            }

            @Override
            public void compensate(StepContext c) throws Exception {
                if (undo == null) {
                    return;
                }
                if (c.mode() == ExecutionMode.DRILL && !inDrill) {
                    c.progress(1.0, "would run `" + Check.Command.shellLine(undo.words()) + "`");
                    return;
                }
                expectSuccess(undo, c, "undo ");
            }

            @Override
            public String describe() {
                return "Run " + Check.Command.codeSpan(line);
            }

            @Override
            public Optional<String> describeCompensation() {
                return undo == null ? Optional.empty()
                        : Optional.of("Run " + Check.Command.codeSpan(Check.Command.shellLine(undo.words())));
            }
        };
    }

    private void expectSuccess(Check.Command command, StepContext c, String what) throws InterruptedException {
        Check.Command cmd = (Check.Command) resolved(command, c);
        Check.Command.Outcome o = cmd.execute(variables(c));
        String tail = o.output().isBlank() ? "" : ": " + o.output();
        if (o.exit() != 0) {
            throw new DrException(ErrorCode.UNAVAILABLE, what + "`" + String.join(" ", cmd.words()) + "` exited "
                    + o.exit() + tail, c.stepName());
        }
        c.progress(1.0, what + "`" + String.join(" ", cmd.words()) + "` exited 0" + tail);
    }

    private RecoveryStep failover(Node s) {
        String name = s.text("failover");
        Failover f = env.failovers().apply(name);
        if (f == null) {
            throw s.error("failover", "no Failover named '" + name + "'; known: "
                    + (env.failoverNames().isEmpty() ? "none" : String.join(", ", env.failoverNames())));
        }
        return Steps.failover(f);
    }

    private RecoveryStep notify(Node s) {
        String subject = s.text("subject");
        return Steps.notify(Notifiers.webhook(httpUrl(s, "webhook"), s.duration("requestTimeout", Duration.ofSeconds(10))), subject,
                s.text("text", subject));
    }

    private RecoveryStep waitStep(Node s) {
        if (s.has("duration") == s.has("until")) {
            throw s.error("a wait step needs either duration or until");
        }
        if (s.has("duration")) {
            return Steps.pause(s.duration("duration"));
        }
        Node until = s.object("until").only(Set.of("http", "command"));
        if (until.has("http") == until.has("command")) {
            throw until.error("needs either http or command");
        }
        Check check = until.has("http") ? http(until.object("http").only(Set.of("url", "status", "body",
                "requestTimeout"))) : command(until.object("command").only(Set.of("run", "exit", "directory")));
        Duration interval = s.duration("interval", Duration.ofSeconds(5));
        return new RecoveryStep() {
            @Override
            public void execute(StepContext c) throws Exception {
                Check now = resolved(check, c);
                ProbeResult r = now.run(variables(c));
                if (c.mode() == ExecutionMode.DRILL) {
                    c.progress(1.0, "would wait until " + check.describe() + "; now " + r.status() + ": " + r.detail());
                    return;
                }
                Instant next = c.clock().instant().plus(interval);
                while (r.status() == HealthStatus.DOWN) {
                    while (c.clock().instant().isBefore(next)) {
                        if (c.isCancelled()) {
                            throw new DrException(ErrorCode.CANCELLED, "wait cancelled", c.stepName());
                        }
                        Thread.sleep(Math.max(1, Math.min(Duration.between(c.clock().instant(), next).toMillis(), 50)));
                    }
                    next = c.clock().instant().plus(interval);
                    r = now.run(variables(c));
                }
                c.progress(1.0, r.detail());
            }

            @Override
            public String describe() {
                return "Wait until " + check.describe() + " (checked every " + Durations.human(interval) + ")";
            }
        };
    }
}
