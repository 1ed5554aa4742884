package dev.drkit.spring.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/** A small HTTP client for the tests: real requests to the server on its random port. */
final class Http {
    private final HttpClient client = HttpClient.newHttpClient();
    private final String base;

    Http(int port) {
        this.base = "http://localhost:" + port;
    }

    HttpResponse<String> get(String path, @Nullable String user, @Nullable String password) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), user, password);
    }

    HttpResponse<String> post(String path, String json, @Nullable String user, @Nullable String password)
            throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), user, password);
    }

    HttpResponse<String> postWithHeader(String path, String json, String header, String value) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").header(header, value)
                .POST(HttpRequest.BodyPublishers.ofString(json)), null, null);
    }

    private HttpResponse<String> send(HttpRequest.Builder b, @Nullable String user, @Nullable String password)
            throws Exception {
        if (user != null && password != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
