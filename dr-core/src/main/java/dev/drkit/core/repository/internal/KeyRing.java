package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.KeyInfo;
import dev.drkit.core.repository.VerifyReport;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.jspecify.annotations.Nullable;

/**
 * Key files: the master key wrapped by Argon2id-derived keys, one file per password.
 *
 * <p>A version 2 key file authenticates every byte twice. Its {@code check}, written last, is
 * the SHA-256 of everything before it (every field and the MAC) and needs no key: a damaged, truncated or zeroed file fails
 * it before any password is tried, so damage is reported as damage ({@code INTEGRITY}) and
 * never as a wrong password. Its {@code mac} is HMAC-SHA-256 over the other fields under a key
 * derived from the master key, checked once the file opened: a deliberate edit that also fixed
 * the checksum fails there. A wrong password is then the only way an intact file fails to open.
 * The file also names its own id, so key files cannot be swapped. Version 1 files (before the
 * checks) still open; {@code verify} notes them.
 */
public final class KeyRing {
    /** The key prefix of key files. */
    public static final String PREFIX = "keys/";
    /** The version written. */
    static final int VERSION = 2;
    private static final String TAG_PURPOSE = "key file";

    private static final int FIELDS = 0;
    private static final int WITH_MAC = 1;
    private static final int WHOLE = 2;

    /** A key file as stored (JSON); {@code id}, {@code check} and {@code mac} are null in version 1. */
    record KeyFile(int version, @Nullable String id, String created, String host, String kdf, int memoryKiB,
            int iterations, int parallelism, String salt, String wrapped, @Nullable String check,
            @Nullable String mac) {
        /**
         * Returns the fields as written: {@link #FIELDS} only (what the MAC covers), with the
         * MAC ({@link #WITH_MAC}, what the check covers) or with both ({@link #WHOLE}).
         */
        byte[] encode(int stage) {
            return JsonCodec.write(g -> {
                g.writeStartObject();
                g.writeNumberProperty("version", version);
                JsonCodec.optional(g, "id", id);
                g.writeStringProperty("created", created);
                g.writeStringProperty("host", host);
                g.writeStringProperty("kdf", kdf);
                g.writeNumberProperty("memoryKiB", memoryKiB);
                g.writeNumberProperty("iterations", iterations);
                g.writeNumberProperty("parallelism", parallelism);
                g.writeStringProperty("salt", salt);
                g.writeStringProperty("wrapped", wrapped);
                if (stage >= WITH_MAC) {
                    JsonCodec.optional(g, "mac", mac);
                }
                if (stage >= WHOLE) {
                    JsonCodec.optional(g, "check", check);
                }
                g.writeEndObject();
            });
        }

        static KeyFile decode(byte[] json) {
            JsonCodec.Fields f = JsonCodec.parse(json);
            return new KeyFile(f.integer("version"), f.optString("id"), f.string("created"), f.string("host"),
                    f.string("kdf"), f.integer("memoryKiB"), f.integer("iterations"), f.integer("parallelism"),
                    f.string("salt"), f.string("wrapped"), f.optString("check"), f.optString("mac"));
        }

        KdfParams params() {
            return new KdfParams(memoryKiB, iterations, parallelism);
        }
    }

    /** A key that opened the repository. */
    public record Opened(String keyId, byte[] master) {
    }

    /** A key file that failed its key-independent checks. */
    static final class Damaged extends Exception {
        private static final long serialVersionUID = 1L;

        Damaged(String message) {
            super(message, null, false, false);
        }
    }

    private KeyRing() {
    }

    /**
     * Wraps a master key with a password and stores it as a new key file.
     *
     * @param store the store
     * @param master the 64-byte master key
     * @param password the password
     * @param params the KDF parameters
     * @param host the host name recorded in the file
     * @param now the creation time
     * @return the new key's id
     */
    public static String add(SnapshotStore store, byte[] master, char[] password, KdfParams params, String host,
            Instant now) {
        byte[] salt = Crypto.random(16);
        byte[] kek = derive(password, salt, params);
        try {
            byte[] wrapped = Crypto.seal(new SecretKeySpec(kek, "AES"), master, 0, master.length);
            String id = Crypto.randomId();
            KeyFile fields = new KeyFile(VERSION, id, now.toString(), host, "argon2id", params.memoryKiB(),
                    params.iterations(), params.parallelism(), Base64.getEncoder().encodeToString(salt),
                    Base64.getEncoder().encodeToString(wrapped), null, null);
            String mac = new Crypto(master, 1).tag(TAG_PURPOSE, fields.encode(FIELDS));
            KeyFile withMac = new KeyFile(VERSION, id, fields.created(), host, "argon2id", params.memoryKiB(),
                    params.iterations(), params.parallelism(), fields.salt(), fields.wrapped(), null, mac);
            KeyFile file = new KeyFile(VERSION, id, fields.created(), host, "argon2id", params.memoryKiB(),
                    params.iterations(), params.parallelism(), fields.salt(), fields.wrapped(),
                    sha256(withMac.encode(WITH_MAC)), mac);
            if (store.putIfAbsent(PREFIX + id, file.encode(WHOLE)).isEmpty()) {
                throw new DrException(ErrorCode.ALREADY_EXISTS, "Key " + id + " exists already", PREFIX + id);
            }
            return id;
        } finally {
            Arrays.fill(kek, (byte) 0);
        }
    }

