package dev.drkit.core.repository.internal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads and writes the repository's small JSON objects (trees, manifests, the configuration,
 * key and lock files) with Jackson's streaming parser and generator. Data binding would do the
 * same, but loading and introspecting it costs about a fifth of a second in every fresh process,
 * which is most of what a short command such as an unchanged re-backup spends.
 */
final class JsonCodec {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** Writes one JSON value. */
    @FunctionalInterface
    interface Body {
        /** Writes the value. @param g the generator */
        void write(JsonGenerator g);
    }

    private JsonCodec() {
    }

    /**
     * Writes a JSON document.
     *
     * @param body what to write
     * @return the UTF-8 bytes
     */
    static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(ObjectWriteContext.empty(), out)) {
            body.write(g);
        }
        return out.toByteArray();
    }

    /** Writes a field when its value is not {@code null}. */
    static void optional(JsonGenerator g, String name, @Nullable String value) {
        if (value != null) {
            g.writeStringProperty(name, value);
        }
    }

    /** Writes a list of strings. */
    static void strings(JsonGenerator g, String name, List<String> values) {
        g.writeName(name);
        g.writeStartArray();
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /**
     * Parses a JSON object.
     *
     * @param json the bytes
     * @return its fields
     * @throws IllegalArgumentException when the bytes are not a JSON object
     */
    static Fields parse(byte[] json) {
        try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            Fields fields = new Fields(readObject(p));
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("trailing data after the object");
            }
            return fields;
        } catch (JacksonException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    /**
     * Opens a parser over a document, for readers that decode straight into their own types
     * instead of through {@link #parse}'s maps; close it after use.
     *
     * @param json the bytes
     * @return the parser
     */
    static JsonParser parser(byte[] json) {
        return FACTORY.createParser(ObjectReadContext.empty(), json);
    }

    /**
     * Reads a string value, or {@code null} for JSON {@code null}.
     *
     * @param p the parser, at the value
     * @param t the value's token
     * @param name the field, for the error
     * @return the string or {@code null}
     * @throws IllegalArgumentException when the value is not a string
     */
    static @Nullable String readString(JsonParser p, JsonToken t, String name) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException("field '" + name + "' is not a string");
        }
        return p.getString();
    }

    /**
     * Reads an integer value.
     *
     * @param p the parser, at the value
     * @param t the value's token
     * @param name the field, for the error
     * @return the value
     * @throws IllegalArgumentException when the value is not an integer in a long's range
     */
    static long readLong(JsonParser p, JsonToken t, String name) {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw new IllegalArgumentException("field '" + name + "' is missing or not an integer");
        }
        return p.getLongValue();
    }

    /**
     * Reads an integer value in an int's range.
     *
     * @param p the parser, at the value
     * @param t the value's token
     * @param name the field, for the error
     * @return the value
     * @throws IllegalArgumentException when the value is not such an integer
     */
    static int readInt(JsonParser p, JsonToken t, String name) {
        long v = readLong(p, t, name);
        if (v != (int) v) {
            throw new IllegalArgumentException("field '" + name + "' is out of range");
        }
        return (int) v;
    }

    /**
     * Reads a list of strings, or {@code null} for JSON {@code null}.
     *
     * @param p the parser, at the value
     * @param t the value's token
     * @param name the field, for the error
     * @return an unmodifiable list, or {@code null}
     * @throws IllegalArgumentException when the value is not a list of strings
     */
    static @Nullable List<String> readStrings(JsonParser p, JsonToken t, String name) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException("field '" + name + "' is not a list");
        }
        List<String> out = new ArrayList<>();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            if (e != JsonToken.VALUE_STRING) {
                throw new IllegalArgumentException(e == null ? "truncated JSON"
                        : "field '" + name + "' holds something not a string");
            }
            out.add(p.getString());
        }
        return List.copyOf(out);
    }

    /**
     * Reads the next field name of an object, or returns {@code null} at its end.
     *
     * @param p the parser, inside an object
     * @return the name, or {@code null} at the end of the object
     * @throws IllegalArgumentException for truncated JSON
     */
    static @Nullable String nextName(JsonParser p) {
        JsonToken t = p.nextToken();
        if (t == JsonToken.END_OBJECT) {
            return null;
        }
        if (t != JsonToken.PROPERTY_NAME) {
            throw new IllegalArgumentException(t == null ? "truncated JSON" : "expected a field name, found " + t);
        }
        return p.currentName();
    }

    /**
     * Moves to a field's value.
     *
     * @param p the parser, at a field name
     * @return the value's token
     * @throws IllegalArgumentException for truncated JSON
     */
    static JsonToken value(JsonParser p) {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw new IllegalArgumentException("truncated JSON");
        }
        return t;
    }

    /**
     * Skips a value of a field the reader does not know, checking that it is well formed.
     *
     * @param p the parser, at the value
     * @param t the value's token
     */
    static void skip(JsonParser p, JsonToken t) {
        readValue(p, t);
    }

    /**
     * Checks that nothing follows the document's top-level value.
     *
     * @param p the parser, after the value
     * @throws IllegalArgumentException when something does
     */
    static void requireEnd(JsonParser p) {
        if (p.nextToken() != null) {
            throw new IllegalArgumentException("trailing data after the object");
        }
    }

    private static Map<String, Object> readObject(JsonParser p) {
        Map<String, Object> map = new HashMap<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            if (t != JsonToken.PROPERTY_NAME) {
                throw new IllegalArgumentException("expected a field name, found " + t);
            }
            String name = p.currentName();
            Object value = readValue(p, p.nextToken());
            if (map.put(name, value == null ? NULL : value) != null) {
                throw new IllegalArgumentException("field '" + name + "' appears twice");
            }
        }
        return map;
    }

    private static final Object NULL = new Object();

    private static @Nullable Object readValue(JsonParser p, @Nullable JsonToken t) {
        if (t == null) {
            throw new IllegalArgumentException("truncated JSON");
        }
        return switch (t) {
            case START_OBJECT -> readObject(p);
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    list.add(readValue(p, e));
                }
                yield list;
            }
            case VALUE_STRING -> p.getString();
            case VALUE_NUMBER_INT -> p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IllegalArgumentException("unexpected " + t);
        };
    }

    /** A parsed object's fields, read by name and type; unknown fields are ignored. */
    static final class Fields {
        private final Map<String, Object> map;

        Fields(Map<String, Object> map) {
            this.map = map;
        }

        private @Nullable Object raw(String name) {
            Object v = map.get(name);
            return v == NULL ? null : v;
        }

        /** Returns a required string. @param name the field @return its value */
        String string(String name) {
            String v = optString(name);
            if (v == null) {
                throw new IllegalArgumentException("field '" + name + "' is missing");
            }
            return v;
        }

        /** Returns a string or {@code null}. @param name the field @return its value */
        @Nullable String optString(String name) {
            Object v = raw(name);
            if (v != null && !(v instanceof String)) {
                throw new IllegalArgumentException("field '" + name + "' is not a string");
            }
            return (String) v;
        }

        /** Returns a required integer. @param name the field @return its value */
        long number(String name) {
            Object v = raw(name);
            if (!(v instanceof Long l)) {
                throw new IllegalArgumentException("field '" + name + "' is missing or not an integer");
            }
            return l;
        }

        /** Returns an integer, or a default when absent. */
        long number(String name, long absent) {
            return raw(name) == null ? absent : number(name);
        }

        /** Returns a required int. @param name the field @return its value */
        int integer(String name) {
            long v = number(name);
            if (v != (int) v) {
                throw new IllegalArgumentException("field '" + name + "' is out of range");
            }
            return (int) v;
        }

        /** Returns a required boolean. @param name the field @return its value */
        boolean bool(String name) {
            if (!(raw(name) instanceof Boolean b)) {
                throw new IllegalArgumentException("field '" + name + "' is missing or not a boolean");
            }
            return b;
        }

        /** Returns a list of strings, or {@code null} when absent. */
        @Nullable List<String> optStrings(String name) {
            Object v = raw(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof List<?> list)) {
                throw new IllegalArgumentException("field '" + name + "' is not a list");
            }
            List<String> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw new IllegalArgumentException("field '" + name + "' holds something not a string");
                }
                out.add(s);
            }
            return List.copyOf(out);
        }

        /** Returns a required list of strings. */
        List<String> strings(String name) {
            List<String> v = optStrings(name);
            if (v == null) {
                throw new IllegalArgumentException("field '" + name + "' is missing");
            }
            return v;
        }

        /** Returns a required list of objects. */
        @SuppressWarnings("unchecked")
        List<Fields> objects(String name) {
            Object v = raw(name);
            if (!(v instanceof List<?> list)) {
                throw new IllegalArgumentException("field '" + name + "' is missing or not a list");
            }
            List<Fields> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> m)) {
                    throw new IllegalArgumentException("field '" + name + "' holds something not an object");
                }
                out.add(new Fields((Map<String, Object>) m));
            }
            return out;
        }
    }
}
