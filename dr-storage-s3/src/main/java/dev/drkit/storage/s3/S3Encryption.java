package dev.drkit.storage.s3;

/** How S3 encrypts the objects of a store at rest (server-side encryption). */
public enum S3Encryption {
    /** No encryption header is sent; the bucket's default applies. */
    NONE,
    /** SSE-S3: keys managed by S3 ({@code AES256}). */
    SSE_S3,
    /** SSE-KMS: keys in AWS KMS, the default key or the one named by {@code kmsKeyId}. */
    SSE_KMS
}
