package dev.drkit.storage.azure;

import dev.drkit.test.server.ExternalServerExtension;

/**
 * Gives tests an {@link AzuriteServer}: one for the whole test run, installed and started on
 * first use and stopped when the run ends. Use with {@code @ExtendWith(AzuriteExtension.class)}
 * and a parameter of type {@link AzuriteServer}.
 */
public final class AzuriteExtension extends ExternalServerExtension<AzuriteServer> {
    /** Names the server; JUnit calls this. */
    public AzuriteExtension() {
        super(AzuriteServer.class, AzuriteServer::start);
    }
}
