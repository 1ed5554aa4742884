package dev.drkit.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.api.store.StoreKeys;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The contract's failures say what the store did wrong: each runs a contract test against a
 * store broken on purpose and reads the failure's message.
 */
class SnapshotStoreContractMessagesTest {

    @Test
    void aGetOfAMissingKeyReturningNullIsReportedWithTheCallTheCodeAndWhatItReturned() {
        String message = failureOf(() -> new ForwardingStore(new InMemoryStore()) {
            @Override
            public byte[] get(String key) {
                return delegate().stat(key).isPresent() ? delegate().get(key) : null;
            }
        }, SnapshotStoreContract::getOfMissingKeyFailsNamingIt);

        assertThat(message).isEqualTo("get(\"missing/key\") of a missing key must throw DrException with code "
                + "NOT_FOUND naming the key, but returned null");
    }

    @Test
    void aGetOfAMissingKeyReturningNoBytesIsReportedWithWhatItReturned() {
        String message = failureOf(() -> new ForwardingStore(new InMemoryStore()) {
            @Override
            public byte[] get(String key) {
                return delegate().stat(key).isPresent() ? delegate().get(key) : new byte[0];
            }
        }, SnapshotStoreContract::getOfMissingKeyFailsNamingIt);

        assertThat(message).contains("get(\"missing/key\")", "NOT_FOUND", "but returned 0 bytes");
    }

    @Test
    void aNotFoundThatDoesNotNameTheKeyIsReported() {
        String message = failureOf(() -> new ForwardingStore(new InMemoryStore()) {
            @Override
            public byte[] get(String key) {
                throw new DrException(ErrorCode.NOT_FOUND, "No such object", null);
            }
        }, SnapshotStoreContract::getOfMissingKeyFailsNamingIt);

        assertThat(message).contains("get(\"missing/key\") of a missing key", "input()", "NOT_FOUND",
                "No such object", "\"missing/key\"");
    }

    @Test
    void aStoreWithoutKeyValidationIsReportedWithTheKeyAndEveryOperationThatAcceptedIt() {
        String message = failureOf(WithoutKeyValidation::new, contract -> contract.invalidKeysAreRefused("a//b"));

        assertThat(message).startsWith("key \"a//b\" must be refused with INVALID_KEY by every operation, "
                + "but 8 of 8 did not:");
        assertThat(message).contains(
                "put(\"a//b\", 1 byte) of an invalid key must throw DrException with code INVALID_KEY, "
                        + "but returned ObjectInfo[key=a//b",
                "putIfAbsent(\"a//b\", 1 byte) of an invalid key must throw DrException with code INVALID_KEY, "
                        + "but returned Optional[",
                "replace(\"a//b\", 1 byte, \"etag\") of an invalid key must throw DrException with code "
                        + "INVALID_KEY, but returned Optional.empty()",
                "get(\"a//b\") of an invalid key must throw DrException with code INVALID_KEY, "
                        + "but threw it with code NOT_FOUND",
                "getObject(\"a//b\") of an invalid key must throw DrException with code INVALID_KEY, "
                        + "but returned Optional.empty()",
                "get(\"a//b\", 0, 1) of an invalid key must throw DrException with code INVALID_KEY, "
                        + "but threw it with code NOT_FOUND",
                "stat(\"a//b\") of an invalid key must throw DrException with code INVALID_KEY, "
                        + "but returned Optional.empty()",
                "delete(\"a//b\") of an invalid key must throw DrException with code INVALID_KEY, "
                        + "but returned normally");
    }

    @Test
    void controlCharactersInARefusedKeyAreShownEscaped() {
        String message = failureOf(WithoutKeyValidation::new,
                contract -> contract.invalidKeysAreRefused("new\nline"));

        assertThat(message).startsWith("key \"new\\nline\" must be refused with INVALID_KEY")
                .contains("stat(\"new\\nline\") of an invalid key");
    }

    @Test
    void aStoreAcceptingAnyPageTokenIsReportedWithTheCallAndThePageItReturned() {
        String message = failureOf(() -> new ForwardingStore(new InMemoryStore()) {
            @Override
            public ListPage list(String prefix, @Nullable String pageToken, int pageSize) {
                return delegate().list(prefix, null, pageSize);
            }
        }, SnapshotStoreContract::listingRefusesATokenItDidNotIssue);

        assertThat(message).isEqualTo("list(\"\", \"\", 10), with a page token the store never issued, must throw "
                + "DrException with code INVALID_ARGUMENT, but returned a page of 2 objects [p/1, p/2], the last");
    }

    @Test
    void theKitsOwnStoreRefusesTheTokensNoStoreIssues() {
        try (InMemoryStore store = new InMemoryStore()) {
            store.put("p/1", new byte[] {1});
            for (String prefix : List.of("", "p/")) {
                DrException refused = catchThrowableOfType(DrException.class, () -> store.list(prefix, "", 10));
                assertThat(refused).as("list(\"%s\", \"\", 10)", prefix).isNotNull()
                        .extracting(DrException::code).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            }
        }
    }

    /** Runs one contract test against a fresh broken store and returns its failure's message. */
    private static String failureOf(Supplier<SnapshotStore> brokenStore, Consumer<SnapshotStoreContract> test) {
        SnapshotStoreContract contract = new SnapshotStoreContract() {
            @Override
            protected SnapshotStore createStore() {
                return brokenStore.get();
            }
        };
        contract.openStore();
        try {
            AssertionError failure = catchThrowableOfType(AssertionError.class, () -> test.accept(contract));
            assertThat(failure).as("the contract test's failure against a broken store").isNotNull();
            return failure.getMessage();
        } finally {
            contract.closeStore();
        }
    }

    /**
     * A store that does not check keys: every call with a key the kit's store refuses answers as
     * if that key were simply missing, and writes appear to succeed.
     */
    private static final class WithoutKeyValidation extends ForwardingStore {
        WithoutKeyValidation() {
            super(new InMemoryStore());
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            return invalid(key) ? Optional.empty() : super.stat(key);
        }

        @Override
        public byte[] get(String key) {
            if (invalid(key)) {
                throw new DrException(ErrorCode.NOT_FOUND, "No object '" + key + "'", key);
            }
            return super.get(key);
        }

        @Override
        public byte[] get(String key, long offset, int length) {
            if (invalid(key)) {
                throw new DrException(ErrorCode.NOT_FOUND, "No object '" + key + "'", key);
            }
            return super.get(key, offset, length);
        }

        @Override
        public ObjectInfo put(String key, byte[] data) {
            return invalid(key) ? new ObjectInfo(key, data.length, "etag-1", Instant.EPOCH) : super.put(key, data);
        }

        @Override
        public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
            return invalid(key) ? Optional.of(new ObjectInfo(key, data.length, "etag-1", Instant.EPOCH))
                    : super.putIfAbsent(key, data);
        }

        @Override
        public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
            return invalid(key) ? Optional.empty() : super.replace(key, data, expectedEtag);
        }

        @Override
        public void delete(String key) {
            if (!invalid(key)) {
                super.delete(key);
            }
        }

        private static boolean invalid(String key) {
            try {
                StoreKeys.requireValidKey(key);
                return false;
            } catch (DrException e) {
                return true;
            }
        }
    }
}
