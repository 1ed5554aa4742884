package dev.drkit.api.store;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.nio.charset.StandardCharsets;

/**
 * The rules every {@link SnapshotStore} applies to keys and ranges, in one place so that all
 * stores accept and refuse the same arguments.
 *
 * <p>A key is a {@code /}-separated path of one or more segments: not empty, at most
 * {@value #MAX_KEY_BYTES} bytes in UTF-8, no leading or trailing {@code /}, no empty,
 * {@code .} or {@code ..} segment, no backslash and no control character. A prefix for
 * listing follows the same rules but may be empty and may end with {@code /}.
 */
public final class StoreKeys {
    /** The longest key, in UTF-8 bytes (the limit of S3 and Azure Blob). */
    public static final int MAX_KEY_BYTES = 1024;

    private StoreKeys() {
    }

    /**
     * Checks a key and returns it.
     *
     * @param key the key to check
     * @return the same key
     * @throws DrException {@code INVALID_KEY}, naming the key and the rule it breaks
     */
    public static String requireValidKey(String key) {
        if (key == null || key.isEmpty()) {
            throw invalid(String.valueOf(key), "must not be empty");
        }
        if (key.startsWith("/")) {
            throw invalid(key, "must be relative, not start with '/'");
        }
        if (key.endsWith("/")) {
            throw invalid(key, "must not end with '/'");
        }
        checkCharacters(key);
        for (String segment : key.split("/", -1)) {
            checkSegment(key, segment);
        }
        return key;
    }

    /**
     * Checks a listing prefix and returns it: the empty prefix lists everything.
     *
     * @param prefix the prefix to check
     * @return the same prefix
     * @throws DrException {@code INVALID_KEY}, naming the prefix and the rule it breaks
     */
    public static String requireValidPrefix(String prefix) {
        if (prefix == null) {
            throw invalid("null", "must not be null");
        }
        if (prefix.isEmpty()) {
            return prefix;
        }
        if (prefix.startsWith("/")) {
            throw invalid(prefix, "must be relative, not start with '/'");
        }
        checkCharacters(prefix);
        String[] segments = prefix.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            boolean last = i == segments.length - 1;
            // The last segment of a prefix may be partial or empty ("data/" or "data/a").
            if (last && segments[i].isEmpty()) {
                continue;
            }
            if (last && !segments[i].equals(".") && !segments[i].equals("..")) {
                continue;
            }
            checkSegment(prefix, segments[i]);
        }
        return prefix;
    }

    /**
     * Checks the range of a ranged read: a negative offset or length is refused.
     *
     * @param offset the first byte
     * @param length how many bytes at most
     * @throws DrException {@code INVALID_ARGUMENT} naming {@code offset} or {@code length}
     */
    public static void requireValidRange(long offset, int length) {
        if (offset < 0) {
            throw DrException.invalidArgument("offset", "must be >= 0", offset);
        }
        if (length < 0) {
            throw DrException.invalidArgument("length", "must be >= 0", length);
        }
    }

    private static void checkCharacters(String key) {
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw invalid(abbreviate(key), "must be at most " + MAX_KEY_BYTES + " bytes in UTF-8");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isISOControl(c)) {
                throw invalid(printable(key), "must not contain control characters (found U+"
                        + String.format("%04X", (int) c) + " at index " + i + ")");
            }
            if (c == '\\') {
                throw invalid(key, "must not contain '\\'");
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < key.length()
                        && Character.isLowSurrogate(key.charAt(i + 1));
                if (!paired) {
                    throw invalid(printable(key), "must be valid Unicode (lone surrogate at index " + i + ")");
                }
                i++;
            }
        }
    }

    private static void checkSegment(String key, String segment) {
        if (segment.isEmpty()) {
            throw invalid(key, "must not contain empty segments ('//')");
        }
        if (segment.equals(".") || segment.equals("..")) {
            throw invalid(key, "must not contain '" + segment + "' segments");
        }
    }

    private static DrException invalid(String key, String rule) {
        return new DrException(ErrorCode.INVALID_KEY, "Invalid store key '" + key + "': " + rule, key);
    }

    private static String printable(String key) {
        StringBuilder out = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            out.append(Character.isISOControl(c) ? String.format("\\u%04X", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    private static String abbreviate(String key) {
        return key.length() <= 64 ? key : key.substring(0, 61) + "...";
    }
}
