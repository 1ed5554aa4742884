package dev.drkit.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.store.remote.RemoteStoreSettings;
import java.net.URI;
import java.time.Duration;
import dev.drkit.testkit.PropertyTests;
import org.junit.jupiter.api.Test;

class S3StoreConfigTest {

    @Test
    void readsEveryOptionFromTheUri() {
        S3StoreConfig config = S3StoreConfig.fromUri(URI.create("s3://backups/team/service-a?"
                + "endpoint=http://127.0.0.1:9000&region=eu-central-1&pathStyle=true&storageClass=standard_ia"
                + "&sse=kms&kmsKeyId=alias/dr&multipartThreshold=32MiB&partSize=8MiB&uploadConcurrency=6"
                + "&connectTimeout=2s&attemptTimeout=PT45S&maxAttempts=7&initialBackoff=50ms&maxBackoff=2s"));

        assertThat(config.bucket()).isEqualTo("backups");
        assertThat(config.prefix()).isEqualTo("team/service-a");
        assertThat(config.endpoint()).isEqualTo(URI.create("http://127.0.0.1:9000"));
        assertThat(config.region()).isEqualTo("eu-central-1");
        assertThat(config.pathStyle()).isTrue();
        assertThat(config.storageClass()).isEqualTo("STANDARD_IA");
        assertThat(config.encryption()).isEqualTo(S3Encryption.SSE_KMS);
        assertThat(config.kmsKeyId()).isEqualTo("alias/dr");
        assertThat(config.multipartThreshold()).isEqualTo(32L << 20);
        assertThat(config.partSize()).isEqualTo(8 << 20);
        assertThat(config.settings().uploadConcurrency()).isEqualTo(6);
        assertThat(config.settings().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.settings().attemptTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.settings().maxAttempts()).isEqualTo(7);
        assertThat(config.settings().initialBackoff()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.settings().maxBackoff()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.describe()).isEqualTo("s3://backups/team/service-a?endpoint=http://127.0.0.1:9000"
                + "&region=eu-central-1&pathStyle=true");
    }

    @Test
    void defaultsApplyToABareUri() {
        S3StoreConfig config = S3StoreConfig.fromUri(URI.create("s3://backups"));

        assertThat(config.prefix()).isEmpty();
        assertThat(config.endpoint()).isNull();
        assertThat(config.pathStyle()).isFalse();
        assertThat(config.encryption()).isEqualTo(S3Encryption.NONE);
        assertThat(config.multipartThreshold()).isEqualTo(S3StoreConfig.DEFAULT_MULTIPART_THRESHOLD);
        assertThat(config.settings().maxAttempts()).isEqualTo(RemoteStoreSettings.DEFAULT_MAX_ATTEMPTS);
    }

    @Test
    void anUnknownOptionIsNamedWithTheKnownOnes() {
        assertThatThrownBy(() -> S3StoreConfig.fromUri(URI.create("s3://backups/p?regoin=eu-west-1")))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).contains("'regoin'").contains("region");
                });
    }

    @Test
    void badValuesNameTheOptionAndTheValue() {
        assertThatThrownBy(() -> S3StoreConfig.fromUri(URI.create("s3://backups/p?maxAttempts=0")))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).contains("maxAttempts must be between 1 and 20, but was 0");
                });
        assertThatThrownBy(() -> S3StoreConfig.fromUri(URI.create("s3://backups/p?partSize=lots")))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("partSize"));
        assertThatThrownBy(() -> S3StoreConfig.fromUri(URI.create("s3://backups/p?sse=rot13")))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("rot13"));
        assertThatThrownBy(() -> S3StoreConfig.fromUri(URI.create("s3://Bad_Bucket/p")))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG));
        assertThatThrownBy(() -> S3StoreConfig.fromUri(URI.create("s3://backups/p?endpoint=ftp://host")))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("endpoint"));
    }

    @Test
    void credentialsInTheUriAreRefusedAndNeverEchoed() {
        assertThatThrownBy(() -> S3StoreConfig.fromUri(URI.create("s3://AKIAEXAMPLE:topsecret@backups/p")))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).doesNotContain("topsecret").doesNotContain("AKIAEXAMPLE");
                });
        assertThatThrownBy(() -> S3StoreConfig.fromUri(URI.create("s3://backups/p?secretKey=topsecret")))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).doesNotContain("topsecret"));
    }

    @Test
    void aSettingGivenTwiceIsRefused() {
        assertThatThrownBy(() -> S3StoreConfig.builder("backups").region("a").region("b"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("region"));
        assertThatThrownBy(() -> S3StoreConfig.fromUri(URI.create("s3://backups/p?region=a&region=b")))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG));
    }

    @Test
    void contradictorySettingsAreRefused() {
        assertThatThrownBy(() -> S3StoreConfig.builder("backups").kmsKeyId("k").build())
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("kmsKeyId"));
        assertThatThrownBy(() -> S3StoreConfig.builder("backups").multipartThreshold(6 << 20).partSize(8 << 20).build())
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage()).contains("partSize"));
        assertThatThrownBy(() -> S3StoreConfig.builder("backups").partSize(1024))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("partSize must be >= 5242880, but was 1024"));
    }

    @Test
    void toBuilderKeepsEverySetting() {
        S3StoreConfig config = S3StoreConfig.builder("backups").prefix("p").region("us-west-2")
                .encryption(S3Encryption.SSE_S3).maxAttempts(3).build();
        S3StoreConfig copy = config.toBuilder().uploadConcurrency(2).build();

        assertThat(copy.describe()).isEqualTo(config.describe());
        assertThat(copy.region()).isEqualTo("us-west-2");
        assertThat(copy.encryption()).isEqualTo(S3Encryption.SSE_S3);
        assertThat(copy.settings().maxAttempts()).isEqualTo(3);
        assertThat(copy.settings().uploadConcurrency()).isEqualTo(2);
    }

    @Test
    void everyConfigurationSurvivesTheTripThroughItsUri() {
        PropertyTests.qt(200).forAll(
                strings().betweenCodePoints('a', 'z').ofLengthBetween(3, 20),
                lists().of(strings().betweenCodePoints('a', 'z').ofLengthBetween(1, 6)).ofSizeBetween(0, 3),
                integers().between(5, 64),
                integers().between(0, 64 * 20 - 1))
                .checkAssert((bucket, segments, partMiB, mixed) -> {
                    int extraMiB = mixed % 64;
                    int attempts = 1 + mixed / 64;
                    String prefix = String.join("/", segments);
                    URI uri = URI.create("s3://" + bucket + "/" + prefix + "?endpoint=http://127.0.0.1:9000"
                            + "&partSize=" + partMiB + "MiB&multipartThreshold=" + (partMiB + extraMiB) + "MiB"
                            + "&maxAttempts=" + attempts + "&pathStyle=true");

                    S3StoreConfig config = S3StoreConfig.fromUri(uri);
                    assertThat(config.bucket()).isEqualTo(bucket);
                    assertThat(config.prefix()).isEqualTo(prefix);
                    assertThat(config.partSize()).isEqualTo(partMiB << 20);
                    assertThat(config.multipartThreshold()).isEqualTo((long) (partMiB + extraMiB) << 20);
                    assertThat(config.settings().maxAttempts()).isEqualTo(attempts);

                    S3StoreConfig again = S3StoreConfig.fromUri(URI.create(config.describe()));
                    assertThat(again.describe()).isEqualTo(config.describe());
                    assertThat(again.endpoint()).isEqualTo(config.endpoint());
                });
    }
}
