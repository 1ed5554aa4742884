package dev.drkit.storage.s3;

import java.util.List;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.Blob;
import org.gaul.s3proxy.blobstore.domain.MultipartPart;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import org.gaul.s3proxy.blobstore.options.PutOptions;

/** A back end that drops {@code If-None-Match} and {@code If-Match}, as some S3-compatible servers do. */
final class ConditionsIgnoringBlobStore extends ForwardingBlobStore {

    ConditionsIgnoringBlobStore(BlobStore delegate) {
        super(delegate);
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        return delegate().putBlob(container, blob, new PutOptions(options.blobAccess(), null, null));
    }

    @Override
    public String completeMultipartUpload(MultipartUpload upload, List<MultipartPart> parts) {
        return delegate().completeMultipartUpload(new MultipartUpload(upload.containerName(), upload.blobName(),
                upload.id(), upload.blobMetadata(), new PutOptions(upload.putOptions().blobAccess(), null, null)), parts);
    }
}
