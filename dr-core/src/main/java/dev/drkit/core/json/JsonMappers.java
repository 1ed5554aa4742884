package dev.drkit.core.json;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Jackson mappers DR Kit reads and writes JSON with: one compact, for lines, payloads and
 * journals, and one indented, for files people read (reports, configuration, CLI output).
 *
 * <p>Jackson 3 mappers are immutable and thread-safe, so both are shared; a caller that needs
 * another setting derives its own with {@code rebuild()}, which leaves these untouched.
 *
 * <pre>{@code
 * String line = JsonMappers.compact().writeValueAsString(event);
 * String file = JsonMappers.indented().writeValueAsString(report);
 * }</pre>
 */
public final class JsonMappers {
    private static final JsonMapper COMPACT = JsonMapper.builder().build();
    private static final JsonMapper INDENTED = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private JsonMappers() {
    }

    /**
     * Returns the mapper that writes JSON on one line.
     *
     * @return the shared compact mapper
     */
    public static JsonMapper compact() {
        return COMPACT;
    }

    /**
     * Returns the mapper that writes indented JSON, one field per line.
     *
     * @return the shared indented mapper
     */
    public static JsonMapper indented() {
        return INDENTED;
    }
}
