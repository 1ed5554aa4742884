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
        // -Ddr.fuzz.duration=20s (as dr-core's FuzzDuration): libFuzzer keeps the last -max_total_time,
        // and Jazzer appends the arguments in jazzer.internal.arg.1.. after the annotation's.
        String duration = System.getProperty("dr.fuzz.duration");
        if (duration != null && duration.matches("[1-9][0-9]{0,8}[smh]?")) {
            char unit = duration.charAt(duration.length() - 1);
            long seconds = Character.isDigit(unit) ? Long.parseLong(duration)
                    : Long.parseLong(duration.substring(0, duration.length() - 1)) * (unit == 'h' ? 3600 : unit == 'm' ? 60 : 1);
            System.setProperty("jazzer.internal.arg.0", "fuzz");
            System.setProperty("jazzer.internal.arg.1", "-max_total_time=" + seconds);
        } else if (duration != null) {
            throw new IllegalArgumentException("dr.fuzz.duration must be a positive number of seconds with an optional "
                    + "unit s, m or h (such as 20s or 5m), but was '" + duration + "'");
        }
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
        // A statement lambda: one returning the config would make JUnit's reflection over this
        // class's methods load the config record before Jazzer's agent, and the retransformed
        // record then fails with NoSuchFieldError.
        Future<?> run = WORKER.submit(() -> {
            AzureBlobStoreConfig.fromUri(uri, ENVIRONMENT);
        });
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
