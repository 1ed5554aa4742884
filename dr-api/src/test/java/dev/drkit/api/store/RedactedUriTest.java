package dev.drkit.api.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RedactedUriTest {
    @Test
    void userInformationIsDropped() {
        assertThat(RedactedUri.of(URI.create("s3://AKIA:s3cr3t@bucket/repo"))).isEqualTo("s3://bucket/repo");
    }

    @Test
    void secretQueryValuesAreMaskedAndOthersKept() {
        String text = RedactedUri.of(URI.create(
                "azblob://c/p?endpoint=http://127.0.0.1:10000&accountKey=abc&sig=def&sv=2024&region=eu&sessionToken=t"));
        assertThat(text).contains("endpoint=http://127.0.0.1:10000", "region=eu", "sv=2024",
                "accountKey=***", "sig=***", "sessionToken=***").doesNotContain("abc", "def", "=t");
    }

    @Test
    void opaqueUrisKeepTheirSchemeAndPath() {
        assertThat(RedactedUri.of(URI.create("mem:test"))).isEqualTo("mem:test");
        assertThat(RedactedUri.of(URI.create("file:relative/dir"))).isEqualTo("file:relative/dir");
    }

    @Test
    void unparsableTextIsCutBeforeAnythingSecret() {
        assertThat(RedactedUri.of("s3://bucket/a b?password=pw")).isEqualTo("s3://bucket/a b...");
    }

    @Test
    void userInformationOfAUriGivenAsAParameterValueIsMasked() {
        assertThat(RedactedUri.of("s3://b/r?endpoint=http://proxy:pw@10.0.0.1:9000/x&region=eu"))
                .isEqualTo("s3://b/r?endpoint=http://***@10.0.0.1:9000/x&region=eu");
        assertThat(RedactedUri.of("s3://b/r?endpoint=http%3A%2F%2Fproxy%3Apw%40host%3A9000"))
                .isEqualTo("s3://b/r?endpoint=http://***@host:9000");
        assertThat(RedactedUri.of("s3://b/r?endpoint=http://host:9000/a@b&region=eu"))
                .as("an @ in the path is not user information").isEqualTo("s3://b/r?endpoint=http://host:9000/a@b&region=eu");
        assertThat(RedactedUri.of("s3://b/r?endpoint=http%3A%2F%2Fhost%3A9000")).isEqualTo("s3://b/r?endpoint=http%3A%2F%2Fhost%3A9000");
    }
}
