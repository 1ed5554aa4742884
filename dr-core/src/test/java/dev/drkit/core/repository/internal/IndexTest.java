package dev.drkit.core.repository.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IndexTest {
    private final Crypto crypto = new Crypto(Crypto.random(64), 1);

    @Test
    @DisplayName("every blob of 200,000 in 1,000 packs is found where it was added; unknown ids are not; the first location wins")
    void findsEveryBlobWhereItWasAdded() {
        Random random = new Random(1);
        List<Index.PackRecord> records = packs(random, 1_000, 200);
        Index index = new Index();
        records.forEach(index::add);
        for (Index.PackRecord r : records) {
            for (PackEntry e : r.entries()) {
                Index.Location loc = index.find(e.id());
                assertThat(loc).as("blob %s", e.id()).isNotNull();
                assertThat(loc.packId()).isEqualTo(r.packId());
                assertThat(loc.entry()).isEqualTo(e);
                assertThat(index.contains(BlobId.wrap(copy(e.id())))).as("an equal id").isTrue();
            }
        }
        for (int i = 0; i < 10_000; i++) {
            BlobId unknown = randomId(random);
            assertThat(index.contains(unknown)).isFalse();
            assertThat(index.find(unknown)).isNull();
        }
        assertThat(index.size()).isEqualTo(200_000);

        PackEntry first = records.get(0).entries().get(0);
        PackEntry again = new PackEntry(first.id(), BlobType.DATA, 99, 7, 5);
        index.add(new Index.PackRecord(hexId(random), List.of(again)));
        assertThat(index.find(first.id()).packId()).as("a blob stored twice keeps its first location")
                .isEqualTo(records.get(0).packId());
        assertThat(index.size()).isEqualTo(200_000);
        assertThat(index.packs()).hasSize(1_001);
        assertThat(index.packs().get(records.get(7).packId())).containsExactlyElementsOf(records.get(7).entries());
        assertThatThrownBy(() -> index.packs().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    @DisplayName("an index file decodes to the packs it was encoded from; a damaged one is refused naming its key")
    void encodesAndDecodes() {
        Random random = new Random(2);
        List<Index.PackRecord> records = packs(random, 3, 50);
        String id = Crypto.randomId();
        byte[] sealed = Index.encode(crypto, id, records);
        List<Index.PackRecord> decoded = Index.decode(crypto, sealed, Index.PREFIX + id);
        assertThat(decoded).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(decoded.get(i).packId()).isEqualTo(records.get(i).packId());
            assertThat(decoded.get(i).entries()).containsExactlyElementsOf(records.get(i).entries());
        }
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Index index = Index.fromFiles(Map.of(Index.PREFIX + id, sealed), crypto, pool);
            assertThat(index.size()).isEqualTo(150);
            assertThat(index.files()).containsExactly(id);
        } finally {
            pool.shutdownNow();
        }

        // a type code other than data or tree, sealed as if it were genuine
        byte[] plain = new byte[1 + 16 + 32 + 4 + PackEntry.ENCODED];
        plain[0] = 2;
        System.arraycopy(HexFormat.of().parseHex(id), 0, plain, 1, 16);
        System.arraycopy(HexFormat.of().parseHex(records.get(0).packId()), 0, plain, 17, 32);
        PackEntry.putInt(plain, 49, 1);
        records.get(0).entries().get(0).encode(plain, 53);
        plain[53] = 9;
        byte[] bad = crypto.seal(plain, 0, plain.length);
        assertThatThrownBy(() -> Index.decode(crypto, bad, Index.PREFIX + id)).isInstanceOf(DrException.class)
                .hasMessageContaining(Index.PREFIX + id)
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.INTEGRITY);
    }

    @Test
    @DisplayName("lookups on other threads, while packs are added and the table grows, find every pack added before them")
    void lookupsDuringAdds() throws Exception {
        Random random = new Random(3);
        List<Index.PackRecord> records = packs(random, 2_000, 100);
        Index index = new Index();
        AtomicInteger added = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService readers = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> checks = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                long seed = t;
                checks.add(readers.submit(() -> {
                    Random r = new Random(seed);
                    int checked = 0;
                    while (!done.get() || checked == 0) {
                        int upTo = added.get();
                        if (upTo == 0) {
                            Thread.onSpinWait();
                            continue;
                        }
                        Index.PackRecord pack = records.get(r.nextInt(upTo));
                        PackEntry e = pack.entries().get(r.nextInt(pack.entries().size()));
                        Index.Location loc = index.find(e.id());
                        assertThat(loc).as("blob %s of pack %s, added before the lookup", e.id(), pack.packId())
                                .isNotNull();
                        assertThat(loc.packId()).isEqualTo(pack.packId());
                        checked++;
                    }
                    return checked;
                }));
            }
            for (Index.PackRecord r : records) {
                index.add(r);
                added.incrementAndGet();
            }
            done.set(true);
            for (Future<Integer> check : checks) {
                assertThat(check.get(60, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            readers.shutdownNow();
        }
        assertThat(index.size()).isEqualTo(200_000);
    }

    private static List<Index.PackRecord> packs(Random random, int count, int blobsEach) {
        List<Index.PackRecord> out = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            List<PackEntry> entries = new ArrayList<>();
            int offset = 0;
            for (int i = 0; i < blobsEach; i++) {
                int length = 40 + random.nextInt(5000);
                entries.add(new PackEntry(randomId(random), random.nextBoolean() ? BlobType.DATA : BlobType.TREE,
                        offset, length, length - 28));
                offset += length;
            }
            out.add(new Index.PackRecord(hexId(random), List.copyOf(entries)));
        }
        return out;
    }

    private static BlobId randomId(Random random) {
        byte[] b = new byte[BlobId.LENGTH];
        random.nextBytes(b);
        return BlobId.wrap(b);
    }

    private static byte[] copy(BlobId id) {
        byte[] b = new byte[BlobId.LENGTH];
        id.writeTo(b, 0);
        return b;
    }

    private static String hexId(Random random) {
        return randomId(random).hex();
    }
}