    /**
     * Finds the key file that the password opens.
     *
     * @param store the store
     * @param password the password
     * @return the key id and the master key
     * @throws DrException {@code WRONG_PASSWORD} when no key opens and every key file is intact;
     *     {@code INTEGRITY} naming a key file that is damaged or altered, or {@code keys/} when
     *     there are none; {@code NOT_FOUND} when the store holds no repository;
     *     {@code UNAVAILABLE} when only a key whose derivation needs more than half the heap could
     *     have opened
     */
    public static Opened open(SnapshotStore store, char[] password) {
        return open(store, list(store), password);
    }

    /**
     * Lists the key files.
     *
     * @param store the store
     * @return their keys
     */
    static List<String> list(SnapshotStore store) {
        return store.list(PREFIX).map(info -> info.key()).toList();
    }

    /**
     * Finds the key file that the password opens among listed ones, as {@link #open(SnapshotStore, char[])}.
     *
     * @param store the store
     * @param keys the key files, as {@link #list} gives them
     * @param password the password
     * @return the key id and the master key
     */
    static Opened open(SnapshotStore store, List<String> keys, char[] password) {
        if (keys.isEmpty()) {
            throw new DrException(ErrorCode.INTEGRITY, "The repository at " + store.describe()
                    + " is damaged: it has no key files under " + PREFIX, PREFIX);
        }
        List<String> damaged = new ArrayList<>();
        DrException tooLarge = null;
        for (String key : keys) {
            KeyFile file;
            try {
                file = inspect(store, key);
            } catch (Damaged e) {
                damaged.add(key + " (" + e.getMessage() + ")");
                continue;
            }
            if (file == null) {
                continue; // removed meanwhile
            }
            KdfParams params = file.params();
            long heap = Runtime.getRuntime().maxMemory();
            if (params.memoryKiB() * 1024L > heap / 2) {
                // Deriving would run out of memory; another key may open, else say why none did.
                tooLarge = new DrException(ErrorCode.UNAVAILABLE, "Key " + key + " asks for " + params.memoryKiB()
                        + " KiB of memory for its key derivation, more than half of this JVM's heap ("
                        + heap / 1024 + " KiB); run with a larger -Xmx", key);
                continue;
            }
            byte[] kek = derive(password, Base64.getDecoder().decode(file.salt()), params);
            byte[] master;
            try {
                byte[] wrapped = Base64.getDecoder().decode(file.wrapped());
                master = Crypto.open(new SecretKeySpec(kek, "AES"), wrapped, 0, wrapped.length, key);
            } catch (DrException wrongPassword) {
                continue; // try the next key
            } finally {
                Arrays.fill(kek, (byte) 0);
            }
            if (file.version() >= 2 && !authentic(file, new Crypto(master, 1))) {
                throw new DrException(ErrorCode.INTEGRITY, "Key file " + key + " was altered: its fields do not "
                        + "match their authentication code", key);
            }
            return new Opened(key.substring(PREFIX.length()), master);
        }
        if (!damaged.isEmpty()) {
            String first = damaged.get(0).substring(0, damaged.get(0).indexOf(' '));
            throw new DrException(ErrorCode.INTEGRITY, "The password opens none of the intact keys, and "
                    + (damaged.size() == 1 ? "a key file is" : damaged.size() + " key files are") + " damaged: "
                    + String.join(", ", damaged), first);
        }
        if (tooLarge != null) {
            throw tooLarge;
        }
        throw new DrException(ErrorCode.WRONG_PASSWORD, "The password opens none of the " + keys.size()
                + " keys of the repository at " + store.describe(), store.describe());
    }

    /**
     * Checks every key file with the open repository's key: damage, alteration, swapped files.
     *
     * @param store the store
     * @param crypto the repository's keys
     * @param problems where problems go, each naming its key file
     * @param notes where notes go
     */
    public static void verify(SnapshotStore store, Crypto crypto, List<VerifyReport.Problem> problems,
            List<VerifyReport.Problem> notes) {
        List<String> keys = store.list(PREFIX).map(info -> info.key()).toList();
        if (keys.isEmpty()) {
            problems.add(new VerifyReport.Problem(PREFIX, "no key files: the repository cannot be opened again"));
        }
        for (String key : keys) {
            try {
                KeyFile file = inspect(store, key);
                if (file == null) {
                    continue;
                }
                if (file.version() < 2) {
                    notes.add(new VerifyReport.Problem(key, "a version 1 key file, without authentication of its "
                            + "fields: add a key and remove this one to replace it"));
                } else if (!authentic(file, crypto)) {
                    problems.add(new VerifyReport.Problem(key, "altered: its fields do not match their "
                            + "authentication code"));
                }
            } catch (Damaged e) {
                problems.add(new VerifyReport.Problem(key, "damaged: " + e.getMessage()));
            }
        }
    }

