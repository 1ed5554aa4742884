package dev.drkit.storage.s3;

import dev.drkit.core.store.UriOptions;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.StoreKeys;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The immutable settings of an S3 store: where its objects live, how they are written and how
 * hard the store tries before it gives up.
 *
 * <p>Build one in code with {@link #builder(String)} or read one from a URI with
 * {@link #fromUri(URI)}, such as
 * {@code s3://backups/service-a?endpoint=http://127.0.0.1:9000&region=us-east-1&pathStyle=true}.
 * Credentials come from the AWS SDK's default provider chain (environment variables
 * {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}, system properties, profiles,
 * container and instance roles) unless {@link Builder#credentials} names a provider; they are
 * never read from the URI.
 */
public final class S3StoreConfig {
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
    /** How many parts of one object are uploaded at once: 4. */
    public static final int DEFAULT_UPLOAD_CONCURRENCY = 4;
    /** How long to wait for a connection: 5 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long one HTTP attempt may take before it is abandoned and retried: 60 seconds. */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(60);
    /** How many times a request is tried in all, the first included: 5. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    /** The wait before the first retry, doubled (with jitter) for each further one: 200 ms. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    /** The longest wait between two attempts: 5 seconds. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
    /**
     * The circuit breaker: it opens when half of the last 20 requests (at least 10) failed
     * transiently, refuses requests for 30 seconds, then lets 3 through to probe.
     */
    public static final CircuitBreakerConfig DEFAULT_CIRCUIT_BREAKER = CircuitBreakerConfig.custom()
            .failureRateThreshold(50)
            .slidingWindowSize(20)
            .minimumNumberOfCalls(10)
            .waitDurationInOpenState(Duration.ofSeconds(30))
            .permittedNumberOfCallsInHalfOpenState(3)
            .build();

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]");
    private static final Set<String> OPTIONS = Set.of("endpoint", "region", "pathStyle", "storageClass",
            "sse", "kmsKeyId", "multipartThreshold", "partSize", "uploadConcurrency", "connectTimeout",
            "attemptTimeout", "maxAttempts", "initialBackoff", "maxBackoff");

    private final String bucket;
    private final String prefix;
    private final @Nullable URI endpoint;
    private final @Nullable String region;
    private final boolean pathStyle;
    private final @Nullable String storageClass;
    private final S3Encryption encryption;
    private final @Nullable String kmsKeyId;
    private final long multipartThreshold;
    private final int partSize;
    private final int uploadConcurrency;
    private final Duration connectTimeout;
    private final Duration attemptTimeout;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final CircuitBreakerConfig circuitBreaker;
    private final @Nullable AwsCredentialsProvider credentials;
    private final @Nullable MeterRegistry meterRegistry;

    private S3StoreConfig(Builder b) {
        this.bucket = b.bucket;
        this.prefix = b.prefix;
        this.endpoint = b.endpoint;
        this.region = b.region;
        this.pathStyle = b.pathStyle;
        this.storageClass = b.storageClass;
        this.encryption = b.encryption;
        this.kmsKeyId = b.kmsKeyId;
        this.multipartThreshold = b.multipartThreshold;
        this.partSize = b.partSize;
        this.uploadConcurrency = b.uploadConcurrency;
        this.connectTimeout = b.connectTimeout;
        this.attemptTimeout = b.attemptTimeout;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.circuitBreaker = b.circuitBreaker;
        this.credentials = b.credentials;
        this.meterRegistry = b.meterRegistry;
        if (kmsKeyId != null && encryption != S3Encryption.SSE_KMS) {
            throw DrException.invalidArgument("kmsKeyId", "needs encryption SSE_KMS", "set with " + encryption);
        }
        if (partSize > multipartThreshold) {
            throw DrException.invalidArgument("partSize", "must be <= multipartThreshold (" + multipartThreshold + ")",
                    partSize);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw DrException.invalidArgument("maxBackoff", "must be >= initialBackoff (" + initialBackoff + ")",
                    maxBackoff);
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
     * MiB, GiB), {@code uploadConcurrency}, {@code connectTimeout} and {@code attemptTimeout}
     * (such as {@code 30s} or {@code PT30S}), {@code maxAttempts}, {@code initialBackoff},
     * {@code maxBackoff}.
     *
     * @param uri the URI
     * @return the configuration
     * @throws DrException {@code INVALID_CONFIG} naming the part of the URI that is wrong, with
     *     secrets removed
     */
    public static S3StoreConfig fromUri(URI uri) {
        Objects.requireNonNull(uri, "uri");
        String where = RedactedUri.of(uri);
        if (!"s3".equalsIgnoreCase(uri.getScheme())) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "Not an s3:// URI: " + where, where);
        }
        if (uri.getRawUserInfo() != null) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "An s3:// URI must not carry credentials; use the "
                    + "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or a profile: " + where, where);
        }
        String bucket = uri.getHost() != null ? uri.getHost() : uri.getAuthority();
        if (bucket == null || bucket.isEmpty()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "An s3:// URI needs a bucket, as in s3://bucket/prefix: "
                    + where, where);
        }
        UriOptions options = UriOptions.of(uri);
        try {
            Builder b = builder(bucket).prefix(trimSlashes(uri.getPath() == null ? "" : uri.getPath()));
            String endpoint = options.string("endpoint");
            if (endpoint != null) {
                b.endpoint(parseEndpoint(options, endpoint));
            }
            String region = options.string("region");
            if (region != null) {
                b.region(region);
            }
            Boolean pathStyle = options.bool("pathStyle");
            if (pathStyle != null) {
                b.pathStyle(pathStyle);
            }
            String storageClass = options.string("storageClass");
            if (storageClass != null) {
                b.storageClass(storageClass);
            }
            String sse = options.string("sse");
            if (sse != null) {
                b.encryption(switch (sse.toLowerCase(Locale.ROOT)) {
                    case "none" -> S3Encryption.NONE;
                    case "s3", "aes256", "sse-s3" -> S3Encryption.SSE_S3;
                    case "kms", "aws:kms", "sse-kms" -> S3Encryption.SSE_KMS;
                    default -> throw options.invalid("sse", "must be none, s3 or kms, but was " + sse);
                });
            }
            String kmsKeyId = options.string("kmsKeyId");
            if (kmsKeyId != null) {
                b.kmsKeyId(kmsKeyId);
            }
            Long threshold = options.size("multipartThreshold");
            if (threshold != null) {
                b.multipartThreshold(threshold);
            }
            Long partSize = options.size("partSize");
            if (partSize != null) {
                if (partSize > Integer.MAX_VALUE) {
                    throw options.invalid("partSize", "must be below 2 GiB, but was " + partSize);
                }
                b.partSize(partSize.intValue());
            }
            Integer concurrency = options.integer("uploadConcurrency");
            if (concurrency != null) {
                b.uploadConcurrency(concurrency);
            }
            Duration connectTimeout = options.duration("connectTimeout");
            if (connectTimeout != null) {
                b.connectTimeout(connectTimeout);
            }
            Duration attemptTimeout = options.duration("attemptTimeout");
            if (attemptTimeout != null) {
                b.attemptTimeout(attemptTimeout);
            }
            Integer maxAttempts = options.integer("maxAttempts");
            if (maxAttempts != null) {
                b.maxAttempts(maxAttempts);
            }
            Duration initialBackoff = options.duration("initialBackoff");
            if (initialBackoff != null) {
                b.initialBackoff(initialBackoff);
            }
            Duration maxBackoff = options.duration("maxBackoff");
            if (maxBackoff != null) {
                b.maxBackoff(maxBackoff);
            }
            options.requireAllRead(OPTIONS);
            return b.build();
        } catch (DrException e) {
            if (e.code() == ErrorCode.INVALID_CONFIG) {
                throw e;
            }
            throw new DrException(ErrorCode.INVALID_CONFIG, e.getMessage() + " in " + where, where, e);
        }
    }

    private static URI parseEndpoint(UriOptions options, String endpoint) {
        try {
            URI parsed = new URI(endpoint);
            if (parsed.getScheme() == null || parsed.getHost() == null
                    || !(parsed.getScheme().equals("http") || parsed.getScheme().equals("https"))) {
                throw options.invalid("endpoint", "must be an http:// or https:// URL, but was "
                        + RedactedUri.of(endpoint));
            }
            return parsed;
        } catch (java.net.URISyntaxException e) {
            throw options.invalid("endpoint", "is not a URL: " + RedactedUri.of(endpoint));
        }
    }

    private static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }

    /**
     * Returns the bucket.
     *
     * @return the bucket's name
     */
    public String bucket() {
        return bucket;
    }

    /**
     * Returns the prefix under which the store keeps its objects.
     *
     * @return the prefix without leading or trailing {@code /}, or empty for the bucket's root
     */
    public String prefix() {
        return prefix;
    }

    /**
     * Returns the endpoint of an S3-compatible server.
     *
     * @return the endpoint, or null for AWS itself
     */
    public @Nullable URI endpoint() {
        return endpoint;
    }

    /**
     * Returns the region.
     *
     * @return the region, or null to take it from the SDK's region provider chain
     */
    public @Nullable String region() {
        return region;
    }

    /**
     * Tells whether requests address the bucket in the path rather than the host name.
     *
     * @return true for path-style requests
     */
    public boolean pathStyle() {
        return pathStyle;
    }

    /**
     * Returns the storage class written objects get.
     *
     * @return the class, such as {@code STANDARD_IA}, or null for the bucket's default
     */
    public @Nullable String storageClass() {
        return storageClass;
    }

    /**
     * Returns the server-side encryption.
     *
     * @return the encryption mode
     */
    public S3Encryption encryption() {
        return encryption;
    }

    /**
     * Returns the KMS key for SSE-KMS.
     *
     * @return the key id or ARN, or null for the account's default key
     */
    public @Nullable String kmsKeyId() {
        return kmsKeyId;
    }

    /**
     * Returns the size above which objects are uploaded in parts.
     *
     * @return the threshold in bytes
     */
    public long multipartThreshold() {
        return multipartThreshold;
    }

    /**
     * Returns the size of each part of a multipart upload.
     *
     * @return the part size in bytes
     */
    public int partSize() {
        return partSize;
    }

    /**
     * Returns how many parts of one object are uploaded at once.
     *
     * @return the number of parallel part uploads
     */
    public int uploadConcurrency() {
        return uploadConcurrency;
    }

    /**
     * Returns how long to wait for a connection.
     *
     * @return the connect timeout
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * Returns how long one HTTP attempt may take.
     *
     * @return the attempt timeout
     */
    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    /**
     * Returns how many times a request is tried in all.
     *
     * @return the attempts, the first included
     */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Returns the wait before the first retry.
     *
     * @return the initial backoff
     */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /**
     * Returns the longest wait between attempts.
     *
     * @return the maximum backoff
     */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * Returns the configuration of the store's circuit breaker.
     *
     * @return the breaker's configuration
     */
    public CircuitBreakerConfig circuitBreaker() {
        return circuitBreaker;
    }

    /**
     * Returns the credentials provider given in code.
     *
     * @return the provider, or null for the SDK's default chain
     */
    public @Nullable AwsCredentialsProvider credentials() {
        return credentials;
    }

    /**
     * Returns the registry that receives the store's metrics.
     *
     * @return the registry, or null for none
     */
    public @Nullable MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /**
     * Returns the store's location as a URI with no credentials, for messages.
     *
     * @return such as {@code s3://bucket/prefix?endpoint=http://127.0.0.1:9000}
     */
    public String describe() {
        StringBuilder out = new StringBuilder("s3://").append(bucket);
        if (!prefix.isEmpty()) {
            out.append('/').append(prefix);
        }
        if (endpoint != null) {
            out.append("?endpoint=").append(RedactedUri.of(endpoint));
        }
        return out.toString();
    }

    /**
     * Returns a builder that starts from this configuration.
     *
     * @return a builder whose settings may each be changed once
     */
    public Builder toBuilder() {
        Builder b = new Builder(bucket);
        b.prefix = prefix;
        b.endpoint = endpoint;
        b.region = region;
        b.pathStyle = pathStyle;
        b.storageClass = storageClass;
        b.encryption = encryption;
        b.kmsKeyId = kmsKeyId;
        b.multipartThreshold = multipartThreshold;
        b.partSize = partSize;
        b.uploadConcurrency = uploadConcurrency;
        b.connectTimeout = connectTimeout;
        b.attemptTimeout = attemptTimeout;
        b.maxAttempts = maxAttempts;
        b.initialBackoff = initialBackoff;
        b.maxBackoff = maxBackoff;
        b.circuitBreaker = circuitBreaker;
        b.credentials = credentials;
        b.meterRegistry = meterRegistry;
        return b;
    }

    @Override
    public String toString() {
        return "S3StoreConfig[" + describe() + "]";
    }

    /** Builds an {@link S3StoreConfig}; each setting may be given once. */
    public static final class Builder {
        private final Set<String> set = new HashSet<>();
        private final String bucket;
        private String prefix = "";
        private @Nullable URI endpoint;
        private @Nullable String region;
        private boolean pathStyle;
        private @Nullable String storageClass;
        private S3Encryption encryption = S3Encryption.NONE;
        private @Nullable String kmsKeyId;
        private long multipartThreshold = DEFAULT_MULTIPART_THRESHOLD;
        private int partSize = DEFAULT_PART_SIZE;
        private int uploadConcurrency = DEFAULT_UPLOAD_CONCURRENCY;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private CircuitBreakerConfig circuitBreaker = DEFAULT_CIRCUIT_BREAKER;
        private @Nullable AwsCredentialsProvider credentials;
        private @Nullable MeterRegistry meterRegistry;

        private Builder(String bucket) {
            Objects.requireNonNull(bucket, "bucket");
            if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
                throw DrException.invalidArgument("bucket",
                        "must be 3 to 63 lowercase letters, digits, dots and hyphens", bucket);
            }
            this.bucket = bucket;
        }

        private void once(String name) {
            if (!set.add(name)) {
                throw DrException.invalidArgument(name, "must be set only once", "set twice");
            }
        }

        /**
         * Sets the prefix under which the store keeps its objects.
         *
         * @param prefix a valid store key, or empty for the bucket's root
         * @return this builder
         * @throws DrException {@code INVALID_KEY} for an invalid prefix
         */
        public Builder prefix(String prefix) {
            once("prefix");
            if (!prefix.isEmpty()) {
                StoreKeys.requireValidKey(prefix);
            }
            this.prefix = prefix;
            return this;
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
            if (region.isBlank()) {
                throw DrException.invalidArgument("region", "must not be empty", "\"\"");
            }
            this.region = region;
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
            if (storageClass.isBlank()) {
                throw DrException.invalidArgument("storageClass", "must not be empty", "\"\"");
            }
            this.storageClass = storageClass.toUpperCase(Locale.ROOT);
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
            if (kmsKeyId.isBlank()) {
                throw DrException.invalidArgument("kmsKeyId", "must not be empty", "\"\"");
            }
            this.kmsKeyId = kmsKeyId;
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
            if (bytes < MIN_PART_SIZE) {
                throw DrException.invalidArgument("multipartThreshold", "must be >= " + MIN_PART_SIZE, bytes);
            }
            this.multipartThreshold = bytes;
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
            if (bytes < MIN_PART_SIZE) {
                throw DrException.invalidArgument("partSize", "must be >= " + MIN_PART_SIZE, bytes);
            }
            this.partSize = bytes;
            return this;
        }

        /**
         * Sets how many parts of one object are uploaded at once.
         *
         * @param parts 1 to 64
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} outside that range
         */
        public Builder uploadConcurrency(int parts) {
            once("uploadConcurrency");
            if (parts < 1 || parts > 64) {
                throw DrException.invalidArgument("uploadConcurrency", "must be between 1 and 64", parts);
            }
            this.uploadConcurrency = parts;
            return this;
        }

        /**
         * Sets how long to wait for a connection.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for zero or a negative duration
         */
        public Builder connectTimeout(Duration timeout) {
            once("connectTimeout");
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /**
         * Sets how long one HTTP attempt may take before it is abandoned (and retried).
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for zero or a negative duration
         */
        public Builder attemptTimeout(Duration timeout) {
            once("attemptTimeout");
            this.attemptTimeout = positive("attemptTimeout", timeout);
            return this;
        }

        /**
         * Sets how many times a request is tried in all, the first included.
         *
         * @param attempts 1 (no retries) to 20
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} outside that range
         */
        public Builder maxAttempts(int attempts) {
            once("maxAttempts");
            if (attempts < 1 || attempts > 20) {
                throw DrException.invalidArgument("maxAttempts", "must be between 1 and 20", attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * Sets the wait before the first retry.
         *
         * @param backoff a positive duration
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for zero or a negative duration
         */
        public Builder initialBackoff(Duration backoff) {
            once("initialBackoff");
            this.initialBackoff = positive("initialBackoff", backoff);
            return this;
        }

        /**
         * Sets the longest wait between attempts.
         *
         * @param backoff a positive duration
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} for zero or a negative duration
         */
        public Builder maxBackoff(Duration backoff) {
            once("maxBackoff");
            this.maxBackoff = positive("maxBackoff", backoff);
            return this;
        }

        /**
         * Sets the circuit breaker's configuration; only transient failures count against it.
         *
         * @param config the configuration
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder circuitBreaker(CircuitBreakerConfig config) {
            once("circuitBreaker");
            this.circuitBreaker = Objects.requireNonNull(config, "circuitBreaker");
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
         * Sends the store's metrics ({@code dr.store.*}) to a registry.
         *
         * @param registry the registry
         * @return this builder
         * @throws DrException {@code INVALID_ARGUMENT} when set twice
         */
        public Builder meterRegistry(MeterRegistry registry) {
            once("meterRegistry");
            this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @return the configuration
         * @throws DrException {@code INVALID_ARGUMENT} for settings that contradict each other
         */
        public S3StoreConfig build() {
            return new S3StoreConfig(this);
        }

        private static Duration positive(String field, Duration value) {
            Objects.requireNonNull(value, field);
            if (value.isZero() || value.isNegative()) {
                throw DrException.invalidArgument(field, "must be > 0", value);
            }
            return value;
        }
    }
}
