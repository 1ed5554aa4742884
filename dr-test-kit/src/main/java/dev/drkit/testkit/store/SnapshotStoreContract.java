package dev.drkit.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoredObject;
import dev.drkit.testkit.PropertyTests;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every {@link SnapshotStore} keeps, as a JUnit 5 suite: subclass it, implement
 * {@link #createStore()} to return a fresh, empty store, and run it.
 *
 * <pre>{@code
 * class MyStoreContractTest extends SnapshotStoreContract {
 *     @Override
 *     protected SnapshotStore createStore() {
 *         return MyStore.open(freshBucket());
 *     }
 * }
 * }</pre>
 *
 * <p>A store that cannot offer an operation overrides its test with an explicit,
 * documented skip ({@code Assumptions.abort("...")}), never a silent pass.
 */
public abstract class SnapshotStoreContract {

    /** The store under test, fresh for each test. */
    protected SnapshotStore store;

    /**
     * Returns a new, empty store; called before each test and for each property example.
     *
     * @return the store
     */
    protected abstract SnapshotStore createStore();

    /**
     * Returns how many random operation sequences the model-based property tries; remote
     * stores may lower it to keep the suite quick.
     *
     * @return the number of examples
     */
    protected int propertyExamples() {
        return 60;
    }

    /**
     * Returns how many threads race in the concurrency tests.
     *
     * @return the number of racing writers
     */
    protected int racingWriters() {
        return 8;
    }

    /**
     * Tells whether rewriting an object with the same bytes gives it a new etag. True for
     * stores whose etags are versions (memory, file, Azure Blob); false for stores whose etags
     * are content digests (S3, where the etag of a single-part object is its MD5).
     *
     * @return true when every write changes the etag
     */
    protected boolean etagChangesOnIdenticalRewrite() {
        return true;
    }

    @BeforeEach
    void openStore() {
        store = createStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---- round trips --------------------------------------------------------------------

    @Test
    @DisplayName("an empty object round-trips")
    void emptyObjectRoundTrips() {
        store.put("empty", new byte[0]);
        assertThat(store.get("empty")).isEmpty();
        assertThat(store.stat("empty")).get().extracting(ObjectInfo::size).isEqualTo(0L);
    }

    @Test
    @DisplayName("put from part of an array writes exactly that part, and refuses a range outside it")
    void putFromArraySliceWritesThatPart() {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(data);
        store.put("slice", data, 5, data.length - 9);
        assertThat(store.get("slice")).isEqualTo(Arrays.copyOfRange(data, 5, data.length - 4));
        store.put("slice", data, 0, 0);
        assertThat(store.get("slice")).isEmpty();
        assertThatThrownBy(() -> store.put("slice", data, data.length - 3, 4))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(store.get("slice")).isEmpty();
    }

    @Test
    @DisplayName("the preferred read size is within the documented bounds")
    void preferredReadSizeIsWithinBounds() {
        assertThat(store.preferredReadSize()).isBetween(64 << 10, 64 << 20);
    }

    @Test
    @DisplayName("reading part of an object into an array fills only that part")
    void readIntoArraySliceFillsThatPart() {
        byte[] data = randomBytes(3 * 1024 * 1024 + 17, 11);
        store.put("into", data);
        byte[] into = new byte[2 * 1024 * 1024];
        Arrays.fill(into, (byte) 7);
        assertThat(store.read("into", 100, into, 3, 1024 * 1024)).isEqualTo(1024 * 1024);
        assertThat(Arrays.copyOfRange(into, 3, 3 + 1024 * 1024))
                .isEqualTo(Arrays.copyOfRange(data, 100, 100 + 1024 * 1024));
        assertThat(into[2]).isEqualTo((byte) 7);
        assertThat(into[3 + 1024 * 1024]).isEqualTo((byte) 7);
        assertThat(store.read("into", data.length - 10, into, 0, 64)).as("fewer at the end").isEqualTo(10);
        assertThat(Arrays.copyOfRange(into, 0, 10))
                .isEqualTo(Arrays.copyOfRange(data, data.length - 10, data.length));
        assertThat(store.read("into", data.length, into, 0, 64)).as("at the end").isZero();
        assertThatThrownBy(() -> store.read("into", 0, into, into.length - 3, 4))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> store.read("no-such-object", 0, into, 0, 4)).isInstanceOf(DrException.class)
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.NOT_FOUND);
    }

    @Test
    @DisplayName("a one-byte object round-trips")
    void oneByteRoundTrips() {
        store.put("one", new byte[] {42});
        assertThat(store.get("one")).containsExactly(42);
    }

    @Test
    @DisplayName("a multi-MiB binary object round-trips byte for byte")
    void multiMebibyteBinaryRoundTrips() {
        byte[] data = randomBytes(5 * 1024 * 1024 + 123, 1);
        ObjectInfo info = store.put("big/blob", data);
        assertThat(info.size()).isEqualTo(data.length);
        assertThat(info.key()).isEqualTo("big/blob");
        assertThat(store.get("big/blob")).isEqualTo(data);
    }

    @Test
    @DisplayName("every byte value survives a round trip")
    void everyByteValueRoundTrips() {
        byte[] data = new byte[512];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        store.put("bytes", data);
        assertThat(store.get("bytes")).isEqualTo(data);
    }

    @Test
    @DisplayName("the store keeps no reference to the caller's array")
    void storeCopiesTheCallersArray() {
        byte[] data = {1, 2, 3};
        store.put("copy", data);
        data[0] = 9;
        assertThat(store.get("copy")).containsExactly(1, 2, 3);
    }

    @Test
    @DisplayName("Unicode keys round-trip and list as written")
    void unicodeKeysRoundTrip() {
        String key = "snapshots/Zürich-東京-\uD83D\uDE80";
        store.put(key, bytes("x"));
        assertThat(store.get(key)).isEqualTo(bytes("x"));
        assertThat(keys(store.list("snapshots/").toList())).containsExactly(key);
    }

    @Test
    @DisplayName("a key may also be the directory of other keys")
    void keyMayBeTheDirectoryOfOtherKeys() {
        store.put("a", bytes("file"));
        store.put("a/b", bytes("child"));
        assertThat(store.get("a")).isEqualTo(bytes("file"));
        assertThat(store.get("a/b")).isEqualTo(bytes("child"));
        assertThat(keys(store.list("").toList())).containsExactly("a", "a/b");
    }

    // ---- stat and missing keys --------------------------------------------------------------

    @Test
    @DisplayName("stat of a missing key is empty")
    void statOfMissingKeyIsEmpty() {
        assertThat(store.stat("nothing/here")).isEmpty();
    }

    @Test
    @DisplayName("stat reports size, key and an etag that changes with every new content")
    void statReportsSizeAndEtag() {
        ObjectInfo first = store.put("k", bytes("hello"));
        Optional<ObjectInfo> stat = store.stat("k");
        assertThat(stat).get().satisfies(i -> {
            assertThat(i.key()).isEqualTo("k");
            assertThat(i.size()).isEqualTo(5);
            assertThat(i.etag()).isEqualTo(first.etag());
        });
        ObjectInfo second = store.put("k", bytes("hello"));
        if (etagChangesOnIdenticalRewrite()) {
            assertThat(second.etag()).isNotEqualTo(first.etag());
        }
        ObjectInfo third = store.put("k", bytes("hello, changed"));
        assertThat(third.etag()).isNotEqualTo(second.etag());
    }

    @Test
    @DisplayName("get of a missing key fails with NOT_FOUND naming the key")
    void getOfMissingKeyFailsNamingIt() {
        assertThatThrownBy(() -> store.get("missing/key"))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.input()).isEqualTo("missing/key");
                    assertThat(e.getMessage()).contains("missing/key");
                });
        assertThatThrownBy(() -> store.get("missing/key", 0, 10))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    // ---- ranged reads -------------------------------------------------------------------

    @Test
    @DisplayName("ranged reads return the asked bytes at the edges and fewer past the end")
    void rangedReadsHandleEdges() {
        byte[] data = randomBytes(10_000, 2);
        store.put("ranged", data);
        assertThat(store.get("ranged", 0, 1)).containsExactly(data[0]);
        assertThat(store.get("ranged", 0, 10_000)).isEqualTo(data);
        assertThat(store.get("ranged", 1234, 100)).isEqualTo(Arrays.copyOfRange(data, 1234, 1334));
        assertThat(store.get("ranged", 9_999, 1)).containsExactly(data[9_999]);
        assertThat(store.get("ranged", 9_990, 100)).isEqualTo(Arrays.copyOfRange(data, 9_990, 10_000));
        assertThat(store.get("ranged", 10_000, 5)).isEmpty();
        assertThat(store.get("ranged", 50_000, 5)).isEmpty();
        assertThat(store.get("ranged", 10, 0)).isEmpty();
    }

    @Test
    @DisplayName("a ranged read with a negative offset or length is refused")
    void rangedReadRejectsNegativeArguments() {
        store.put("r", bytes("abc"));
        assertThatThrownBy(() -> store.get("r", -1, 1)).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> store.get("r", 0, -1)).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    // ---- listing ------------------------------------------------------------------------

    @Test
    @DisplayName("listing by prefix returns matching keys in ascending order")
    void listingByPrefix() {
        for (String k : List.of("b", "a/2", "ab/1", "a/1", "a/10/x", "c/d/e")) {
            store.put(k, bytes(k));
        }
        assertThat(keys(store.list("a/").toList())).containsExactly("a/1", "a/10/x", "a/2");
        assertThat(keys(store.list("a").toList())).containsExactly("a/1", "a/10/x", "a/2", "ab/1");
        assertThat(keys(store.list("a/1").toList())).containsExactly("a/1", "a/10/x");
        assertThat(keys(store.list("").toList())).containsExactly("a/1", "a/10/x", "a/2", "ab/1", "b", "c/d/e");
        assertThat(keys(store.list("c/d/").toList())).containsExactly("c/d/e");
        assertThat(store.list("zzz").toList()).isEmpty();
    }

    @Test
    @DisplayName("listing reports each object's size")
    void listingReportsSizes() {
        store.put("s/one", new byte[1]);
        store.put("s/three", new byte[3]);
        Map<String, Long> sizes = store.list("s/").collect(Collectors.toMap(ObjectInfo::key, ObjectInfo::size));
        assertThat(sizes).containsExactlyInAnyOrderEntriesOf(Map.of("s/one", 1L, "s/three", 3L));
    }

    @Test
    @DisplayName("more than 2,000 keys list completely across pages, each once, in order")
    void listingPaginatesOverManyKeys() throws Exception {
        int n = 2_100;
        List<String> expected = IntStream.range(0, n).mapToObj(i -> String.format("many/%05d", i)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (String k : expected) {
                writes.add(pool.submit(() -> store.put(k, new byte[] {1})));
            }
            for (Future<?> f : writes) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        store.put("other/key", new byte[] {1});

        List<String> paged = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            ListPage page = store.list("many/", token, 500);
            assertThat(page.objects().size()).isLessThanOrEqualTo(500);
            page.objects().forEach(o -> paged.add(o.key()));
            token = page.nextToken();
            pages++;
            assertThat(pages).as("pages").isLessThan(100);
        } while (token != null);
        assertThat(paged).containsExactlyElementsOf(expected);
        assertThat(keys(store.list("many/").toList())).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("a page size below one is refused")
    void listingRejectsBadPageSize() {
        assertThatThrownBy(() -> store.list("", null, 0)).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    // ---- overwrite, conditional writes --------------------------------------------------

    @Test
    @DisplayName("put overwrites an existing object")
    void putOverwrites() {
        store.put("over", bytes("first"));
        store.put("over", bytes("second, longer"));
        assertThat(store.get("over")).isEqualTo(bytes("second, longer"));
        assertThat(store.stat("over")).get().extracting(ObjectInfo::size).isEqualTo(14L);
    }

    @Test
    @DisplayName("putIfAbsent creates a missing key and leaves an existing one alone")
    void putIfAbsentCreatesOnlyWhenMissing() {
        Optional<ObjectInfo> created = store.putIfAbsent("once", bytes("first"));
        assertThat(created).get().extracting(ObjectInfo::size).isEqualTo(5L);
        assertThat(store.putIfAbsent("once", bytes("second"))).isEmpty();
        assertThat(store.get("once")).isEqualTo(bytes("first"));
    }

    @Test
    @DisplayName("of N threads racing putIfAbsent on one key exactly one wins")
    void putIfAbsentRaceHasExactlyOneWinner() throws Exception {
        for (int round = 0; round < 3; round++) {
            String key = "race/" + round;
            List<Optional<ObjectInfo>> results = race(racingWriters(),
                    i -> store.putIfAbsent(key, bytes("writer-" + i)));
            List<Integer> winners = IntStream.range(0, results.size())
                    .filter(i -> results.get(i).isPresent()).boxed().toList();
            assertThat(winners).as("winners of round %d", round).hasSize(1);
            assertThat(store.get(key)).isEqualTo(bytes("writer-" + winners.get(0)));
        }
    }

    @Test
    @DisplayName("replace succeeds with the current etag and fails with a stale one")
    void replaceComparesTheEtag() {
        ObjectInfo v1 = store.put("lease", bytes("v1"));
        Optional<ObjectInfo> v2 = store.replace("lease", bytes("v2"), v1.etag());
        assertThat(v2).isPresent();
        assertThat(v2.get().etag()).isNotEqualTo(v1.etag());
        assertThat(store.replace("lease", bytes("stale"), v1.etag())).isEmpty();
        assertThat(store.get("lease")).isEqualTo(bytes("v2"));
        assertThat(store.replace("lease", bytes("v3"), store.stat("lease").orElseThrow().etag())).isPresent();
        assertThat(store.get("lease")).isEqualTo(bytes("v3"));
    }

    @Test
    @DisplayName("getObject returns the content with the etag of that content; a missing key is empty")
    void getObjectPairsContentWithItsEtag() {
        assertThat(store.getObject("absent/key")).isEmpty();
        ObjectInfo v1 = store.put("head", bytes("v1"));
        StoredObject read = store.getObject("head").orElseThrow();
        assertThat(read.data()).isEqualTo(bytes("v1"));
        assertThat(read.etag()).isEqualTo(v1.etag());
        assertThat(read.info().key()).isEqualTo("head");
        assertThat(read.info().size()).isEqualTo(2);
        ObjectInfo v2 = store.put("head", bytes("second"));
        StoredObject again = store.getObject("head").orElseThrow();
        assertThat(again.data()).isEqualTo(bytes("second"));
        assertThat(again.etag()).isEqualTo(v2.etag());
        // a replace from the first read is refused; from the second it succeeds
        assertThat(store.replace("head", bytes("stale"), read.etag())).isEmpty();
        assertThat(store.replace("head", bytes("third"), again.etag())).isPresent();
        assertThat(store.get("head")).isEqualTo(bytes("third"));
        store.delete("head");
        assertThat(store.getObject("head")).isEmpty();
    }

    @Test
    @DisplayName("replace of a missing key fails and creates nothing")
    void replaceOfMissingKeyFails() {
        assertThat(store.replace("ghost", bytes("x"), "any-etag")).isEmpty();
        assertThat(store.stat("ghost")).isEmpty();
    }

    @Test
    @DisplayName("of N threads replacing from the same etag exactly one wins")
    void replaceRaceHasExactlyOneWinner() throws Exception {
        ObjectInfo base = store.put("cas", bytes("base"));
        List<Optional<ObjectInfo>> results = race(racingWriters(),
                i -> store.replace("cas", bytes("writer-" + i), base.etag()));
        List<Integer> winners = IntStream.range(0, results.size())
                .filter(i -> results.get(i).isPresent()).boxed().toList();
        assertThat(winners).hasSize(1);
        assertThat(store.get("cas")).isEqualTo(bytes("writer-" + winners.get(0)));
    }

    // ---- delete -------------------------------------------------------------------------

    @Test
    @DisplayName("delete removes the object from get, stat and listings")
    void deleteRemoves() {
        store.put("d/1", bytes("x"));
        store.put("d/2", bytes("y"));
        store.delete("d/1");
        assertThat(store.stat("d/1")).isEmpty();
        assertThat(keys(store.list("d/").toList())).containsExactly("d/2");
        assertThatThrownBy(() -> store.get("d/1")).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    @DisplayName("deleting a missing key is not an error")
    void deleteOfMissingKeyIsNoError() {
        store.delete("never/written");
        assertThat(store.stat("never/written")).isEmpty();
    }

    @Test
    @DisplayName("a deleted key can be created again with putIfAbsent")
    void deletedKeyCanBeRecreated() {
        store.put("again", bytes("1"));
        store.delete("again");
        assertThat(store.putIfAbsent("again", bytes("2"))).isPresent();
        assertThat(store.get("again")).isEqualTo(bytes("2"));
    }

    // ---- invalid keys -------------------------------------------------------------------

    @ParameterizedTest(name = "key \"{0}\" is refused")
    @ValueSource(strings = {"", "/absolute", "trailing/", "a//b", "..", ".", "a/../b", "../escape", "a/./b",
        "a/..", "back\\slash", "nul\u0000char", "new\nline", "tab\tkey", "del\u007Fchar"})
    @DisplayName("invalid keys are refused with INVALID_KEY by every operation")
    void invalidKeysAreRefused(String key) {
        List<ThrowingConsumer<String>> operations = List.of(
                k -> store.put(k, bytes("x")),
                k -> store.putIfAbsent(k, bytes("x")),
                k -> store.replace(k, bytes("x"), "etag"),
                store::get,
                store::getObject,
                k -> store.get(k, 0, 1),
                store::stat,
                store::delete);
        for (ThrowingConsumer<String> op : operations) {
            assertThatThrownBy(() -> op.accept(key)).isInstanceOfSatisfying(DrException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_KEY);
                assertThat(e.getMessage()).contains("Invalid store key");
            });
        }
        assertThat(store.list("").toList()).as("nothing written by refused keys").isEmpty();
    }

    @ParameterizedTest(name = "prefix \"{0}\" is refused")
    @ValueSource(strings = {"/abs", "a//", "../", "a/../", "x\u0001"})
    @DisplayName("invalid prefixes are refused with INVALID_KEY")
    void invalidPrefixesAreRefused(String prefix) {
        assertThatThrownBy(() -> store.list(prefix, null, 10)).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_KEY));
    }

    // ---- describe -------------------------------------------------------------------------

    @Test
    @DisplayName("describe names the location without credentials")
    void describeHasNoCredentials() {
        String description = store.describe();
        assertThat(description).isNotBlank();
        assertThat(description).doesNotContain("@").doesNotContainIgnoringCase("secret=")
                .doesNotContainIgnoringCase("password=");
    }

    // ---- model-based property -----------------------------------------------------------

    @Test
    @DisplayName("after any sequence of puts and deletes, list and get agree with a model")
    void listAndGetAgreeWithAModel() {
        String[] keySpace = {"a", "a/b", "a/b/c", "b", "b/x", "data/00/p1", "data/00/p2", "data/ff/p1",
            "index/1", "snapshots/s", "z\u00e9"};
        PropertyTests.qt(propertyExamples())
                .forAll(lists().of(integers().between(0, Integer.MAX_VALUE)).ofSizeBetween(1, 25))
                .checkAssert(ops -> {
                    try (SnapshotStore fresh = createStore()) {
                        TreeMap<String, byte[]> model = new TreeMap<>();
                        for (int op : ops) {
                            String key = keySpace[(op >>> 2) % keySpace.length];
                            byte[] content = bytes(key + ":" + op);
                            switch (op & 3) {
                                case 0, 1 -> {
                                    fresh.put(key, content);
                                    model.put(key, content);
                                }
                                case 2 -> {
                                    Optional<ObjectInfo> created = fresh.putIfAbsent(key, content);
                                    assertThat(created.isPresent()).isEqualTo(!model.containsKey(key));
                                    model.putIfAbsent(key, content);
                                }
                                default -> {
                                    fresh.delete(key);
                                    model.remove(key);
                                }
                            }
                        }
                        assertThat(keys(fresh.list("").toList())).containsExactlyElementsOf(model.keySet());
                        for (Map.Entry<String, byte[]> e : model.entrySet()) {
                            assertThat(fresh.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
                        }
                        assertThat(keys(fresh.list("a/").toList()))
                                .containsExactlyElementsOf(model.keySet().stream().filter(k -> k.startsWith("a/")).toList());
                    }
                });
    }

    // ---- helpers ------------------------------------------------------------------------

    /**
     * Encodes text as UTF-8.
     *
     * @param text the text
     * @return its bytes
     */
    public static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Returns reproducible random bytes.
     *
     * @param n how many
     * @param seed the seed
     * @return the bytes
     */
    public static byte[] randomBytes(int n, long seed) {
        byte[] data = new byte[n];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static List<String> keys(List<ObjectInfo> infos) {
        return infos.stream().map(ObjectInfo::key).toList();
    }

    private interface Writer<T> {
        T write(int writer) throws Exception;
    }

    private static <T> List<T> race(int threads, Writer<T> writer) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int id = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return writer.write(id);
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
