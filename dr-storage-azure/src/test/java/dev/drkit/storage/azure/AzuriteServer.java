package dev.drkit.storage.azure;

import dev.drkit.test.server.ExternalServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Azure Blob server for the tests: Azurite, the npm package pinned by
 * {@code src/test/azurite/package-lock.json}, installed with {@code npm ci} on first use and
 * run as {@code azurite-blob} on a free loopback port with its data under {@code target/tmp}.
 * The benchmarks in {@code dr-bench} start it through {@link #start(Path)}.
 */
public final class AzuriteServer extends ExternalServer {
    /** Azurite's well-known development account. */
    public static final String ACCOUNT = "devstoreaccount1";
    /** Azurite's well-known development key (public, documented by Microsoft). */
    public static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    /** The container every test store lives in, each under a prefix of its own. */
    public static final String CONTAINER = "dr-tests";

    private static final Path HOME = Path.of(System.getProperty("user.dir"), "src", "test", "azurite");

    private final Path binary;
    private Process process;

    private AzuriteServer(Path binary) throws IOException {
        super("azurite");
        this.binary = binary;
    }

    /**
     * Installs Azurite if needed and starts it with the test container; run from the module's
     * directory, as the tests are.
     *
     * @return the running server
     * @throws Exception when it cannot be installed or started
     */
    public static AzuriteServer start() throws Exception {
        return start(HOME);
    }

    /**
     * Installs Azurite if needed into a directory holding its {@code package-lock.json}, such
     * as this module's {@code src/test/azurite}, and starts it with the test container.
     *
     * @param home the directory with the lock file; {@code node_modules} goes there
     * @return the running server
     * @throws IllegalStateException when {@code npm} is missing or fails, or Azurite does not start
     * @throws Exception when it cannot be installed or started otherwise
     */
    public static AzuriteServer start(Path home) throws Exception {
        AzuriteServer server = new AzuriteServer(install(home.toAbsolutePath()));
        server.launch();
        Runtime.getRuntime().addShutdownHook(new Thread(server::kill, "azurite-stop"));
        try (AzureBlobStore store = AzureBlobStore.open(server.config("").build())) {
            store.createContainerIfMissing();
        }
        return server;
    }

    private static synchronized Path install(Path home) throws IOException, InterruptedException {
        Path binary = home.resolve("node_modules").resolve(".bin").resolve("azurite-blob");
        if (Files.isExecutable(binary)) {
            return binary;
        }
        if (!Files.isRegularFile(home.resolve("package-lock.json"))) {
            throw new IllegalStateException("No package-lock.json pinning Azurite in " + home);
        }
        Path log = Path.of(System.getProperty("java.io.tmpdir"), "azurite-npm-ci.log");
        Files.createDirectories(log.getParent());
        Process npm;
        try {
            npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Could not run npm to install Azurite in " + home
                    + ": install Node.js 20 or later with npm, or run `npm ci` in that directory", e);
        }
        if (!npm.waitFor(10, TimeUnit.MINUTES)) {
            npm.destroyForcibly();
            throw new IllegalStateException("npm ci for Azurite took over 10 minutes; see " + log);
        }
        if (npm.exitValue() != 0 || !Files.isExecutable(binary)) {
            throw new IllegalStateException("npm ci for Azurite in " + home + " failed (exit " + npm.exitValue()
                    + "): " + Files.readString(log));
        }
        return binary;
    }

    @Override
    protected void launch() throws Exception {
        Path log = log();
        process = new ProcessBuilder(List.of(binary.toString(), "--disableTelemetry", "--silent",
                "--blobHost", "127.0.0.1", "--blobPort", String.valueOf(port()),
                "--location", directory().toString(), "--skipApiVersionCheck"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        try {
            awaitReady("Azurite on port " + port(), Duration.ofSeconds(60), () -> {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port())) {
                    return true;
                } catch (IOException notYet) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("Azurite exited with " + process.exitValue() + ": "
                                + Files.readString(log));
                    }
                    return false;
                }
            });
        } catch (IllegalStateException e) {
            kill();
            throw e;
        }
    }

    @Override
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /**
     * Returns the file the server's output goes to, next to {@link #directory()}.
     *
     * @return the log file
     */
    public Path log() {
        return directory().resolveSibling(directory().getFileName() + ".log");
    }

    /**
     * Returns a connection string for this server, or for a proxy in front of it.
     *
     * @param port the port to connect to
     * @return the connection string
     */
    public static String connectionString(int port) {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY
                + ";BlobEndpoint=http://127.0.0.1:" + port + "/" + ACCOUNT + ";";
    }

    /**
     * Returns the blob endpoint of this server.
     *
     * @return such as {@code http://127.0.0.1:41234/devstoreaccount1}
     */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port() + "/" + ACCOUNT);
    }

    /**
     * Returns a store configuration for this server, with quick retries for tests.
     *
     * @param prefix the prefix, possibly empty
     * @return a builder for the test container
     */
    public AzureBlobStoreConfig.Builder config(String prefix) {
        return config(CONTAINER, prefix, port());
    }

    /**
     * Returns a store configuration that connects through another port, such as a proxy's.
     *
     * @param container the container, which may be missing
     * @param prefix the prefix, possibly empty
     * @param port the port to connect to
     * @return a builder with a connection string and quick retries
     */
    public AzureBlobStoreConfig.Builder config(String container, String prefix, int port) {
        return AzureBlobStoreConfig.builder(container).prefix(prefix)
                .connectionString(connectionString(port))
                .initialBackoff(Duration.ofMillis(20))
                .maxBackoff(Duration.ofMillis(200));
    }

    /**
     * Opens a fresh, empty store under a prefix of its own in the test container.
     *
     * @return the store
     */
    public AzureBlobStore newStore() {
        return AzureBlobStore.open(config("t-" + UUID.randomUUID()).build());
    }
}
