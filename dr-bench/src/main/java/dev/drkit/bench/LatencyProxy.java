package dev.drkit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback that delays every byte by a fixed time in each direction, to put a
 * server on loopback as far away as a cloud region is: a round trip through it takes twice the
 * delay more. Bandwidth is not limited; bytes keep their order; a connection's end is passed
 * on after the bytes before it.
 *
 * <pre>
 * java -cp dr-bench/target/benchmarks.jar dev.drkit.bench.LatencyProxy HOST:PORT ROUND_TRIP_MS
 * </pre>
 * prints {@code endpoint=http://127.0.0.1:PORT} and forwards until the process is ended.
 */
public final class LatencyProxy implements AutoCloseable {
    private static final byte[] END = new byte[0];

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final long delayNanos;

    private record Delayed(long due, byte[] bytes) {
    }

    private LatencyProxy(InetSocketAddress target, Duration oneWay) throws IOException {
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.target = target;
        this.delayNanos = oneWay.toNanos();
        Thread acceptor = new Thread(this::accept, "latency-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Starts a proxy to a server.
     *
     * @param target the server
     * @param oneWay the delay in each direction (half the round trip it adds)
     * @return the running proxy
     * @throws IOException when no port can be bound
     */
    public static LatencyProxy start(InetSocketAddress target, Duration oneWay) throws IOException {
        return new LatencyProxy(target, oneWay);
    }

    /** Returns the port it listens on (loopback). @return the port */
    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (TRACE) {
                    System.err.printf("%.3f connection from port %d%n", (System.nanoTime() - STARTED) / 1e9,
                            client.getPort());
                }
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                AtomicInteger ended = new AtomicInteger();
                pipe(client, upstream, ended);
                pipe(upstream, client, ended);
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("latency proxy: " + e);
                }
            }
        }
    }

    /** Copies one direction: a reader stamps each read with when it is due, a writer waits for it. */
    private void pipe(Socket from, Socket to, AtomicInteger ended) {
        BlockingQueue<Delayed> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[64 << 10];
            try (InputStream in = from.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (TRACE) {
                        trace(from, buffer, n);
                    }
                    queue.add(new Delayed(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
                }
            } catch (IOException e) {
                // the connection ended
            } finally {
                queue.add(new Delayed(System.nanoTime() + delayNanos, END));
            }
        }, "latency-proxy-read");
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Delayed next = queue.take();
                    long wait = next.due() - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    if (next.bytes() == END) {
                        to.shutdownOutput();
                        if (ended.incrementAndGet() == 2) { // both directions: the connection is over
                            closeQuietly(from);
                            closeQuietly(to);
                        }
                        return;
                    }
                    out.write(next.bytes());
                    out.flush();
                }
            } catch (SocketException e) {
                closeQuietly(from);
            } catch (IOException | InterruptedException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "latency-proxy-write");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    /** With {@code -Dlatency.trace=true}, prints the first line of each request and response read. */
    private static final boolean TRACE = Boolean.getBoolean("latency.trace");
    private static final long STARTED = System.nanoTime();

    private static void trace(Socket from, byte[] buffer, int n) {
        String head = new String(buffer, 0, Math.min(n, 200), java.nio.charset.StandardCharsets.ISO_8859_1);
        int eol = head.indexOf('\r');
        String first = eol > 0 ? head.substring(0, eol) : "";
        if (first.matches("^(GET|PUT|HEAD|POST|DELETE) .*|^HTTP/1\\.1 .*")) {
            System.err.printf("%.3f %d %s%n", (System.nanoTime() - STARTED) / 1e9, from.getPort(), first);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /**
     * Runs a proxy until the process is ended.
     *
     * @param args {@code HOST:PORT} of the server and the round trip to add in milliseconds
     * @throws Exception when it cannot start
     */
    public static void main(String[] args) throws Exception {
        String[] hostPort = args[0].split(":");
        Duration oneWay = Duration.ofNanos(Long.parseLong(args[1]) * 1_000_000 / 2);
        try (LatencyProxy proxy = start(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), oneWay)) {
            System.out.println("endpoint=http://127.0.0.1:" + proxy.port());
            System.out.flush();
            new CountDownLatch(1).await();
        }
    }
}
