package dev.drkit.storage.azure.internal;

import com.azure.core.http.rest.PagedResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.core.util.HttpClientOptions;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobDownloadContentResponse;
import com.azure.storage.blob.models.BlobDownloadHeaders;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.specialized.BlobLeaseClient;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import com.azure.storage.blob.specialized.BlockBlobClient;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.health.ProbeResult;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.StoreKeys;
import dev.drkit.api.store.StoredObject;
import dev.drkit.core.store.remote.RemoteObjectStore;
import dev.drkit.storage.azure.AzureBlobStore;
import dev.drkit.storage.azure.AzureBlobStoreConfig;
import dev.drkit.storage.azure.BlobLease;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The {@link AzureBlobStore}: one container client, one circuit breaker and a pool for block uploads. */
public final class AzureObjectStore extends RemoteObjectStore implements AzureBlobStore {
    private final AzureBlobStoreConfig config;
    private final BlobContainerClient container;
    private final String root;
    private final @Nullable AccessTier tier;

    /**
     * Opens a store.
     *
     * @param config the settings
     * @throws DrException {@code INVALID_CONFIG} for a malformed connection string or endpoint
     */
    public AzureObjectStore(AzureBlobStoreConfig config) {
        super("azblob", config.describe(), config.settings());
        this.config = config;
        this.root = config.prefix().isEmpty() ? "" : config.prefix() + "/";
        this.tier = config.accessTier() == null ? null : AccessTier.fromString(config.accessTier());
        this.container = buildClient(config, location);
    }

