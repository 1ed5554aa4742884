package dev.drkit.test.fault;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of a real server that injects the faults clients meet in
 * production: HTTP 503 answers, slow first bytes, answers lost after the server acted, and a
 * server that goes away in the middle of a transfer. It forwards bytes untouched, so signed requests stay valid.
 *
 * <p>Faults apply to new connections; arming one closes the open connections so that the
 * client must reconnect (a pooled connection that dies is itself a transient failure).
 */
public final class FaultProxy implements AutoCloseable {
    private static final byte[] UNAVAILABLE_BODY =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>ServerBusy</Code><Message>injected</Message></Error>"
                    .getBytes(StandardCharsets.US_ASCII);

    private final int upstreamPort;
    private final int port;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failNext = new AtomicInteger();
    private final AtomicInteger delayNext = new AtomicInteger();
    private final AtomicInteger loseNext = new AtomicInteger();
    private final AtomicInteger injected = new AtomicInteger();
    private final AtomicLong uploadedBytes = new AtomicLong();
    private final AtomicBoolean down = new AtomicBoolean();
    private volatile Duration delay = Duration.ZERO;
    private volatile long cutAfterBytes = Long.MAX_VALUE;
    private volatile boolean closed;

    /**
     * Starts a proxy on a free loopback port.
     *
     * @param upstreamPort the real server's loopback port
     * @throws IOException when no port can be bound
     */
    public FaultProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = listen(0);
        this.port = server.getLocalPort();
    }

    private ServerSocket listen(int onPort) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort));
        Thread acceptor = new Thread(() -> acceptLoop(socket), "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return socket;
    }

    /**
     * Returns the proxy's endpoint.
     *
     * @return such as {@code http://127.0.0.1:40111}
     */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /**
     * Returns the proxy's port.
     *
     * @return the port
     */
    public int port() {
        return port;
    }

    /**
     * Answers the first request of each of the next connections with HTTP 503.
     *
     * @param connections how many connections to fail
     */
    public void failNext(int connections) {
        failNext.set(connections);
        dropConnections();
    }

    /**
     * Holds back the first response bytes of each of the next connections.
     *
     * @param connections how many connections to slow down
     * @param by how long to wait
     */
    public void delayNext(int connections, Duration by) {
        delay = by;
        delayNext.set(connections);
        dropConnections();
    }

    /**
     * Lets the server handle the first request of each of the next connections but drops
     * its answer, as a network that fails after the write went through.
     *
     * @param connections how many answers to lose
     */
    public void loseNextAnswers(int connections) {
        loseNext.set(connections);
        dropConnections();
    }

    /**
     * Goes down, as a stopped server would, once this many more request bytes were forwarded.
     *
     * @param bytes the bytes to let through first
     */
    public void cutAfter(long bytes) {
        cutAfterBytes = uploadedBytes.get() + bytes;
    }

    /**
     * Acts as a stopped server: closes every connection and resets each new one at once;
     * {@link #up()} undoes it. The port stays bound meanwhile, so that no other server started
     * by the same tests can take it and answer in the stopped server's place.
     */
    public void down() {
        down.set(true);
        dropConnections();
    }

    /** Serves again and forgets the byte limit of {@link #cutAfter(long)}. */
    public void up() {
        cutAfterBytes = Long.MAX_VALUE;
        down.set(false);
    }

    /**
     * Returns how many faults were injected so far (503 answers and delays).
     *
     * @return the count
     */
    public int injected() {
        return injected.get();
    }

    /** Closes all open connections. */
    public void dropConnections() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        dropConnections();
    }

    private void acceptLoop(ServerSocket socket) {
        while (!closed && !socket.isClosed()) {
            try {
                Socket client = socket.accept();
                if (down.get()) {
                    client.setSoLinger(true, 0); // a reset, as from a host with nothing listening
                    closeQuietly(client);
                    continue;
                }
                open.add(client);
                Thread t = new Thread(() -> handle(client), "fault-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                // closed by close()
            }
        }
    }

    private void handle(Socket client) {
        Socket upstream = null;
        try {
            if (take(failNext)) {
                injected.incrementAndGet();
                answer503(client);
                return;
            }
            upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
            open.add(upstream);
            boolean slow = take(delayNext);
            boolean lose = take(loseNext);
            if (slow || lose) {
                injected.incrementAndGet();
            }
            Socket up = upstream;
            Thread back = new Thread(lose ? () -> discardAnswer(up, client)
                    : () -> pump(up, client, slow ? delay : Duration.ZERO, false), "fault-proxy-down");
            back.setDaemon(true);
            back.start();
            pump(client, upstream, Duration.ZERO, true);
        } catch (IOException e) {
            // the client or the server went away
        } finally {
            if (upstream == null) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to, Duration firstDelay, boolean counting) {
        byte[] buffer = new byte[64 * 1024];
        boolean first = true;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (first && !firstDelay.isZero()) {
                    Thread.sleep(firstDelay.toMillis());
                }
                first = false;
                if (counting && uploadedBytes.addAndGet(n) > cutAfterBytes) {
                    down();
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // connection closed on one side
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    /** Passes interim {@code 100 Continue} answers on (so the body is sent) and drops the final one. */
    private void discardAnswer(Socket upstream, Socket client) {
        try {
            InputStream in = upstream.getInputStream();
            OutputStream out = client.getOutputStream();
            byte[] pending = new byte[0];
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                pending = concat(pending, buffer, n);
                while (pending.length >= 12) {
                    String head = new String(pending, 0, 12, StandardCharsets.US_ASCII);
                    if (!head.startsWith("HTTP/1.1 100")) {
                        return; // the final answer: lose it
                    }
                    int end = indexOf(pending, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    if (end < 0) {
                        break;
                    }
                    out.write(pending, 0, end + 4);
                    out.flush();
                    pending = Arrays.copyOfRange(pending, end + 4, pending.length);
                }
            }
        } catch (IOException e) {
            // the server or the client went away
        } finally {
            closeQuietly(client);
            closeQuietly(upstream);
            open.remove(client);
            open.remove(upstream);
        }
    }

    private static byte[] concat(byte[] a, byte[] b, int n) {
        byte[] out = Arrays.copyOf(a, a.length + n);
        System.arraycopy(b, 0, out, a.length, n);
        return out;
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void answer503(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        OutputStream out = client.getOutputStream();
        out.write(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nContent-Length: "
                + UNAVAILABLE_BODY.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(UNAVAILABLE_BODY);
        out.flush();
        client.shutdownOutput();
    }

    private static boolean take(AtomicInteger counter) {
        return counter.getAndUpdate(v -> v > 0 ? v - 1 : 0) > 0;
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
