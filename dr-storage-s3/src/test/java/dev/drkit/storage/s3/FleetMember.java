package dev.drkit.storage.s3;

import dev.drkit.core.coordination.CoordinatorConfig;
import dev.drkit.core.coordination.StoreCoordinator;
import dev.drkit.core.store.remote.RemoteStoreSettings;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * One instance of a fleet coordinated through one S3 bucket, run as its own JVM by
 * {@link FleetProcessesAcceptanceTest}: opens the store and its {@link StoreCoordinator}, then
 * runs {@link dev.drkit.test.fleet.FleetMember}.
 *
 * <p>Arguments: endpoint, bucket, prefix, secret key, member id, TTL ms, renew ms, poll ms,
 * and how long the store's circuit breaker stays open, ms.
 */
public final class FleetMember {
    private FleetMember() {
    }

    /**
     * Runs the instance until {@code quit} or end of input.
     *
     * @param args endpoint, bucket, prefix, secret key, member id, TTL ms, renew ms, poll ms, breaker open ms
     * @throws Exception when it cannot start
     */
    public static void main(String[] args) throws Exception {
        S3Store store = S3Store.open(S3StoreConfig.builder(args[1]).prefix(args[2]).endpoint(URI.create(args[0]))
                .region("us-east-1").pathStyle(true)
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY,
                        args[3])))
                .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(200))
                .circuitBreaker(CircuitBreakerConfig.from(RemoteStoreSettings.DEFAULT_CIRCUIT_BREAKER)
                        .waitDurationInOpenState(Duration.ofMillis(Long.parseLong(args[8]))).build())
                .build());
        StoreCoordinator coordinator = StoreCoordinator.open(store, CoordinatorConfig.builder(args[4])
                .ttl(Duration.ofMillis(Long.parseLong(args[5]))).renewInterval(Duration.ofMillis(Long.parseLong(args[6])))
                .pollInterval(Duration.ofMillis(Long.parseLong(args[7]))).build());
        dev.drkit.test.fleet.FleetMember.run(coordinator, store, args[4]);
    }
}
