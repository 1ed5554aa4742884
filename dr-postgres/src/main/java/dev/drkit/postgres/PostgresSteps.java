package dev.drkit.postgres;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.recovery.ExecutionMode;
import dev.drkit.api.recovery.RecoveryStep;
import dev.drkit.api.recovery.StepContext;
import dev.drkit.core.recovery.Steps;
import dev.drkit.postgres.internal.Server;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Recovery plan steps for a PostgreSQL cluster: restore it to an instant, and check the
 * restored cluster with SQL. Fail over to it with the built-in
 * {@link Steps#failover(dev.drkit.api.recovery.Failover)} and the service's own
 * {@link dev.drkit.api.recovery.Failover}; start it between the two with the service's own
 * step (a service manager, a container, {@code pg_ctl}).
 *
 * <pre>{@code
 * Plan plan = Plan.builder("orders-db to 09:14").objectives(Duration.ofMinutes(30), Duration.ofSeconds(5))
 *         .step("restore", PostgresSteps.restore(PointInTimeRestore.of(repository), instant, dataDir))
 *         .step("start", startCluster, o -> o.dependsOn("restore"))
 *         .step("verify", PostgresSteps.verifySql("the ledger balances", restoredConnection,
 *                 "SELECT sum(amount) = 0 FROM ledger"), o -> o.dependsOn("start"))
 *         .step("failover", Steps.failover(ordersDbFailover), o -> o.dependsOn("verify"))
 *         .build();
 * }</pre>
 */
public final class PostgresSteps {
    private PostgresSteps() {
    }

    /**
     * Lays out the cluster as it was at an instant in {@code target}, reporting the instant as
     * the restored data's time. In a DRILL it checks that the repository covers the instant
     * and writes nothing.
     *
     * @param restore the restores of the cluster
     * @param at the instant
     * @param target the data directory to create
     * @return the step
     */
    public static RecoveryStep restore(PointInTimeRestore restore, Instant at, Path target) {
        Objects.requireNonNull(restore, "restore");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(target, "target");
        return Steps.restore("the PostgreSQL cluster as of " + at + " into " + target, context -> {
            if (context.mode() == ExecutionMode.DRILL) {
                PointInTimeRestore.requireCovered(restore.coveredRange(), at);
                return at;
            }
            RestoredCluster restored = restore.restore(at, target);
            context.put(context.stepName() + ".dataDirectory", restored.dataDirectory().toString());
            return restored.dataAsOf();
        });
    }

    /**
     * Runs a query on a cluster and fails unless its first column of its first row is
     * {@code true}: {@code SELECT count(*) = 1200 FROM orders}. In a DRILL it reports the
     * query without running it, since the restored cluster does not exist.
     *
     * @param what what the query checks, for runbooks
     * @param connection where to run it, asked for when the step runs (the restored cluster's port may be new)
     * @param sql the query
     * @return the step
     */
    public static RecoveryStep verifySql(String what, Supplier<PostgresConnection> connection, String sql) {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(sql, "sql");
        return new RecoveryStep() {
            @Override
            public void execute(StepContext context) {
                if (context.mode() == ExecutionMode.DRILL) {
                    context.progress(1.0, "would check " + what + " with: " + sql);
                    return;
                }
                try (Connection c = Server.open(connection.get()); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery(sql)) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        throw new DrException(ErrorCode.INTEGRITY, "The restored cluster fails the check of " + what
                                + ": " + sql, sql);
                    }
                } catch (SQLException e) {
                    throw Server.failed(e, "check " + what);
                }
                context.progress(1.0, "checked " + what);
            }

            @Override
            public String describe() {
                return "Check " + what + " on the restored cluster";
            }

            @Override
            public boolean verifies() {
                return true;
            }
        };
    }
}
