package dev.drkit.storage.s3;

import dev.drkit.test.server.ExternalServerExtension;

/**
 * Gives tests an {@link S3ProxyServer}: one for the whole test run, started on first use and
 * stopped when the run ends. Use with {@code @ExtendWith(S3ProxyExtension.class)} and a
 * parameter of type {@link S3ProxyServer}.
 */
public final class S3ProxyExtension extends ExternalServerExtension<S3ProxyServer> {
    /** Names the server; JUnit calls this. */
    public S3ProxyExtension() {
        super(S3ProxyServer.class, S3ProxyServer::start);
    }
}
