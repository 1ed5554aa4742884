package dev.drkit.storage.s3.internal;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Sends a small object's body with its {@code PUT} at once. The SDK asks every
 * {@code PutObject} for an {@code Expect: 100-continue} handshake, so that a server that refuses
 * the request does so before the body is sent; the HTTP client then waits for the server's
 * {@code 100 Continue} before it sends a byte of the body, which costs a round trip per object. For
 * locks, manifests, the history's head and journal segments that round trip is all of the
 * request's cost that is not the server's own, and what a refusal would save is a few kilobytes.
 * Objects above {@link #HANDSHAKE_FROM} bytes (packs, parts of a multipart upload) keep it.
 *
 * <p>Runs after the SDK's interceptors, as interceptors of the client's own configuration do.
 */
final class SmallPutsWithoutHandshake implements ExecutionInterceptor {
    /** The size from which a {@code PUT} keeps the handshake. */
    static final long HANDSHAKE_FROM = 1 << 20;

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        SdkHttpRequest http = context.httpRequest();
        if (context.request() instanceof PutObjectRequest put && put.contentLength() != null
                && put.contentLength() < HANDSHAKE_FROM && http.firstMatchingHeader("Expect").isPresent()) {
            return http.toBuilder().removeHeader("Expect").build();
        }
        return http;
    }
}
