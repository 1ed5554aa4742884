package dev.drkit.core.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.coordination.FleetRecords.Holding;
import dev.drkit.core.coordination.FleetRecords.Inconsistency;
import dev.drkit.core.coordination.FleetRecords.Member;
import dev.drkit.core.store.SnapshotStores;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link FleetRecords}: one read of a lease's newest holding and a group's announcements, checked against their keys. */
class FleetRecordsTest {
    private final SnapshotStore store = SnapshotStores.memory();
    private final AtomicLong ticker = new AtomicLong();

    @AfterEach
    void close() {
        store.close();
    }

    private StoreCoordinator coordinator(String member) {
        return StoreCoordinator.manual(store, CoordinatorConfig.builder(member).ticker(ticker::get).build());
    }

    private void put(String key, String content) {
        store.put(key, content.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aReadShowsTheNewestHoldingWithItsTtlAndLastWriteAndTheMembersSorted() {
        try (StoreCoordinator a = coordinator("orders-a"); StoreCoordinator b = coordinator("orders-b")) {
            a.lease("writer").tryAcquire().orElseThrow();
            a.lease("writer").release();
            long epoch = b.lease("writer").tryAcquire().orElseThrow().epoch();
            b.membership("orders").join();
            a.membership("orders").join();
            String key = String.format("coordination/leases/writer/%020d", epoch);

            FleetRecords read = FleetRecords.read(store, "coordination", "writer", "orders");

            Holding h = read.holding();
            assertThat(h).isNotNull();
            assertThat(h.key()).isEqualTo(key);
            assertThat(h.holder()).isEqualTo("orders-b");
            assertThat(h.epoch()).isEqualTo(2);
            assertThat(h.status()).isEqualTo(Holding.Status.HELD);
            assertThat(h.ttl()).isEqualTo(CoordinatorConfig.DEFAULT_TTL);
            assertThat(h.lastWritten()).isEqualTo(store.stat(key).orElseThrow().lastModified());
            assertThat(read.members()).extracting(Member::memberId).containsExactly("orders-a", "orders-b");
            assertThat(read.members().get(0).key()).isEqualTo("coordination/members/orders/orders-a");
            assertThat(read.inconsistent()).isEmpty();

            b.lease("writer").release();
            assertThat(FleetRecords.read(store, "coordination", "writer", "orders").holding().status())
                    .isEqualTo(Holding.Status.RELEASED);
        }
        assertThat(FleetRecords.read(store, "coordination", "writer", "orders").members()).isEmpty();
        assertThat(FleetRecords.read(store, "coordination", "other", "dr").holding()).isNull();
    }

    @Test
    void aHeldHoldingIsPastItsTtlOnlyOnceItsAgeExceedsTheTtlAndNeverHasANegativeAge() {
        Instant written = Instant.parse("2030-01-01T00:00:00Z");
        Holding held = new Holding("k", "orders-a", 3, Holding.Status.HELD, 0, Duration.ofSeconds(15), written);

        assertThat(held.age(written.plusSeconds(192))).isEqualTo(Duration.ofSeconds(192));
        assertThat(held.pastTtl(written.plusSeconds(15))).isFalse();
        assertThat(held.pastTtl(written.plusSeconds(15).plusMillis(1))).isTrue();
        assertThat(held.age(written.minusSeconds(5))).isEqualTo(Duration.ZERO);
        assertThat(held.pastTtl(written.minusSeconds(5))).isFalse();

        Holding released = new Holding("k", "orders-a", 3, Holding.Status.RELEASED, 0, Duration.ofSeconds(15),
                written);
        assertThat(released.pastTtl(written.plusSeconds(192))).isFalse();
    }

    @Test
    void objectsThatContradictTheirKeysOrCannotBeParsedAreListedByKeyAndNotTrusted() {
        try (StoreCoordinator a = coordinator("orders-a")) {
            a.membership("orders").join();
            put("coordination/members/orders/orders-b", "dr-member/1\nmember=orders-x\nannouncement=1\n");
            put("coordination/members/orders/orders-c", "dr-member/1\nmember=orders-c\n");
            put("coordination/leases/writer/00000000000000000005", "dr-lease/1\nholder=orders-z\nepoch=9\n"
                    + "status=HELD\nrenewals=0\nttl-ms=15000\nwriter=orders-z\nnonce=1\n");

            FleetRecords read = FleetRecords.read(store, "coordination", "writer", "orders");

            assertThat(read.holding()).isNull();
            assertThat(read.members()).extracting(Member::memberId).containsExactly("orders-a");
            assertThat(read.inconsistent()).extracting(Inconsistency::key).containsExactly(
                    "coordination/leases/writer/00000000000000000005", "coordination/members/orders/orders-b",
                    "coordination/members/orders/orders-c");
            assertThat(read.inconsistent()).extracting(Inconsistency::problem).containsExactly(
                    "The lease object coordination/leases/writer/00000000000000000005 says epoch 9, but its key "
                            + "says epoch 5",
                    "The announcement coordination/members/orders/orders-b names member 'orders-x', but its key "
                            + "names 'orders-b'",
                    "The object coordination/members/orders/orders-c lacks its announcement");
        }
    }

    @Test
    void aReadWritesNothing() {
        try (StoreCoordinator a = coordinator("orders-a")) {
            a.lease("writer").tryAcquire().orElseThrow();
            a.membership("orders").join();
            List<String> before = store.list("").map(i -> i.key() + "@" + i.etag()).toList();

            FleetRecords.read(store, "coordination", "writer", "orders");

            assertThat(store.list("").map(i -> i.key() + "@" + i.etag()).toList()).isEqualTo(before);
        }
    }

    @Test
    void badNamesAndPrefixesAreRefusedNamingTheArgument() {
        assertThatThrownBy(() -> FleetRecords.read(store, "coordination", "a/b", "dr"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code())
                        .isEqualTo(ErrorCode.INVALID_ARGUMENT)).hasMessageContaining("lease");
        assertThatThrownBy(() -> FleetRecords.read(store, "coordination", "writer", " "))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code())
                        .isEqualTo(ErrorCode.INVALID_ARGUMENT)).hasMessageContaining("group");
        assertThatThrownBy(() -> FleetRecords.read(store, "/coordination", "writer", "dr"))
                .isInstanceOfSatisfying(DrException.class, e -> assertThat(e.code())
                        .isEqualTo(ErrorCode.INVALID_ARGUMENT)).hasMessageContaining("keyPrefix");
    }
}
