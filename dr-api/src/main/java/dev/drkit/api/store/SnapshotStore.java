package dev.drkit.api.store;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * Opaque objects stored by key: the one thing DR Kit asks of local disk, S3, Azure Blob or
 * any other storage.
 *
 * <p>Keys follow {@link StoreKeys}; an invalid key is refused with {@code INVALID_KEY} before
 * anything is read or written. Objects are written whole: a reader sees either the previous
 * content or the new one, never a part. {@link #putIfAbsent} and {@link #replace} are the
 * conditional writes that make manifests, locks and leases safe on shared storage.
 *
 * <p>Implementations are thread-safe. Every method may throw {@link DrException} with
 * {@code UNAVAILABLE} for a transient failure (worth retrying), {@code ACCESS_DENIED} for
 * refused credentials or {@code IO_FAILURE} otherwise; messages name the key and never carry
 * credentials. Every implementation passes the contract suite in {@code dr-test-kit}.
 */
public interface SnapshotStore extends AutoCloseable {

    /** The page size that {@link #list(String)} asks for. */
    int DEFAULT_PAGE_SIZE = 1000;

    /**
     * Returns what the store knows about an object.
     *
     * @param key the object's key
     * @return its metadata, or empty when no object has that key
     * @throws DrException {@code INVALID_KEY} for an invalid key; a storage failure otherwise
     */
    Optional<ObjectInfo> stat(String key);

    /**
     * Reads a whole object.
     *
     * @param key the object's key
     * @return its content
     * @throws DrException {@code NOT_FOUND} when no object has that key; {@code INVALID_KEY}
     *     for an invalid key; a storage failure otherwise
     */
    byte[] get(String key);

    /**
     * Reads a whole object together with the ETag of the bytes read, for a read followed by a
     * conditional {@link #replace}: one request where the store returns both (S3, Azure Blob),
     * where {@code stat}, {@code get}, {@code stat} would take three round trips.
     *
     * <p>The default reads the metadata before and after the content and returns them when the
     * ETags agree, trying again (up to five times) when a write came between; stores that
     * return an object's ETag with its content override it.
     *
     * @param key the object's key
     * @return the content and its metadata, or empty when no object has that key
     * @throws DrException {@code INVALID_KEY} for an invalid key; {@code PRECONDITION_FAILED}
     *     naming the key when it changed under every attempt; a storage failure otherwise
     */
    default Optional<StoredObject> getObject(String key) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<ObjectInfo> before = stat(key);
            if (before.isEmpty()) {
                return Optional.empty();
            }
            byte[] data;
            try {
                data = get(key);
            } catch (DrException e) {
                if (e.code() == ErrorCode.NOT_FOUND) {
                    continue;
                }
                throw e;
            }
            Optional<ObjectInfo> after = stat(key);
            if (after.isPresent() && after.get().etag().equals(before.get().etag())) {
                return Optional.of(new StoredObject(after.get(), data));
            }
        }
        throw new DrException(ErrorCode.PRECONDITION_FAILED,
                "'" + key + "' kept changing while it was read", key);
    }

    /**
     * Reads part of an object: {@code length} bytes from {@code offset}, or fewer when the
     * object ends sooner; an offset at or past the end yields an empty array.
     *
     * @param key the object's key
     * @param offset the first byte to read, {@code >= 0}
     * @param length how many bytes at most, {@code >= 0}
     * @return the bytes read
     * @throws DrException {@code NOT_FOUND} when no object has that key; {@code INVALID_ARGUMENT}
     *     for a negative offset or length; a storage failure otherwise
     */
    byte[] get(String key, long offset, int length);

    /**
     * Reads part of an object into an array: up to {@code length} bytes from {@code offset},
     * fewer when the object ends sooner. The default calls {@link #get(String, long, int)} and
     * copies; stores that can read into the array directly override it, which spares large
     * readers an allocation per read.
     *
     * @param key the object's key
     * @param offset the first byte to read, {@code >= 0}
     * @param into the array to fill
     * @param intoOffset where in {@code into} the first byte goes
     * @param length how many bytes at most
     * @return how many bytes were read: {@code 0} when {@code offset} is at or past the end
     * @throws IndexOutOfBoundsException when the range is outside the array
     * @throws DrException {@code NOT_FOUND} when no object has that key; {@code INVALID_ARGUMENT}
     *     for a negative offset; a storage failure otherwise
     */
    default int read(String key, long offset, byte[] into, int intoOffset, int length) {
        Objects.checkFromIndexSize(intoOffset, length, into.length);
        byte[] part = get(key, offset, length);
        System.arraycopy(part, 0, into, intoOffset, part.length);
        return part.length;
    }

    /**
     * Returns how many bytes a ranged read should ask for at least to be worth its request: a
     * reader that wants a few small ranges near each other reads this much around them
     * instead. Restores read packs in aligned windows of this size. The default, 4 MiB, suits
     * local disks; remote stores, whose every request costs a round trip and a server's
     * handling, return more.
     *
     * @return bytes, between 64 KiB and 64 MiB
     */
    default int preferredReadSize() {
        return 4 << 20;
    }

    /**
     * Writes an object, replacing any object with the same key.
     *
     * @param key the object's key
     * @param data its content; the store does not keep a reference to the array
     * @return the metadata of the written object
     * @throws DrException {@code INVALID_KEY} for an invalid key; a storage failure otherwise
     */
    ObjectInfo put(String key, byte[] data);

    /**
     * Writes an object from part of an array, replacing any object with the same key. The
     * default copies the part and calls {@link #put(String, byte[])}; stores that can write
     * from the array directly override it, which spares large writers a copy.
     *
     * @param key the object's key
     * @param data the array holding the content; the store does not keep a reference to it
     * @param offset where the content starts
     * @param length its length
     * @return the metadata of the written object
     * @throws IndexOutOfBoundsException when the range is outside the array
     * @throws DrException {@code INVALID_KEY} for an invalid key; a storage failure otherwise
     */
    default ObjectInfo put(String key, byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        return put(key, offset == 0 && length == data.length ? data
                : Arrays.copyOfRange(data, offset, offset + length));
    }

    /**
     * Writes an object only when no object has its key, atomically: of several writers racing
     * for one key, in this process or others, exactly one succeeds.
     *
     * @param key the object's key
     * @param data its content
     * @return the metadata of the written object, or empty when the key already existed
     *     (nothing is written then)
     * @throws DrException {@code INVALID_KEY} for an invalid key; a storage failure otherwise
     */
    Optional<ObjectInfo> putIfAbsent(String key, byte[] data);

    /**
     * Replaces an object only when its current etag equals {@code expectedEtag}, atomically
     * with respect to other writes of the same key.
     *
     * @param key the object's key
     * @param data the new content
     * @param expectedEtag the etag read before, from {@link #stat} or an earlier write
     * @return the metadata of the written object, or empty when the object is missing or its
     *     etag differs (nothing is written then)
     * @throws DrException {@code INVALID_KEY} for an invalid key; a storage failure otherwise
     */
    Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag);

    /**
     * Lists one page of the objects whose keys start with {@code prefix}, in ascending order
     * of key code points.
     *
     * @param prefix the prefix, possibly empty; it need not end at a {@code /}
     * @param pageToken the {@link ListPage#nextToken()} of the previous page, or {@code null}
     *     for the first page
     * @param pageSize the largest number of objects to return, {@code >= 1}; a store may
     *     return fewer, even on a page that is not the last
     * @return the page
     * @throws DrException {@code INVALID_KEY} for an invalid prefix; {@code INVALID_ARGUMENT}
     *     for a page size below 1 or a token this store did not issue; a storage failure otherwise
     */
    ListPage list(String prefix, @Nullable String pageToken, int pageSize);

    /**
     * Lists every object whose key starts with {@code prefix}, fetching pages as the stream is
     * consumed. The stream is not thread-safe; objects written during the listing may or may
     * not appear.
     *
     * @param prefix the prefix, possibly empty
     * @return the objects in ascending key order
     * @throws DrException as {@link #list(String, String, int)}
     */
    default Stream<ObjectInfo> list(String prefix) {
        StoreKeys.requireValidPrefix(prefix);
        Iterator<ObjectInfo> objects = new Iterator<>() {
            private Iterator<ObjectInfo> current = Collections.emptyIterator();
            private @Nullable String token;
            private boolean started;

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && (!started || token != null)) {
                    ListPage page = list(prefix, token, DEFAULT_PAGE_SIZE);
                    started = true;
                    current = page.objects().iterator();
                    token = page.nextToken();
                }
                return current.hasNext();
            }

            @Override
            public ObjectInfo next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(objects,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT), false);
    }

    /**
     * Deletes an object; deleting a missing key is not an error.
     *
     * @param key the object's key
     * @throws DrException {@code INVALID_KEY} for an invalid key; a storage failure otherwise
     */
    void delete(String key);

    /**
     * Creates the place this store keeps its objects in unless it exists, as creating a
     * repository, a coordinator or a journal on the store does. Writes never create it: a place
     * that is gone (a directory removed or its volume not mounted) is an error on every write,
     * not an empty store started where the old one was. The file store creates its directory;
     * the default does nothing, for stores that have no such place (memory) or create it with a
     * method of their own (an S3 bucket, an Azure container: {@code dr init}). A store that
     * wraps another forwards this call to it.
     *
     * @return true when it was created, false when it existed or the store creates nothing
     * @throws DrException {@code IO_FAILURE} or {@code ACCESS_DENIED} naming the place when it
     *     cannot be created
     */
    default boolean createLocationIfMissing() {
        return false;
    }

    /**
     * Describes where this store keeps its objects, as a URI with credentials removed, for
     * messages and logs.
     *
     * @return the redacted location, such as {@code s3://bucket/prefix}
     */
    String describe();

    /** Releases the store's clients and threads; closing twice has no further effect. */
    @Override
    void close();
}
