package dev.drkit.storage.s3.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.apache.http.HttpHost;
import org.apache.http.protocol.BasicHttpContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PlainOnlySocketFactoryTest {
    @Test
    @DisplayName("the https factory of an http endpoint's client refuses to connect, naming the endpoint")
    void refusesHttpsNamingTheEndpoint() {
        PlainOnlySocketFactory factory = new PlainOnlySocketFactory("http://127.0.0.1:9000");
        assertThatThrownBy(() -> factory.createSocket(new BasicHttpContext())).isInstanceOf(IOException.class)
                .hasMessageContaining("http://127.0.0.1:9000").hasMessageContaining("https");
        assertThatThrownBy(() -> factory.connectSocket(1000, null, new HttpHost("127.0.0.1", 443, "https"),
                new InetSocketAddress("127.0.0.1", 443), null, new BasicHttpContext()))
                .isInstanceOf(IOException.class).hasMessageContaining("http://127.0.0.1:9000");
    }
}
