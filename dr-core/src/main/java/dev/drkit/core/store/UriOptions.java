package dev.drkit.core.store;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.RedactedUri;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The options in the query string of a store URI, read once each: an option that is not read
 * by the end is reported as unknown, and a repeated option is refused.
 */
public final class UriOptions {
    private final URI uri;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> read = new TreeSet<>();

    private UriOptions(URI uri) {
        this.uri = uri;
        String query = uri.getRawQuery();
        if (query == null || query.isEmpty()) {
            return;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = decode(eq >= 0 ? pair.substring(0, eq) : pair);
                value = eq >= 0 ? decode(pair.substring(eq + 1)) : "true";
            } catch (IllegalArgumentException e) {
                String where = RedactedUri.of(uri);
                throw new DrException(ErrorCode.INVALID_CONFIG, "Option '" + (eq >= 0 ? pair.substring(0, eq) : pair)
                        + "' has a malformed %-escape in " + where, where, e);
            }
            if (values.putIfAbsent(name, value) != null) {
                throw invalid(name, "is given more than once");
            }
        }
    }

    /**
     * Reads the query of a URI.
     *
     * @param uri the store URI
     * @return its options
     * @throws DrException {@code INVALID_CONFIG} for an option given twice
     */
    public static UriOptions of(URI uri) {
        return new UriOptions(uri);
    }

    /**
     * Returns an option as text.
     *
     * @param name the option
     * @return its value, or null when absent
     */
    public @Nullable String string(String name) {
        read.add(name);
        return values.get(name);
    }

    /**
     * Returns a boolean option.
     *
     * @param name the option
     * @return its value, or null when absent
     * @throws DrException {@code INVALID_CONFIG} for a value other than true or false
     */
    public @Nullable Boolean bool(String name) {
        String value = string(name);
        if (value == null) {
            return null;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> Boolean.TRUE;
            case "false", "no", "0" -> Boolean.FALSE;
            default -> throw invalid(name, "must be true or false, but was " + value);
        };
    }

    /**
     * Returns a whole-number option.
     *
     * @param name the option
     * @return its value, or null when absent
     * @throws DrException {@code INVALID_CONFIG} for a value that is not a number
     */
    public @Nullable Integer integer(String name) {
        String value = string(name);
        if (value == null) {
            return null;
        }
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            throw invalid(name, "must be a whole number, but was " + value);
        }
    }

    /**
     * Returns a size option, in bytes: a number with an optional KiB, MiB or GiB suffix.
     *
     * @param name the option
     * @return its value in bytes, or null when absent
     * @throws DrException {@code INVALID_CONFIG} for a value that is not a size
     */
    public @Nullable Long size(String name) {
        String value = string(name);
        if (value == null) {
            return null;
        }
        try {
            return parseSize(name, value);
        } catch (DrException e) {
            throw invalid(name, "must be a size such as 8388608 or 8MiB, but was " + value);
        }
    }

    /**
     * Returns a duration option: ISO-8601 ({@code PT30S}) or a number with ms, s or m.
     *
     * @param name the option
     * @return its value, or null when absent
     * @throws DrException {@code INVALID_CONFIG} for a value that is not a duration
     */
    public @Nullable Duration duration(String name) {
        String value = string(name);
        if (value == null) {
            return null;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("pt") || v.startsWith("p")) {
                return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1).trim()));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1).trim()));
            }
            return Duration.ofMillis(Long.parseLong(v));
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw invalid(name, "must be a duration such as PT30S, 30s or 500ms, but was " + value);
        }
    }

    /**
     * Refuses every option that was not read.
     *
     * @param known the names of all options, for the message
     * @throws DrException {@code INVALID_CONFIG} naming the first unknown option
     */
    public void requireAllRead(Set<String> known) {
        for (String name : values.keySet()) {
            if (!read.contains(name)) {
                throw invalid(name, "is not a known option (known: " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    /**
     * Creates the exception for a bad option of this URI.
     *
     * @param name the option
     * @param problem what is wrong with it
     * @return the exception
     */
    public DrException invalid(String name, String problem) {
        String where = RedactedUri.of(uri);
        return new DrException(ErrorCode.INVALID_CONFIG,
                "Option '" + name + "' " + problem + " in " + where, where);
    }

    /**
     * Parses a size such as {@code 8MiB}.
     *
     * @param name the field, for the message
     * @param value the text
     * @return the size in bytes
     * @throws DrException {@code INVALID_ARGUMENT} for text that is not a size
     */
    public static long parseSize(String name, String value) {
        String v = value.trim();
        long unit = 1;
        String lower = v.toLowerCase(Locale.ROOT);
        String[][] units = {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"},
            {"kb", "1000"}, {"mb", "1000000"}, {"gb", "1000000000"}, {"b", "1"}};
        for (String[] u : units) {
            if (lower.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                v = v.substring(0, v.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(v), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw DrException.invalidArgument(name, "must be a size such as 8388608 or 8MiB", value);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
