package dev.drkit.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A small object goes up with its {@code PUT} at once; a large one asks first
 * ({@code Expect: 100-continue}), which costs a round trip: seen on the wire, through a proxy
 * that keeps what the client sends.
 */
@ExtendWith(S3ProxyExtension.class)
class PutHandshakeTest {
    private final S3ProxyServer server;

    PutHandshakeTest(S3ProxyServer server) {
        this.server = server;
    }

    @Test
    void smallObjectsAreSentWithoutTheHandshakeAndLargeOnesWithIt() throws Exception {
        URI upstream = server.endpoint();
        try (RecordingProxy proxy = new RecordingProxy(upstream.getPort());
                S3Store store = S3Store.open(server.config(S3ProxyServer.BUCKET, "t-" + UUID.randomUUID(),
                        URI.create("http://127.0.0.1:" + proxy.port())).build())) {
            store.put("locks/small", new byte[4096]);
            assertThat(store.get("locks/small")).hasSize(4096);
            assertThat(proxy.sent()).contains("put ").doesNotContain("expect: 100-continue");

            store.put("data/large", new byte[2 << 20]);
            assertThat(proxy.sent()).contains("expect: 100-continue");
            assertThat(store.get("data/large")).hasSize(2 << 20);
        }
    }

    /** Forwards one connection at a time to the server and keeps the request lines and headers. */
    private static final class RecordingProxy implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        private final Thread acceptor;

        RecordingProxy(int upstreamPort) throws IOException {
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket client = socket.accept();
                        Socket server = new Socket();
                        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort));
                        pump(client.getInputStream(), server.getOutputStream(), true);
                        pump(server.getInputStream(), client.getOutputStream(), false);
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            }, "recording-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        /** What the client sent so far, lower case, bodies' bytes included as they are. */
        String sent() {
            synchronized (sent) {
                return sent.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            }
        }

        private void pump(InputStream in, OutputStream out, boolean record) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[64 << 10];
                try (in; out) {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        if (record) {
                            synchronized (sent) {
                                sent.write(buffer, 0, n);
                            }
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // the other side closed
                }
            }, "recording-proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