    private static BlobContainerClient buildClient(AzureBlobStoreConfig config, String location) {
        try {
            // Retries are ours (counted, backed off, behind the breaker): the SDK tries once.
            Duration attemptTimeout = config.settings().attemptTimeout();
            int trySeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, attemptTimeout.toSeconds() * 4));
            BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
                    .clientOptions(new HttpClientOptions()
                            .setConnectTimeout(config.settings().connectTimeout())
                            .setResponseTimeout(attemptTimeout)
                            .setReadTimeout(attemptTimeout)
                            .setWriteTimeout(attemptTimeout))
                    .retryOptions(new RequestRetryOptions(RetryPolicyType.FIXED, 1, trySeconds, null, null, null));
            if (config.connectionString() != null) {
                builder.connectionString(config.connectionString());
            }
            if (config.endpoint() != null) {
                builder.endpoint(config.endpoint().toString());
            }
            if (config.accountKey() != null) {
                builder.credential(new StorageSharedKeyCredential(config.accountName(), config.accountKey()));
            } else if (config.tokenCredential() != null) {
                builder.credential(config.tokenCredential());
            } else if (config.sasToken() != null) {
                builder.sasToken(config.sasToken());
            }
            return builder.buildClient().getBlobContainerClient(config.container());
        } catch (IllegalArgumentException e) {
            // The SDK's message may quote the connection string; never pass it on.
            throw new DrException(ErrorCode.INVALID_CONFIG, "Malformed Azure connection string or endpoint for "
                    + location, location);
        }
    }

    @Override
    public AzureBlobStoreConfig config() {
        return config;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        BlobClient blob = blob(key);
        return calls.call("stat", n -> {
            try {
                BlobProperties p = request("stat", key,
                        () -> blob.getPropertiesWithResponse(null, null, Context.NONE).getValue());
                return Optional.of(new ObjectInfo(key, p.getBlobSize(), etag("stat", key, p.getETag()),
                        p.getLastModified().toInstant()));
            } catch (DrException e) {
                if (e.code() == ErrorCode.NOT_FOUND && !isMissingContainer(e)) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    @Override
    public byte[] get(String key) {
        BlobClient blob = blob(key);
        return calls.call("get", n -> request("get", key, () -> blob.downloadContent().toBytes()));
    }

    /** One download: its headers carry the ETag of the bytes it returns. */
    @Override
    public Optional<StoredObject> getObject(String key) {
        BlobClient blob = blob(key);
        return calls.call("get", n -> {
            try {
                BlobDownloadContentResponse response = request("get", key,
                        () -> blob.downloadContentWithResponse(null, null, null, Context.NONE));
                byte[] data = response.getValue().toBytes();
                BlobDownloadHeaders headers = response.getDeserializedHeaders();
                Instant modified = headers.getLastModified() != null ? headers.getLastModified().toInstant()
                        : Instant.now();
                return Optional.of(new StoredObject(new ObjectInfo(key, data.length, etag("get", key, headers.getETag()), modified),
                        data));
            } catch (DrException e) {
                if (e.code() == ErrorCode.NOT_FOUND && !isMissingContainer(e)) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    @Override
    public byte[] get(String key, long offset, int length) {
        BlobClient blob = blob(key);
        if (isEmptyRange(key, offset, length)) {
            return new byte[0];
        }
        return calls.call("getRange", n -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(length, 1 << 20));
            try {
                blob.downloadStreamWithResponse(out, new BlobRange(offset, (long) length), null, null, false, null,
                        Context.NONE);
                byte[] data = out.toByteArray();
                return data.length > length ? Arrays.copyOf(data, length) : data;
            } catch (RuntimeException e) {
                if (AzureErrors.status(e) == 416) {
                    return new byte[0];
                }
                throw AzureErrors.map(e, "get", key, location, config.container());
            }
        });
    }

    @Override
    public int read(String key, long offset, byte[] into, int intoOffset, int length) {
        Objects.checkFromIndexSize(intoOffset, length, into.length);
        BlobClient blob = blob(key);
        if (isEmptyRange(key, offset, length)) {
            return 0;
        }
        // The body goes straight into the caller's array; a retry starts over at intoOffset.
        return calls.call("getRange", n -> {
            ArraySink out = new ArraySink(into, intoOffset, length);
            try {
                blob.downloadStreamWithResponse(out, new BlobRange(offset, (long) length), null, null, false, null,
                        Context.NONE);
                return out.written;
            } catch (RuntimeException e) {
                if (AzureErrors.status(e) == 416) {
                    return 0;
                }
                throw AzureErrors.map(e, "get", key, location, config.container());
            }
        });
    }

    /** Receives a download into part of an array; bytes beyond that part are dropped. */
    private static final class ArraySink extends OutputStream {
        private final byte[] into;
        private final int start;
        private final int capacity;
        private int written;

        ArraySink(byte[] into, int start, int capacity) {
            this.into = into;
            this.start = start;
            this.capacity = capacity;
        }

        @Override
        public void write(int b) {
            if (written < capacity) {
                into[start + written++] = (byte) b;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            int n = Math.min(len, capacity - written);
            if (n > 0) {
                System.arraycopy(b, off, into, start + written, n);
                written += n;
            }
        }
    }

    @Override
    public ObjectInfo put(String key, byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        BlobClient blob = blob(key);
        return upload("put", key, blob, data, offset, length, new BlobRequestConditions(), new boolean[1]);
    }

    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
        BlobClient blob = blob(key);
        if (data.length > config.singleUploadThreshold() && stat(key).isPresent()) {
            return Optional.empty();
        }
        boolean[] retried = {false};
        try {
            return Optional.of(upload("putIfAbsent", key, blob, data, new BlobRequestConditions().setIfNoneMatch("*"),
                    retried));
        } catch (DrException e) {
            if (e.code() == ErrorCode.PRECONDITION_FAILED || e.code() == ErrorCode.LOCKED) {
                return retried[0] ? ownWrite(key, data) : Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
        BlobClient blob = blob(key);
        if (expectedEtag.isEmpty()) {
            throw DrException.invalidArgument("expectedEtag", "must not be empty", "\"\"");
        }
        boolean[] retried = {false};
        try {
            return Optional.of(upload("replace", key, blob, data, new BlobRequestConditions().setIfMatch(expectedEtag),
                    retried));
        } catch (DrException e) {
            if (e.code() == ErrorCode.NOT_FOUND && !isMissingContainer(e)) {
                return Optional.empty();
            }
            if (e.code() == ErrorCode.PRECONDITION_FAILED) {
                return retried[0] ? ownWrite(key, data) : Optional.empty();
            }
            throw e;
        }
    }

    private ObjectInfo upload(String operation, String key, BlobClient blob, byte[] data,
            BlobRequestConditions conditions, boolean[] retried) {
        return upload(operation, key, blob, data, 0, data.length, conditions, retried);
    }

    private ObjectInfo upload(String operation, String key, BlobClient blob, byte[] data, int offset, int length,
            BlobRequestConditions conditions, boolean[] retried) {
        BlockBlobClient block = blob.getBlockBlobClient();
        if (length <= config.singleUploadThreshold()) {
            return calls.call(operation, n -> {
                retried[0] |= n > 1;
                BlockBlobSimpleUploadOptions options = new BlockBlobSimpleUploadOptions(body(data, offset, length))
                        .setRequestConditions(conditions).setTier(tier);
                BlockBlobItem item = request(operation, key,
                        () -> block.uploadWithResponse(options, null, Context.NONE).getValue());
                return info("put", key, length, item);
            });
        }
        List<String> ids = stageBlocks(key, block, data, offset, length);
        return calls.call(operation, n -> {
            retried[0] |= n > 1;
            BlockBlobCommitBlockListOptions options = new BlockBlobCommitBlockListOptions(ids)
                    .setRequestConditions(conditions).setTier(tier);
            try {
                BlockBlobItem item = request(operation, key,
                        () -> block.commitBlockListWithResponse(options, null, Context.NONE).getValue());
                return info("put", key, length, item);
            } catch (DrException e) {
                // A racing writer's commit discards our uncommitted blocks; if it created the
                // blob first, we lost a conditional create, else it is a plain failure.
                if (BlobErrorCode.INVALID_BLOCK_LIST.equals(AzureErrors.code(e)) && conditions.getIfNoneMatch() != null) {
                    throw new DrException(ErrorCode.PRECONDITION_FAILED, "'" + key + "' was created by another writer",
                            key, e);
                }
                throw e;
            }
        });
    }

    /**
     * A request body over part of an array, without a copy. The client reads it through a
     * read-only view of the buffer, so each attempt sends the whole part from its start.
     */
    private static BinaryData body(byte[] data, int offset, int length) {
        return BinaryData.fromByteBuffer(ByteBuffer.wrap(data, offset, length).slice());
    }

    private List<String> stageBlocks(String key, BlockBlobClient block, byte[] data, int offset, int length) {
        byte[] upload = new byte[20];
        ByteBuffer.wrap(upload).putLong(UUID.randomUUID().getMostSignificantBits())
                .putLong(UUID.randomUUID().getLeastSignificantBits());
        int size = config.blockSize();
        int count = (int) ((length + (long) size - 1) / size);
        List<String> ids = new ArrayList<>(count);
        List<Future<?>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] raw = upload.clone();
            ByteBuffer.wrap(raw, 16, 4).putInt(i);
            String id = Base64.getEncoder().encodeToString(raw);
            ids.add(id);
            int from = offset + i * size;
            int part = Math.min(size, offset + length - from);
            futures.add(uploads.submit(() -> calls.call("stageBlock", n -> request("put", key,
                    () -> block.stageBlockWithResponse(new BlockBlobStageBlockOptions(id, body(data, from, part)), null,
                            Context.NONE)))));
        }
        boolean done = false;
        try {
            for (Future<?> future : futures) {
                await(future, key, "block");
            }
            done = true;
            return ids;
        } finally {
            if (!done) {
                // Uncommitted blocks are never visible and the service drops them within a week.
                futures.forEach(f -> f.cancel(true));
            }
        }
    }

    @Override
    public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
        checkListing(prefix, pageToken, pageSize);
        ListBlobsOptions options = new ListBlobsOptions().setPrefix(root + prefix)
                .setMaxResultsPerPage(Math.min(pageSize, 5000));
        return calls.call("list", n -> {
            try {
                Iterator<PagedResponse<BlobItem>> pages = container.listBlobs(options, pageToken, null)
                        .iterableByPage().iterator();
                if (!pages.hasNext()) {
                    return new ListPage(List.of(), null);
                }
                PagedResponse<BlobItem> page = pages.next();
                List<ObjectInfo> objects = new ArrayList<>(page.getValue().size());
                for (BlobItem item : page.getValue()) {
                    String key = item.getName().substring(root.length());
                    if (key.isEmpty() || key.endsWith("/") || Boolean.TRUE.equals(item.isPrefix())) {
                        continue;
                    }
                    objects.add(new ObjectInfo(key, item.getProperties().getContentLength(),
                            etag("list", key, item.getProperties().getETag()),
                            item.getProperties().getLastModified().toInstant()));
                }
                String next = page.getContinuationToken();
                return new ListPage(objects, next == null || next.isEmpty() ? null : next);
            } catch (RuntimeException e) {
                if (pageToken != null && AzureErrors.status(e) == 400) {
                    throw DrException.invalidArgument("pageToken", "was not issued by this store", pageToken);
                }
                throw AzureErrors.map(e, "list", prefix, location, config.container());
            }
        });
    }

    @Override
    public void delete(String key) {
        BlobClient blob = blob(key);
        calls.call("delete", n -> request("delete", key, blob::deleteIfExists));
    }

    @Override
    public boolean createContainerIfMissing() {
        ensureOpen();
        return calls.call("createContainer", n -> request("create the container of", "", container::createIfNotExists));
    }

    @Override
    public Optional<BlobLease> tryAcquireLease(String key, Duration duration) {
        BlobClient blob = blob(key);
        if (duration.compareTo(Duration.ofSeconds(15)) < 0 || duration.compareTo(Duration.ofSeconds(60)) > 0) {
            throw DrException.invalidArgument("duration", "must be between 15 and 60 seconds", duration);
        }
        try {
            putIfAbsent(key, new byte[0]);
        } catch (DrException e) {
            if (e.code() != ErrorCode.LOCKED) {
                throw e;
            }
        }
        BlobLeaseClient lease = new BlobLeaseClientBuilder().blobClient(blob).buildClient();
        try {
            String id = calls.call("acquireLease", n -> request("acquire the lease of", key,
                    () -> lease.acquireLease((int) duration.toSeconds())));
            return Optional.of(new AzureBlobLease(key, id, duration, blob, lease));
        } catch (DrException e) {
            if (e.code() == ErrorCode.LOCKED || e.code() == ErrorCode.PRECONDITION_FAILED) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** A lease held by this process on one blob. */
    private final class AzureBlobLease implements BlobLease {
        private final String key;
        private final String id;
        private final Duration duration;
        private final BlobClient blob;
        private final BlobLeaseClient lease;
        private final AtomicBoolean released = new AtomicBoolean();

        AzureBlobLease(String key, String id, Duration duration, BlobClient blob, BlobLeaseClient lease) {
            this.key = key;
            this.id = id;
            this.duration = duration;
            this.blob = blob;
            this.lease = lease;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public String leaseId() {
            return id;
        }

        @Override
        public Duration duration() {
            return duration;
        }

        @Override
        public boolean renew() {
            if (released.get()) {
                return false;
            }
            try {
                calls.call("renewLease", n -> request("renew the lease of", key, lease::renewLease));
                return true;
            } catch (DrException e) {
                if (e.code() == ErrorCode.LOCKED || e.code() == ErrorCode.PRECONDITION_FAILED
                        || AzureErrors.status(e) == 409) {
                    return false;
                }
                throw e;
            }
        }

        @Override
        public Optional<ObjectInfo> write(byte[] data) {
            if (released.get()) {
                return Optional.empty();
            }
            try {
                return Optional.of(upload("leaseWrite", key, blob, data, new BlobRequestConditions().setLeaseId(id),
                        new boolean[1]));
            } catch (DrException e) {
                if (e.code() == ErrorCode.LOCKED || e.code() == ErrorCode.PRECONDITION_FAILED) {
                    return Optional.empty();
                }
                throw e;
            }
        }

        @Override
        public void release() {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            try {
                calls.call("releaseLease", n -> {
                    request("release the lease of", key, () -> {
                        lease.releaseLease();
                        return null;
                    });
                    return Boolean.TRUE;
                });
            } catch (DrException e) {
                if (e.code() != ErrorCode.LOCKED && e.code() != ErrorCode.PRECONDITION_FAILED
                        && AzureErrors.status(e) != 409) {
                    throw e;
                }
            }
        }

        @Override
        public void close() {
            try {
                release();
            } catch (DrException e) {
                // The lease expires by itself after its duration.
            }
        }

        @Override
        public String toString() {
            return "BlobLease[" + key + " in " + location + "]";
        }
    }

    @Override
    public HealthProbe healthProbe() {
        return probe(() -> {
            try {
                return container.exists() ? reachable("container")
                        : ProbeResult.down("container '" + config.container() + "' does not exist");
            } catch (RuntimeException e) {
                return ProbeResult.down(AzureErrors.map(e, "check", "", location, config.container()).getMessage());
            }
        });
    }

    @Override
    public String toString() {
        return "AzureBlobStore[" + location + "]";
    }

    private BlobClient blob(String key) {
        StoreKeys.requireValidKey(key);
        ensureOpen();
        return container.getBlobClient(root + key);
    }

    private <T> T request(String operation, String key, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw AzureErrors.map(e, operation, key, location, config.container());
        }
    }

    private ObjectInfo info(String operation, String key, long size, BlockBlobItem item) {
        Instant modified = item.getLastModified() == null ? Instant.now() : item.getLastModified().toInstant();
        return new ObjectInfo(key, size, etag(operation, key, item.getETag()), modified);
    }

    /** The ETag of an answer about one object; a server that sent none gets an error naming the key. */
    private String etag(String operation, String key, @Nullable String etag) {
        if (etag == null || etag.isEmpty()) {
            throw new DrException(ErrorCode.IO_FAILURE, "The server behind " + location + " answered " + operation
                    + " of '" + key + "' without an ETag, which the store needs to tell versions apart", key);
        }
        return etag;
    }

    private static boolean isMissingContainer(DrException e) {
        return BlobErrorCode.CONTAINER_NOT_FOUND.equals(AzureErrors.code(e));
    }
}
