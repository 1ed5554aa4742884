package dev.drkit.core.audit.internal;

import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.json.JsonMappers;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The line format of the audit log and its chain hash. A line is a JSON object whose fields
 * come in a fixed order and whose last field is {@code hash}; the hash covers the exact UTF-8
 * bytes of the line before {@code ,"hash":"}, which include the previous record's hash.
 * Not thread-safe: one instance per writer or verifier.
 */
final class AuditLines {
    /** The previous hash of the first record. */
    public static final String GENESIS = "0".repeat(64);
    private static final String HASH_FIELD = ",\"hash\":\"";
    private static final ObjectMapper JSON = JsonMappers.compact();
    private static final HexFormat HEX = HexFormat.of();

    private final @Nullable Mac mac;
    private final @Nullable MessageDigest sha;
    private final StringBuilder sb = new StringBuilder(256);

    /**
     * Creates a codec.
     *
     * @param hmacKey the chain key, or null for plain SHA-256
     */
    public AuditLines(byte @Nullable [] hmacKey) {
        try {
            if (hmacKey != null) {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(hmacKey, "HmacSHA256"));
                sha = null;
            } else {
                mac = null;
                sha = MessageDigest.getInstance("SHA-256");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 and HmacSHA256 are part of every JDK", e);
        }
    }

    /** A record together with the line that stores it, newline included. */
    public record Encoded(AuditRecord record, String line) {
    }

    /**
     * Encodes an event as the record after {@code prevHash}.
     *
     * @param seq the record's sequence number
     * @param e the event
     * @param prevHash the previous record's hash
     * @return the record and its line
     */
    public Encoded encode(long seq, AuditEvent e, String prevHash) {
        sb.setLength(0);
        sb.append("{\"seq\":").append(seq).append(",\"time\":\"").append(e.time()).append('"');
        field("actor", e.actor());
        field("action", e.action());
        field("target", e.target());
        sb.append(",\"outcome\":\"").append(e.outcome().name()).append("\",\"details\":{");
        boolean first = true;
        for (Map.Entry<String, String> d : new TreeMap<>(e.details()).entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            quote(d.getKey());
            sb.append(':');
            quote(d.getValue());
        }
        sb.append("},\"prev\":\"").append(prevHash).append('"');
        String hash = hash(sb.toString());
        sb.append(HASH_FIELD).append(hash).append("\"}\n");
        AuditRecord r = new AuditRecord(seq, e.time(), e.actor(), e.action(), e.target(), e.outcome(), e.details(),
                prevHash, hash);
        return new Encoded(r, sb.toString());
    }

    /**
     * Computes the chain hash of a line's body.
     *
     * @param body the line before {@code ,"hash":"}
     * @return 64 lowercase hex digits
     */
    public String hash(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        byte[] digest = mac != null ? mac.doFinal(bytes) : sha.digest(bytes);
        return HEX.formatHex(digest);
    }

    /**
     * Parses a line (without its newline) and checks that its hash matches its body.
     *
     * @param line the line
     * @return the record, with {@code hashMatches} telling whether the stored hash is right
     * @throws IllegalArgumentException when the line is not a well-formed record
     */
    public Parsed parse(String line) {
        int at = line.lastIndexOf(HASH_FIELD);
        if (at < 0 || line.length() != at + HASH_FIELD.length() + 64 + 2 || !line.endsWith("\"}")) {
            throw new IllegalArgumentException("no hash at the end of the line");
        }
        String body = line.substring(0, at);
        String stored = line.substring(at + HASH_FIELD.length(), at + HASH_FIELD.length() + 64);
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
        try {
            Map<String, String> details = new TreeMap<>();
            JsonNode dn = n.required("details");
            if (!dn.isObject()) {
                throw new IllegalArgumentException("details is not an object");
            }
            for (Map.Entry<String, JsonNode> d : dn.properties()) {
                details.put(d.getKey(), d.getValue().stringValue());
            }
            JsonNode seq = n.required("seq");
            if (!seq.isIntegralNumber()) {
                throw new IllegalArgumentException("seq is not a number");
            }
            AuditRecord r = new AuditRecord(seq.longValue(), Instant.parse(text(n, "time")), text(n, "actor"),
                    text(n, "action"), text(n, "target"), AuditOutcome.valueOf(text(n, "outcome")), details,
                    text(n, "prev"), text(n, "hash"));
            return new Parsed(r, hash(body).equals(stored));
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("malformed record: " + e.getMessage(), e);
        }
    }

    /** A parsed record and whether its stored hash matches its content. */
    public record Parsed(AuditRecord record, boolean hashMatches) {
    }

    /**
     * Says why a record whose hash does not match under this codec's key was not written with
     * it, for a writer about to continue its chain; names no key.
     *
     * @param p the record as this codec parsed it
     * @param line the line it was parsed from
     * @return why the record does not match, or null when it does
     */
    public @Nullable String keyMismatch(Parsed p, String line) {
        if (p.hashMatches()) {
            return null;
        }
        long seq = p.record().seq();
        if (mac == null) {
            return "the log is keyed and this writer has no HMAC key: its last record (" + seq + ") does not carry "
                    + "the plain SHA-256 of its content (or that record was altered); open it with its key";
        }
        if (new AuditLines(null).parse(line).hashMatches()) {
            return "the log is not keyed and this writer has an HMAC key: its last record (" + seq + ") carries a "
                    + "plain SHA-256 hash; open it without a key, or start a new log for the keyed chain";
        }
        return "the log was written with another HMAC key than this writer's: its last record (" + seq + ") does "
                + "not match the key (or that record was altered); open it with its own key";
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.required(field);
        if (!v.isString()) {
            throw new IllegalArgumentException(field + " is not a string");
        }
        return v.stringValue();
    }

    private void field(String name, String value) {
        sb.append(",\"").append(name).append("\":");
        quote(value);
    }

    private void quote(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