    /**
     * Lists the keys.
     *
     * @param store the store
     * @param currentId the id of the key in use
     * @return the keys
     */
    public static List<KeyInfo> list(SnapshotStore store, String currentId) {
        List<KeyInfo> out = new ArrayList<>();
        store.list(PREFIX).forEach(info -> {
            KeyFile file;
            try {
                file = inspect(store, info.key());
            } catch (Damaged e) {
                file = null;
            }
            if (file != null) {
                String id = info.key().substring(PREFIX.length());
                out.add(new KeyInfo(id, Instant.parse(file.created()), file.host(), id.equals(currentId)));
            }
        });
        return out;
    }

    /**
     * Reads a key file and runs the checks that need no key.
     *
     * @return the file, or null when it is gone
     * @throws Damaged saying what is wrong
     */
    static @Nullable KeyFile inspect(SnapshotStore store, String key) throws Damaged {
        byte[] bytes;
        try {
            bytes = store.get(key);
        } catch (DrException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        }
        KeyFile file;
        try {
            file = KeyFile.decode(bytes);
            Instant.parse(file.created());
            file.params();
            Base64.getDecoder().decode(file.salt());
            Base64.getDecoder().decode(file.wrapped());
        } catch (RuntimeException e) {
            throw new Damaged("not a readable key file");
        }
        if (!"argon2id".equals(file.kdf())) {
            throw new Damaged("unknown key derivation '" + file.kdf() + "'");
        }
        if (file.version() == 1) {
            return file;
        }
        if (file.version() != VERSION || file.check() == null || file.mac() == null || file.id() == null) {
            throw new Damaged("unknown version or missing checks");
        }
        if (!Arrays.equals(file.encode(WHOLE), bytes)) {
            throw new Damaged("bytes outside its fields were changed");
        }
        if (!sha256(file.encode(WITH_MAC)).equals(file.check())) {
            throw new Damaged("its checksum does not match: the file was altered");
        }
        if (!key.equals(PREFIX + file.id())) {
            throw new Damaged("it holds key file " + file.id() + ": key files were swapped or copied");
        }
        return file;
    }

    /**
     * Tells whether a key file is intact and, from version 2 on, carries this repository's MAC.
     *
     * @param store the store
     * @param key the key file's key
     * @param crypto the repository's keys
     * @return true when it may be recorded in the history
     */
    static boolean authentic(SnapshotStore store, String key, Crypto crypto) {
        try {
            KeyFile file = inspect(store, key);
            return file != null && (file.version() < 2 || authentic(file, crypto));
        } catch (Damaged e) {
            return false;
        }
    }

    private static boolean authentic(KeyFile file, Crypto crypto) {
        return MessageDigest.isEqual(
                crypto.tag(TAG_PURPOSE, file.encode(FIELDS)).getBytes(StandardCharsets.US_ASCII),
                String.valueOf(file.mac()).getBytes(StandardCharsets.US_ASCII));
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final AtomicBoolean WARMED = new AtomicBoolean();

    /**
     * Starts deriving a throwaway key with small parameters on a background thread, so that the
     * key derivation's code is compiled before a repository is opened: about half of a cold
     * derivation's time. Only the first call does anything; a warm-up that cannot start or fails
     * changes nothing but speed.
     */
    public static void warmUp() {
        if (!WARMED.compareAndSet(false, true)) {
            return;
        }
        try {
            Thread t = new Thread(() -> {
                try {
                    derive(new char[] {'w'}, new byte[16], new KdfParams(4096, 1, 1));
                } catch (RuntimeException e) {
                    // only speed is lost
                }
            }, "dr-kdf-warmup");
            t.setDaemon(true);
            t.start();
        } catch (RuntimeException | OutOfMemoryError e) {
            // no thread to spare
        }
    }

    static byte[] derive(char[] password, byte[] salt, KdfParams params) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] pw = new byte[encoded.remaining()];
        encoded.get(pw);
        try {
            Argon2Parameters p = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                    .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                    .withSalt(salt)
                    .withMemoryAsKB(params.memoryKiB())
                    .withIterations(params.iterations())
                    .withParallelism(params.parallelism())
                    .build();
            Argon2BytesGenerator gen = new Argon2BytesGenerator();
            gen.init(p);
            byte[] out = new byte[32];
            gen.generateBytes(pw, out);
            return out;
        } finally {
            Arrays.fill(pw, (byte) 0);
            if (encoded.hasArray()) {
                Arrays.fill(encoded.array(), (byte) 0);
            }
        }
    }
}
