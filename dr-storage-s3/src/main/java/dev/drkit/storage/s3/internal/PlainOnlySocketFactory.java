package dev.drkit.storage.s3.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.apache.http.HttpHost;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.protocol.HttpContext;

/**
 * The {@code https} socket factory of a client whose endpoint is plain {@code http}: it never
 * connects. Given to the HTTP client in place of its TLS factory, it spares the client setting up
 * TLS (a context, the JDK's trust store: about 0.1 s of a command's start) for connections it
 * does not make; a redirect to {@code https} fails naming the endpoint.
 */
final class PlainOnlySocketFactory implements ConnectionSocketFactory {
    private final String endpoint;

    /**
     * Creates the factory.
     *
     * @param endpoint the store's endpoint, for messages
     */
    PlainOnlySocketFactory(String endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public Socket createSocket(HttpContext context) throws IOException {
        throw refused();
    }

    @Override
    public Socket connectSocket(int connectTimeout, Socket socket, HttpHost host, InetSocketAddress remoteAddress,
            InetSocketAddress localAddress, HttpContext context) throws IOException {
        throw refused();
    }

    private IOException refused() {
        return new IOException("The S3 endpoint " + endpoint + " is plain http: this client makes no https "
                + "connections (use an https endpoint for TLS)");
    }
}
