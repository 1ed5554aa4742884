package dev.drkit.core.store.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RemoteStoreSettingsTest {

    /** The smallest store builder: the shared part and a name. */
    static final class TestBuilder extends RemoteStoreBuilder<TestBuilder> {
        RemoteStoreSettings build() {
            return settings();
        }
    }

    private static RemoteStoreSettings read(String uri) {
        return RemoteStoreUri.read(URI.create(uri), "t", "bucket", "use the environment", Set.of("own"),
                read -> {
                    read.options().string("own");
                    return read.settings(new TestBuilder()).build();
                });
    }

    @Test
    void theCompactConstructorNamesTheFieldOutOfRange() {
        RemoteStoreSettings d = RemoteStoreSettings.DEFAULT;
        assertThatThrownBy(() -> new RemoteStoreSettings(d.connectTimeout(), Duration.ZERO, 5, d.initialBackoff(),
                d.maxBackoff(), d.circuitBreaker(), 4, null))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("attemptTimeout must be > 0, but was PT0S"));
        assertThatThrownBy(() -> new RemoteStoreSettings(d.connectTimeout(), d.attemptTimeout(), 5,
                Duration.ofSeconds(2), Duration.ofSeconds(1), d.circuitBreaker(), 65, null))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage())
                        .startsWith("uploadConcurrency must be between 1 and 64"));
        assertThatThrownBy(() -> new TestBuilder().initialBackoff(Duration.ofSeconds(2))
                .maxBackoff(Duration.ofSeconds(1)).build())
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("maxBackoff must be >= initialBackoff (PT2S), but was PT1S"));
    }

    @Test
    void theBuilderRefusesASettingGivenTwiceAlsoThroughTheWholeSettings() {
        assertThatThrownBy(() -> new TestBuilder().maxAttempts(2).settings(RemoteStoreSettings.DEFAULT))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("maxAttempts"));
        assertThat(new TestBuilder().settings(RemoteStoreSettings.DEFAULT).build())
                .isEqualTo(RemoteStoreSettings.DEFAULT);
    }

    @Test
    void theUriOptionsOfTheSharedSettingsAreRead() {
        RemoteStoreSettings settings = read("t://b/p?maxAttempts=3&connectTimeout=2s&attemptTimeout=PT9S"
                + "&initialBackoff=10ms&maxBackoff=1s&uploadConcurrency=7&own=x");

        assertThat(settings).isEqualTo(new RemoteStoreSettings(Duration.ofSeconds(2), Duration.ofSeconds(9), 3,
                Duration.ofMillis(10), Duration.ofSeconds(1), RemoteStoreSettings.DEFAULT_CIRCUIT_BREAKER, 7, null));
        assertThat(read("t://b")).isEqualTo(RemoteStoreSettings.DEFAULT);
    }

    @Test
    void uriErrorsNameTheOptionAndTheValueAndHideSecrets() {
        assertThatThrownBy(() -> read("t://b/p?maxAttempts=0&sig=topsecret"))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).contains("maxAttempts must be between 1 and 20, but was 0")
                            .doesNotContain("topsecret");
                });
        assertThatThrownBy(() -> read("t://b/p?maxAtempts=3"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage())
                        .contains("'maxAtempts'").contains("maxAttempts").contains("own"));
        assertThatThrownBy(() -> read("t://key:topsecret@b/p"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage())
                        .contains("must not carry credentials; use the environment").doesNotContain("topsecret"));
        assertThatThrownBy(() -> read("other://b/p"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).startsWith("Not an t://"));
    }

    @Test
    void theEndpointAndLargeSizesAreChecked() {
        RemoteStoreUri.read(URI.create("t://b/p/?endpoint=https://h.example:9000&part=3GiB&bad=ftp://h"), "t", "bucket",
                "", Set.of("part", "bad"), read -> {
                    assertThat(read.prefix()).isEqualTo("p");
                    assertThat(read.endpoint()).isEqualTo(URI.create("https://h.example:9000"));
                    assertThatThrownBy(() -> read.intSize("part")).isInstanceOfSatisfying(DrException.class,
                            e -> assertThat(e.getMessage()).contains("'part' must be below 2 GiB, but was 3221225472"));
                    read.options().string("bad");
                    return read;
                });
        assertThatThrownBy(() -> RemoteStoreUri.read(URI.create("t://b?endpoint=ftp://h"), "t", "bucket", "",
                Set.of(), RemoteStoreUri::endpoint))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage())
                        .contains("'endpoint' must be an http:// or https:// URL"));
    }
}
