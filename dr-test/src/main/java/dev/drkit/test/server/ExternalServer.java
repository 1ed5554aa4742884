package dev.drkit.test.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * A real server that store tests talk to, such as S3Proxy or Azurite: it listens on a free
 * loopback port and keeps its data in a directory under {@code java.io.tmpdir}, so that a stop
 * and a restart on the same port find the same data. A subclass says how to launch and stop
 * it; {@link ExternalServerExtension} gives one to every test of a run.
 */
public abstract class ExternalServer implements AutoCloseable {
    private final Path directory;
    private final int port;

    /**
     * Chooses the port and creates the data directory; nothing is started yet.
     *
     * @param name the directory's prefix, such as {@code s3proxy}
     * @throws IOException when the directory cannot be created or no port is free
     */
    protected ExternalServer(String name) throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(tmp);
        this.directory = Files.createTempDirectory(tmp, name + "-");
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            this.port = socket.getLocalPort();
        }
    }

    /**
     * Starts serving on {@link #port()} with the data in {@link #directory()}, and returns once
     * the server answers.
     *
     * @throws Exception when it cannot start
     */
    protected abstract void launch() throws Exception;

    /**
     * Stops the server; its data stays on disk.
     *
     * @throws Exception when it cannot stop
     */
    public abstract void stop() throws Exception;

    /**
     * Starts the server again on the same port with the same data.
     *
     * @throws Exception when it cannot start
     */
    public void restart() throws Exception {
        launch();
    }

    /**
     * Returns the port the server listens on.
     *
     * @return the loopback port
     */
    public final int port() {
        return port;
    }

    /**
     * Returns the directory the server keeps its data in; it stays when the server stops.
     *
     * @return the directory, under {@code java.io.tmpdir}
     */
    public final Path directory() {
        return directory;
    }

    /**
     * Stops the server.
     *
     * @throws IllegalStateException when it does not stop
     */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping the server on port " + port, e);
        } catch (Exception e) {
            throw new IllegalStateException("The server on port " + port + " did not stop", e);
        }
    }

    /**
     * Polls until a server that is starting answers: every 10 ms, for at most {@code timeout}.
     *
     * @param what the server, for the message
     * @param timeout how long to wait at most
     * @param ready true once the server answers; may throw to give up at once
     * @throws IllegalStateException when it does not answer in time
     * @throws Exception what {@code ready} throws
     */
    protected static void awaitReady(String what, Duration timeout, Callable<Boolean> ready) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.call()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not answer within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(10);
        }
    }
}
