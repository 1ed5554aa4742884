package dev.drkit.core.coordination.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Parsing of the small {@code name=value} line objects the coordinator keeps. */
final class TextRecords {
    private TextRecords() {
    }

    /** Parses the lines after the magic first line; repeated names keep the first value. */
    static Map<String, String> parse(String key, byte[] data, String magic) {
        String text = new String(data, StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        if (lines.length == 0 || !lines[0].equals(magic)) {
            throw new DrException(ErrorCode.INTEGRITY, "The object " + key + " is not a " + magic + " object", key);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int eq = lines[i].indexOf('=');
            if (eq <= 0) {
                throw new DrException(ErrorCode.INTEGRITY, "The object " + key + " has a malformed line " + (i + 1),
                        key);
            }
            fields.putIfAbsent(lines[i].substring(0, eq), lines[i].substring(eq + 1));
        }
        return fields;
    }

    /** A fresh random tag, so that no two writes carry the same bytes. */
    static String nonce() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    static String field(String key, Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null) {
            throw new DrException(ErrorCode.INTEGRITY, "The object " + key + " lacks its " + name, key);
        }
        return value;
    }
}
