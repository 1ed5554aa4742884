package dev.drkit.core.store.internal;

import java.nio.ByteBuffer;

/**
 * A store that reads part of an object straight into a direct buffer. Reading into an array
 * on the heap costs the JDK a copy through a direct buffer of its own; a reader that can keep
 * its data in direct buffers (a restore decrypts from them) saves that copy per byte read.
 */
public interface DirectReads {

    /**
     * Reads up to {@code into.remaining()} bytes of an object from {@code offset} into the
     * buffer, fewer when the object ends sooner; the buffer's position advances by the count.
     *
     * @param key the object's key
     * @param offset the first byte to read, {@code >= 0}
     * @param into the buffer to fill from its position
     * @return how many bytes were read: {@code 0} when {@code offset} is at or past the end
     * @throws dev.drkit.api.DrException {@code NOT_FOUND} when no object has that key;
     *     {@code INVALID_ARGUMENT} for a negative offset; a storage failure otherwise
     */
    int read(String key, long offset, ByteBuffer into);
}
