package dev.drkit.storage.s3;

import static dev.drkit.core.store.remote.RemoteStoreUri.set;

import dev.drkit.api.DrException;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.StoreKeys;
import dev.drkit.core.store.UriOptions;
import dev.drkit.core.store.remote.RemoteStoreBuilder;
import dev.drkit.core.store.remote.RemoteStoreSettings;
import dev.drkit.core.store.remote.RemoteStoreUri;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The immutable settings of an S3 store: where its objects live, how they are written and, in
 * {@link RemoteStoreSettings}, how hard the store tries before it gives up.
 *
 * <p>Build one in code with {@link #builder(String)} or read one from a URI with
 * {@link #fromUri(URI)}, such as
 * {@code s3://backups/service-a?endpoint=http://127.0.0.1:9000&region=us-east-1&pathStyle=true}.
 * Credentials come from the AWS SDK's default provider chain (environment variables
 * {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}, system properties, profiles,
 * container and instance roles) unless {@link Builder#credentials} names a provider; they are
 * never read from the URI.
 *
 * @param bucket the bucket's name, 3 to 63 lowercase letters, digits, dots and hyphens
 * @param prefix the prefix of the store's objects, without leading or trailing {@code /}, or empty
 * @param endpoint the endpoint of an S3-compatible server, or null for AWS itself
 * @param region the region, or null to take it from the SDK's region provider chain
 * @param pathStyle true when requests address the bucket in the path rather than the host name
 * @param storageClass the storage class of written objects, such as {@code STANDARD_IA}, or null
 * @param encryption the server-side encryption
 * @param kmsKeyId the KMS key id or ARN for {@link S3Encryption#SSE_KMS}, or null for the default
 * @param multipartThreshold the size in bytes above which objects are uploaded in parts, at
 *     least {@link #MIN_PART_SIZE}
 * @param partSize the size in bytes of each part of a multipart upload, at least
 *     {@link #MIN_PART_SIZE} and at most {@code multipartThreshold}
 * @param settings timeouts, attempts, backoff, circuit breaker, upload concurrency and meters
 * @param credentials the credentials provider given in code, or null for the SDK's default chain
 */
public record S3StoreConfig(String bucket, String prefix, @Nullable URI endpoint, @Nullable String region,
        boolean pathStyle, @Nullable String storageClass, S3Encryption encryption, @Nullable String kmsKeyId,
        long multipartThreshold, int partSize, RemoteStoreSettings settings,
        @Nullable AwsCredentialsProvider credentials) {
    /**
     * Objects larger than this are uploaded in parts: 64 MiB. A repository's packs (16 MiB and a
     * little more) go up as single requests: a multipart upload of one costs three more round
     * trips and, on servers that store parts as files, a second write of the whole pack.
     */
    public static final long DEFAULT_MULTIPART_THRESHOLD = 64L << 20;
    /** The size of each part of a multipart upload: 8 MiB. */
    public static final int DEFAULT_PART_SIZE = 8 << 20;
    /** The smallest part S3 accepts (except the last): 5 MiB. */
    public static final int MIN_PART_SIZE = 5 << 20;

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]");
    private static final Set<String> OPTIONS = Set.of("region", "pathStyle", "storageClass", "sse", "kmsKeyId",
            "multipartThreshold", "partSize");

    /**
     * Validates every setting and upper-cases the storage class.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming the setting out of range or in
     *     contradiction; {@code INVALID_KEY} for an invalid prefix
     */
    public S3StoreConfig {
        requireBucket(bucket);
        if (!prefix.isEmpty()) {
            StoreKeys.requireValidKey(prefix);
        }
        notBlank("region", region);
        storageClass = storageClass == null ? null : notBlank("storageClass", storageClass).toUpperCase(Locale.ROOT);
        Objects.requireNonNull(encryption, "encryption");
        notBlank("kmsKeyId", kmsKeyId);
        atLeastOnePart("multipartThreshold", multipartThreshold);
        atLeastOnePart("partSize", partSize);
        Objects.requireNonNull(settings, "settings");
        if (kmsKeyId != null && encryption != S3Encryption.SSE_KMS) {
            throw DrException.invalidArgument("kmsKeyId", "needs encryption SSE_KMS", "set with " + encryption);
        }
        if (partSize > multipartThreshold) {
            throw DrException.invalidArgument("partSize", "must be <= multipartThreshold (" + multipartThreshold + ")",
                    partSize);
        }
    }

    /**
     * Starts a configuration for a bucket.
     *
     * @param bucket the bucket's name, 3 to 63 lowercase letters, digits, dots and hyphens
     * @return a builder with every other setting at its default
     * @throws DrException {@code INVALID_ARGUMENT} for an invalid bucket name
     */
    public static Builder builder(String bucket) {
        return new Builder(bucket);
    }

    /**
     * Reads a configuration from an {@code s3://bucket/prefix?option=value&...} URI.
     *
     * <p>Options: {@code endpoint} (URL of an S3-compatible server), {@code region},
     * {@code pathStyle} (true for most S3-compatible servers), {@code storageClass} (such as
     * {@code STANDARD_IA}), {@code sse} ({@code none}, {@code s3} or {@code kms}),
     * {@code kmsKeyId}, {@code multipartThreshold} and {@code partSize} (bytes, or with KiB,
     * MiB, GiB), and those of {@link RemoteStoreSettings}: {@code uploadConcurrency},
     * {@code connectTimeout} and {@code attemptTimeout} (such as {@code 30s} or {@code PT30S}),
     * {@code maxAttempts}, {@code initialBackoff}, {@code maxBackoff}.
     *
     * @param uri the URI
     * @return the configuration
     * @throws DrException {@code INVALID_CONFIG} naming the part of the URI that is wrong, with
     *     secrets removed
     */
    public static S3StoreConfig fromUri(URI uri) {
        return RemoteStoreUri.read(uri, "s3", "bucket",
                "use the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or a profile", OPTIONS, read -> {
                    UriOptions options = read.options();
                    Builder b = builder(read.container()).prefix(read.prefix());
                    set(read.endpoint(), b::endpoint);
                    set(options.string("region"), b::region);
                    set(options.bool("pathStyle"), b::pathStyle);
                    set(options.string("storageClass"), b::storageClass);
                    set(options.string("sse"), sse -> b.encryption(switch (sse.toLowerCase(Locale.ROOT)) {
                        case "none" -> S3Encryption.NONE;
                        case "s3", "aes256", "sse-s3" -> S3Encryption.SSE_S3;
                        case "kms", "aws:kms", "sse-kms" -> S3Encryption.SSE_KMS;
                        default -> throw options.invalid("sse", "must be none, s3 or kms, but was " + sse);
                    }));
                    set(options.string("kmsKeyId"), b::kmsKeyId);
                    set(options.size("multipartThreshold"), b::multipartThreshold);
                    set(read.intSize("partSize"), b::partSize);
                    return read.settings(b).build();
                });
    }

    /**
     * Returns the store's location as a URI with no credentials, for messages: with the region
     * and path-style addressing when set, so that the URI copied from a message into a command
     * reaches the same server.
     *
     * @return such as {@code s3://bucket/prefix?endpoint=http://127.0.0.1:9000&pathStyle=true}
     */
    public String describe() {
        String uri = RemoteStoreUri.describe("s3", bucket, prefix, endpoint == null ? null : RedactedUri.of(endpoint));
        String options = (region == null ? "" : "&region=" + region) + (pathStyle ? "&pathStyle=true" : "");
        if (options.isEmpty()) {
            return uri;
        }
        return uri + (endpoint == null ? "?" + options.substring(1) : options);
    }

    /**
     * Returns a builder that starts from this configuration.
     *
     * @return a builder whose settings may each be changed once
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public String toString() {
        return "S3StoreConfig[" + describe() + "]";
    }

    private static String requireBucket(String bucket) {
        if (!BUCKET.matcher(Objects.requireNonNull(bucket, "bucket")).matches() || bucket.contains("..")) {
            throw DrException.invalidArgument("bucket", "must be 3 to 63 lowercase letters, digits, dots and hyphens",
                    bucket);
        }
        return bucket;
    }

    private static @Nullable String notBlank(String field, @Nullable String value) {
        if (value != null && value.isBlank()) {
            throw DrException.invalidArgument(field, "must not be empty", "\"\"");
        }
        return value;
    }

    private static long atLeastOnePart(String field, long bytes) {
        if (bytes < MIN_PART_SIZE) {
            throw DrException.invalidArgument(field, "must be >= " + MIN_PART_SIZE, bytes);
        }
        return bytes;
    }

    /**
     * Builds an {@link S3StoreConfig}; each setting may be given once. The prefix and the shared
     * {@link RemoteStoreSettings} are set through the methods of {@link RemoteStoreBuilder}.
     */
    public static final class Builder extends RemoteStoreBuilder<Builder> {
        private final String bucket;
        private @Nullable URI endpoint;
        private @Nullable String region;
        private boolean pathStyle;
        private @Nullable String storageClass;
        private S3Encryption encryption = S3Encryption.NONE;
        private @Nullable String kmsKeyId;
        private long multipartThreshold = DEFAULT_MULTIPART_THRESHOLD;
        private int partSize = DEFAULT_PART_SIZE;
        private @Nullable AwsCredentialsProvider credentials;

        private Builder(String bucket) {
            this.bucket = requireBucket(bucket);
        }

        private Builder(S3StoreConfig base) {
            this(base.bucket);
            from(base.prefix, base.settings);
            endpoint = base.endpoint;
            region = base.region;
            pathStyle = base.pathStyle;
            storageClass = base.storageClass;
            encryption = base.encryption;
            kmsKeyId = base.kmsKeyId;
            multipartThreshold = base.multipartThreshold;
            partSize = base.partSize;
            credentials = base.credentials;
        }

        /**
         * Sets the endpoint of an S3-compatible server.
         *
         * @param endpoint such as {@code http://127.0.0.1:9000}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder endpoint(URI endpoint) {
            once("endpoint");
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /**
         * Sets the region.
         *
         * @param region such as {@code eu-central-1}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for an empty region
         */
        public Builder region(String region) {
            once("region");
            this.region = notBlank("region", Objects.requireNonNull(region, "region"));
            return this;
        }

        /**
         * Chooses path-style requests ({@code http://host/bucket/key}).
         *
         * @param pathStyle true for path-style
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder pathStyle(boolean pathStyle) {
            once("pathStyle");
            this.pathStyle = pathStyle;
            return this;
        }

        /**
         * Sets the storage class of written objects.
         *
         * @param storageClass such as {@code STANDARD_IA}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for an empty class
         */
        public Builder storageClass(String storageClass) {
            once("storageClass");
            this.storageClass = notBlank("storageClass", Objects.requireNonNull(storageClass, "storageClass"));
            return this;
        }

        /**
         * Sets server-side encryption.
         *
         * @param encryption the mode
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder encryption(S3Encryption encryption) {
            once("encryption");
            this.encryption = Objects.requireNonNull(encryption, "encryption");
            return this;
        }

        /**
         * Names the KMS key for {@link S3Encryption#SSE_KMS}.
         *
         * @param kmsKeyId a key id or ARN
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for an empty id
         */
        public Builder kmsKeyId(String kmsKeyId) {
            once("kmsKeyId");
            this.kmsKeyId = notBlank("kmsKeyId", Objects.requireNonNull(kmsKeyId, "kmsKeyId"));
            return this;
        }

        /**
         * Sets the size above which objects are uploaded in parts.
         *
         * @param bytes at least {@link #MIN_PART_SIZE}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for a smaller value
         */
        public Builder multipartThreshold(long bytes) {
            once("multipartThreshold");
            this.multipartThreshold = atLeastOnePart("multipartThreshold", bytes);
            return this;
        }

        /**
         * Sets the size of the parts of a multipart upload.
         *
         * @param bytes at least {@link #MIN_PART_SIZE}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for a smaller value
         */
        public Builder partSize(int bytes) {
            once("partSize");
            this.partSize = (int) atLeastOnePart("partSize", bytes);
            return this;
        }

        /**
         * Sets the credentials instead of the SDK's default chain.
         *
         * @param provider such as {@code StaticCredentialsProvider.create(...)}
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder credentials(AwsCredentialsProvider provider) {
            once("credentials");
            this.credentials = Objects.requireNonNull(provider, "credentials");
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @return the configuration
         * @throws DrException {@code INVALID_ARGUMENT} for settings that contradict each other
         */
        public S3StoreConfig build() {
            return new S3StoreConfig(bucket, prefix(), endpoint, region, pathStyle, storageClass, encryption,
                    kmsKeyId, multipartThreshold, partSize, settings(), credentials);
        }
    }
}
