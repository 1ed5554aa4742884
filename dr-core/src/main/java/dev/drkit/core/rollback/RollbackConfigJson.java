package dev.drkit.core.rollback;

import dev.drkit.core.json.JsonMappers;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.config.DurationText;
import dev.drkit.core.config.NearestName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes {@code rollback_config.json}. Every setting may be left out (its default
 * applies); an unknown setting, a value of the wrong type or a value out of range is rejected
 * with {@code INVALID_CONFIG} and a message naming the full path of the field and the value,
 * such as {@code guards.checkout.judge.alpha must be in (0, 1), but was 1.5}.
 *
 * <pre>{@code
 * {
 *   "guards": {
 *     "checkout": {
 *       "judge": { "alpha": 0.05, "test": "MIXTURE", "baselineSource": "OBSERVED", "baselineRate": 0.01 },
 *       "plan": { "steps": [ { "weight": 0.01, "minCalls": 200 }, { "weight": 0.25, "minDuration": "5m" },
 *                            { "weight": 1.0, "minCalls": 1000 } ] },
 *       "circuitBreaker": { "failureRateThreshold": 50, "ignoreExceptions": ["java.lang.IllegalArgumentException"] },
 *       "probes": { "interval": "5s", "timeout": "2s", "downThreshold": 3 },
 *       "latency": { "maxP99Ratio": 2.0, "minCalls": 200, "slack": "5ms" },
 *       "retryOnStable": true, "revertWindow": "15m"
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Durations are written as plan files write them ({@link DurationText}): ISO-8601
 * ({@code PT5S}) or whole numbers with units, {@code ms}, {@code s}, {@code m}, {@code h},
 * {@code d}, summed ({@code 1h30m}); a negative one is refused naming its field. A plan's step may also be a bare weight, gated by the plan's
 * own {@code minCalls} and {@code minDuration}: {@code "plan": {"minCalls": 200, "steps": [0.05, 0.5, 1.0]}}.
 * {@link #fromProperties} reads the same settings from Spring's {@code dr.guards.*} properties.
 */
public final class RollbackConfigJson {
    private static final ObjectMapper MAPPER = JsonMappers.indented();

    private RollbackConfigJson() {
    }

    /**
     * Reads a configuration file.
     *
     * @param file the file
     * @return the configuration
     * @throws DrException {@code INVALID_CONFIG} for malformed or invalid content, {@code NOT_FOUND}
     *     or {@code IO_FAILURE} when the file cannot be read
     */
    public static RollbackConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new DrException(ErrorCode.NOT_FOUND, "configuration file " + file + " does not exist", file.toString(), e);
        } catch (IOException e) {
            throw new DrException(ErrorCode.IO_FAILURE, "cannot read " + file + ": " + e.getMessage(), file.toString(), e);
        }
        return parse(text);
    }

    /**
     * Parses configuration text.
     *
     * @param json the JSON text
     * @return the configuration
     * @throws DrException {@code INVALID_CONFIG} naming the field and the value
     */
    public static RollbackConfig parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "malformed JSON: " + e.getOriginalMessage(), null, e);
        }
        Node top = new Node("", root);
        top.requireObject();
        top.allowOnly(Set.of("guards"));
        Map<String, GuardConfig> guards = new LinkedHashMap<>();
        Node all = top.child("guards");
        if (all.present()) {
            all.requireObject();
            for (Map.Entry<String, JsonNode> e : all.node.properties()) {
                guards.put(e.getKey(), guard(new Node(all.path + "." + e.getKey(), e.getValue())));
            }
        }
        return top.build(() -> new RollbackConfig(guards));
    }

    /**
     * Reads guards from flat properties, as Spring binds {@code dr.guards.*}: for each guard a
     * map from a setting's path ({@code judge.alpha}, {@code plan.steps}, {@code plan.steps[0].weight}
     * or {@code plan.steps.0.weight}) to its text. Names may be kebab-case or camelCase; a list
     * may be one comma-separated value. The settings, their defaults and their checks are those
     * of the JSON file; a complaint names the property in kebab-case under {@code prefix}, such
     * as {@code dr.guards.checkout.judge.alpha must be in (0, 1), but was 1.5}.
     *
     * @param prefix the prefix of the guards' properties, such as {@code dr.guards}
     * @param guards each guard's settings by guard name
     * @return the configuration
     * @throws DrException {@code INVALID_CONFIG} naming the property and the value
     */
    public static RollbackConfig fromProperties(String prefix, Map<String, ? extends Map<String, String>> guards) {
        Map<String, GuardConfig> out = new LinkedHashMap<>();
        guards.forEach((name, settings) -> {
            ObjectNode tree = MAPPER.createObjectNode();
            settings.forEach((key, value) -> put(tree, prefix + "." + name, key, value));
            out.put(name, guard(new Node(prefix + "." + name, tree, true)));
        });
        Node top = new Node(prefix, MAPPER.createObjectNode(), true);
        return top.build(() -> new RollbackConfig(out));
    }

    /** Places one flat property into a tree of objects and arrays, its path's names in camelCase. */
    private static void put(ObjectNode root, String prefix, String key, String value) {
        List<String> parts = new ArrayList<>();
        for (String part : key.split("\\.")) {
            Matcher m = INDEXED.matcher(part);
            if (!m.matches()) {
                throw new DrException(ErrorCode.INVALID_CONFIG, prefix + "." + key + " is not a valid property name",
                        prefix + "." + key);
            }
            parts.add(camel(m.group(1)));
            if (m.group(2) != null) {
                parts.add(m.group(2));
            }
        }
        JsonNode at = root;
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            boolean last = i == parts.size() - 1;
            boolean nextIndex = !last && parts.get(i + 1).chars().allMatch(Character::isDigit);
            if (at instanceof ArrayNode array) {
                int index = Integer.parseInt(part);
                while (array.size() <= index) {
                    array.addNull();
                }
                if (last) {
                    array.set(index, array.stringNode(value));
                } else if (!array.get(index).isContainer()) {
                    array.set(index, nextIndex ? array.arrayNode() : array.objectNode());
                }
                at = array.get(index);
            } else {
                ObjectNode object = (ObjectNode) at;
                if (last) {
                    if (object.get(part) instanceof ObjectNode || object.get(part) instanceof ArrayNode) {
                        throw new DrException(ErrorCode.INVALID_CONFIG, prefix + "." + key
                                + " is a group of settings, not a value", prefix + "." + key);
                    }
                    object.put(part, value);
                } else {
                    JsonNode child = object.get(part);
                    if (child == null || !child.isContainer()) {
                        child = nextIndex ? object.putArray(part) : object.putObject(part);
                    }
                    at = child;
                }
            }
        }
    }

    private static final Pattern INDEXED = Pattern.compile("([A-Za-z0-9-]+)(?:\\[(\\d+)])?");

    /** Turns {@code max-consecutive-failures} into {@code maxConsecutiveFailures}. */
    static String camel(String name) {
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char c : name.toCharArray()) {
            if (c == '-') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.toString();
    }

    /** Turns {@code maxConsecutiveFailures} into {@code max-consecutive-failures}. */
    static String kebab(String name) {
        StringBuilder b = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (Character.isUpperCase(c)) {
                b.append('-').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Writes a configuration as JSON, every setting spelled out.
     *
     * @param config the configuration
     * @return the JSON text
     */
    public static String write(RollbackConfig config) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode guards = root.putObject("guards");
        config.guards().forEach((name, g) -> {
            ObjectNode o = guards.putObject(name);
            JudgeConfig j = g.judge();
            o.putObject("judge").put("alpha", j.alpha()).put("beta", j.beta())
                    .put("baselineSource", j.baselineSource().name()).put("baselineRate", j.baselineRate())
                    .put("baselinePriorCalls", j.baselinePriorCalls()).put("regressionRatio", j.regressionRatio())
                    .put("horizon", j.horizon()).put("maxConsecutiveFailures", j.maxConsecutiveFailures())
                    .put("rollbackOnOpenCircuit", j.rollbackOnOpenCircuit()).put("test", j.test().name());
            ArrayNode steps = o.putObject("plan").putArray("steps");
            for (RolloutStep s : g.plan().steps()) {
                steps.addObject().put("weight", s.weight()).put("minCalls", s.minCalls())
                        .put("minDuration", s.minDuration().toString());
            }
            CircuitBreakerSettings cb = g.circuitBreaker();
            ObjectNode c = o.putObject("circuitBreaker").put("failureRateThreshold", cb.failureRateThreshold())
                    .put("slowCallRateThreshold", cb.slowCallRateThreshold())
                    .put("slowCallDuration", cb.slowCallDuration().toString())
                    .put("slidingWindowSize", cb.slidingWindowSize())
                    .put("minimumNumberOfCalls", cb.minimumNumberOfCalls())
                    .put("waitInOpenState", cb.waitInOpenState().toString());
            cb.recordExceptions().forEach(c.putArray("recordExceptions")::add);
            cb.ignoreExceptions().forEach(c.putArray("ignoreExceptions")::add);
            o.putObject("probes").put("interval", g.probes().interval().toString())
                    .put("timeout", g.probes().timeout().toString()).put("downThreshold", g.probes().downThreshold());
            o.putObject("latency").put("maxP95Ratio", g.latency().maxP95Ratio())
                    .put("maxP99Ratio", g.latency().maxP99Ratio()).put("minCalls", g.latency().minCalls())
                    .put("slack", g.latency().slack().toString());
            o.put("retryOnStable", g.retryOnStable()).put("shadow", g.shadow())
                    .put("revertWindow", g.revertWindow().toString()).put("gradualBatches", g.gradualBatches());
        });
        return MAPPER.writeValueAsString(root);
    }

    private static GuardConfig guard(Node n) {
        n.requireObject();
        n.allowOnly(Set.of("judge", "plan", "circuitBreaker", "probes", "latency", "retryOnStable", "shadow",
                "revertWindow", "gradualBatches"));
        GuardConfig d = GuardConfig.DEFAULT;
        JudgeConfig judge = judge(n.child("judge"));
        RolloutPlan plan = plan(n.child("plan"));
        CircuitBreakerSettings cb = circuitBreaker(n.child("circuitBreaker"));
        ProbeSettings probes = probes(n.child("probes"));
        LatencySettings latency = latency(n.child("latency"));
        boolean retry = n.child("retryOnStable").bool(d.retryOnStable());
        boolean shadow = n.child("shadow").bool(d.shadow());
        Duration window = n.child("revertWindow").duration(d.revertWindow());
        int batches = n.child("gradualBatches").int32(d.gradualBatches());
        return n.build(() -> new GuardConfig(judge, plan, cb, probes, latency, retry, shadow, window, batches));
    }

    private static JudgeConfig judge(Node n) {
        JudgeConfig d = JudgeConfig.DEFAULT;
        if (!n.present()) {
            return d;
        }
        n.requireObject();
        n.allowOnly(Set.of("alpha", "beta", "baselineSource", "baselineRate", "baselinePriorCalls", "regressionRatio",
                "horizon", "maxConsecutiveFailures", "rollbackOnOpenCircuit", "test"));
        double alpha = n.child("alpha").number(d.alpha());
        double beta = n.child("beta").number(d.beta());
        BaselineSource source = n.child("baselineSource").enumValue(BaselineSource.class, d.baselineSource());
        double rate = n.child("baselineRate").number(d.baselineRate());
        long prior = n.child("baselinePriorCalls").integer(d.baselinePriorCalls());
        double ratio = n.child("regressionRatio").number(d.regressionRatio());
        long horizon = n.child("horizon").integer(d.horizon());
        int consecutive = n.child("maxConsecutiveFailures").int32(d.maxConsecutiveFailures());
        boolean onOpen = n.child("rollbackOnOpenCircuit").bool(d.rollbackOnOpenCircuit());
        JudgeTest test = n.child("test").enumValue(JudgeTest.class, d.test());
        return n.build(() -> new JudgeConfig(alpha, beta, source, rate, prior, ratio, horizon, consecutive, onOpen,
                test));
    }

    private static RolloutPlan plan(Node n) {
        if (!n.present()) {
            return RolloutPlan.DEFAULT;
        }
        n.requireObject();
        n.allowOnly(Set.of("steps", "minCalls", "minDuration"));
        long planCalls = n.child("minCalls").integer(RolloutPlan.DEFAULT.step(0).minCalls());
        Duration planDuration = n.child("minDuration").duration(RolloutPlan.DEFAULT.step(0).minDuration());
        Node steps = n.child("steps");
        if (!steps.present()) {
            List<RolloutStep> list = new ArrayList<>();
            for (RolloutStep s : RolloutPlan.DEFAULT.steps()) {
                list.add(new RolloutStep(s.weight(), planCalls, planDuration));
            }
            return n.build(() -> new RolloutPlan(list));
        }
        List<RolloutStep> list = new ArrayList<>();
        List<Node> items = steps.list("must be an array of steps");
        for (int i = 0; i < items.size(); i++) {
            Node s = items.get(i);
            if (!s.present()) {
                throw Node.invalidAt(s.path, "must be set", null);
            }
            if (!s.node.isObject()) {
                double weight = s.number(Double.NaN);
                list.add(s.build(() -> new RolloutStep(weight, planCalls, planDuration)));
                continue;
            }
            s.allowOnly(Set.of("weight", "minCalls", "minDuration"));
            Node w = s.child("weight");
            if (!w.present()) {
                throw s.invalid("weight", "must be set", null);
            }
            double weight = w.number(0);
            long minCalls = s.child("minCalls").integer(planCalls);
            Duration minDuration = s.child("minDuration").duration(planDuration);
            list.add(s.build(() -> new RolloutStep(weight, minCalls, minDuration)));
        }
        return n.build(() -> new RolloutPlan(list));
    }

    private static CircuitBreakerSettings circuitBreaker(Node n) {
        CircuitBreakerSettings d = CircuitBreakerSettings.DEFAULT;
        if (!n.present()) {
            return d;
        }
        n.requireObject();
        n.allowOnly(Set.of("failureRateThreshold", "slowCallRateThreshold", "slowCallDuration", "slidingWindowSize",
                "minimumNumberOfCalls", "waitInOpenState", "recordExceptions", "ignoreExceptions"));
        float failure = (float) n.child("failureRateThreshold").number(d.failureRateThreshold());
        float slow = (float) n.child("slowCallRateThreshold").number(d.slowCallRateThreshold());
        Duration slowCall = n.child("slowCallDuration").duration(d.slowCallDuration());
        int window = n.child("slidingWindowSize").int32(d.slidingWindowSize());
        int minimum = n.child("minimumNumberOfCalls").int32(d.minimumNumberOfCalls());
        Duration wait = n.child("waitInOpenState").duration(d.waitInOpenState());
        List<String> record = n.child("recordExceptions").strings(d.recordExceptions());
        List<String> ignore = n.child("ignoreExceptions").strings(d.ignoreExceptions());
        return n.build(() -> new CircuitBreakerSettings(failure, slow, slowCall, window, minimum, wait, record, ignore));
    }

    private static ProbeSettings probes(Node n) {
        ProbeSettings d = ProbeSettings.DEFAULT;
        if (!n.present()) {
            return d;
        }
        n.requireObject();
        n.allowOnly(Set.of("interval", "timeout", "downThreshold"));
        Duration interval = n.child("interval").duration(d.interval());
        Duration timeout = n.child("timeout").duration(d.timeout());
        int down = n.child("downThreshold").int32(d.downThreshold());
        return n.build(() -> new ProbeSettings(interval, timeout, down));
    }

    private static LatencySettings latency(Node n) {
        LatencySettings d = LatencySettings.DEFAULT;
        if (!n.present()) {
            return d;
        }
        n.requireObject();
        n.allowOnly(Set.of("maxP95Ratio", "maxP99Ratio", "minCalls", "slack"));
        double p95 = n.child("maxP95Ratio").number(d.maxP95Ratio());
        double p99 = n.child("maxP99Ratio").number(d.maxP99Ratio());
        long minCalls = n.child("minCalls").integer(d.minCalls());
        Duration slack = n.child("slack").duration(d.slack());
        return n.build(() -> new LatencySettings(p95, p99, minCalls, slack));
    }

    /**
     * A JSON node with its path from the root, for messages that name the field. A node read
     * from properties holds text: its values are converted, and its path is in kebab-case.
     */
    private static final class Node {
        final String path;
        final @Nullable JsonNode node;
        final boolean text;

        Node(String path, @Nullable JsonNode node) {
            this(path, node, false);
        }

        Node(String path, @Nullable JsonNode node, boolean text) {
            this.path = path;
            this.node = node;
            this.text = text;
        }

        boolean present() {
            return node != null && !node.isNull() && !node.isMissingNode();
        }

        String name(String field) {
            return text ? kebab(field) : field;
        }

        Node child(String name) {
            JsonNode n = node;
            return new Node(path.isEmpty() ? name(name) : path + "." + name(name), n == null ? null : n.get(name), text);
        }

        /** The elements of an array, or of a comma-separated text value in a node read from properties. */
        List<Node> list(String requirement) {
            List<Node> out = new ArrayList<>();
            if (present() && node.isArray()) {
                int i = 0;
                for (JsonNode v : node.values()) {
                    out.add(new Node(path + "[" + i++ + "]", v, text));
                }
                return out;
            }
            if (text && present() && node.isString()) {
                String[] parts = node.stringValue().split(",", -1);
                for (int i = 0; i < parts.length; i++) {
                    out.add(new Node(path + "[" + i + "]", MAPPER.getNodeFactory().stringNode(parts[i].trim()), true));
                }
                return out;
            }
            throw invalidAt(path, requirement, present() ? node : null, text);
        }

        DrException invalid(String field, String requirement, @Nullable JsonNode value) {
            String full = path.isEmpty() ? name(field) : path + "." + name(field);
            return invalidAt(full, requirement, value, text);
        }

        static DrException invalidAt(String full, String requirement, @Nullable JsonNode value) {
            return invalidAt(full, requirement, value, false);
        }

        static DrException invalidAt(String full, String requirement, @Nullable JsonNode value, boolean text) {
            String shown = value == null ? "missing" : text && value.isString() ? value.stringValue() : value.toString();
            return new DrException(ErrorCode.INVALID_CONFIG, full + " " + requirement + ", but was " + shown,
                    full + "=" + shown);
        }

        DrException invalidHere(String requirement) {
            return invalidAt(path, requirement, node, text);
        }

        void requireObject() {
            if (!present() || !node.isObject()) {
                throw invalidAt(path.isEmpty() ? "the configuration" : path, "must be an object", node, text);
            }
        }

        void allowOnly(Set<String> names) {
            for (String name : Objects.requireNonNull(node).propertyNames()) {
                if (!names.contains(name)) {
                    String full = path.isEmpty() ? name(name) : path + "." + name(name);
                    TreeSet<String> known = new TreeSet<>();
                    names.forEach(k -> known.add(name(k)));
                    String nearest = NearestName.of(name(name), known);
                    throw new DrException(ErrorCode.INVALID_CONFIG, full + " is not a known setting"
                            + (nearest == null ? "" : "; did you mean '" + nearest + "'?") + " (known: "
                            + String.join(", ", known) + ")", full);
                }
            }
        }

        /** The value's text when this node was read from properties and holds text, else null. */
        @Nullable String textValue() {
            return text && present() && node.isString() ? node.stringValue().trim() : null;
        }

        double number(double fallback) {
            if (!present()) {
                return fallback;
            }
            String t = textValue();
            if (t != null) {
                try {
                    return Double.parseDouble(t);
                } catch (NumberFormatException e) {
                    throw invalidHere("must be a number");
                }
            }
            if (!node.isNumber()) {
                throw invalidHere("must be a number");
            }
            try {
                return node.doubleValue();
            } catch (JacksonException e) {
                throw invalidAt(path, "must fit in a double", node);
            }
        }

        long integer(long fallback) {
            if (!present()) {
                return fallback;
            }
            String t = textValue();
            if (t != null) {
                try {
                    return Long.parseLong(t);
                } catch (NumberFormatException e) {
                    throw invalidHere("must be a whole number");
                }
            }
            if (!node.isIntegralNumber()) {
                throw invalidHere("must be a whole number");
            }
            if (!node.canConvertToLong()) {
                throw invalidAt(path, "must fit in 64 bits", node);
            }
            return node.longValue();
        }

        int int32(int fallback) {
            long v = integer(fallback);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw invalidHere("must fit in 32 bits");
            }
            return (int) v;
        }

        boolean bool(boolean fallback) {
            if (!present()) {
                return fallback;
            }
            String t = textValue();
            if (t != null && (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false"))) {
                return Boolean.parseBoolean(t);
            }
            if (!node.isBoolean()) {
                throw invalidHere("must be true or false");
            }
            return node.booleanValue();
        }

        Duration duration(Duration fallback) {
            if (!present()) {
                return fallback;
            }
            String text = node.isString() ? node.stringValue().trim() : null;
            Duration d = text == null ? null : DurationText.parse(text).orElse(null);
            // "-5s" is no duration to DurationText, but its message says what is wrong with it.
            boolean negative = d != null ? d.isNegative()
                    : text != null && text.startsWith("-") && DurationText.parse(text.substring(1)).isPresent();
            if (negative) {
                throw invalidHere("must be a duration of 0 or more");
            }
            if (d == null) {
                throw invalidHere("must be a duration such as \"PT5S\" or \"5s\"");
            }
            return d;
        }

        <E extends Enum<E>> E enumValue(Class<E> type, E fallback) {
            if (!present()) {
                return fallback;
            }
            if (node.isString()) {
                String v = node.stringValue().trim().replace('-', '_');
                for (E e : type.getEnumConstants()) {
                    if (e.name().equalsIgnoreCase(v)) {
                        return e;
                    }
                }
            }
            List<String> names = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                names.add(e.name());
            }
            throw invalidHere("must be one of " + names);
        }

        List<String> strings(List<String> fallback) {
            if (!present()) {
                return fallback;
            }
            List<String> out = new ArrayList<>();
            for (Node v : list("must be an array of strings")) {
                if (!v.present() || !v.node.isString()) {
                    throw v.invalidHere("must be a string");
                }
                out.add(v.node.stringValue().trim());
            }
            return out;
        }

        /** Runs a validating constructor, re-throwing its complaint with the full path of the field. */
        <T> T build(Supplier<T> constructor) {
            try {
                return constructor.get();
            } catch (DrException e) {
                if (e.code() != ErrorCode.INVALID_ARGUMENT) {
                    throw e;
                }
                String prefix = path.isEmpty() ? "" : path + ".";
                String input = e.input();
                String message = e.getMessage();
                if (text && input != null && input.indexOf('=') > 0) {
                    String field = input.substring(0, input.indexOf('='));
                    if (message.startsWith(field)) {
                        message = kebab(field) + message.substring(field.length());
                    }
                    input = kebab(field) + input.substring(field.length());
                }
                throw new DrException(ErrorCode.INVALID_CONFIG, prefix + message,
                        input == null ? path : prefix + input, e);
            }
        }
    }
}
