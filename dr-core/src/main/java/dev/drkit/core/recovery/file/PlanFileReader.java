package dev.drkit.core.recovery.file;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.recovery.CompensationStrategy;
import dev.drkit.api.recovery.Failover;
import dev.drkit.api.recovery.RecoveryStep;
import dev.drkit.api.recovery.VerificationPhase;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.recovery.Steps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads recovery plans from JSON or YAML files into the same {@link Plan} that
 * {@link Plan#builder} makes, so that an operator can run one from the command line.
 *
 * <pre>{@code
 * name: orders-db
 * objectives: {rto: 30m, rpo: 15m}
 * steps:
 *   - {name: approve, kind: approval, approvers: dba-oncall, timeout: 20m, escalateTo: incident-commander}
 *   - name: restore
 *     kind: restore
 *     dependsOn: approve
 *     repository: s3://backups/orders
 *     target: /srv/orders
 *     timeout: 15m
 *     retry: {attempts: 3, backoff: 10s}
 *   - {name: restored, kind: verify-command, dependsOn: restore, run: [test, -s, "${restore.target}/orders/orders.db"]}
 *   - {name: check, kind: verify-http, dependsOn: restored, url: "http://localhost:8080/health", status: 200}
 * }</pre>
 *
 * <p>Step kinds: {@code restore} (repository, snapshot, target), {@code verify-http} (url,
 * status, body), {@code verify-command} (run, exit), {@code command} (run, drill, undo),
 * {@code failover} (a {@link Failover} by name, registered here or through
 * {@link ServiceLoader}), {@code approval} (approvers, timeout, escalateAfter, escalateTo),
 * {@code notify} (webhook, subject, text) and {@code wait} (duration, or until an http or
 * command check passes). Every step may set {@code dependsOn}, {@code timeout},
 * {@code retry}, {@code optional}, {@code compensation}, {@code owner} and
 * {@code description}. Durations are written {@code 30s}, {@code 5m}, {@code 1h30m} or ISO-8601.
 *
 * <p>Text fields may name variables of the reader's environment, so that one plan serves
 * several hosts: {@code repository: ${DR_REPOSITORY}}, or with a default
 * {@code ${DR_REPOSITORY:-/var/backups/orders}}; {@code $${} stands for a literal {@code ${}.
 * A variable that is unset and has no default is an error naming the field.
 *
 * <p>A check after a restore must look at what the restore wrote, which in a DRILL is not the
 * live target but the drill's directory. The {@code run} of a {@code command},
 * {@code verify-command} or {@code wait} step names it as {@code ${restore.target}} (for the
 * restore step named {@code restore}): the step's {@code target} in a LIVE run, the drill's
 * directory in a DRILL, each source being a directory of its name under it, so that one plan
 * checks the right place in both modes:
 * {@code run: [sh, -c, 'test -s "${restore.target}/orders/orders.db"']}. The command also gets it
 * as the variable {@code DR_TARGET_RESTORE} (the step's name upper-cased, other characters than
 * letters and digits as {@code _}), beside {@code DR_PLAN}, {@code DR_STEP},
 * {@code DR_EXECUTION}, {@code DR_MODE} and {@code DR_ATTEMPT}. A name that is not a restore
 * step of the plan is an error naming the field; a step that runs before its restore fails
 * saying so (make it depend on the restore); the plan's {@code verifications} run outside the
 * steps and cannot name it.
 *
 * <p>Every error is a {@link DrException} with code {@code INVALID_CONFIG} whose message
 * names the file and the path of the field in it: {@code plan.yaml: steps[2].timeout: bad duration 'x'}.
 */
public final class PlanFileReader {
    // A key given twice is refused, not read as its last value.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
    private static final Set<String> PLAN_FIELDS = Set.of("name", "description", "objectives", "steps",
            "verifications");

    private final Map<String, String> environment;
    private final Map<String, Failover> failovers;
    private final @Nullable ClassLoader classLoader;
    private final @Nullable Path drillScratch;

    private PlanFileReader(Builder b) {
        this.environment = Map.copyOf(b.environment);
        this.failovers = Map.copyOf(b.failovers);
        this.classLoader = b.classLoader;
        this.drillScratch = b.drillScratch;
    }

    /**
     * A reader with the process environment (for repository passwords) and the failovers
     * that {@link ServiceLoader} finds.
     */
    public static final PlanFileReader DEFAULT = builder().build();

    /**
     * Starts a reader.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a plan file; {@code .yaml} and {@code .yml} are YAML, anything else JSON. Relative
     * paths in the file are resolved against the file's directory.
     *
     * @param file the file
     * @return the plan
     * @throws DrException {@code INVALID_CONFIG} naming the file and the path of the bad field,
     *     or when the file cannot be read
     */
    public Plan read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "cannot read plan file " + file + ": " + e.getMessage(),
                    file.toString(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, file.getFileName().toString(), dir == null ? Path.of("").toAbsolutePath() : dir);
    }

    /**
     * Reads a plan from text.
     *
     * @param text the file's content
     * @param fileName the file's name, for messages; a {@code .yaml} or {@code .yml} name means YAML
     * @param baseDirectory what relative paths in the file are resolved against
     * @return the plan
     * @throws DrException {@code INVALID_CONFIG} naming the path of the bad field
     */
    public Plan parse(String text, String fileName, Path baseDirectory) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        boolean yaml = lower.endsWith(".yaml") || lower.endsWith(".yml");
        JsonNode root;
        try {
            root = (yaml ? YAML : JSON).readTree(text);
        } catch (JacksonException e) {
            var at = e.getLocation();
            String where = at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column "
                    + at.getColumnNr();
            throw new DrException(ErrorCode.INVALID_CONFIG, fileName + ": not valid " + (yaml ? "YAML" : "JSON") + where
                    + ": " + e.getOriginalMessage().replaceAll("\\s*\\R\\s*", " ").strip()
                    .replaceFirst("^Duplicate property (\"[^\"]*\") for .*$", "key $1 is given twice"), fileName, e);
        }
        if (root == null || !root.isObject()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, fileName + ": must hold an object with name, objectives "
                    + "and steps", fileName);
        }
        return plan(new Node(fileName, "", root, environment).only(PLAN_FIELDS), baseDirectory);
    }

    private Plan plan(Node root, Path base) {
        String planName = root.text("name");
        Optional<String> problem = Plan.nameProblem(planName);
        if (problem.isPresent()) {
            throw root.error("name", problem.get());
        }
        Plan.Builder b = Plan.builder(planName);
        b.description(root.text("description", ""));
        Node objectives = root.object("objectives").only(Set.of("rto", "rpo"));
        Duration rto = positive(objectives, "rto");
        Duration rpo = positive(objectives, "rpo");
        b.objectives(rto, rpo);
        List<Node> steps = root.list("steps");
        if (steps.isEmpty()) {
            throw root.error("steps", "must list at least one step");
        }
        Map<String, Node> byName = new LinkedHashMap<>();
        for (Node s : steps) {
            if (!s.isObject()) {
                throw s.error("must be an object with name and kind");
            }
            String name = s.text("name");
            Optional<String> stepProblem = Plan.nameProblem(name);
            if (stepProblem.isPresent()) {
                throw s.error("name", stepProblem.get());
            }
            if (byName.putIfAbsent(name, s) != null) {
                throw s.error("name", "duplicate step name '" + name + "' (first at " + byName.get(name).path() + ")");
            }
        }
        Set<String> restores = new TreeSet<>();
        byName.forEach((name, s) -> {
            if (s.has("kind") && s.text("kind").equals("restore")) {
                restores.add(name);
            }
        });
        StepKinds kinds = new StepKinds(new StepKinds.Env(base, environment, this::failover, failoverNames(),
                drillScratch(), restores));
        for (Node s : steps) {
            Set<String> seen = new HashSet<>();
            for (String d : s.names("dependsOn")) {
                if (!byName.containsKey(d)) {
                    throw s.error("dependsOn", "unknown step '" + d + "'; steps: " + String.join(", ", byName.keySet()));
                }
                if (!seen.add(d)) {
                    throw s.error("dependsOn", "names step '" + d + "' twice");
                }
            }
            String kind = s.text("kind");
            RecoveryStep step = kinds.build(kind, s);
            if (s.has("description")) {
                step = Steps.described(s.text("description"), step);
            }
            RecoveryStep built = step;
            b.step(s.text("name"), built, o -> options(s, kind, o));
        }
        for (Node v : root.optList("verifications")) {
            verification(v, kinds, b);
        }
        try {
            return b.build();
        } catch (DrException e) {
            throw cycle(e, byName);
        }
    }

    private static Duration positive(Node n, String field) {
        Duration d = n.duration(field);
        if (d.isNegative() || d.isZero()) {
            throw n.error(field, "must be > 0, but was " + d);
        }
        return d;
    }

    private static void options(Node s, String kind, Plan.StepOptions o) {
        List<String> deps = s.names("dependsOn");
        o.dependsOn(deps.toArray(String[]::new));
        if (kind.equals("approval")) {
            o.approval(StepKinds.gate(s));
        } else if (s.has("timeout")) {
            o.timeout(positive(s, "timeout"));
        }
        Node retry = s.optObject("retry");
        if (retry != null) {
            retry.only(Set.of("attempts", "backoff", "multiplier"));
            o.retry(retry.integer("attempts", 1, 1), retry.duration("backoff", Duration.ofSeconds(1)),
                    retry.number("multiplier", 2.0, 1.0));
        }
        if (s.flag("optional", false)) {
            o.optional();
        }
        if (s.has("compensation")) {
            String c = s.text("compensation");
            try {
                o.compensation(CompensationStrategy.valueOf(c.toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw s.error("compensation", "unknown strategy '" + c + "'; known: never, on-failure, always");
            }
        }
        if (s.has("owner")) {
            o.owner(s.text("owner"));
        }
    }

    private static void verification(Node v, StepKinds kinds, Plan.Builder b) {
        v.only(Set.of("name", "phase", "tolerate", "http", "command"));
        String phase = v.text("phase", "after");
        VerificationPhase p;
        try {
            p = VerificationPhase.valueOf(phase.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw v.error("phase", "unknown phase '" + phase + "'; known: before, throughout, after");
        }
        if (v.has("http") == v.has("command")) {
            throw v.error("needs either http or command");
        }
        Check check = v.has("http")
                ? kinds.http(v.object("http").only(Set.of("url", "status", "body", "requestTimeout")))
                : kinds.verificationCommand(v.object("command").only(Set.of("run", "exit", "directory")));
        String name = v.text("name");
        b.verify(name, check.probe(name), p, v.integer("tolerate", 0, 0));
    }

    /** Names the steps of a dependency cycle by the path of its first step in the file. */
    private static DrException cycle(DrException e, Map<String, Node> byName) {
        String input = e.input() == null ? "" : e.input();
        Node first = byName.get(input.split(",")[0]);
        if (e.getMessage().contains("dependency cycle") && first != null) {
            String cycle = e.getMessage().substring(e.getMessage().indexOf("dependency cycle"));
            return first.error("dependsOn", cycle);
        }
        return e;
    }

    /**
     * Returns where a DRILL's restore steps write, each drill under a directory named after its
     * execution ({@link dev.drkit.core.recovery.Restorers#drillDirectory}).
     *
     * @return the directory given to {@link Builder#drillScratch}, by default {@code dr-drill}
     *     in the temporary directory
     */
    public Path drillScratch() {
        return drillScratch != null ? drillScratch : Path.of(System.getProperty("java.io.tmpdir"), "dr-drill");
    }

    private @Nullable Failover failover(String name) {
        Failover f = failovers.get(name);
        if (f != null) {
            return f;
        }
        for (Failover candidate : loaded()) {
            if (candidate.name().equals(name)) {
                return candidate;
            }
        }
        return null;
    }

    private Set<String> failoverNames() {
        Set<String> names = new TreeSet<>(failovers.keySet());
        loaded().forEach(f -> names.add(f.name()));
        return names;
    }

    private List<Failover> loaded() {
        List<Failover> out = new ArrayList<>();
        ServiceLoader.load(Failover.class, classLoader != null ? classLoader
                : Thread.currentThread().getContextClassLoader()).forEach(out::add);
        return out;
    }

    /**
     * Returns {@link #DEFAULT}.
     *
     * @return the reader
     * @deprecated use {@link #DEFAULT}
     */
    @Deprecated
    public static PlanFileReader ofDefaults() {
        return DEFAULT;
    }

    /** Builds a {@link PlanFileReader}. */
    public static final class Builder {
        private Map<String, String> environment = System.getenv();
        private final Map<String, Failover> failovers = new HashMap<>();
        private @Nullable ClassLoader classLoader;
        private @Nullable Path drillScratch;

        private Builder() {
        }

        /**
         * Sets the variables that {@code ${NAME}} in text fields and repository passwords
         * ({@code passwordEnv}, {@code DR_PASSWORD} by default) are read from.
         *
         * @param environment the variables; by default the process's
         * @return this builder
         */
        public Builder environment(Map<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /**
         * Registers a failover under a name, ahead of those {@link ServiceLoader} finds (a
         * Spring application registers its beans here).
         *
         * @param name the name the file uses
         * @param failover the failover
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for a name registered twice
         */
        public Builder failover(String name, Failover failover) {
            Objects.requireNonNull(failover, "failover");
            if (failovers.putIfAbsent(Objects.requireNonNull(name, "name"), failover) != null) {
                throw DrException.invalidArgument("failover", "is registered twice", name);
            }
            return this;
        }

        /**
         * Sets the class loader that {@link ServiceLoader} searches for failovers.
         *
         * @param loader the loader; by default the thread's context class loader
         * @return this builder
         */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /**
         * Sets where a DRILL's restore steps restore, under a directory per execution.
         *
         * @param directory the directory; by default {@code dr-drill} in the temporary directory
         * @return this builder
         */
        public Builder drillScratch(Path directory) {
            this.drillScratch = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Builds the reader.
         *
         * @return the reader
         */
        public PlanFileReader build() {
            return new PlanFileReader(this);
        }
    }
}
