package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.testkit.store.ForwardingStore;
import dev.drkit.testkit.store.InMemoryStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RepositoryOpenOrInitTest {
    static final char[] PASSWORD = "correct horse".toCharArray();

    final InMemoryStore store = new InMemoryStore();

    @Test
    void createsTheRepositoryOnTheFirstCallAndOpensItOnTheNext() {
        String id;
        try (Repository repo = Repository.openOrInit(store, PASSWORD, RepositoryTest.fastOptions().build())) {
            id = repo.id();
        }
        try (Repository repo = Repository.openOrInit(store, PASSWORD, RepositoryTest.fastOptions().build())) {
            assertThat(repo.id()).isEqualTo(id);
        }
        try (Repository repo = Repository.open(store, PASSWORD, RepositoryTest.fastOptions().build())) {
            assertThat(repo.id()).isEqualTo(id);
        }
    }

    @Test
    void aWrongPasswordIsRefusedAndTheRepositoryIsLeftAlone() {
        Repository.init(store, PASSWORD, RepositoryTest.fastOptions().build()).close();
        Map<String, ObjectInfo> before = new HashMap<>(store.objects());
        assertThatThrownBy(() -> Repository.openOrInit(store, "wrong".toCharArray(), RepositoryTest.fastOptions().build()))
                .isInstanceOf(DrException.class)
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.WRONG_PASSWORD);
        assertThat(store.objects()).isEqualTo(before);
    }

    @Test
    void anEmptyPasswordIsRefusedBeforeTheStoreIsTouched() {
        assertThatThrownBy(() -> Repository.openOrInit(store, new char[0], RepositoryTest.fastOptions().build()))
                .isInstanceOf(DrException.class)
                .extracting(e -> ((DrException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(store.objects()).isEmpty();
    }

    @Test
    void opensTheRepositoryThatAnotherProcessCreatedAfterItLookedForOne() {
        String id;
        try (Repository other = Repository.init(store, PASSWORD, RepositoryTest.fastOptions().build())) {
            id = other.id();
        }
        // The first look for the configuration misses it, as when the other process creates the
        // repository just after this one looked: its own creation then loses, and it opens.
        SnapshotStore late = new ConfigSeenLate(store);
        try (Repository repo = Repository.openOrInit(late, PASSWORD, RepositoryTest.fastOptions().build())) {
            assertThat(repo.id()).isEqualTo(id);
        }
        assertThat(store.objects().keySet().stream().filter(k -> k.startsWith("keys/"))).hasSize(1);
    }

    /** Answers the first {@code stat("config")} as if there were none. */
    private static final class ConfigSeenLate extends ForwardingStore {
        private final AtomicBoolean missed = new AtomicBoolean();

        ConfigSeenLate(SnapshotStore delegate) {
            super(delegate);
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            if (key.equals("config") && missed.compareAndSet(false, true)) {
                return Optional.empty();
            }
            return super.stat(key);
        }

        @Override
        public String describe() {
            return "late:" + super.describe();
        }
    }
}
