package dev.drkit.coordination.zookeeper;

import dev.drkit.api.DrException;
import dev.drkit.api.coordination.Coordinator;
import dev.drkit.coordination.zookeeper.internal.ZkCoordinator;
import dev.drkit.coordination.zookeeper.internal.ZkUri;
import dev.drkit.core.coordination.CoordinatorConfig;
import java.net.URI;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;

/**
 * A {@link Coordinator} on a ZooKeeper ensemble, through Apache Curator: for fleets that
 * outgrow coordination through their backup store, or that need changes to arrive in
 * milliseconds rather than at the next poll.
 *
 * <h2>Nodes</h2>
 * Under {@code /<keyPrefix>} ({@code /coordination} by default), inside the URI's chroot:
 * <ul>
 *   <li>{@code leases/<name>/epoch}: a persistent counter whose data version is the lease's
 *       newest epoch, and {@code leases/<name>/holder}: the holder's ephemeral node (its member
 *       id and epoch). A candidate acquires in one ZooKeeper transaction that bumps the
 *       counter on the version it read and creates the holder node, so of two candidates
 *       exactly one wins, and every new holder gets a greater epoch. Releasing deletes the
 *       holder node in a transaction that checks the counter is still at this holder's
 *       epoch.</li>
 *   <li>{@code states/<name>}: a state's value; its data version plus one is the state's
 *       version, and compare-and-set is a {@code setData} on the expected version. Each
 *       commit also creates the child {@code states/<name>/<version>} in the same
 *       transaction, and the last {@link CoordinatorConfig#stateHistory()} of them are kept,
 *       so a watcher woken once after several commits still sees each of them in order. A
 *       fenced write adds checks that the lease's counter is still at the token's epoch and
 *       that its holder node still exists: a holder whose session expired is refused even
 *       before anybody else takes the lease.</li>
 *   <li>{@code members/<group>/<memberId>}: a member's ephemeral node.</li>
 * </ul>
 *
 * <h2>Timing</h2>
 * The lease TTL is the ZooKeeper session timeout: {@link #connect} asks for a session of
 * {@link CoordinatorConfig#ttl()} (the ensemble bounds it between 2 and 20 of its ticks). A
 * holder believes it holds a lease until the smaller of the TTL and the negotiated session
 * timeout, less 1%, has passed on its own ticker since just before its last successful
 * renewal; the ensemble expires its session no sooner than one session timeout after it last
 * heard from it, which is after that renewal was sent. So a holder stops believing before its
 * holder node can vanish, whatever the wall clocks say; a paused holder that resumes is
 * refused by fencing. A holding whose deadline passed while the session lived on (a JVM
 * stopped for less than the session timeout) is not renewed back to life: the holder deletes
 * its node and holds again, if at all, at a greater epoch. Liveness: a holder that dies or is stopped is replaced once the
 * ensemble expires its session (session timeout, rounded up to a tick) and a campaigning
 * instance's watch on the holder node fires; a released lease is taken at once; a committed
 * change reaches watchers after one notification round trip; a member that stops drops out
 * when its session expires and comes back within a renew interval of reconnecting.
 *
 * <p>The client {@link #connect} builds talks to the servers it is given and no others: it
 * does not follow the ensemble's own configuration, whose addresses may be unreachable from
 * behind a proxy, NAT or a service name.
 *
 * <h2>Requests</h2>
 * A held lease costs one read every renew interval (the session's own pings keep it alive);
 * a campaign costs one read every renew interval plus a watch; a watched state costs one read
 * per change and one every TTL as a fallback; a joined group costs one existence check every
 * renew interval. {@code SharedState.read()} syncs the server it reads from with the leader
 * first (one more round trip), so that it returns the current version even from a follower
 * that lags behind; a lease acquired again after a session was lost belongs to the new session,
 * whichever order Curator reports the loss and the new connection in.
 */
public interface ZooKeeperCoordinator extends Coordinator {

    /** How long {@link #connect} waits for the first connection by default: 10 seconds. */
    Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Connects to an ensemble and opens a coordinator on it, owning the Curator client.
     *
     * @param connectString the servers, {@code host:port,host:port}, optionally followed by a
     *     chroot such as {@code /orders}
     * @param config the settings; its TTL is the session timeout asked for
     * @return the coordinator; closing it closes the client
     * @throws DrException {@code INVALID_CONFIG} naming the connect string when it is blank or
     *     malformed; {@code UNAVAILABLE} naming it when no server answers within
     *     {@link #DEFAULT_CONNECT_TIMEOUT}
     */
    static ZooKeeperCoordinator connect(String connectString, CoordinatorConfig config) {
        return connect(connectString, config, DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * Connects to an ensemble and opens a coordinator on it, owning the Curator client.
     *
     * @param connectString the servers, {@code host:port,host:port}, optionally followed by a
     *     chroot such as {@code /orders}
     * @param config the settings; its TTL is the session timeout asked for
     * @param connectTimeout how long to wait for the first connection
     * @return the coordinator; closing it closes the client
     * @throws DrException {@code INVALID_CONFIG} naming the connect string when it is blank or
     *     malformed; {@code UNAVAILABLE} naming it when no server answers in time
     */
    static ZooKeeperCoordinator connect(String connectString, CoordinatorConfig config, Duration connectTimeout) {
        ZkUri target = ZkUri.parseConnectString(connectString);
        return ZkCoordinator.connect(target, config, connectTimeout);
    }

    /**
     * Connects to the ensemble a {@code zookeeper://} URI names, such as
     * {@code zookeeper://zk1:2181,zk2:2181/orders}.
     *
     * @param uri the ensemble and optional chroot; the query may set {@code connectTimeout}
     *     as an ISO-8601 duration ({@code PT5S}) or milliseconds
     * @param config the settings
     * @return the coordinator; closing it closes the client
     * @throws DrException {@code INVALID_CONFIG} naming the URI when it is malformed;
     *     {@code UNAVAILABLE} naming it when no server answers in time
     */
    static ZooKeeperCoordinator connect(URI uri, CoordinatorConfig config) {
        ZkUri target = ZkUri.parse(uri);
        return ZkCoordinator.connect(target, config, target.connectTimeout().orElse(DEFAULT_CONNECT_TIMEOUT));
    }

    /**
     * Opens a coordinator on a Curator client the application manages already.
     *
     * @param client a started client; its namespace and session timeout apply
     * @param config the settings
     * @return the coordinator; closing it leaves the client open (its ephemeral nodes for
     *     this coordinator's leases and groups are deleted)
     * @throws DrException {@code ILLEGAL_STATE} when the client was not started
     */
    static ZooKeeperCoordinator open(CuratorFramework client, CoordinatorConfig config) {
        return ZkCoordinator.open(client, config);
    }

    /**
     * Returns the settings.
     *
     * @return the configuration
     */
    CoordinatorConfig config();
}
