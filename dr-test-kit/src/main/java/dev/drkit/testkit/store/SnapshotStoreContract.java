package dev.drkit.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
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
import java.util.LinkedHashMap;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.jspecify.annotations.Nullable;

/**
 * The contract every {@link SnapshotStore} keeps, as a JUnit Jupiter suite: subclass it, implement
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
 *
 * <p>Every failure names the call that broke the contract, with its key, what the contract
 * expected and what the store did instead: for a call that should have been refused, what it
 * returned ({@code get("missing/key") of a missing key must throw DrException with code
 * NOT_FOUND, but returned null}) or what it threw.
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

    /**
     * Removes the store's own location with everything in it, as an unmounted volume, a deleted
     * directory, bucket or container would: the directory of a file store, the bucket or
     * container of a cloud store. The default cannot, which skips the test that needs it.
     *
     * @param store the store under test, holding objects
     * @return true when the location is gone; false when this test cannot remove it
     */
    protected boolean removeLocation(SnapshotStore store) {
        return false;
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
        assertThat(store.get("empty")).as("get(\"empty\") after put of 0 bytes").isEmpty();
        assertThat(store.stat("empty")).as("stat(\"empty\") after put of 0 bytes").get()
                .extracting(ObjectInfo::size).as("stat(\"empty\").size()").isEqualTo(0L);
    }

    @Test
    @DisplayName("put from part of an array writes exactly that part, and refuses a range outside it")
    void putFromArraySliceWritesThatPart() {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(data);
        store.put("slice", data, 5, data.length - 9);
        assertThat(store.get("slice")).as("get(\"slice\") after put(\"slice\", data, 5, %d)", data.length - 9)
                .isEqualTo(Arrays.copyOfRange(data, 5, data.length - 4));
        store.put("slice", data, 0, 0);
        assertThat(store.get("slice")).as("get(\"slice\") after put(\"slice\", data, 0, 0)").isEmpty();
        mustThrow(String.format("put(\"slice\", data, %d, 4), a range past the end of a %d-byte array,",
                data.length - 3, data.length), IndexOutOfBoundsException.class,
                () -> store.put("slice", data, data.length - 3, 4));
        assertThat(store.get("slice")).as("get(\"slice\") after a refused put from outside the array").isEmpty();
    }

    @Test
    @DisplayName("the preferred read size is within the documented bounds")
    void preferredReadSizeIsWithinBounds() {
        assertThat(store.preferredReadSize()).as("preferredReadSize(), between 64 KiB and 64 MiB")
                .isBetween(64 << 10, 64 << 20);
    }

    @Test
    @DisplayName("reading part of an object into an array fills only that part")
    void readIntoArraySliceFillsThatPart() {
        byte[] data = randomBytes(3 * 1024 * 1024 + 17, 11);
        store.put("into", data);
        byte[] into = new byte[2 * 1024 * 1024];
        Arrays.fill(into, (byte) 7);
        assertThat(store.read("into", 100, into, 3, 1024 * 1024)).as("read(\"into\", 100, into, 3, 1 MiB)")
                .isEqualTo(1024 * 1024);
        assertThat(Arrays.copyOfRange(into, 3, 3 + 1024 * 1024)).as("bytes read by read(\"into\", 100, into, 3, 1 MiB)")
                .isEqualTo(Arrays.copyOfRange(data, 100, 100 + 1024 * 1024));
        assertThat(into[2]).as("read(\"into\", 100, into, 3, 1 MiB) must not write before index 3")
                .isEqualTo((byte) 7);
        assertThat(into[3 + 1024 * 1024]).as("read(\"into\", 100, into, 3, 1 MiB) must not write past its length")
                .isEqualTo((byte) 7);
        assertThat(store.read("into", data.length - 10, into, 0, 64))
                .as("read(\"into\", %d, into, 0, 64), 10 bytes before the end", data.length - 10).isEqualTo(10);
        assertThat(Arrays.copyOfRange(into, 0, 10))
                .as("bytes read by read(\"into\", %d, into, 0, 64)", data.length - 10)
                .isEqualTo(Arrays.copyOfRange(data, data.length - 10, data.length));
        assertThat(store.read("into", data.length, into, 0, 64))
                .as("read(\"into\", %d, into, 0, 64), at the end", data.length).isZero();
        mustThrow(String.format("read(\"into\", 0, into, %d, 4), a range past the end of a %d-byte array,",
                into.length - 3, into.length), IndexOutOfBoundsException.class,
                () -> store.read("into", 0, into, into.length - 3, 4));
        refusal("read(\"no-such-object\", 0, into, 0, 4) of a missing key", ErrorCode.NOT_FOUND,
                () -> store.read("no-such-object", 0, into, 0, 4));
    }

    @Test
    @DisplayName("a store whose location was removed refuses writes with NOT_FOUND, and no write makes it again")
    void aRemovedLocationIsNotRecreatedByWrites() {
        ObjectInfo held = store.put("leases/writer/1", bytes("epoch 1"));
        if (!removeLocation(store)) {
            Assumptions.abort("this store's test cannot remove its location (removeLocation)");
        }
        // A write that made the location again would start an empty store where the old one was:
        // lease epochs from 1 again, shared state from nothing.
        refusal("put(\"leases/writer/2\") after the store's location was removed", ErrorCode.NOT_FOUND,
                () -> store.put("leases/writer/2", bytes("epoch 1 again")));
        refusal("putIfAbsent(\"leases/writer/1\") after the store's location was removed", ErrorCode.NOT_FOUND,
                () -> store.putIfAbsent("leases/writer/1", bytes("epoch 1 again")));
        refusal("replace(\"leases/writer/1\", ...) on its etag after the store's location was removed",
                ErrorCode.NOT_FOUND, () -> store.replace("leases/writer/1", bytes("renewed"), held.etag()));
        refusal("a second put(\"top\") after the store's location was removed", ErrorCode.NOT_FOUND,
                () -> store.put("top", bytes("x")));
    }

    @Test
    @DisplayName("a one-byte object round-trips")
    void oneByteRoundTrips() {
        store.put("one", new byte[] {42});
        assertThat(store.get("one")).as("get(\"one\") after put of {42}").containsExactly(42);
    }

    @Test
    @DisplayName("a multi-MiB binary object round-trips byte for byte")
    void multiMebibyteBinaryRoundTrips() {
        byte[] data = randomBytes(5 * 1024 * 1024 + 123, 1);
        ObjectInfo info = store.put("big/blob", data);
        assertThat(info.size()).as("size() of what put(\"big/blob\") of %d bytes returned", data.length)
                .isEqualTo(data.length);
        assertThat(info.key()).as("key() of what put(\"big/blob\") returned").isEqualTo("big/blob");
        assertThat(store.get("big/blob")).as("get(\"big/blob\") after put of %d random bytes", data.length)
                .isEqualTo(data);
    }

    @Test
    @DisplayName("every byte value survives a round trip")
    void everyByteValueRoundTrips() {
        byte[] data = new byte[512];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        store.put("bytes", data);
        assertThat(store.get("bytes")).as("get(\"bytes\") after put of every byte value twice").isEqualTo(data);
    }

    @Test
    @DisplayName("the store keeps no reference to the caller's array")
    void storeCopiesTheCallersArray() {
        byte[] data = {1, 2, 3};
        store.put("copy", data);
        data[0] = 9;
        assertThat(store.get("copy")).as("get(\"copy\") after the caller changed the array it put")
                .containsExactly(1, 2, 3);
    }

    @Test
    @DisplayName("Unicode keys round-trip and list as written")
    void unicodeKeysRoundTrip() {
        String key = "snapshots/Zürich-東京-\uD83D\uDE80";
        store.put(key, bytes("x"));
        assertThat(store.get(key)).as("get(%s) after put", quote(key)).isEqualTo(bytes("x"));
        assertThat(keys(store.list("snapshots/").toList())).as("list(\"snapshots/\") after put(%s)", quote(key))
                .containsExactly(key);
    }

    @Test
    @DisplayName("a key may also be the directory of other keys")
    void keyMayBeTheDirectoryOfOtherKeys() {
        store.put("a", bytes("file"));
        store.put("a/b", bytes("child"));
        assertThat(store.get("a")).as("get(\"a\") with \"a/b\" beside it").isEqualTo(bytes("file"));
        assertThat(store.get("a/b")).as("get(\"a/b\") with \"a\" beside it").isEqualTo(bytes("child"));
        assertThat(keys(store.list("").toList())).as("list(\"\") after put of \"a\" and \"a/b\"")
                .containsExactly("a", "a/b");
    }

    // ---- stat and missing keys --------------------------------------------------------------

    @Test
    @DisplayName("stat of a missing key is empty")
    void statOfMissingKeyIsEmpty() {
        assertThat(store.stat("nothing/here")).as("stat(\"nothing/here\") of a missing key").isEmpty();
    }

    @Test
    @DisplayName("stat reports size, key and an etag that changes with every new content")
    void statReportsSizeAndEtag() {
        ObjectInfo first = store.put("k", bytes("hello"));
        Optional<ObjectInfo> stat = store.stat("k");
        assertThat(stat).as("stat(\"k\") after put(\"k\") of 5 bytes").get().satisfies(i -> {
            assertThat(i.key()).as("stat(\"k\").key()").isEqualTo("k");
            assertThat(i.size()).as("stat(\"k\").size()").isEqualTo(5);
            assertThat(i.etag()).as("stat(\"k\").etag(), against the etag put(\"k\") returned")
                    .isEqualTo(first.etag());
        });
        ObjectInfo second = store.put("k", bytes("hello"));
        if (etagChangesOnIdenticalRewrite()) {
            assertThat(second.etag()).as("etag of put(\"k\") of the same bytes again (etagChangesOnIdenticalRewrite())")
                    .isNotEqualTo(first.etag());
        }
        ObjectInfo third = store.put("k", bytes("hello, changed"));
        assertThat(third.etag()).as("etag of put(\"k\") of new content").isNotEqualTo(second.etag());
    }

    @Test
    @DisplayName("get of a missing key fails with NOT_FOUND naming the key")
    void getOfMissingKeyFailsNamingIt() {
        refusalNamingTheKey("get(\"missing/key\") of a missing key", ErrorCode.NOT_FOUND, "missing/key",
                () -> store.get("missing/key"));
        refusal("get(\"missing/key\", 0, 10) of a missing key", ErrorCode.NOT_FOUND,
                () -> store.get("missing/key", 0, 10));
    }

    // ---- ranged reads -------------------------------------------------------------------

    @Test
    @DisplayName("ranged reads return the asked bytes at the edges and fewer past the end")
    void rangedReadsHandleEdges() {
        byte[] data = randomBytes(10_000, 2);
        store.put("ranged", data);
        assertThat(store.get("ranged", 0, 1)).as("get(\"ranged\", 0, 1) of 10,000 bytes").containsExactly(data[0]);
        assertThat(store.get("ranged", 0, 10_000)).as("get(\"ranged\", 0, 10000) of 10,000 bytes").isEqualTo(data);
        assertThat(store.get("ranged", 1234, 100)).as("get(\"ranged\", 1234, 100) of 10,000 bytes")
                .isEqualTo(Arrays.copyOfRange(data, 1234, 1334));
        assertThat(store.get("ranged", 9_999, 1)).as("get(\"ranged\", 9999, 1) of 10,000 bytes")
                .containsExactly(data[9_999]);
        assertThat(store.get("ranged", 9_990, 100)).as("get(\"ranged\", 9990, 100) of 10,000 bytes: the last 10")
                .isEqualTo(Arrays.copyOfRange(data, 9_990, 10_000));
        assertThat(store.get("ranged", 10_000, 5)).as("get(\"ranged\", 10000, 5) of 10,000 bytes: at the end")
                .isEmpty();
        assertThat(store.get("ranged", 50_000, 5)).as("get(\"ranged\", 50000, 5) of 10,000 bytes: past the end")
                .isEmpty();
        assertThat(store.get("ranged", 10, 0)).as("get(\"ranged\", 10, 0) of 10,000 bytes").isEmpty();
    }

    @Test
    @DisplayName("a ranged read with a negative offset or length is refused")
    void rangedReadRejectsNegativeArguments() {
        store.put("r", bytes("abc"));
        refusal("get(\"r\", -1, 1), a negative offset,", ErrorCode.INVALID_ARGUMENT, () -> store.get("r", -1, 1));
        refusal("get(\"r\", 0, -1), a negative length,", ErrorCode.INVALID_ARGUMENT, () -> store.get("r", 0, -1));
    }

    // ---- listing ------------------------------------------------------------------------

    @Test
    @DisplayName("listing by prefix returns matching keys in ascending order")
    void listingByPrefix() {
        for (String k : List.of("b", "a/2", "ab/1", "a/1", "a/10/x", "c/d/e")) {
            store.put(k, bytes(k));
        }
        assertThat(keys(store.list("a/").toList())).as("list(\"a/\")").containsExactly("a/1", "a/10/x", "a/2");
        assertThat(keys(store.list("a").toList())).as("list(\"a\")").containsExactly("a/1", "a/10/x", "a/2", "ab/1");
        assertThat(keys(store.list("a/1").toList())).as("list(\"a/1\")").containsExactly("a/1", "a/10/x");
        assertThat(keys(store.list("").toList())).as("list(\"\")")
                .containsExactly("a/1", "a/10/x", "a/2", "ab/1", "b", "c/d/e");
        assertThat(keys(store.list("c/d/").toList())).as("list(\"c/d/\")").containsExactly("c/d/e");
        assertThat(store.list("zzz").toList()).as("list(\"zzz\"), a prefix of no key").isEmpty();
    }

    @Test
    @DisplayName("listing reports each object's size")
    void listingReportsSizes() {
        store.put("s/one", new byte[1]);
        store.put("s/three", new byte[3]);
        Map<String, Long> sizes = store.list("s/").collect(Collectors.toMap(ObjectInfo::key, ObjectInfo::size));
        assertThat(sizes).as("sizes listed by list(\"s/\")")
                .containsExactlyInAnyOrderEntriesOf(Map.of("s/one", 1L, "s/three", 3L));
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
            assertThat(page.objects().size()).as("objects on page %d of list(\"many/\", %s, 500)",
                    pages + 1, token == null ? "null" : quote(token)).isLessThanOrEqualTo(500);
            page.objects().forEach(o -> paged.add(o.key()));
            token = page.nextToken();
            pages++;
            assertThat(pages).as("pages of list(\"many/\", token, 500) over %d keys, still issuing tokens", n)
                    .isLessThan(100);
        } while (token != null);
        assertThat(paged).as("keys of every page of list(\"many/\", token, 500) over %d keys", n)
                .containsExactlyElementsOf(expected);
        assertThat(keys(store.list("many/").toList())).as("list(\"many/\") over %d keys", n)
                .containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("a page size below one is refused")
    void listingRejectsBadPageSize() {
        refusal("list(\"\", null, 0), a page size of 0,", ErrorCode.INVALID_ARGUMENT, () -> store.list("", null, 0));
    }

    @Test
    @DisplayName("a page token the store did not issue is refused with INVALID_ARGUMENT")
    void listingRefusesATokenItDidNotIssue() {
        store.put("p/1", bytes("x"));
        store.put("p/2", bytes("y"));
        for (String prefix : List.of("", "p/")) {
            refusal(String.format("list(%s, \"\", 10), with a page token the store never issued,", quote(prefix)),
                    ErrorCode.INVALID_ARGUMENT, () -> store.list(prefix, "", 10));
        }
    }

    // ---- overwrite, conditional writes --------------------------------------------------

    @Test
    @DisplayName("put overwrites an existing object")
    void putOverwrites() {
        store.put("over", bytes("first"));
        store.put("over", bytes("second, longer"));
        assertThat(store.get("over")).as("get(\"over\") after a second put").isEqualTo(bytes("second, longer"));
        assertThat(store.stat("over")).as("stat(\"over\") after a second put").get()
                .extracting(ObjectInfo::size).as("stat(\"over\").size() after a second put of 14 bytes")
                .isEqualTo(14L);
    }

    @Test
    @DisplayName("putIfAbsent creates a missing key and leaves an existing one alone")
    void putIfAbsentCreatesOnlyWhenMissing() {
        Optional<ObjectInfo> created = store.putIfAbsent("once", bytes("first"));
        assertThat(created).as("putIfAbsent(\"once\") of a missing key").get()
                .extracting(ObjectInfo::size).as("size() of what putIfAbsent(\"once\") of 5 bytes returned")
                .isEqualTo(5L);
        assertThat(store.putIfAbsent("once", bytes("second"))).as("putIfAbsent(\"once\") of an existing key")
                .isEmpty();
        assertThat(store.get("once")).as("get(\"once\") after a refused putIfAbsent").isEqualTo(bytes("first"));
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
            assertThat(winners).as("writers whose putIfAbsent(%s) succeeded, of %d racing", quote(key), results.size())
                    .hasSize(1);
            assertThat(store.get(key))
                    .as("get(%s) after writer %d won the putIfAbsent race", quote(key), winners.get(0))
                    .isEqualTo(bytes("writer-" + winners.get(0)));
        }
    }

    @Test
    @DisplayName("replace succeeds with the current etag and fails with a stale one")
    void replaceComparesTheEtag() {
        ObjectInfo v1 = store.put("lease", bytes("v1"));
        Optional<ObjectInfo> v2 = store.replace("lease", bytes("v2"), v1.etag());
        assertThat(v2).as("replace(\"lease\") with the etag put returned").isPresent();
        assertThat(v2.get().etag()).as("etag of what replace(\"lease\") returned, against the replaced one")
                .isNotEqualTo(v1.etag());
        assertThat(store.replace("lease", bytes("stale"), v1.etag())).as("replace(\"lease\") with a stale etag")
                .isEmpty();
        assertThat(store.get("lease")).as("get(\"lease\") after a refused replace").isEqualTo(bytes("v2"));
        assertThat(store.replace("lease", bytes("v3"), store.stat("lease").orElseThrow().etag()))
                .as("replace(\"lease\") with the etag stat returned").isPresent();
        assertThat(store.get("lease")).as("get(\"lease\") after replace").isEqualTo(bytes("v3"));
    }

    @Test
    @DisplayName("getObject returns the content with the etag of that content; a missing key is empty")
    void getObjectPairsContentWithItsEtag() {
        assertThat(store.getObject("absent/key")).as("getObject(\"absent/key\") of a missing key").isEmpty();
        ObjectInfo v1 = store.put("head", bytes("v1"));
        StoredObject read = store.getObject("head")
                .orElseThrow(() -> new AssertionError("getObject(\"head\") after put returned Optional.empty()"));
        assertThat(read.data()).as("getObject(\"head\").data() after put").isEqualTo(bytes("v1"));
        assertThat(read.etag()).as("getObject(\"head\").etag(), against the etag put returned").isEqualTo(v1.etag());
        assertThat(read.info().key()).as("getObject(\"head\").info().key()").isEqualTo("head");
        assertThat(read.info().size()).as("getObject(\"head\").info().size() of 2 bytes").isEqualTo(2);
        ObjectInfo v2 = store.put("head", bytes("second"));
        StoredObject again = store.getObject("head")
                .orElseThrow(() -> new AssertionError(
                        "getObject(\"head\") after a second put returned Optional.empty()"));
        assertThat(again.data()).as("getObject(\"head\").data() after a second put").isEqualTo(bytes("second"));
        assertThat(again.etag()).as("getObject(\"head\").etag(), against the etag the second put returned")
                .isEqualTo(v2.etag());
        // a replace from the first read is refused; from the second it succeeds
        assertThat(store.replace("head", bytes("stale"), read.etag()))
                .as("replace(\"head\") with the etag of an earlier getObject").isEmpty();
        assertThat(store.replace("head", bytes("third"), again.etag()))
                .as("replace(\"head\") with the etag of the latest getObject").isPresent();
        assertThat(store.get("head")).as("get(\"head\") after replace").isEqualTo(bytes("third"));
        store.delete("head");
        assertThat(store.getObject("head")).as("getObject(\"head\") after delete").isEmpty();
    }

    @Test
    @DisplayName("replace of a missing key fails and creates nothing")
    void replaceOfMissingKeyFails() {
        assertThat(store.replace("ghost", bytes("x"), "any-etag")).as("replace(\"ghost\") of a missing key").isEmpty();
        assertThat(store.stat("ghost")).as("stat(\"ghost\") after replace of a missing key").isEmpty();
    }

    @Test
    @DisplayName("of N threads replacing from the same etag exactly one wins")
    void replaceRaceHasExactlyOneWinner() throws Exception {
        ObjectInfo base = store.put("cas", bytes("base"));
        List<Optional<ObjectInfo>> results = race(racingWriters(),
                i -> store.replace("cas", bytes("writer-" + i), base.etag()));
        List<Integer> winners = IntStream.range(0, results.size())
                .filter(i -> results.get(i).isPresent()).boxed().toList();
        assertThat(winners).as("writers whose replace(\"cas\") from the same etag succeeded, of %d racing",
                results.size()).hasSize(1);
        assertThat(store.get("cas")).as("get(\"cas\") after writer %d won the replace race", winners.get(0))
                .isEqualTo(bytes("writer-" + winners.get(0)));
    }

    // ---- delete -------------------------------------------------------------------------

    @Test
    @DisplayName("delete removes the object from get, stat and listings")
    void deleteRemoves() {
        store.put("d/1", bytes("x"));
        store.put("d/2", bytes("y"));
        store.delete("d/1");
        assertThat(store.stat("d/1")).as("stat(\"d/1\") after delete(\"d/1\")").isEmpty();
        assertThat(keys(store.list("d/").toList())).as("list(\"d/\") after delete(\"d/1\")").containsExactly("d/2");
        refusal("get(\"d/1\") after delete(\"d/1\")", ErrorCode.NOT_FOUND, () -> store.get("d/1"));
    }

    @Test
    @DisplayName("deleting a missing key is not an error")
    void deleteOfMissingKeyIsNoError() {
        store.delete("never/written");
        assertThat(store.stat("never/written")).as("stat(\"never/written\") after delete of a missing key").isEmpty();
    }

    @Test
    @DisplayName("a deleted key can be created again with putIfAbsent")
    void deletedKeyCanBeRecreated() {
        store.put("again", bytes("1"));
        store.delete("again");
        assertThat(store.putIfAbsent("again", bytes("2"))).as("putIfAbsent(\"again\") after delete(\"again\")")
                .isPresent();
        assertThat(store.get("again")).as("get(\"again\") after delete and putIfAbsent").isEqualTo(bytes("2"));
    }

    // ---- invalid keys -------------------------------------------------------------------

    @ParameterizedTest(name = "{0} is refused with INVALID_KEY by put, putIfAbsent, replace, get, getObject, "
            + "ranged get, stat and delete")
    @MethodSource("invalidKeys")
    @DisplayName("invalid keys are refused with INVALID_KEY by every operation")
    void invalidKeysAreRefused(String key) {
        String k = quote(key);
        Map<String, Call> operations = new LinkedHashMap<>();
        operations.put("put(" + k + ", 1 byte)", () -> store.put(key, bytes("x")));
        operations.put("putIfAbsent(" + k + ", 1 byte)", () -> store.putIfAbsent(key, bytes("x")));
        operations.put("replace(" + k + ", 1 byte, \"etag\")", () -> store.replace(key, bytes("x"), "etag"));
        operations.put("get(" + k + ")", () -> store.get(key));
        operations.put("getObject(" + k + ")", () -> store.getObject(key));
        operations.put("get(" + k + ", 0, 1)", () -> store.get(key, 0, 1));
        operations.put("stat(" + k + ")", () -> store.stat(key));
        operations.put("delete(" + k + ")", () -> {
            store.delete(key);
            return RETURNED_NORMALLY;
        });
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Call> op : operations.entrySet()) {
            try {
                DrException e = refusal(op.getKey() + " of an invalid key", ErrorCode.INVALID_KEY, op.getValue());
                assertThat(e.getMessage()).as("%s of an invalid key: the DrException's message", op.getKey())
                        .contains("Invalid store key");
            } catch (AssertionError e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            fail("key " + k + " must be refused with INVALID_KEY by every operation, but "
                    + failures.size() + " of " + operations.size() + " did not:\n  "
                    + String.join("\n  ", failures));
        }
        assertThat(keys(store.list("").toList())).as("list(\"\") after every operation refused key %s", k)
                .isEmpty();
    }

    @ParameterizedTest(name = "prefix {0} is refused by list with INVALID_KEY")
    @MethodSource("invalidPrefixes")
    @DisplayName("invalid prefixes are refused with INVALID_KEY")
    void invalidPrefixesAreRefused(String prefix) {
        refusal("list(" + quote(prefix) + ", null, 10) of an invalid prefix", ErrorCode.INVALID_KEY,
                () -> store.list(prefix, null, 10));
    }

    private static Stream<Named<String>> invalidKeys() {
        return Stream.of("", "/absolute", "trailing/", "a//b", "..", ".", "a/../b", "../escape", "a/./b",
                "a/..", "back\\slash", "nul\u0000char", "new\nline", "tab\tkey", "del\u007Fchar")
                .map(key -> Named.of(quote(key), key));
    }

    private static Stream<Named<String>> invalidPrefixes() {
        return Stream.of("/abs", "a//", "../", "a/../", "x\u0001").map(prefix -> Named.of(quote(prefix), prefix));
    }

    // ---- describe -------------------------------------------------------------------------

    @Test
    @DisplayName("describe names the location without credentials")
    void describeHasNoCredentials() {
        String description = store.describe();
        assertThat(description).as("describe()").isNotBlank();
        assertThat(description).as("describe(), which must carry no credentials").doesNotContain("@")
                .doesNotContainIgnoringCase("secret=").doesNotContainIgnoringCase("password=");
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
                                    assertThat(created.isPresent()).as("putIfAbsent(%s) succeeded, with the key %s",
                                            quote(key), model.containsKey(key) ? "present" : "missing")
                                            .isEqualTo(!model.containsKey(key));
                                    model.putIfAbsent(key, content);
                                }
                                default -> {
                                    fresh.delete(key);
                                    model.remove(key);
                                }
                            }
                        }
                        assertThat(keys(fresh.list("").toList())).as("list(\"\") against the model")
                                .containsExactlyElementsOf(model.keySet());
                        for (Map.Entry<String, byte[]> e : model.entrySet()) {
                            assertThat(fresh.get(e.getKey())).as("get(%s) against the model", quote(e.getKey()))
                                    .isEqualTo(e.getValue());
                        }
                        assertThat(keys(fresh.list("a/").toList())).as("list(\"a/\") against the model")
                                .containsExactlyElementsOf(model.keySet().stream().filter(k -> k.startsWith("a/")).toList());
                    }
                });
    }

    // ---- helpers ------------------------------------------------------------------------

    /** A call to the store whose result a failure can show. */
    @FunctionalInterface
    private interface Call {
        @Nullable Object call() throws Exception;
    }

    /** What a call of a void operation returns, so that a failure says it returned normally. */
    private static final Object RETURNED_NORMALLY = new Object();

    /**
     * Runs a call that must throw {@code type}, and fails saying what it returned or threw
     * instead.
     */
    private static <T extends Throwable> T mustThrow(String call, Class<T> type, Call c) {
        Object result;
        try {
            result = c.call();
        } catch (Exception e) {
            if (type.isInstance(e)) {
                return type.cast(e);
            }
            throw new AssertionError(call + " must throw " + type.getSimpleName() + ", but threw " + e, e);
        }
        throw new AssertionError(call + " must throw " + type.getSimpleName() + ", but " + returned(result));
    }

    /**
     * Runs a call that the store must refuse with a {@link DrException} of the given code, and
     * returns the exception; fails saying what the call returned or threw instead.
     */
    private static DrException refusal(String call, ErrorCode code, Call c) {
        return refused(call + " must throw DrException with code " + code, code, c);
    }

    /** Runs a call that must throw DrException with the code; {@code expected} says so. */
    private static DrException refused(String expected, ErrorCode code, Call c) {
        Object result;
        try {
            result = c.call();
        } catch (DrException e) {
            if (e.code() != code) {
                throw new AssertionError(expected + ", but threw it with code " + e.code() + ": " + e.getMessage(), e);
            }
            return e;
        } catch (Exception e) {
            throw new AssertionError(expected + ", but threw " + e, e);
        }
        throw new AssertionError(expected + ", but " + returned(result));
    }

    /** As {@link #refusal}, and the exception's input and message must name the key. */
    private static void refusalNamingTheKey(String call, ErrorCode code, String key, Call c) {
        DrException e = refused(call + " must throw DrException with code " + code + " naming the key", code, c);
        assertThat(e.input()).as("%s: input() of the DrException with code %s (message: %s)", call, code,
                e.getMessage()).isEqualTo(key);
        assertThat(e.getMessage()).as("%s: message of the DrException with code %s", call, code).contains(key);
    }

    private static String returned(@Nullable Object result) {
        if (result == null) {
            return "returned null";
        }
        if (result == RETURNED_NORMALLY) {
            return "returned normally";
        }
        if (result instanceof byte[] data) {
            return "returned " + data.length + (data.length == 1 ? " byte" : " bytes");
        }
        if (result instanceof ListPage page) {
            return "returned a page of " + page.objects().size() + " objects " + keys(page.objects())
                    + (page.nextToken() == null ? ", the last" : ", next token " + quote(page.nextToken()));
        }
        if (result instanceof Optional<?> optional) {
            return optional.isEmpty() ? "returned Optional.empty()" : "returned Optional[" + optional.get() + "]";
        }
        return "returned " + result;
    }

    /**
     * Writes text as a Java string literal, so that control characters in keys show in messages.
     */
    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        out.append(String.format("\\u%04X", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.append('"').toString();
    }

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
