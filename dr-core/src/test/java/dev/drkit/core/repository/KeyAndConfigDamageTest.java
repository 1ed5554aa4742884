package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Damage to a key file or the config is reported as damage, naming the object, never as a wrong password. */
class KeyAndConfigDamageTest {
    static final char[] PASSWORD = "correct horse".toCharArray();
    static final char[] WRONG = "battery staple".toCharArray();

    final SnapshotStore store = SnapshotStores.memory();

    String init() {
        Repository.init(store, PASSWORD, RepositoryTest.fastOptions().build()).close();
        return store.list("keys/").map(ObjectInfo::key).findFirst().orElseThrow();
    }

    static ErrorCode codeOfOpen(SnapshotStore store, char[] password) {
        try (Repository repo = Repository.open(store, password, RepositoryTest.fastOptions().build())) {
            return null;
        } catch (DrException e) {
            return e.code();
        }
    }

    @Test
    void aWrongPasswordOnAnIntactKeyFileIsAWrongPassword() {
        init();
        assertThatThrownBy(() -> Repository.open(store, WRONG, RepositoryTest.fastOptions().build()))
                .isInstanceOf(DrException.class).extracting(e -> ((DrException) e).code())
                .isEqualTo(ErrorCode.WRONG_PASSWORD);
    }

    @Test
    void everyFlippedBitOfTheKeyFileIsDamageNamedWithTheRightOrTheWrongPassword() {
        String key = init();
        byte[] intact = store.get(key);
        int checked = 0;
        for (int i = 0; i < intact.length; i++) {
            for (int bit : new int[] {0, 5}) {
                byte[] damaged = intact.clone();
                damaged[i] ^= (byte) (1 << bit);
                store.put(key, damaged);
                for (char[] password : new char[][] {PASSWORD, WRONG}) {
                    try (Repository repo = Repository.open(store, password, RepositoryTest.fastOptions().build())) {
                        throw new AssertionError("byte " + i + " bit " + bit + " was accepted");
                    } catch (DrException e) {
                        assertThat(e.code()).as("byte %d bit %d", i, bit).isEqualTo(ErrorCode.INTEGRITY);
                        assertThat(e.getMessage()).as("byte %d bit %d", i, bit).contains(key);
                    }
                    checked++;
                }
            }
        }
        store.put(key, intact);
        assertThat(codeOfOpen(store, PASSWORD)).isNull();
        assertThat(checked).isEqualTo(intact.length * 4);
    }

    @Test
    void aZeroedTruncatedOrDeletedKeyFileIsDamage() {
        String key = init();
        byte[] intact = store.get(key);
        store.put(key, new byte[intact.length]);
        assertThat(codeOfOpen(store, PASSWORD)).isEqualTo(ErrorCode.INTEGRITY);
        store.put(key, java.util.Arrays.copyOf(intact, intact.length / 2));
        assertThat(codeOfOpen(store, PASSWORD)).isEqualTo(ErrorCode.INTEGRITY);
        store.put(key, new byte[0]);
        assertThat(codeOfOpen(store, WRONG)).isEqualTo(ErrorCode.INTEGRITY);
        store.delete(key);
        assertThatThrownBy(() -> Repository.open(store, PASSWORD, RepositoryTest.fastOptions().build()))
                .isInstanceOf(DrException.class).hasMessageContaining("keys/")
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.INTEGRITY);
    }

    @Test
    void anEditThatAlsoFixesTheChecksumFailsTheKeyedCode() throws Exception {
        String key = init();
        String json = new String(store.get(key), StandardCharsets.UTF_8);
        String edited = json.replace("\"host\":\"test-host\"", "\"host\":\"evil-host\"");
        assertThat(edited).isNotEqualTo(json);
        int check = edited.indexOf(",\"check\":");
        String unsealed = edited.substring(0, check) + "}";
        String sum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(unsealed.getBytes(StandardCharsets.UTF_8)));
        edited = edited.replaceAll("\"check\":\"[0-9a-f]{64}\"", "\"check\":\"" + sum + "\"");
        store.put(key, edited.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Repository.open(store, PASSWORD, RepositoryTest.fastOptions().build()))
                .isInstanceOf(DrException.class).hasMessageContaining(key).hasMessageContaining("altered")
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.INTEGRITY);
    }

    @Test
    void swappedKeyFilesAreNamedAndADamagedSecondKeyIsNamedByVerify() {
        String first = init();
        String second;
        try (Repository repo = Repository.open(store, PASSWORD, RepositoryTest.fastOptions().build())) {
            second = "keys/" + repo.addKey("second password".toCharArray());
        }
        byte[] a = store.get(first);
        store.put(first, store.get(second));
        store.put(second, a);
        assertThat(codeOfOpen(store, PASSWORD)).isEqualTo(ErrorCode.INTEGRITY);
        store.put(second, store.get(first));
        store.put(first, a);
        byte[] b = store.get(second);
        b[b.length / 2] ^= 1;
        store.put(second, b);
        try (Repository repo = Repository.open(store, PASSWORD, RepositoryTest.fastOptions().build())) {
            VerifyReport report = repo.verify(VerifyOptions.structure());
            assertThat(report.problems()).extracting(VerifyReport.Problem::key).containsExactly(second);
        }
    }

    @Test
    void aDeletedOrDamagedConfigIsDamageNamedConfig() {
        init();
        byte[] config = store.get("config");
        config[config.length - 1] ^= 1;
        store.put("config", config);
        assertThatThrownBy(() -> Repository.open(store, PASSWORD, RepositoryTest.fastOptions().build()))
                .isInstanceOf(DrException.class).hasMessageContaining("config")
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.INTEGRITY);
        store.delete("config");
        assertThatThrownBy(() -> Repository.open(store, PASSWORD, RepositoryTest.fastOptions().build()))
                .isInstanceOf(DrException.class).hasMessageContaining("config")
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.INTEGRITY);
        // and no new repository is made over the remains of one
        assertThatThrownBy(() -> Repository.init(store, PASSWORD, RepositoryTest.fastOptions().build()))
                .isInstanceOf(DrException.class).hasMessageContaining("config")
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.INTEGRITY);
        assertThat(codeOfOpen(SnapshotStores.memory(), PASSWORD)).isEqualTo(ErrorCode.NOT_FOUND);
    }
}
