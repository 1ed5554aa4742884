package dev.drkit.core.recovery.file;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.config.DurationText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A node of a plan file with its path from the root ({@code steps[2].timeout}), so that every
 * error names the field in the file. Readers fail with {@code INVALID_CONFIG}. Text fields
 * may name environment variables: {@code ${DR_REPOSITORY}}, or {@code ${DR_REPOSITORY:-/var/backups}}
 * with a default; {@code $${} is a literal {@code ${}.
 */
final class Node {
    private static final Pattern VARIABLE = Pattern.compile("\\$(\\$?)\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final String file;
    private final String path;
    private final JsonNode json;
    private final Map<String, String> environment;

    Node(String file, String path, JsonNode json, Map<String, String> environment) {
        this.file = file;
        this.path = path;
        this.json = json;
        this.environment = environment;
    }

    String path() {
        return path;
    }

    /** Returns the error for a field of this node. */
    DrException error(String field, String problem) {
        return errorAt(at(field), problem);
    }

    /** Returns the error for this node itself. */
    DrException error(String problem) {
        return errorAt(path, problem);
    }

    private DrException errorAt(String where, String problem) {
        return new DrException(ErrorCode.INVALID_CONFIG, file + ": " + (where.isEmpty() ? "" : where + ": ") + problem,
                where.isEmpty() ? file : where);
    }

    private String at(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /** Fails on a field this node does not know, naming those it does. */
    Node only(Set<String> known) {
        for (String name : json.propertyNames()) {
            if (!known.contains(name)) {
                throw error(name, "unknown field; known: " + String.join(", ", new TreeSet<>(known)));
            }
        }
        return this;
    }

    boolean has(String field) {
        JsonNode v = json.get(field);
        return v != null && !v.isNull();
    }

    Node object(String field) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            throw error(field, "missing");
        }
        if (!v.isObject()) {
            throw error(field, "must be an object");
        }
        return new Node(file, at(field), v, environment);
    }

    @Nullable Node optObject(String field) {
        return has(field) ? object(field) : null;
    }

    List<Node> list(String field) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            throw error(field, "missing");
        }
        if (!v.isArray()) {
            throw error(field, "must be a list");
        }
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(new Node(file, at(field) + "[" + i + "]", v.get(i), environment));
        }
        return out;
    }

    List<Node> optList(String field) {
        return has(field) ? list(field) : List.of();
    }

    boolean isObject() {
        return json.isObject();
    }

    String text(String field) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            throw error(field, "missing");
        }
        if (!v.isString() && !v.isNumber() && !v.isBoolean()) {
            throw error(field, "must be text");
        }
        String t = expand(at(field), v.asString());
        if (t.isBlank()) {
            throw error(field, "must not be blank");
        }
        return t;
    }

    /** Replaces {@code ${NAME}} and {@code ${NAME:-default}} with the environment's values. */
    private String expand(String where, String text) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (!m.group(1).isEmpty()) {
                replacement = m.group().substring(1);
            } else {
                String value = environment.get(m.group(2));
                if (value == null || value.isEmpty()) {
                    if (m.group(3) == null) {
                        throw errorAt(where, "${" + m.group(2) + "} is not set in the environment (write ${"
                                + m.group(2) + ":-default} for a default)");
                    }
                    value = m.group(3);
                }
                replacement = value;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    String text(String field, String otherwise) {
        return has(field) ? text(field) : otherwise;
    }

    /** A string, or a list of strings: a command line. */
    List<String> words(String field) {
        JsonNode v = json.get(field);
        if (v != null && v.isArray()) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                JsonNode w = v.get(i);
                if (!w.isString() && !w.isNumber() && !w.isBoolean()) {
                    throw errorAt(at(field) + "[" + i + "]", "must be text");
                }
                out.add(expand(at(field) + "[" + i + "]", w.asString()));
            }
            if (out.isEmpty()) {
                throw error(field, "must not be empty");
            }
            return out;
        }
        return List.of(text(field));
    }

    /** A string or a list of strings, or none. */
    List<String> names(String field) {
        return has(field) ? words(field) : List.of();
    }

    int integer(String field, int otherwise, int min) {
        if (!has(field)) {
            return otherwise;
        }
        JsonNode v = json.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw error(field, "must be a whole number, but was '" + v.asString() + "'");
        }
        int n = v.intValue();
        if (n < min) {
            throw error(field, "must be >= " + min + ", but was " + n);
        }
        return n;
    }

    double number(String field, double otherwise, double min) {
        if (!has(field)) {
            return otherwise;
        }
        JsonNode v = json.get(field);
        if (!v.isNumber()) {
            throw error(field, "must be a number, but was '" + v.asString() + "'");
        }
        if (!(v.doubleValue() >= min)) {
            throw error(field, "must be >= " + min + ", but was " + v.doubleValue());
        }
        return v.doubleValue();
    }

    boolean flag(String field, boolean otherwise) {
        if (!has(field)) {
            return otherwise;
        }
        JsonNode v = json.get(field);
        if (!v.isBoolean()) {
            throw error(field, "must be true or false, but was '" + v.asString() + "'");
        }
        return v.booleanValue();
    }

    Duration duration(String field) {
        String t = text(field);
        return DurationText.parse(t).orElseThrow(
                () -> error(field, "bad duration '" + t + "' (write 30s, 5m, 1h30m, 250ms or PT5M)"));
    }

    Duration duration(String field, Duration otherwise) {
        return has(field) ? duration(field) : otherwise;
    }
}
