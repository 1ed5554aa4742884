package dev.drkit.core.incident.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.incident.Notification;
import dev.drkit.api.incident.Notifier;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.core.json.JsonMappers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;

/** POSTs notifications as JSON. */
final class WebhookNotifier implements Notifier {
    private static final ObjectMapper JSON = JsonMappers.compact();
    private final URI endpoint;
    private final Duration timeout;
    private final HttpClient client;

    /**
     * Creates the notifier.
     *
     * @param endpoint the URL
     * @param timeout the answer's time limit
     */
    WebhookNotifier(URI endpoint, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public void send(Notification n) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", n.kind());
        body.put("subject", n.subject());
        body.put("text", n.text());
        body.put("severity", n.severity() == null ? null : n.severity().name());
        body.put("incidentId", n.incidentId());
        body.put("at", n.at().toString());
        body.put("fields", n.fields());
        HttpRequest req = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
        HttpResponse<Void> res = client.send(req, HttpResponse.BodyHandlers.discarding());
        if (res.statusCode() / 100 != 2) {
            throw new DrException(ErrorCode.UNAVAILABLE, "webhook " + RedactedUri.of(endpoint) + " answered "
                    + res.statusCode(), RedactedUri.of(endpoint).toString());
        }
    }

    @Override
    public String toString() {
        return "WebhookNotifier[" + RedactedUri.of(endpoint) + "]";
    }
}
