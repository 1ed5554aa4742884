package dev.drkit.test.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.drkit.api.DrException;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.api.coordination.Lease;
import dev.drkit.api.coordination.Membership;
import dev.drkit.api.coordination.SharedState;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.store.SnapshotStores;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The coordinator contract's failures name the call, its argument and the expected refusal. */
class CoordinatorContractMessagesTest {

    @Test
    void aCoordinatorAcceptingABadLeaseNameIsReportedWithTheCallAndTheExpectedCode() {
        StoreCoordinationContract contract = new StoreCoordinationContract() {
            @Override
            protected SnapshotStore createStore() {
                return SnapshotStores.memory();
            }

            @Override
            protected Coordinator openCoordinator(String memberId) {
                return new NamesUnchecked(super.openCoordinator(memberId));
            }
        };
        contract.openStore();
        AssertionError failure;
        try {
            failure = catchThrowableOfType(AssertionError.class, contract::badNamesAreRefused);
        } finally {
            contract.closeCoordinators();
            contract.closeStore();
        }

        assertThat(failure).as("the contract's failure against a coordinator that accepts any name").isNotNull();
        assertThat(failure.getMessage())
                .contains("lease(\"\") must throw DrException with code INVALID_ARGUMENT naming the lease");
    }

    /** A coordinator that takes any name: a name the real one refuses is quietly replaced. */
    private static final class NamesUnchecked implements Coordinator {
        private final Coordinator delegate;

        NamesUnchecked(Coordinator delegate) {
            this.delegate = delegate;
        }

        @Override
        public String memberId() {
            return delegate.memberId();
        }

        @Override
        public Lease lease(String name) {
            return unchecked(delegate::lease, name);
        }

        @Override
        public SharedState state(String name) {
            return unchecked(delegate::state, name);
        }

        @Override
        public Membership membership(String group) {
            return unchecked(delegate::membership, group);
        }

        @Override
        public void close() {
            delegate.close();
        }

        private static <T> T unchecked(Function<String, T> open, String name) {
            try {
                return open.apply(name);
            } catch (DrException e) {
                return open.apply("unchecked");
            }
        }
    }
}
