package dev.drkit.storage.s3;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.HttpResponse;
import org.gaul.s3proxy.blobstore.HttpResponseException;
import org.gaul.s3proxy.blobstore.domain.Blob;
import org.gaul.s3proxy.blobstore.domain.BlobAccess;
import org.gaul.s3proxy.blobstore.domain.BlobMetadata;
import org.gaul.s3proxy.blobstore.domain.MultipartPart;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import org.gaul.s3proxy.blobstore.domain.PageSet;
import org.gaul.s3proxy.blobstore.domain.StorageMetadata;
import org.gaul.s3proxy.blobstore.options.CopyOptions;
import org.gaul.s3proxy.blobstore.options.GetOptions;
import org.gaul.s3proxy.blobstore.options.ListContainerOptions;
import org.gaul.s3proxy.blobstore.options.PutOptions;

/**
 * Gives S3Proxy's file-system back end two properties of S3 itself that it lacks: a key may
 * also be the "directory" of other keys ({@code a} and {@code a/b}), and conditional writes
 * are atomic (its {@code If-Match} check and the write are separate steps).
 *
 * <p>Each object is kept in the file system under its key plus a {@code U+0001} suffix, which
 * no store key contains and which sorts before every character a key may hold, so prefixes,
 * order and markers are unchanged; writes to one key are serialized.
 */
final class S3SemanticsBlobStore extends ForwardingBlobStore {
    private static final String SUFFIX = "\u0001";
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    S3SemanticsBlobStore(BlobStore delegate) {
        super(delegate);
    }

    /** Reads the unused request body, so the server answers 412 on a connection the client can reuse. */
    private static void drain(Blob blob) {
        try (InputStream body = blob.getPayload()) {
            if (body != null) {
                body.transferTo(java.io.OutputStream.nullOutputStream());
            }
        } catch (java.io.IOException e) {
            // The client went away; the 412 is still the answer.
        }
    }

    private static String unquote(String etag) {
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }

    private static String in(String name) {
        return name + SUFFIX;
    }

    private static String out(String name) {
        return name.endsWith(SUFFIX) ? name.substring(0, name.length() - 1) : name;
    }

    private <T> T locked(String container, String name, Supplier<T> action) {
        Object lock = locks.computeIfAbsent(container + "/" + name, k -> new Object());
        synchronized (lock) {
            return action.get();
        }
    }

    private static BlobMetadata out(BlobMetadata metadata) {
        return metadata == null ? null : metadata.toBuilder().name(out(metadata.name())).build();
    }

    private static MultipartUpload in(MultipartUpload upload) {
        return new MultipartUpload(upload.containerName(), in(upload.blobName()), upload.id(),
                upload.blobMetadata() == null ? null
                        : upload.blobMetadata().toBuilder().name(in(upload.blobMetadata().name())).build(),
                upload.putOptions());
    }

    private static MultipartUpload out(MultipartUpload upload) {
        return new MultipartUpload(upload.containerName(), out(upload.blobName()), upload.id(),
                out(upload.blobMetadata()), upload.putOptions());
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
        ListContainerOptions.Builder mapped = options.toBuilder();
        if (options.marker() != null) {
            mapped.afterMarker(in(options.marker()));
        }
        PageSet<? extends StorageMetadata> page = delegate().list(container, mapped.build());
        List<StorageMetadata> entries = new ArrayList<>();
        for (StorageMetadata entry : page.entries()) {
            entries.add(entry instanceof BlobMetadata blob ? out(blob) : entry);
        }
        return new PageSet<>(entries, page.nextMarker() == null ? null : out(page.nextMarker()));
    }

    @Override
    public boolean blobExists(String container, String name) {
        return delegate().blobExists(container, in(name));
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        String name = in(blob.getMetadata().name());
        return locked(container, name, () -> {
            // S3Proxy checks If-Match / If-None-Match before it calls the back end; checking again
            // here, under the key's lock, makes check and write one atomic step, as in S3.
            if (options.ifMatch() != null || options.ifNoneMatch() != null) {
                BlobMetadata current = delegate().blobMetadata(container, name);
                String etag = current == null ? null : unquote(current.eTag());
                if ("*".equals(options.ifNoneMatch()) && current != null
                        || options.ifNoneMatch() != null && !"*".equals(options.ifNoneMatch())
                                && unquote(options.ifNoneMatch()).equals(etag)
                        || options.ifMatch() != null && (etag == null || !"*".equals(options.ifMatch())
                                && !unquote(options.ifMatch()).equals(etag))) {
                    drain(blob);
                    throw new HttpResponseException(new HttpResponse(412));
                }
            }
            return delegate().putBlob(container, blob.toBuilder().name(name).build(), options);
        });
    }

    @Override
    public String copyBlob(String fromContainer, String fromName, String toContainer, String toName,
            CopyOptions options) {
        return locked(toContainer, in(toName),
                () -> delegate().copyBlob(fromContainer, in(fromName), toContainer, in(toName), options));
    }

    @Override
    public BlobMetadata blobMetadata(String container, String name) {
        return out(delegate().blobMetadata(container, in(name)));
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
        Blob blob = delegate().getBlob(container, in(name), options);
        return blob == null ? null : blob.toBuilder().name(name).build();
    }

    @Override
    public void removeBlob(String container, String name) {
        locked(container, in(name), () -> {
            delegate().removeBlob(container, in(name));
            return null;
        });
    }

    @Override
    public void removeBlobs(String container, Iterable<String> names) {
        for (String name : names) {
            removeBlob(container, name);
        }
    }

    @Override
    public BlobAccess getBlobAccess(String container, String name) {
        return delegate().getBlobAccess(container, in(name));
    }

    @Override
    public void setBlobAccess(String container, String name, BlobAccess access) {
        delegate().setBlobAccess(container, in(name), access);
    }

    @Override
    public MultipartUpload initiateMultipartUpload(String container, BlobMetadata metadata, PutOptions options) {
        return out(delegate().initiateMultipartUpload(container,
                metadata.toBuilder().name(in(metadata.name())).build(), options));
    }

    @Override
    public void abortMultipartUpload(MultipartUpload upload) {
        delegate().abortMultipartUpload(in(upload));
    }

    @Override
    public String completeMultipartUpload(MultipartUpload upload, List<MultipartPart> parts) {
        MultipartUpload mapped = in(upload);
        return locked(mapped.containerName(), mapped.blobName(), () -> delegate().completeMultipartUpload(mapped, parts));
    }

    @Override
    public MultipartPart uploadMultipartPart(MultipartUpload upload, int part, InputStream payload, long length,
            com.google.common.hash.HashCode md5) {
        return delegate().uploadMultipartPart(in(upload), part, payload, length, md5);
    }

    @Override
    public List<MultipartPart> listMultipartUpload(MultipartUpload upload) {
        return delegate().listMultipartUpload(in(upload));
    }

    @Override
    public List<MultipartUpload> listMultipartUploads(String container) {
        return delegate().listMultipartUploads(container).stream().map(S3SemanticsBlobStore::out).toList();
    }
}
