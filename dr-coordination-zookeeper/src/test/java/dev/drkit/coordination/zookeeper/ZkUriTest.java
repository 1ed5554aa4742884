package dev.drkit.coordination.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.coordination.zookeeper.internal.ZkUri;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code zookeeper://} URIs and connect strings: servers, chroot, connect timeout, and what is wrong named. */
class ZkUriTest {

    @Test
    void serversChrootAndTimeoutAreRead() {
        ZkUri u = ZkUri.parse(URI.create("zookeeper://zk1:2181,zk2:2182/dr/orders?connectTimeout=PT5S"));
        assertThat(u.servers()).isEqualTo("zk1:2181,zk2:2182");
        assertThat(u.namespace()).isEqualTo("dr/orders");
        assertThat(u.connectTimeout()).contains(Duration.ofSeconds(5));
        assertThat(ZkUri.parse(URI.create("zookeeper://127.0.0.1:2181?connectTimeout=1500")).connectTimeout())
                .contains(Duration.ofMillis(1500));
        assertThat(ZkUri.parse(URI.create("zookeeper://zk1:2181/")).namespace()).isNull();
        ZkUri plain = ZkUri.parseConnectString("zk1:2181,zk2:2181/orders");
        assertThat(plain.servers()).isEqualTo("zk1:2181,zk2:2181");
        assertThat(plain.namespace()).isEqualTo("orders");
    }

    @Test
    void malformedAddressesAreNamed() {
        for (String bad : new String[] {"zookeeper://zk1:70000/x", "zookeeper://zk1:2181,,zk2/x",
            "zookeeper://zk1:2181/a//b", "zookeeper://zk1:2181/x?timeout=5s", "zookeeper://zk1:2181/x?connectTimeout=soon",
            "zookeeper://user:secret@zk1:2181/x"}) {
            assertThatThrownBy(() -> ZkUri.parse(URI.create(bad))).as(bad).isInstanceOf(DrException.class)
                    .satisfies(e -> assertThat(((DrException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
        }
        assertThatThrownBy(() -> ZkUri.parseConnectString(" ")).isInstanceOf(DrException.class)
                .hasMessageContaining("connect string");
    }
}
