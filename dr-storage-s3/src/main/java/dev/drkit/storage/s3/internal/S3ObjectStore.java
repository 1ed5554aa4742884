package dev.drkit.storage.s3.internal;

import dev.drkit.core.store.remote.RemoteObjectStore;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.StoreKeys;
import dev.drkit.api.store.StoredObject;
import dev.drkit.storage.s3.S3Encryption;
import dev.drkit.storage.s3.S3Store;
import dev.drkit.storage.s3.S3StoreConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.AwsResponse;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/** The {@link S3Store}: one S3 client, one circuit breaker and a small pool for part uploads. */
public final class S3ObjectStore extends RemoteObjectStore implements S3Store {
    private static final String OCTETS = "application/octet-stream";

    private final S3StoreConfig config;
    private final S3Client client;
    private final String bucket;
    private final String root;

    /**
     * Opens a store.
     *
     * @param config the settings
     * @throws DrException {@code INVALID_CONFIG} when no region is configured or found
     */
    public S3ObjectStore(S3StoreConfig config) {
        super("s3", config.describe(), config.settings());
        this.config = config;
        this.bucket = config.bucket();
        this.root = config.prefix().isEmpty() ? "" : config.prefix() + "/";
        this.client = buildClient(config, location);
    }

    private static S3Client buildClient(S3StoreConfig config, String location) {
        ApacheHttpClient.Builder http = ApacheHttpClient.builder()
                // The client's own handshake for every request with a body: the SDK asks it of
                // each PutObject and UploadPart itself, and SmallPutsWithoutHandshake takes it
                // off small objects again.
                .expectContinueEnabled(false)
                .connectionTimeout(config.settings().connectTimeout())
                .socketTimeout(config.settings().attemptTimeout())
                .maxConnections(Math.max(16, config.settings().uploadConcurrency() * 4));
        if (config.endpoint() != null && "http".equalsIgnoreCase(config.endpoint().getScheme())) {
            http.socketFactory(new PlainOnlySocketFactory(config.endpoint().toString()));
        }
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(http)
                .overrideConfiguration(o -> o
                        .apiCallAttemptTimeout(config.settings().attemptTimeout())
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .addExecutionInterceptor(new SmallPutsWithoutHandshake()))
                .forcePathStyle(config.pathStyle())
                .credentialsProvider(config.credentials() != null ? config.credentials()
                        : DefaultCredentialsProvider.builder().build())
                .region(region(config, location));
        if (config.endpoint() != null) {
            // S3-compatible servers differ in their support of the newer flexible checksums;
            // the repository format authenticates every blob itself.
            builder.endpointOverride(config.endpoint())
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return builder.build();
    }

    private static Region region(S3StoreConfig config, String location) {
        if (config.region() != null) {
            return Region.of(config.region());
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkException e) {
            if (config.endpoint() != null) {
                return Region.US_EAST_1;
            }
            throw new DrException(ErrorCode.INVALID_CONFIG, "No region for " + location + ": add ?region=... to the "
                    + "URI or set AWS_REGION", location, e);
        }
    }

    /** The ETag of an answer about one object; a server that sent none gets an error naming the key. */
    private String etag(String operation, String key, @Nullable String etag) {
        if (etag == null || etag.isEmpty()) {
            throw new DrException(ErrorCode.IO_FAILURE, "The server behind " + location + " answered " + operation
                    + " of '" + key + "' without an ETag, which the store needs to tell versions apart", key);
        }
        return etag;
    }

    @Override
    public S3StoreConfig config() {
        return config;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        String full = full(key);
        return calls.call("stat", n -> {
            try {
                HeadObjectResponse head = request("stat", key, () -> client.headObject(r -> r.bucket(bucket).key(full)));
                return Optional.of(new ObjectInfo(key, head.contentLength(), etag("stat", key, head.eTag()), head.lastModified()));
            } catch (DrException e) {
                if (e.code() == ErrorCode.NOT_FOUND && !isMissingBucket(e)) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    @Override
    public byte[] get(String key) {
        String full = full(key);
        return calls.call("get", n -> request("get", key,
                () -> client.getObjectAsBytes(r -> r.bucket(bucket).key(full)).asByteArray()));
    }

    /** One {@code GET}: the response carries the ETag of the bytes it returns. */
    @Override
    public Optional<StoredObject> getObject(String key) {
        String full = full(key);
        return calls.call("get", n -> {
            try {
                ResponseBytes<GetObjectResponse> bytes = request("get", key,
                        () -> client.getObjectAsBytes(r -> r.bucket(bucket).key(full)));
                GetObjectResponse response = bytes.response();
                byte[] data = bytes.asByteArray();
                Instant modified = response.lastModified() != null ? response.lastModified() : serverTime(response);
                return Optional.of(new StoredObject(new ObjectInfo(key, data.length, etag("get", key, response.eTag()), modified), data));
            } catch (DrException e) {
                if (e.code() == ErrorCode.NOT_FOUND && !isMissingBucket(e)) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    @Override
    public byte[] get(String key, long offset, int length) {
        String full = full(key);
        if (isEmptyRange(key, offset, length)) {
            return new byte[0];
        }
        GetObjectRequest request = rangeRequest(full, offset, length);
        return calls.call("getRange", n -> {
            try {
                ResponseBytes<GetObjectResponse> bytes = client.getObjectAsBytes(request);
                byte[] data = bytes.asByteArray();
                // A server that ignores the Range header answers 200 with the whole object.
                if (bytes.response().contentRange() == null && bytes.response().sdkHttpResponse().statusCode() == 200) {
                    int from = (int) Math.min(offset, data.length);
                    return Arrays.copyOfRange(data, from, (int) Math.min(data.length, (long) from + length));
                }
                return data.length > length ? Arrays.copyOf(data, length) : data;
            } catch (S3Exception e) {
                if (e.statusCode() == 416) {
                    return new byte[0];
                }
                throw S3Errors.map(e, "get", key, location, bucket);
            } catch (SdkException e) {
                throw S3Errors.map(e, "get", key, location, bucket);
            }
        });
    }

    @Override
    public int read(String key, long offset, byte[] into, int intoOffset, int length) {
        Objects.checkFromIndexSize(intoOffset, length, into.length);
        String full = full(key);
        if (isEmptyRange(key, offset, length)) {
            return 0;
        }
        GetObjectRequest request = rangeRequest(full, offset, length);
        // The body goes straight into the caller's array; a retry starts over at intoOffset.
        return calls.call("getRange", n -> {
            try (ResponseInputStream<GetObjectResponse> in = client.getObject(request)) {
                // A server that ignores the Range header answers 200 with the whole object.
                if (in.response().contentRange() == null && in.response().sdkHttpResponse().statusCode() == 200) {
                    long skipped = in.skip(offset);
                    while (skipped < offset && in.read() >= 0) {
                        skipped++;
                    }
                }
                int done = 0;
                for (int r; done < length && (r = in.read(into, intoOffset + done, length - done)) >= 0;) {
                    done += r;
                }
                if (done == length && in.read() >= 0) {
                    // A server that sent more than the range: not read, and its connection not reused.
                    in.abort();
                }
                return done;
            } catch (S3Exception e) {
                if (e.statusCode() == 416) {
                    return 0;
                }
                throw S3Errors.map(e, "get", key, location, bucket);
            } catch (SdkException e) {
                throw S3Errors.map(e, "get", key, location, bucket);
            } catch (IOException e) {
                throw S3Errors.map(SdkClientException.create("Reading the response failed: " + e.getMessage(), e),
                        "get", key, location, bucket);
            }
        });
    }

    /** A GET of {@code length} bytes from {@code offset} on (to the end, where that overflows). */
    private GetObjectRequest rangeRequest(String full, long offset, int length) {
        long last = offset + length - 1;
        return GetObjectRequest.builder().bucket(bucket).key(full)
                .range("bytes=" + offset + "-" + (last < 0 ? Long.MAX_VALUE : last)).build();
    }

    @Override
    public ObjectInfo put(String key, byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        String full = full(key);
        if (length > config.multipartThreshold()) {
            return multipart(key, full, data, offset, length, null, null);
        }
        return calls.call("put", n -> single(key, full, data, offset, length, null, null));
    }

    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
        String full = full(key);
        boolean[] retried = {false};
        try {
            if (data.length > config.multipartThreshold()) {
                if (stat(key).isPresent()) {
                    return Optional.empty();
                }
                return Optional.of(multipart(key, full, data, 0, data.length, "*", null));
            }
            return Optional.of(calls.call("putIfAbsent", n -> {
                retried[0] |= n > 1;
                return single(key, full, data, 0, data.length, "*", null);
            }));
        } catch (DrException e) {
            if (e.code() != ErrorCode.PRECONDITION_FAILED) {
                throw e;
            }
            return retried[0] ? ownWrite(key, data) : Optional.empty();
        }
    }

    @Override
    public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
        String full = full(key);
        if (expectedEtag.isEmpty()) {
            throw DrException.invalidArgument("expectedEtag", "must not be empty", "\"\"");
        }
        boolean[] retried = {false};
        try {
            if (data.length > config.multipartThreshold()) {
                Optional<ObjectInfo> current = stat(key);
                if (current.isEmpty() || !current.get().etag().equals(expectedEtag)) {
                    return Optional.empty();
                }
                return Optional.of(multipart(key, full, data, 0, data.length, null, expectedEtag));
            }
            return Optional.of(calls.call("replace", n -> {
                retried[0] |= n > 1;
                return single(key, full, data, 0, data.length, null, expectedEtag);
            }));
        } catch (DrException e) {
            if (e.code() == ErrorCode.NOT_FOUND && !isMissingBucket(e)) {
                return Optional.empty();
            }
            if (e.code() != ErrorCode.PRECONDITION_FAILED) {
                throw e;
            }
            return retried[0] ? ownWrite(key, data) : Optional.empty();
        }
    }

    private ObjectInfo single(String key, String full, byte[] data, int offset, int length,
            @Nullable String ifNoneMatch, @Nullable String ifMatch) {
        PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(bucket).key(full)
                .contentLength((long) length).contentType(OCTETS);
        if (ifNoneMatch != null) {
            request.ifNoneMatch(ifNoneMatch);
        }
        if (ifMatch != null) {
            request.ifMatch(ifMatch);
        }
        applyStorageOptions(request);
        String operation = ifNoneMatch != null ? "putIfAbsent" : ifMatch != null ? "replace" : "put";
        PutObjectResponse response = request(operation, key,
                () -> client.putObject(request.build(), body(data, offset, length)));
        return new ObjectInfo(key, length, etag(operation, key, response.eTag()), serverTime(response));
    }

    private void applyStorageOptions(PutObjectRequest.Builder request) {
        if (config.storageClass() != null) {
            request.storageClass(config.storageClass());
        }
        if (config.encryption() == S3Encryption.SSE_S3) {
            request.serverSideEncryption(ServerSideEncryption.AES256);
        } else if (config.encryption() == S3Encryption.SSE_KMS) {
            request.serverSideEncryption(ServerSideEncryption.AWS_KMS);
            if (config.kmsKeyId() != null) {
                request.ssekmsKeyId(config.kmsKeyId());
            }
        }
    }

    /**
     * A request body over part of an array, without a copy. Every stream it opens starts at the
     * beginning of the part, so the signer can hash it, the client send it, and a retry send it again.
     */
    private static RequestBody body(byte[] data, int offset, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, offset, length), length, OCTETS);
    }

    private ObjectInfo multipart(String key, String full, byte[] data, int offset, int length,
            @Nullable String ifNoneMatch, @Nullable String ifMatch) {
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(bucket).key(full).contentType(OCTETS);
        if (config.storageClass() != null) {
            create.storageClass(config.storageClass());
        }
        if (config.encryption() == S3Encryption.SSE_S3) {
            create.serverSideEncryption(ServerSideEncryption.AES256);
        } else if (config.encryption() == S3Encryption.SSE_KMS) {
            create.serverSideEncryption(ServerSideEncryption.AWS_KMS);
            if (config.kmsKeyId() != null) {
                create.ssekmsKeyId(config.kmsKeyId());
            }
        }
        String uploadId = calls.call("createMultipartUpload", n -> request("put", key,
                () -> client.createMultipartUpload(create.build()).uploadId()));
        boolean completed = false;
        List<Future<CompletedPart>> futures = new ArrayList<>();
        try {
            int partSize = config.partSize();
            int count = (int) ((length + (long) partSize - 1) / partSize);
            for (int i = 0; i < count; i++) {
                int number = i + 1;
                int from = offset + i * partSize;
                int size = Math.min(partSize, offset + length - from);
                futures.add(uploads.submit(() -> calls.call("uploadPart", n -> {
                    UploadPartRequest part = UploadPartRequest.builder().bucket(bucket).key(full)
                            .uploadId(uploadId).partNumber(number).contentLength((long) size).build();
                    String etag = request("put", key, () -> client.uploadPart(part, body(data, from, size)).eTag());
                    return CompletedPart.builder().partNumber(number).eTag(etag).build();
                })));
            }
            List<CompletedPart> done = new ArrayList<>(count);
            for (Future<CompletedPart> future : futures) {
                done.add(await(future, key, "part"));
            }
            CompleteMultipartUploadRequest.Builder complete = CompleteMultipartUploadRequest.builder()
                    .bucket(bucket).key(full).uploadId(uploadId)
                    .multipartUpload(u -> u.parts(done));
            if (ifNoneMatch != null) {
                complete.ifNoneMatch(ifNoneMatch);
            }
            if (ifMatch != null) {
                complete.ifMatch(ifMatch);
            }
            CompleteMultipartUploadResponse response = calls.call("completeMultipartUpload", n -> {
                try {
                    return request("put", key, () -> client.completeMultipartUpload(complete.build()));
                } catch (DrException e) {
                    // A retried completion whose first try went through finds no upload any more.
                    if (n > 1 && e.code() == ErrorCode.NOT_FOUND && !isMissingBucket(e)) {
                        return null;
                    }
                    throw e;
                }
            });
            completed = true;
            if (response == null) {
                return stat(key).orElseThrow(() -> new DrException(ErrorCode.IO_FAILURE,
                        "Multipart upload of '" + key + "' in " + location + " vanished", key));
            }
            return new ObjectInfo(key, length, etag("put", key, response.eTag()), serverTime(response));
        } finally {
            if (!completed) {
                futures.forEach(f -> f.cancel(true));
                abort(full, uploadId);
            }
        }
    }

    private void abort(String full, String uploadId) {
        try {
            client.abortMultipartUpload(AbortMultipartUploadRequest.builder()
                    .bucket(bucket).key(full).uploadId(uploadId).build());
        } catch (SdkException ignored) {
            // Best effort: a lifecycle rule on the bucket removes abandoned uploads.
        }
    }

    @Override
    public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
        checkListing(prefix, pageToken, pageSize);
        String full = root + prefix;
        ListObjectsV2Response response = calls.call("list", n -> {
            try {
                return client.listObjectsV2(r -> r.bucket(bucket).prefix(full)
                        .continuationToken(pageToken).maxKeys(Math.min(pageSize, 1000)));
            } catch (S3Exception e) {
                if (pageToken != null && e.statusCode() == 400) {
                    throw DrException.invalidArgument("pageToken", "was not issued by this store", pageToken);
                }
                throw S3Errors.map(e, "list", prefix, location, bucket);
            } catch (SdkException e) {
                throw S3Errors.map(e, "list", prefix, location, bucket);
            }
        });
        List<ObjectInfo> objects = new ArrayList<>(response.contents().size());
        for (S3Object object : response.contents()) {
            String key = object.key().substring(root.length());
            if (key.isEmpty() || key.endsWith("/")) {
                continue; // folder markers written by other tools
            }
            objects.add(new ObjectInfo(key, object.size(), etag("list", key, object.eTag()), object.lastModified()));
        }
        boolean more = Boolean.TRUE.equals(response.isTruncated()) && response.nextContinuationToken() != null;
        return new ListPage(objects, more ? response.nextContinuationToken() : null);
    }

    @Override
    public void delete(String key) {
        String full = full(key);
        calls.call("delete", n -> request("delete", key, () -> client.deleteObject(r -> r.bucket(bucket).key(full))));
    }

    @Override
    public boolean createBucketIfMissing() {
        ensureOpen();
        boolean exists = calls.call("headBucket", n -> {
            try {
                client.headBucket(r -> r.bucket(bucket));
                return true;
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    return false;
                }
                throw S3Errors.map(e, "check", "", location, bucket);
            } catch (SdkException e) {
                throw S3Errors.map(e, "check", "", location, bucket);
            }
        });
        if (exists) {
            return false;
        }
        return calls.call("createBucket", n -> {
            try {
                CreateBucketRequest.Builder create = CreateBucketRequest.builder().bucket(bucket);
                String region = client.serviceClientConfiguration().region().id();
                if (config.endpoint() == null && !Region.US_EAST_1.id().equals(region)) {
                    create.createBucketConfiguration(c -> c.locationConstraint(region));
                }
                client.createBucket(create.build());
                return true;
            } catch (S3Exception e) {
                String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
                if ("BucketAlreadyOwnedByYou".equals(code)) {
                    return false;
                }
                if ("BucketAlreadyExists".equals(code)) {
                    throw new DrException(ErrorCode.ACCESS_DENIED, "Bucket '" + bucket + "' belongs to another "
                            + "account; choose another name for " + location, location, e);
                }
                throw S3Errors.map(e, "create the bucket of", "", location, bucket);
            } catch (SdkException e) {
                throw S3Errors.map(e, "create the bucket of", "", location, bucket);
            }
        });
    }

    @Override
    public void verifyConditionalWrites() {
        String key = ".dr-probe/" + UUID.randomUUID();
        try {
            if (putIfAbsent(key, new byte[] {1}).isEmpty()) {
                throw new DrException(ErrorCode.IO_FAILURE, "A fresh probe key already existed in " + location, key);
            }
            if (putIfAbsent(key, new byte[] {2}).isPresent()) {
                throw ignored("If-None-Match");
            }
            if (replace(key, new byte[] {3}, "\"0123456789abcdef0123456789abcdef\"").isPresent()) {
                throw ignored("If-Match");
            }
            if (!Arrays.equals(get(key), new byte[] {1})) {
                throw ignored("If-None-Match or If-Match");
            }
        } finally {
            delete(key);
        }
    }

    private DrException ignored(String header) {
        return new DrException(ErrorCode.UNSUPPORTED, "The server behind " + location + " ignores " + header
                + ": conditional writes would not protect snapshots and locks; use S3 itself or a server that "
                + "honours conditional writes", location);
    }

    @Override
    public HealthProbe healthProbe() {
        return probe(() -> {
            try {
                client.headBucket(r -> r.bucket(bucket));
                return reachable("bucket");
            } catch (S3Exception e) {
                return e.statusCode() == 404 ? ProbeResult.down("bucket '" + bucket + "' does not exist")
                        : ProbeResult.down(S3Errors.map(e, "check", "", location, bucket).getMessage());
            } catch (SdkException e) {
                return ProbeResult.down(S3Errors.map(e, "check", "", location, bucket).getMessage());
            }
        });
    }

    @Override
    protected void closeClient() {
        client.close();
    }

    @Override
    public String toString() {
        return "S3Store[" + location + "]";
    }

    private String full(String key) {
        StoreKeys.requireValidKey(key);
        ensureOpen();
        return root + key;
    }

    private <T> T request(String operation, String key, SdkCall<T> call) {
        try {
            return call.run();
        } catch (SdkException e) {
            throw S3Errors.map(e, operation, key, location, bucket);
        }
    }

    private static boolean isMissingBucket(DrException e) {
        return e.getCause() instanceof S3Exception s3 && s3.awsErrorDetails() != null
                && "NoSuchBucket".equals(s3.awsErrorDetails().errorCode());
    }

    /** The time of a write, from the server's Date header, to the second as S3 keeps it. */
    private static Instant serverTime(AwsResponse response) {
        return response.sdkHttpResponse().firstMatchingHeader("Date")
                .map(date -> {
                    try {
                        return ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    } catch (DateTimeParseException e) {
                        return null;
                    }
                })
                .orElseGet(() -> Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    @FunctionalInterface
    private interface SdkCall<T> {
        T run();
    }
}
