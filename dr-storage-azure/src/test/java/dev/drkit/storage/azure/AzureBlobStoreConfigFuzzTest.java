package dev.drkit.storage.azure;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.drkit.api.DrException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes {@code azblob://} URIs and their options as {@link AzureBlobStoreConfig#fromUri} reads them,
 * without a server: any URI ends in a configuration or a {@link DrException} with a code,
 * within a second.
 */
class AzureBlobStoreConfigFuzzTest {
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-parse");
        t.setDaemon(true);
        return t;
    });
    /** A connection string such as Azurite's, so that a URI without ?endpoint= is read to the end. */
    private static final java.util.Map<String, String> ENVIRONMENT = java.util.Map.of(
            AzureBlobStoreConfig.CONNECTION_STRING_VARIABLE, "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
                    + "AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;");
    private static boolean warm;

    @BeforeAll
    static void temporaryDirectoryExists() throws Exception {
        // Jazzer installs its agent through a temporary jar; the build points java.io.tmpdir at target/tmp.
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    }

    @FuzzTest(maxDuration = "40s")
    void fromUriEndsInAConfigOrADrException(byte[] bytes) throws Exception {
        String text = "azblob://" + new String(bytes, 0, Math.min(bytes.length, 4096), java.nio.charset.StandardCharsets.UTF_8);
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return; // SnapshotStores.open reports these before a provider sees them
        }
        Future<?> run = WORKER.submit(() -> AzureBlobStoreConfig.fromUri(uri, ENVIRONMENT));
        Duration limit = warm ? Duration.ofSeconds(1) : Duration.ofSeconds(20);
        warm = true;
        try {
            run.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            throw new AssertionError("fromUri took longer than " + limit.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof DrException dr) || dr.code() == null) {
                throw new AssertionError(e.getCause().toString(), e.getCause());
            }
        }
    }
}
