package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.KeyInfo;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.jspecify.annotations.Nullable;

/** Key files: the master key wrapped by Argon2id-derived keys, one file per password. */
public final class KeyRing {
    /** The key prefix of key files. */
    public static final String PREFIX = "keys/";

    /** A key file as stored (JSON). */
    record KeyFile(int version, String created, String host, String kdf, int memoryKiB, int iterations,
            int parallelism, String salt, String wrapped) {
        byte[] encode() {
            return JsonCodec.write(g -> {
                g.writeStartObject();
                g.writeNumberProperty("version", version);
                g.writeStringProperty("created", created);
                g.writeStringProperty("host", host);
                g.writeStringProperty("kdf", kdf);
                g.writeNumberProperty("memoryKiB", memoryKiB);
                g.writeNumberProperty("iterations", iterations);
                g.writeNumberProperty("parallelism", parallelism);
                g.writeStringProperty("salt", salt);
                g.writeStringProperty("wrapped", wrapped);
                g.writeEndObject();
            });
        }

        static KeyFile decode(byte[] json) {
            JsonCodec.Fields f = JsonCodec.parse(json);
            Instant.parse(f.string("created")); // listing parses it; a malformed time is a malformed key file
            return new KeyFile(f.integer("version"), f.string("created"), f.string("host"), f.string("kdf"),
                    f.integer("memoryKiB"), f.integer("iterations"), f.integer("parallelism"), f.string("salt"),
                    f.string("wrapped"));
        }
    }

    /** A key that opened the repository. */
    public record Opened(String keyId, byte[] master) {
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
            KeyFile file = new KeyFile(1, now.toString(), host, "argon2id", params.memoryKiB(), params.iterations(),
                    params.parallelism(), Base64.getEncoder().encodeToString(salt),
                    Base64.getEncoder().encodeToString(wrapped));
            String id = Crypto.randomId();
            if (store.putIfAbsent(PREFIX + id, file.encode()).isEmpty()) {
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
     * @throws DrException {@code WRONG_PASSWORD} when no key opens; {@code NOT_FOUND} when
     *     there are no keys at all; {@code UNAVAILABLE} when only a key whose derivation needs more
     *     than half the heap could have opened
     */
    public static Opened open(SnapshotStore store, char[] password) {
        List<String> keys = store.list(PREFIX).map(info -> info.key()).toList();
        if (keys.isEmpty()) {
            throw new DrException(ErrorCode.NOT_FOUND, "No repository at " + store.describe()
                    + ": it has no keys", store.describe());
        }
        DrException tooLarge = null;
        for (String key : keys) {
            KeyFile file = read(store, key);
            if (file == null || !"argon2id".equals(file.kdf())) {
                continue;
            }
            byte[] salt;
            byte[] wrapped;
            try {
                salt = Base64.getDecoder().decode(file.salt());
                wrapped = Base64.getDecoder().decode(file.wrapped());
            } catch (IllegalArgumentException malformed) {
                continue; // as a key file that is not JSON: it opens nothing
            }
            KdfParams params;
            try {
                params = new KdfParams(file.memoryKiB(), file.iterations(), file.parallelism());
            } catch (DrException outOfRange) {
                continue; // as above
            }
            long heap = Runtime.getRuntime().maxMemory();
            if (params.memoryKiB() * 1024L > heap / 2) {
                // Deriving would run out of memory; another key may open, else say why none did.
                tooLarge = new DrException(ErrorCode.UNAVAILABLE, "Key " + key + " asks for " + params.memoryKiB()
                        + " KiB of memory for its key derivation, more than half of this JVM's heap ("
                        + heap / 1024 + " KiB); run with a larger -Xmx", key);
                continue;
            }
            byte[] kek = derive(password, salt, params);
            try {
                byte[] master = Crypto.open(new SecretKeySpec(kek, "AES"), wrapped, 0, wrapped.length, key);
                return new Opened(key.substring(PREFIX.length()), master);
            } catch (DrException wrongPassword) {
                // try the next key
            } finally {
                Arrays.fill(kek, (byte) 0);
            }
        }
        if (tooLarge != null) {
            throw tooLarge;
        }
        throw new DrException(ErrorCode.WRONG_PASSWORD, "The password opens none of the " + keys.size()
                + " keys of the repository at " + store.describe(), store.describe());
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
            KeyFile file = read(store, info.key());
            if (file != null) {
                String id = info.key().substring(PREFIX.length());
                out.add(new KeyInfo(id, Instant.parse(file.created()), file.host(), id.equals(currentId)));
            }
        });
        return out;
    }

    private static @Nullable KeyFile read(SnapshotStore store, String key) {
        try {
            return KeyFile.decode(store.get(key));
        } catch (DrException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        } catch (RuntimeException e) {
            return null;
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
