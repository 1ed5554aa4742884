package dev.drkit.core.incident;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.json.JsonMappers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A parsed Alertmanager webhook payload (version 4), validated whole before anything acts on
 * it: a payload that is oversized, malformed or of another version is refused with the field
 * that is wrong.
 *
 * @param version always {@code "4"}
 * @param groupKey the key of the alert group
 * @param truncatedAlerts how many alerts Alertmanager left out
 * @param status {@code firing} or {@code resolved}
 * @param receiver the receiver's name
 * @param groupLabels the labels the group is formed by
 * @param commonLabels the labels all alerts share
 * @param commonAnnotations the annotations all alerts share
 * @param externalURL the Alertmanager's URL
 * @param alerts the alerts
 */
public record AlertmanagerPayload(String version, String groupKey, int truncatedAlerts, String status, String receiver,
        Map<String, String> groupLabels, Map<String, String> commonLabels, Map<String, String> commonAnnotations,
        String externalURL, List<Alert> alerts) {

    /** The largest payload accepted by default, in bytes. */
    public static final int DEFAULT_MAX_BYTES = 1 << 20;
    /** The most alerts accepted in one payload. */
    public static final int MAX_ALERTS = 1000;
    private static final ObjectMapper JSON = JsonMappers.compact();

    /** Copies the collections. */
    public AlertmanagerPayload {
        groupLabels = Map.copyOf(groupLabels);
        commonLabels = Map.copyOf(commonLabels);
        commonAnnotations = Map.copyOf(commonAnnotations);
        alerts = List.copyOf(alerts);
    }

    /**
     * One alert of a payload.
     *
     * @param status {@code firing} or {@code resolved}
     * @param labels its labels, such as {@code alertname}, {@code severity}, {@code dr_action}
     * @param annotations its annotations, such as {@code summary}
     * @param startsAt when it began firing
     * @param endsAt when it ended, or {@code null} while firing
     * @param generatorURL the URL of the rule that fired
     * @param fingerprint its fingerprint; computed from the labels when the payload has none
     */
    public record Alert(String status, Map<String, String> labels, Map<String, String> annotations, Instant startsAt,
            @Nullable Instant endsAt, String generatorURL, String fingerprint) {
        /** Copies the maps. */
        public Alert {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(startsAt, "startsAt");
            Objects.requireNonNull(generatorURL, "generatorURL");
            Objects.requireNonNull(fingerprint, "fingerprint");
            labels = Map.copyOf(labels);
            annotations = Map.copyOf(annotations);
        }

        /**
         * Returns whether the alert is firing.
         *
         * @return true for {@code firing}
         */
        public boolean firing() {
            return "firing".equals(status);
        }

        /**
         * Returns the alert's name.
         *
         * @return the {@code alertname} label, or {@code unnamed} when it is missing or blank
         */
        public String name() {
            String name = labels.get("alertname");
            return name == null || name.isBlank() ? "unnamed" : name;
        }

        /**
         * Returns the summary a person reads, which titles the incident the alert opens.
         *
         * @return the {@code summary} or {@code description} annotation, the first that is not blank, or the name
         */
        public String summary() {
            for (String key : new String[] {"summary", "description"}) {
                String text = annotations.get(key);
                if (text != null && !text.isBlank()) {
                    return text;
                }
            }
            return name();
        }
    }

    /**
     * Parses a payload of at most {@link #DEFAULT_MAX_BYTES}.
     *
     * @param body the request body
     * @return the payload
     * @throws DrException {@code INVALID_ARGUMENT} naming what is wrong
     */
    public static AlertmanagerPayload parse(byte[] body) {
        return parse(body, DEFAULT_MAX_BYTES);
    }

    /**
     * Parses a payload.
     *
     * @param body the request body
     * @param maxBytes the largest body accepted
     * @return the payload
     * @throws DrException {@code INVALID_ARGUMENT} naming what is wrong: too large, not JSON,
     *     version not 4, a missing or mistyped field, an unknown status, too many alerts
     */
    public static AlertmanagerPayload parse(byte[] body, int maxBytes) {
        if (body.length > maxBytes) {
            throw bad("payload", "must be at most " + maxBytes + " bytes", body.length + " bytes");
        }
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "payload is not valid JSON: " + e.getOriginalMessage(),
                    "payload", e);
        }
        if (n == null || !n.isObject()) {
            throw bad("payload", "must be a JSON object", n == null ? "empty" : n.getNodeType());
        }
        String version = str(n, "version");
        if (!"4".equals(version)) {
            throw bad("version", "must be \"4\"", "\"" + version + "\"");
        }
        JsonNode alertsNode = n.get("alerts");
        if (alertsNode == null || !alertsNode.isArray()) {
            throw bad("alerts", "must be an array", alertsNode);
        }
        if (alertsNode.size() > MAX_ALERTS) {
            throw bad("alerts", "must hold at most " + MAX_ALERTS + " alerts", alertsNode.size());
        }
        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < alertsNode.size(); i++) {
            alerts.add(alert(alertsNode.get(i), "alerts[" + i + "]"));
        }
        JsonNode truncated = n.get("truncatedAlerts");
        if (truncated != null && !(truncated.isIntegralNumber() && truncated.canConvertToInt())) {
            throw bad("truncatedAlerts", "must be a number", truncated);
        }
        return new AlertmanagerPayload(version, str(n, "groupKey"), truncated == null ? 0 : truncated.intValue(),
                status(n, "status"), str(n, "receiver"), labels(n, "groupLabels"), labels(n, "commonLabels"),
                labels(n, "commonAnnotations"), optStr(n, "externalURL", ""), alerts);
    }

    private static Alert alert(JsonNode a, String at) {
        if (a == null || !a.isObject()) {
            throw bad(at, "must be an object", a);
        }
        Map<String, String> labels = labels(a, "labels", at);
        String fp = optStr(a, "fingerprint", "");
        if (fp.isEmpty()) {
            fp = fingerprintOf(labels);
        }
        Instant ends = instant(a, "endsAt", at, true);
        if (ends != null && ends.getEpochSecond() <= 0) {
            ends = null; // Alertmanager sends 0001-01-01T00:00:00Z while an alert fires
        }
        return new Alert(status(a, "status", at), labels, labels(a, "annotations", at),
                Objects.requireNonNull(instant(a, "startsAt", at, false)), ends, optStr(a, "generatorURL", ""), fp);
    }

    /**
     * Computes a fingerprint from labels, for payloads that carry none.
     *
     * @param labels the labels
     * @return 16 hex digits of the SHA-256 of the sorted labels
     */
    public static String fingerprintOf(Map<String, String> labels) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(labels).forEach((k, v) -> sb.append(k).append('\u0000').append(v).append('\u0001'));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static DrException bad(String field, String requirement, @Nullable Object value) {
        return DrException.invalidArgument(field, requirement, value);
    }

    private static String str(JsonNode n, String field) {
        return str(n, field, "");
    }

    private static String str(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        String path = at.isEmpty() ? field : at + "." + field;
        if (v == null || !v.isString()) {
            throw bad(path, "must be a string", v);
        }
        return v.asString();
    }

    private static String optStr(JsonNode n, String field, String dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isString()) {
            throw bad(field, "must be a string", v);
        }
        return v.asString();
    }

    private static String status(JsonNode n, String field) {
        return status(n, field, "");
    }

    private static String status(JsonNode n, String field, String at) {
        String s = str(n, field, at);
        if (!s.equals("firing") && !s.equals("resolved")) {
            throw bad(at.isEmpty() ? field : at + "." + field, "must be firing or resolved", "\"" + s + "\"");
        }
        return s;
    }

    private static Map<String, String> labels(JsonNode n, String field) {
        return labels(n, field, "");
    }

    private static Map<String, String> labels(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        String path = at.isEmpty() ? field : at + "." + field;
        if (v == null || v.isNull()) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw bad(path, "must be an object of strings", v);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isString()) {
                throw bad(path + "." + e.getKey(), "must be a string", e.getValue());
            }
            out.put(e.getKey(), e.getValue().asString());
        }
        return out;
    }

    private static @Nullable Instant instant(JsonNode n, String field, String at, boolean optional) {
        JsonNode v = n.get(field);
        if (optional && (v == null || v.isNull() || (v.isString() && v.asString().isEmpty()))) {
            return null;
        }
        String t = str(n, field, at);
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e2) {
                throw bad(at + "." + field, "must be an RFC 3339 time", "\"" + t + "\"");
            }
        }
    }
}
