package dev.drkit.core.store.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.StoreKeys;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/** Argument checks and helpers shared by the built-in stores. */
final class Ranges {
    private Ranges() {
    }

    static void checkPageSize(int pageSize) {
        if (pageSize < 1) {
            throw DrException.invalidArgument("pageSize", "must be >= 1", pageSize);
        }
    }

    /** Checks a page token issued by {@link #tokenAfter}: the last key of the previous page. */
    static @Nullable String keyAfter(String prefix, @Nullable String token) {
        if (token == null) {
            return null;
        }
        if (!token.startsWith(prefix) || token.isEmpty()) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT,
                    "Page token '" + token + "' was not issued for prefix '" + prefix + "'", "pageToken");
        }
        StoreKeys.requireValidKey(token);
        return token;
    }

    static byte[] slice(byte[] data, long offset, int length) {
        if (offset >= data.length) {
            return new byte[0];
        }
        int from = (int) offset;
        int to = (int) Math.min((long) data.length, offset + length);
        return Arrays.copyOfRange(data, from, to);
    }

    /** Orders keys by code point, the order every store lists in. */
    static int compareKeys(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
