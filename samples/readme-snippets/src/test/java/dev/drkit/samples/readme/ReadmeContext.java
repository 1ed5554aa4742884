package dev.drkit.samples.readme;

import com.azure.core.credential.TokenCredential;
import dev.drkit.api.coordination.FencingToken;
import dev.drkit.api.health.HealthProbe;
import dev.drkit.api.recovery.Failover;
import dev.drkit.api.recovery.RecoveryStep;
import dev.drkit.api.store.ListPage;
import dev.drkit.api.store.ObjectInfo;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditLog;
import dev.drkit.core.recovery.Plan;
import dev.drkit.core.repository.BackupRequest;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.store.SnapshotStores;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * What a README fragment may use without declaring it: the application's own types and the
 * values a reader has at hand where the fragment would go. {@link ReadmeSnippetsTest} imports
 * these members into every fragment (a block with imports of its own gets nothing).
 *
 * <p>A name belongs here only when a reader knows what it stands for from the fragment itself
 * (a password, a meter registry, the application's pricing engine). Anything from DR Kit is
 * never declared here: a fragment that uses a DR Kit type or method that does not exist must
 * fail to compile.
 */
@SuppressWarnings("unused")
public final class ReadmeContext {
    private ReadmeContext() {
    }

    /** A repository password. */
    public static char[] password;
    /** The application's Micrometer registry. */
    public static MeterRegistry registry;
    /** A store URI read from the application's configuration. */
    public static String uriFromConfig;
    /** An open repository. */
    public static Repository repo;
    /** Open repositories: a primary and two secondaries. */
    public static Repository primary, eastRepo, westRepo;
    /** A backup request. */
    public static BackupRequest request;
    /** Directories: a restore target, the application's data, scratch space. */
    public static Path target, dataDir, scratch;
    /** The application's audit log. */
    public static AuditLog auditLog;
    /** A routing key and what the call works on. */
    public static String customerId;
    /** The shopping cart a price is asked for. */
    public static Cart cart;
    /** Application steps, failovers and probes that a plan uses. */
    public static RecoveryStep fenceWrites;
    /** The application's failover. */
    public static Failover myFailover;
    /** A probe of the application's data. */
    public static HealthProbe ordersProbe;
    /** When the incident was detected. */
    public static Instant detected;
    /** A recovery plan. */
    public static Plan plan;
    /** The store the service backs up into. */
    public static SnapshotStore store;
    /** This instance's name in the fleet, such as the pod's. */
    public static String podName;
    /** The application's backup scheduler, run by the lease holder. */
    public static BackupScheduler scheduler;
    /** What applies a fleet-wide decision to the local guard. */
    public static DecisionApplier guard;
    /** An Azure credential (for example {@code DefaultAzureCredentialBuilder} of azure-identity). */
    public static TokenCredential credential;

    /** Starts and stops the application's backups. */
    public interface BackupScheduler {
        /** Starts backing up, every write fenced with the token. @param token the lease's token */
        void startBackups(FencingToken token);

        /** Stops backing up. */
        void stopBackups();
    }

    /** Applies a decision ("ROLLBACK", ...) that the fleet committed. */
    public interface DecisionApplier {
        /** @param decision the committed value */
        void apply(String decision);
    }

    /** A price. @param cents the amount in cents */
    public record Money(long cents) {
    }

    /** What a customer buys. @param items the number of items */
    public record Cart(int items) {
    }

    /** The component a guarded release rolls out: the application's interface. */
    public interface PricingEngine {
        /** Prices a cart. @param cart the cart @return the price */
        Money price(Cart cart);
    }

    /** The stable version. */
    public static final class PricingV1 implements PricingEngine {
        @Override
        public Money price(Cart cart) {
            return new Money(1999L * cart.items());
        }
    }

    /** The candidate version. */
    public static final class PricingV2 implements PricingEngine {
        @Override
        public Money price(Cart cart) {
            return new Money(1899L * cart.items());
        }
    }

    /** A plugin's store, here an in-memory one, for the README of a new store. */
    public static final class MyStore implements SnapshotStore {
        private final SnapshotStore delegate = SnapshotStores.memory();

        /** @param uri where the store keeps its objects */
        public MyStore(URI uri) {
        }

        /** @param uri where the store keeps its objects @return the store */
        public static MyStore open(URI uri) {
            return new MyStore(uri);
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            return delegate.stat(key);
        }

        @Override
        public byte[] get(String key) {
            return delegate.get(key);
        }

        @Override
        public byte[] get(String key, long offset, int length) {
            return delegate.get(key, offset, length);
        }

        @Override
        public ObjectInfo put(String key, byte[] data) {
            return delegate.put(key, data);
        }

        @Override
        public Optional<ObjectInfo> putIfAbsent(String key, byte[] data) {
            return delegate.putIfAbsent(key, data);
        }

        @Override
        public Optional<ObjectInfo> replace(String key, byte[] data, String expectedEtag) {
            return delegate.replace(key, data, expectedEtag);
        }

        @Override
        public ListPage list(String prefix, String pageToken, int pageSize) {
            return delegate.list(prefix, pageToken, pageSize);
        }

        @Override
        public void delete(String key) {
            delegate.delete(key);
        }

        @Override
        public String describe() {
            return "mystore:";
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
