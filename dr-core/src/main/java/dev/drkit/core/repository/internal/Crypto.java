package dev.drkit.core.repository.internal;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The repository's keys and what they do: keyed blob ids (HMAC-SHA-256), AES-256-GCM sealing
 * with a random 96-bit nonce, and zstd compression with a raw fallback. Thread-safe: ciphers
 * and MACs are kept per thread.
 *
 * <p>A sealed object is {@code nonce(12) || ciphertext || tag(16)}. A packed blob's plaintext
 * starts with one byte: 0 for raw data, 1 for zstd data.
 */
public final class Crypto {
    /** Bytes a sealed object adds to its plaintext. */
    public static final int OVERHEAD = 12 + 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        // zstd-jni unpacks its native library into java.io.tmpdir, which must exist.
        try {
            Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        } catch (IOException | RuntimeException e) {
            // the library load reports the problem itself
        }
    }

    private static final AtomicBoolean WARMED = new AtomicBoolean();

    /**
     * Bytes handed to the cipher per call when sealing. The JDK's GCM runs at about 100 MB/s
     * until the methods that call its AES-CTR and GHASH intrinsics are compiled by C2, which
     * counts calls, not bytes: one call for a whole 1 MiB blob leaves it slow for hundreds of
     * megabytes, while 4 KiB slices get it compiled within tens, then run at several GB/s.
     */
    static final int GCM_SLICE = 4096;

    /**
     * Gets C2 to compile the AES-GCM and SHA-256 paths early, on a background thread. The JDK
     * runs GHASH at about 100 MB/s until the methods that call its intrinsics are compiled by
     * C2, and C2 waits for a number of calls that grows with the length of its queue, which is
     * long while a process starts. Opening a large blob is a single call (the cipher holds back
     * plaintext until the tag checks), so without a warm-up a restore opened hundreds of
     * megabytes that way. This makes many calls on tiny buffers, which cost little before they
     * are compiled, until a probe shows the fast paths in use, or for at most
     * {@link #WARM_UP_LIMIT_NANOS}; it gives up sooner where the probe does not get faster
     * (no intrinsics, or no C2). Only the first call does anything, and a warm-up that cannot
     * start or fails changes nothing but speed.
     */
    static void warmUp() {
        if (!WARMED.compareAndSet(false, true)) {
            return;
        }
        try {
            Thread t = new Thread(Crypto::warm, "dr-crypto-warmup");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            t.start();
        } catch (RuntimeException | OutOfMemoryError e) {
            // no thread to spare: the work warms the paths up itself, more slowly
        }
    }

    /** How long the warm-up tries, at most. */
    static final long WARM_UP_LIMIT_NANOS = 2_000_000_000L;

    /** Block-sized calls between probes. */
    private static final int WARM_UP_ROUND = 2000;
    /** How long a warm-up whose probe has not become twice as fast keeps trying. */
    private static final long WARM_UP_PATIENCE_NANOS = 1_000_000_000L;
    /** Rounds run back to back, then with a pause between them. */
    private static final int WARM_UP_EAGER_ROUNDS = 4;
    private static final long WARM_UP_PAUSE_MILLIS = 3;

    /**
     * The probe's size, and the times under which opening and hashing it count as fast: 1 and
     * 0.5 GB/s. Compiled, they run at about 6 and 1.5 GB/s; before, at about 0.1 and 0.2.
     */
    private static final int PROBE = 64 << 10;
    private static final long PROBE_OPEN_NANOS = PROBE;
    private static final long PROBE_HASH_NANOS = 2L * PROBE;

    /**
     * Runs the warm-up on this thread.
     *
     * @return true when the probe found the compiled paths, false when it gave up
     */
    static boolean warm() {
        try {
            SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] iv = new byte[12];
            byte[] block = new byte[16];
            byte[] out = new byte[32];
            byte[] small = new byte[256];
            byte[] sealed = new byte[small.length + 16];
            byte[] probe = new byte[PROBE + 16];
            byte[] sealedProbe = new byte[PROBE + 16];
            long begun = System.nanoTime();
            long deadline = begun + WARM_UP_LIMIT_NANOS;
            long firstProbe = 0;
            for (int round = 0; System.nanoTime() < deadline; round++) {
                // Every nonce is used once: the round in bytes 0-1, the purpose in byte 2.
                iv[0] = (byte) round;
                iv[1] = (byte) (round >>> 8);
                // One block per call: each goes through GCTR and GHASH once, which is what C2
                // counts, at little cost while they are slow.
                iv[2] = 0;
                cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
                for (int i = 0; i < WARM_UP_ROUND; i++) {
                    cipher.update(block, 0, block.length, out, 0);
                }
                cipher.doFinal(out, 0);
                // Blob ids hash whole blobs: one block per call counts the same way.
                for (int i = 0; i < WARM_UP_ROUND; i++) {
                    sha.update(small, 0, 64);
                }
                sha.reset();
                // Opening takes a path of its own.
                iv[2] = 1;
                cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
                int n = cipher.doFinal(small, 0, small.length, sealed, 0);
                for (int i = 0; i < WARM_UP_ROUND / 40; i++) {
                    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
                    cipher.doFinal(sealed, 0, n, small, 0);
                }
                // The probe seals and opens 64 KiB the way blobs are: sliced, and in one call.
                iv[2] = 2;
                cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
                n = encryptSliced(cipher, probe, 0, PROBE, sealedProbe, 0);
                n += cipher.doFinal(sealedProbe, n);
                long started = System.nanoTime();
                cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
                cipher.doFinal(sealedProbe, 0, n, probe, 0);
                long opened = System.nanoTime();
                sha.update(probe, 0, PROBE);
                sha.reset();
                long hashed = System.nanoTime();
                if (opened - started < PROBE_OPEN_NANOS && hashed - opened < PROBE_HASH_NANOS) {
                    return true;
                }
                long took = hashed - started;
                firstProbe = round == 0 ? took : firstProbe;
                if (took > firstProbe / 2 && hashed - begun > WARM_UP_PATIENCE_NANOS) {
                    return false;
                }
                if (round >= WARM_UP_EAGER_ROUNDS) {
                    // The calls are counted by now; C2 works through its queue. Leave the core
                    // to the work and look again shortly.
                    Thread.sleep(WARM_UP_PAUSE_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (GeneralSecurityException | RuntimeException | OutOfMemoryError e) {
            // only a warm-up
        }
        return false;
    }

    /**
     * Encrypts {@code length} bytes into {@code out} in {@link #GCM_SLICE}-sized calls.
     *
     * @return the bytes written
     */
    private static int encryptSliced(Cipher cipher, byte[] in, int offset, int length, byte[] out, int outOffset)
            throws GeneralSecurityException {
        int o = outOffset;
        int end = offset + length;
        for (int at = offset; at < end; at += GCM_SLICE) {
            o += cipher.update(in, at, Math.min(GCM_SLICE, end - at), out, o);
        }
        return o - outOffset;
    }

    private final SecretKeySpec encKey;
    private final SecretKeySpec macKey;
    private final int zstdLevel;
    private final byte[] master;
    private final ThreadLocal<Mac> macs;

    /**
     * Creates the operations for a master key.
     *
     * @param master 64 bytes: the AES key, then the MAC key
     * @param zstdLevel the compression level
     */
    public Crypto(byte[] master, int zstdLevel) {
        if (master.length != 64) {
            throw new IllegalArgumentException("A master key has 64 bytes");
        }
        this.master = master.clone();
        this.encKey = new SecretKeySpec(master, 0, 32, "AES");
        this.macKey = new SecretKeySpec(master, 32, 32, "HmacSHA256");
        this.zstdLevel = zstdLevel;
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(macKey);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * Returns a copy of the 64-byte master key, for wrapping it with another password.
     *
     * @return the key
     */
    public byte[] masterKey() {
        return master.clone();
    }

    /**
     * Returns fresh random bytes.
     *
     * @param n how many
     * @return the bytes
     */
    public static byte[] random(int n) {
        byte[] out = new byte[n];
        RANDOM.nextBytes(out);
        return out;
    }

    /**
     * Returns a random 128-bit id as 32 hex digits, for index, snapshot, key and lock names.
     *
     * @return the id
     */
    public static String randomId() {
        return HexFormat.of().formatHex(random(16));
    }

    /**
     * Computes the keyed id of content.
     *
     * @param data the content
     * @param offset where it starts
     * @param length its length
     * @return the id
     */
    public BlobId blobId(byte[] data, int offset, int length) {
        Mac mac = macs.get();
        mac.update(data, offset, length);
        return BlobId.wrap(mac.doFinal());
    }

    /**
     * Computes a keyed tag of data for one purpose: HMAC-SHA-256 under a key derived from the
     * MAC key and the purpose, so that tags of one kind (history entries, key files) can never
     * stand in for another or for a blob id.
     *
     * @param purpose what the tag authenticates, such as {@code "history"}
     * @param data the bytes
     * @return the tag as 64 hex digits
     */
    public String tag(String purpose, byte[] data) {
        try {
            Mac derive = Mac.getInstance("HmacSHA256");
            derive.init(macKey);
            byte[] subKey = derive.doFinal(("dr-kit " + purpose).getBytes(StandardCharsets.UTF_8));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(subKey, "HmacSHA256"));
            Arrays.fill(subKey, (byte) 0);
            return HexFormat.of().formatHex(mac.doFinal(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 failed", e);
        }
    }

    /**
     * Seals plaintext.
     *
     * @param plain the plaintext
     * @param offset where it starts
     * @param length its length
     * @return nonce, ciphertext and tag
     */
    public byte[] seal(byte[] plain, int offset, int length) {
        return seal(encKey, plain, offset, length);
    }

    /**
     * Opens a sealed object.
     *
     * @param sealed nonce, ciphertext and tag
     * @param offset where it starts
     * @param length its length
     * @param what the key or name to blame on failure
     * @return the plaintext
     * @throws DrException {@code INTEGRITY} naming {@code what} when authentication fails
     */
    public byte[] open(byte[] sealed, int offset, int length, String what) {
        return open(encKey, sealed, offset, length, what);
    }

    static byte[] seal(SecretKeySpec key, byte[] plain, int offset, int length) {
        byte[] out = new byte[12 + length + 16];
        NONCES.get().next(out, 0);
        try {
            Cipher cipher = CIPHERS.get();
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, out, 0, 12));
            int o = 12 + encryptSliced(cipher, plain, offset, length, out, 12);
            cipher.doFinal(out, o);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM sealing failed", e);
        }
    }

    static byte[] open(SecretKeySpec key, byte[] sealed, int offset, int length, String what) {
        if (length < OVERHEAD) {
            throw new DrException(ErrorCode.INTEGRITY, "Sealed data of " + what + " is truncated", what);
        }
        try {
            Cipher cipher = CIPHERS.get();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, offset, 12));
            return cipher.doFinal(sealed, offset + 12, length - 12);
        } catch (AEADBadTagException e) {
            throw new DrException(ErrorCode.INTEGRITY, "Authentication of " + what + " failed: the data was altered",
                    what, e);
        } catch (GeneralSecurityException e) {
            throw new DrException(ErrorCode.INTEGRITY, "Cannot decrypt " + what, what, e);
        }
    }

    private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(Crypto::newCipher);
    private static final ThreadLocal<Nonces> NONCES = ThreadLocal.withInitial(Nonces::new);

    /**
     * Random 96-bit nonces, cut from a per-thread buffer of the system's strong random bytes:
     * one call to the generator serves several blobs, instead of one locked call (a read of
     * the entropy source mixed with SHA-1) per blob. Each byte is used once, and a buffer older
     * than {@link #MAX_AGE_NANOS} is thrown away, so that a process resumed twice from one
     * snapshot of its memory (a cloned VM, a restored checkpoint) shares at most that window's
     * nonces, as it would the generator's own buffered state.
     */
    private static final class Nonces {
        private static final int LENGTH = 12;
        private static final long MAX_AGE_NANOS = 100_000_000L;
        private final byte[] pool = new byte[LENGTH * 64];
        private int next = pool.length;
        private long filled;

        void next(byte[] out, int offset) {
            long now = System.nanoTime();
            if (next == pool.length || now - filled > MAX_AGE_NANOS) {
                RANDOM.nextBytes(pool);
                next = 0;
                filled = now;
            }
            System.arraycopy(pool, next, out, offset, LENGTH);
            Arrays.fill(pool, next, next + LENGTH, (byte) 0);
            next += LENGTH;
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Compresses a blob's content when that makes it smaller and seals it.
     *
     * @param data the content
     * @return the sealed blob
     */
    public byte[] packBlob(byte[] data) {
        Prepared prepared = prepare(data, 0, data.length);
        byte[] out = new byte[prepared.sealedLength()];
        sealPrepared(prepared, out, 0);
        return out;
    }

    /**
     * Returns the sealed length of a packed blob whose content, compressed or not, has a length.
     *
     * @param length the length of what is sealed after the prefix byte
     * @return nonce, prefix byte, content and tag
     */
    public static int packedBound(int length) {
        return 12 + 1 + length + 16;
    }

    /**
     * A blob's content made ready for sealing: zstd-compressed into this thread's scratch
     * buffer when that makes it smaller, else the content itself. Valid until the thread's next
     * call to {@link #prepare}.
     *
     * @param prefix 1 for zstd data, 0 for raw data
     * @param data the array holding the bytes to seal
     * @param offset where they start in {@code data}
     * @param length how many there are
     */
    record Prepared(byte prefix, byte[] data, int offset, int length) {
        /** Returns the sealed length. @return nonce, prefix, data and tag */
        int sealedLength() {
            return packedBound(length);
        }
    }

    /**
     * Compresses a blob's content when that makes it smaller.
     *
     * @param data the array holding the content
     * @param offset where the content starts
     * @param length its length
     * @return what to seal
     */
    Prepared prepare(byte[] data, int offset, int length) {
        if (length >= 64) {
            Scratch scratch = SCRATCH.get();
            byte[] compressed = scratch.output(length);
            long n = scratch.compressor(zstdLevel).compressByteArray(compressed, 0, compressed.length, data, offset,
                    length);
            if (!Zstd.isError(n) && n + 1 < length) {
                return new Prepared((byte) 1, compressed, 0, (int) n);
            }
        }
        return new Prepared((byte) 0, data, offset, length);
    }

    /**
     * Seals prepared content into {@code out}.
     *
     * @param prepared the content, from this thread's last {@link #prepare}
     * @param out the buffer, with room for {@link Prepared#sealedLength()} bytes
     * @param outOffset where to write
     * @return the bytes written
     */
    int sealPrepared(Prepared prepared, byte[] out, int outOffset) {
        NONCES.get().next(out, outOffset);
        try {
            Cipher cipher = CIPHERS.get();
            cipher.init(Cipher.ENCRYPT_MODE, encKey, new GCMParameterSpec(128, out, outOffset, 12));
            int o = outOffset + 12;
            o += cipher.update(new byte[] {prepared.prefix()}, 0, 1, out, o);
            o += encryptSliced(cipher, prepared.data(), prepared.offset(), prepared.length(), out, o);
            o += cipher.doFinal(out, o);
            return o - outOffset;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM sealing failed", e);
        }
    }

    /** Per-thread compression contexts and buffers, reused across blobs. */
    private static final class Scratch {
        private ZstdCompressCtx compressor;
        private int level = -1;
        private ZstdDecompressCtx decompressor;
        private byte[] output = new byte[0];
        private byte[] plain = new byte[0];
        private byte[] raw = new byte[0];

        byte[] plain(int length) {
            plain = atLeast(plain, length);
            return plain;
        }

        byte[] raw(int length) {
            raw = atLeast(raw, length);
            return raw;
        }

        /**
         * Returns {@code buf} when it holds {@code length} bytes, else a new array rounded up to
         * 256 KiB: blob sizes settle within a few steps, and a thread holds little more than its
         * largest blob (doubling would hold up to twice that, per buffer and thread).
         */
        private static byte[] atLeast(byte[] buf, int length) {
            if (buf.length >= length) {
                return buf;
            }
            int step = 256 << 10;
            return new byte[(int) Math.min(Integer.MAX_VALUE - 8, ((long) length + step - 1) / step * step)];
        }

        ZstdCompressCtx compressor(int wanted) {
            if (compressor == null || level != wanted) {
                compressor = new ZstdCompressCtx();
                compressor.setLevel(wanted);
                level = wanted;
            }
            return compressor;
        }

        ZstdDecompressCtx decompressor() {
            if (decompressor == null) {
                decompressor = new ZstdDecompressCtx();
            }
            return decompressor;
        }

        byte[] output(int length) {
            output = atLeast(output, (int) Zstd.compressBound(length));
            return output;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Opens a packed blob and checks that its content has the expected id.
     *
     * @param sealed the buffer holding the sealed blob
     * @param offset where it starts
     * @param length its sealed length
     * @param rawLength its content length
     * @param expected the id it must have
     * @param what the key to blame on failure
     * @return the content
     * @throws DrException {@code INTEGRITY} naming {@code what} when the blob is altered
     */
    public byte[] unpackBlob(byte[] sealed, int offset, int length, int rawLength, BlobId expected, String what) {
        ByteBuffer shared = unpackBlobShared(sealed, offset, length, rawLength, expected, what);
        byte[] data = new byte[shared.remaining()];
        shared.get(data);
        return data;
    }

    /**
     * Opens a packed blob into this thread's scratch buffers and checks that its content has the
     * expected id; the returned buffer stays valid until the thread's next call.
     *
     * @param sealed the bytes holding the sealed blob
     * @param offset where it starts
     * @param length its sealed length
     * @param rawLength its recorded plain length
     * @param expected its id
     * @param what the pack, for messages
     * @return the checked content
     * @throws DrException {@code INTEGRITY} when the blob is altered or does not match its id
     */
    ByteBuffer unpackBlobShared(byte[] sealed, int offset, int length, int rawLength, BlobId expected, String what) {
        if (length < OVERHEAD) {
            throw new DrException(ErrorCode.INTEGRITY, "Sealed data of " + what + " is truncated", what);
        }
        Scratch scratch = SCRATCH.get();
        byte[] plain = scratch.plain(length);
        int plainLength;
        try {
            Cipher cipher = CIPHERS.get();
            cipher.init(Cipher.DECRYPT_MODE, encKey, new GCMParameterSpec(128, sealed, offset, 12));
            plainLength = cipher.doFinal(sealed, offset + 12, length - 12, plain, 0);
        } catch (AEADBadTagException e) {
            throw new DrException(ErrorCode.INTEGRITY, "Authentication of " + what + " failed: the data was altered",
                    what, e);
        } catch (GeneralSecurityException e) {
            throw new DrException(ErrorCode.INTEGRITY, "Cannot decrypt " + what, what, e);
        }
        byte[] data;
        int start;
        if (plainLength >= 1 && plain[0] == 0) {
            data = plain;
            start = 1;
            if (plainLength - 1 != rawLength) {
                throw new DrException(ErrorCode.INTEGRITY, "Blob " + expected.hex() + " in " + what
                        + " does not match its id", what);
            }
        } else if (plainLength >= 1 && plain[0] == 1) {
            data = scratch.raw(rawLength);
            start = 0;
            long n;
            try {
                n = scratch.decompressor().decompressByteArray(data, 0, rawLength, plain, 1, plainLength - 1);
            } catch (RuntimeException e) {
                n = -1;
            }
            if (n != rawLength) {
                throw new DrException(ErrorCode.INTEGRITY, "Blob " + expected.hex() + " in " + what
                        + " does not decompress to its recorded length", what);
            }
        } else {
            throw new DrException(ErrorCode.INTEGRITY, "Blob " + expected.hex() + " in " + what
                    + " has an unknown encoding", what);
        }
        if (!blobId(data, start, rawLength).equals(expected)) {
            throw new DrException(ErrorCode.INTEGRITY, "Blob " + expected.hex() + " in " + what
                    + " does not match its id", what);
        }
        return ByteBuffer.wrap(data, start, rawLength);
    }
}
