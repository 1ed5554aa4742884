package dev.drkit.core.repository.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class CryptoTest {
    private final Crypto crypto = new Crypto(Crypto.random(64), 1);

    @Test
    void everySealingUsesAFreshNonceAcrossThreads() throws Exception {
        byte[] plain = "the same plaintext every time".getBytes(StandardCharsets.UTF_8);
        Set<String> nonces = ConcurrentHashMap.newKeySet();
        int threads = 4;
        int perThread = 2_000; // several refills of each thread's nonce buffer
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        byte[] sealed = crypto.seal(plain, 0, plain.length);
                        nonces.add(HexFormat.of().formatHex(sealed, 0, 12));
                        assertThat(crypto.open(sealed, 0, sealed.length, "test")).isEqualTo(plain);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(nonces).hasSize(threads * perThread);
    }

    @Test
    void blobsPackAndOpenWhileAWarmUpRunsBesideThem() throws Exception {
        Thread warmUp = new Thread(Crypto::warm);
        warmUp.start();
        try {
            for (int n = 0; n < 50; n++) {
                byte[] data = new byte[1000 + n * 6000];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) ((i * 31 + n) % 251);
                }
                BlobId id = crypto.blobId(data, 0, data.length);
                byte[] packed = crypto.packBlob(data);
                assertThat(crypto.unpackBlob(packed, 0, packed.length, data.length, id, "pack")).isEqualTo(data);
            }
        } finally {
            warmUp.join();
        }
    }
}
