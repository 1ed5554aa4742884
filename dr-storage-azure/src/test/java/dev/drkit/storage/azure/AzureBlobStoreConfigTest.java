package dev.drkit.storage.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AzureBlobStoreConfigTest {
    private static final String SECRET_KEY = "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ==";
    private static final Map<String, String> CONNECTION = Map.of(AzureBlobStoreConfig.CONNECTION_STRING_VARIABLE,
            "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=" + SECRET_KEY
                    + ";EndpointSuffix=core.windows.net");

    @Test
    void readsTheConnectionStringFromTheEnvironment() {
        AzureBlobStoreConfig config = AzureBlobStoreConfig.fromUri(URI.create("azblob://backups/team/orders?"
                + "accessTier=cool&singleUploadThreshold=32MiB&blockSize=4MiB&uploadConcurrency=8"
                + "&attemptTimeout=30s&maxAttempts=3&initialBackoff=100ms&maxBackoff=1s&connectTimeout=PT2S"),
                CONNECTION);

        assertThat(config.container()).isEqualTo("backups");
        assertThat(config.prefix()).isEqualTo("team/orders");
        assertThat(config.connectionString()).contains("AccountName=acme");
        assertThat(config.accessTier()).isEqualTo("Cool");
        assertThat(config.singleUploadThreshold()).isEqualTo(32L << 20);
        assertThat(config.blockSize()).isEqualTo(4 << 20);
        assertThat(config.settings().uploadConcurrency()).isEqualTo(8);
        assertThat(config.settings().attemptTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.settings().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.settings().maxAttempts()).isEqualTo(3);
        assertThat(config.describe()).isEqualTo("azblob://backups/team/orders?endpoint=https://acme.blob.core.windows.net");
        assertThat(config.toString()).doesNotContain(SECRET_KEY);
    }

    @Test
    void anEndpointTakesTheAccountKeyAndNamesTheAccount() {
        AzureBlobStoreConfig emulator = AzureBlobStoreConfig.fromUri(
                URI.create("azblob://backups/p?endpoint=http://127.0.0.1:10000/devstoreaccount1"),
                Map.of("AZURE_STORAGE_KEY", SECRET_KEY));
        AzureBlobStoreConfig cloud = AzureBlobStoreConfig.fromUri(
                URI.create("azblob://backups/p?endpoint=https://acme.blob.core.windows.net"),
                Map.of("AZURE_STORAGE_KEY", SECRET_KEY));
        AzureBlobStoreConfig sas = AzureBlobStoreConfig.fromUri(
                URI.create("azblob://backups/p?endpoint=https://acme.blob.core.windows.net"),
                Map.of("AZURE_STORAGE_SAS_TOKEN", "sv=2024&sig=abc"));

        assertThat(emulator.accountName()).isEqualTo("devstoreaccount1");
        assertThat(cloud.accountName()).isEqualTo("acme");
        assertThat(sas.sasToken()).isEqualTo("sv=2024&sig=abc");
        assertThat(cloud.describe()).isEqualTo("azblob://backups/p?endpoint=https://acme.blob.core.windows.net");
    }

    @Test
    void noCredentialsNameTheVariablesToSet() {
        assertThatThrownBy(() -> AzureBlobStoreConfig.fromUri(URI.create("azblob://backups/p"), Map.of()))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).contains("AZURE_STORAGE_CONNECTION_STRING");
                });
    }

    @Test
    void aKeyWithoutAnEndpointSaysTheEndpointIsMissing() {
        assertThatThrownBy(() -> AzureBlobStoreConfig.fromUri(URI.create("azblob://backups/p"),
                Map.of("AZURE_STORAGE_ACCOUNT", "acme", "AZURE_STORAGE_KEY", SECRET_KEY)))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).startsWith("No endpoint for azblob://backups/p")
                            .contains("AZURE_STORAGE_KEY is set").contains("?endpoint=https://acme.blob.core.windows.net")
                            .doesNotContain(SECRET_KEY);
                });
    }

    @Test
    void anAccountKeyNotInBase64NamesTheVariableAndNotTheValue() {
        assertThatThrownBy(() -> AzureBlobStoreConfig.fromUri(
                URI.create("azblob://backups/p?endpoint=http://127.0.0.1:10000/devstoreaccount1"),
                Map.of("AZURE_STORAGE_KEY", "not base64!secret")))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).contains("AZURE_STORAGE_KEY").contains("base64")
                            .doesNotContain("not base64!secret");
                });
        assertThatThrownBy(() -> AzureBlobStoreConfig.builder("backups")
                .endpoint(URI.create("http://127.0.0.1:10000/devstoreaccount1")).sharedKey("acme", "not base64!"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("sharedKey"));
    }

    @Test
    void badOptionsAreNamed() {
        assertThatThrownBy(() -> AzureBlobStoreConfig.fromUri(URI.create("azblob://backups/p?tier=hot"), CONNECTION))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("'tier'")
                        .contains("accessTier"));
        assertThatThrownBy(() -> AzureBlobStoreConfig.fromUri(URI.create("azblob://backups/p?accessTier=warm"),
                CONNECTION))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).contains("accessTier must be Hot, Cool, Cold or Archive, but was warm");
                });
        assertThatThrownBy(() -> AzureBlobStoreConfig.fromUri(URI.create("azblob://Not_Valid/p"), CONNECTION))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG));
        assertThatThrownBy(() -> AzureBlobStoreConfig.fromUri(
                URI.create("azblob://backups/p?endpoint=https://acme.blob.core.windows.net?sig=topsecret"), CONNECTION))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).doesNotContain("topsecret"));
    }

    @Test
    void credentialsMustBeExactlyOne() {
        assertThatThrownBy(() -> AzureBlobStoreConfig.builder("backups").build())
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("credentials"));
        assertThatThrownBy(() -> AzureBlobStoreConfig.builder("backups").endpoint(URI.create("https://a.blob.x"))
                .sharedKey("a", SECRET_KEY).sasToken("s").build())
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("exactly one"));
        assertThatThrownBy(() -> AzureBlobStoreConfig.builder("backups").connectionString("A=b").sasToken("s").build())
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    @Test
    void aSettingGivenTwiceIsRefused() {
        assertThatThrownBy(() -> AzureBlobStoreConfig.builder("backups").maxAttempts(2).maxAttempts(3))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("maxAttempts"));
    }
}
