package dev.drkit.core.repository.internal;

import com.github.luben.zstd.Zstd;
import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
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
            java.nio.file.Files.createDirectories(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
        } catch (java.io.IOException | RuntimeException e) {
            // the library load reports the problem itself
        }
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
        return java.util.HexFormat.of().formatHex(random(16));
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
        RANDOM.nextBytes(out);
        try {
            Cipher cipher = CIPHERS.get();
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, out, 0, 12));
            cipher.doFinal(plain, offset, length, out, 12);
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
        } catch (javax.crypto.AEADBadTagException e) {
            throw new DrException(ErrorCode.INTEGRITY, "Authentication of " + what + " failed: the data was altered",
                    what, e);
        } catch (GeneralSecurityException e) {
            throw new DrException(ErrorCode.INTEGRITY, "Cannot decrypt " + what, what, e);
        }
    }

    private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(Crypto::newCipher);

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
        byte[] plain;
        int bound = (int) Zstd.compressBound(data.length);
        byte[] compressed = new byte[1 + bound];
        long n = data.length < 64 ? -1 : Zstd.compressByteArray(compressed, 1, bound, data, 0, data.length, zstdLevel);
        if (n > 0 && !Zstd.isError(n) && n + 1 < data.length) {
            compressed[0] = 1;
            return seal(compressed, 0, (int) n + 1);
        }
        plain = new byte[data.length + 1];
        System.arraycopy(data, 0, plain, 1, data.length);
        return seal(plain, 0, plain.length);
    }

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
        byte[] plain = open(sealed, offset, length, what);
        byte[] data;
        if (plain.length >= 1 && plain[0] == 0) {
            data = Arrays.copyOfRange(plain, 1, plain.length);
        } else if (plain.length >= 1 && plain[0] == 1) {
            data = new byte[rawLength];
            long n = Zstd.decompressByteArray(data, 0, rawLength, plain, 1, plain.length - 1);
            if (Zstd.isError(n) || n != rawLength) {
                throw new DrException(ErrorCode.INTEGRITY, "Blob " + expected.hex() + " in " + what
                        + " does not decompress to its recorded length", what);
            }
        } else {
            throw new DrException(ErrorCode.INTEGRITY, "Blob " + expected.hex() + " in " + what
                    + " has an unknown encoding", what);
        }
        if (data.length != rawLength || !blobId(data, 0, data.length).equals(expected)) {
            throw new DrException(ErrorCode.INTEGRITY, "Blob " + expected.hex() + " in " + what
                    + " does not match its id", what);
        }
        return data;
    }
}
