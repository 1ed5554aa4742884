package dev.drkit.api.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a store URI into text that is safe for messages and logs: user information is
 * dropped, the values of query parameters that may carry secrets are replaced by
 * {@code ***}, and so is the user information of a URI given as a parameter's value (an
 * {@code endpoint=http://user:password@host}, whether written plainly or percent-encoded).
 */
public final class RedactedUri {
    private static final Set<String> SECRET_WORDS = Set.of(
            "secret", "password", "passwd", "pwd", "token", "key", "sig", "signature",
            "credential", "sas", "auth");
    private static final Set<String> PUBLIC_NAMES = Set.of(
            "region", "endpoint", "pathstyle", "storageclass", "prefix", "container", "bucket");

    private RedactedUri() {
    }

    /**
     * Returns the URI as text with its secrets removed.
     *
     * @param uri the URI to render
     * @return the redacted text, such as {@code s3://bucket/repo?endpoint=http://host&secretKey=***}
     */
    public static String of(URI uri) {
        if (uri.isOpaque()) {
            return uri.getScheme() + ":" + redactQuery(stripUserInfo(uri.getRawSchemeSpecificPart()));
        }
        StringBuilder out = new StringBuilder();
        if (uri.getScheme() != null) {
            out.append(uri.getScheme()).append(':');
        }
        if (uri.getRawAuthority() != null) {
            out.append("//");
            String authority = uri.getRawAuthority();
            int at = authority.lastIndexOf('@');
            out.append(at >= 0 ? authority.substring(at + 1) : authority);
        }
        if (uri.getRawPath() != null) {
            out.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            out.append('?').append(redactQuery(uri.getRawQuery()));
        }
        return out.toString();
    }

    /**
     * Renders a URI given as text, which need not parse; when it does not, only its scheme
     * and everything before the first {@code ?} or {@code @} are kept.
     *
     * @param uri the text of the URI
     * @return the redacted text
     */
    public static String of(String uri) {
        try {
            return of(new URI(uri));
        } catch (URISyntaxException e) {
            int cut = uri.length();
            for (char c : new char[] {'?', '@', '#'}) {
                int i = uri.indexOf(c);
                if (i >= 0) {
                    cut = Math.min(cut, i);
                }
            }
            return uri.substring(0, cut) + (cut < uri.length() ? "..." : "");
        }
    }

    private static String stripUserInfo(String ssp) {
        int q = ssp.indexOf('?');
        String head = q >= 0 ? ssp.substring(0, q) : ssp;
        int at = head.lastIndexOf('@');
        String rest = q >= 0 ? ssp.substring(q) : "";
        return (at >= 0 ? head.substring(at + 1) : head) + rest;
    }

    private static String redactQuery(String query) {
        int q = query.indexOf('?');
        if (q >= 0) {
            return query.substring(0, q + 1) + redactQuery(query.substring(q + 1));
        }
        StringBuilder out = new StringBuilder(query.length());
        for (String pair : query.split("&", -1)) {
            if (out.length() > 0) {
                out.append('&');
            }
            int eq = pair.indexOf('=');
            String name = eq >= 0 ? pair.substring(0, eq) : pair;
            out.append(name);
            if (eq >= 0) {
                out.append('=').append(isSecret(name) ? "***" : withoutUserInfo(pair.substring(eq + 1)));
            }
        }
        return out.toString();
    }

    /** A parameter's value with the user information of a URI in it masked: {@code http://***@host}. */
    private static String withoutUserInfo(String value) {
        String masked = maskUserInfo(value);
        if (!masked.equals(value) || value.indexOf('%') < 0) {
            return masked;
        }
        String decoded;
        try {
            decoded = URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return value.contains("%40") ? "***" : value;
        }
        String maskedDecoded = maskUserInfo(decoded);
        return maskedDecoded.equals(decoded) ? value : maskedDecoded;
    }

    private static String maskUserInfo(String value) {
        int scheme = value.indexOf("://");
        if (scheme < 0) {
            return value;
        }
        int start = scheme + 3;
        int end = value.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = value.indexOf(c, start);
            if (i >= 0) {
                end = Math.min(end, i);
            }
        }
        int at = value.lastIndexOf('@', end - 1);
        return at < start ? value : value.substring(0, start) + "***" + value.substring(at);
    }

    private static boolean isSecret(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (PUBLIC_NAMES.contains(lower)) {
            return false;
        }
        for (String word : SECRET_WORDS) {
            if (lower.contains(word)) {
                return true;
            }
        }
        return false;
    }
}
