package dev.drkit.postgres.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.postgres.Lsn;
import dev.drkit.postgres.PostgresConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGProperty;

/**
 * Connects to a PostgreSQL server and checks what backups and WAL streaming need of it,
 * turning the server's refusals into errors that name the setting at fault.
 */
public final class Server {
    private static final String BAD_PASSWORD = "28P01";
    private static final String BAD_AUTHORIZATION = "28000";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private Server() {
    }

    /**
     * Opens an ordinary connection.
     *
     * @param connection where and as whom
     * @return the connection
     * @throws DrException {@code ACCESS_DENIED} naming the password or user when the server
     *     refuses them; {@code UNAVAILABLE} when it cannot be reached
     */
    public static Connection open(PostgresConnection connection) {
        return connect(connection, false);
    }

    /**
     * Opens a physical replication connection.
     *
     * @param connection where and as whom
     * @return the connection
     * @throws DrException as {@link #open}, and {@code ACCESS_DENIED} naming {@code replication}
     *     when the role may not replicate
     */
    public static Connection openReplication(PostgresConnection connection) {
        return connect(connection, true);
    }

    private static Connection connect(PostgresConnection connection, boolean replication) {
        Properties props = new Properties();
        PGProperty.USER.set(props, connection.user());
        PGProperty.PASSWORD.set(props, connection.password());
        PGProperty.APPLICATION_NAME.set(props, "dr-postgres");
        if (replication) {
            PGProperty.REPLICATION.set(props, "true");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
            PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        }
        try {
            return DriverManager.getConnection(connection.jdbcUrl(), props);
        } catch (SQLException e) {
            throw refusal(e, connection, replication);
        }
    }

    private static DrException refusal(SQLException e, PostgresConnection connection, boolean replication) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (state.equals(BAD_PASSWORD)) {
            return new DrException(ErrorCode.ACCESS_DENIED, "PostgreSQL rejected the password of user '"
                    + connection.user() + "' (setting: password): " + message, "password", e);
        }
        if (replication && (state.equals(INSUFFICIENT_PRIVILEGE) || message.contains("replication"))) {
            return new DrException(ErrorCode.ACCESS_DENIED, "Role '" + connection.user()
                    + "' may not open a replication connection (setting: replication; grant it with ALTER ROLE "
                    + connection.user() + " REPLICATION and allow it in pg_hba.conf): " + message, "replication", e);
        }
        if (state.equals(BAD_AUTHORIZATION) || state.equals(INSUFFICIENT_PRIVILEGE)) {
            return new DrException(ErrorCode.ACCESS_DENIED, "PostgreSQL refused user '" + connection.user()
                    + "' (setting: user): " + message, "user", e);
        }
        return new DrException(ErrorCode.UNAVAILABLE, "Cannot connect to " + connection.jdbcUrl() + " (setting: url): "
                + message, connection.jdbcUrl(), e);
    }

    /**
     * Requires {@code wal_level} to be {@code replica} or {@code logical}.
     *
     * @param connection an open connection
     * @throws DrException {@code INVALID_CONFIG} naming {@code wal_level} when it is {@code minimal}
     */
    public static void requireWalLevel(Connection connection) {
        String level = setting(connection, "wal_level");
        if (!level.equals("replica") && !level.equals("logical")) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "wal_level is '" + level
                    + "'; point-in-time recovery needs wal_level = replica (or logical) in postgresql.conf",
                    "wal_level");
        }
    }

    /**
     * Requires the connected role to have the REPLICATION attribute (or to be a superuser).
     *
     * @param connection an open connection
     * @param user the role's name, for the message
     * @throws DrException {@code ACCESS_DENIED} naming {@code replication}
     */
    public static void requireReplicationRole(Connection connection, String user) {
        String ok = query(connection, "SELECT (rolreplication OR rolsuper)::text FROM pg_roles WHERE rolname = current_user");
        if (!"true".equals(ok)) {
            throw new DrException(ErrorCode.ACCESS_DENIED, "Role '" + user
                    + "' lacks the REPLICATION attribute (setting: replication; ALTER ROLE " + user + " REPLICATION)",
                    "replication");
        }
    }

    /**
     * Returns a physical slot's restart position, requiring the slot to exist.
     *
     * @param connection an open connection
     * @param slot the slot's name
     * @return its restart position, empty when it reserves no WAL yet
     * @throws DrException {@code NOT_FOUND} naming {@code slot} when there is no such slot;
     *     {@code INVALID_CONFIG} when it is a logical slot
     */
    public static Optional<Lsn> requirePhysicalSlot(Connection connection, String slot) {
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT slot_type, restart_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, slot);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new DrException(ErrorCode.NOT_FOUND, "There is no replication slot '" + slot
                            + "' (setting: slot); create it with SELECT pg_create_physical_replication_slot('" + slot
                            + "', true)", "slot");
                }
                if (!"physical".equals(rs.getString(1))) {
                    throw new DrException(ErrorCode.INVALID_CONFIG, "Replication slot '" + slot + "' is "
                            + rs.getString(1) + "; WAL streaming needs a physical slot (setting: slot)", "slot");
                }
                String restart = rs.getString(2);
                return restart == null ? Optional.empty() : Optional.of(Lsn.parse(restart));
            }
        } catch (SQLException e) {
            throw failed(e, "read replication slot " + slot);
        }
    }

    /**
     * Returns a server setting as {@code SHOW} prints it.
     *
     * @param connection an open connection
     * @param name the setting
     * @return its value
     */
    public static String setting(Connection connection, String name) {
        return query(connection, "SHOW " + name);
    }

    /**
     * Returns the server's WAL segment size in bytes.
     *
     * @param connection an open connection
     * @return the size
     */
    public static long walSegmentSize(Connection connection) {
        return Long.parseLong(query(connection,
                "SELECT setting::bigint * CASE unit WHEN 'B' THEN 1 WHEN 'kB' THEN 1024 WHEN 'MB' THEN 1048576 ELSE 1 END"
                        + " FROM pg_settings WHERE name = 'wal_segment_size'"));
    }

    /**
     * Returns the cluster's system identifier, which tells one cluster's WAL from another's.
     *
     * @param connection an open connection
     * @return the identifier, in decimal
     */
    public static String systemIdentifier(Connection connection) {
        return query(connection, "SELECT system_identifier::text FROM pg_control_system()");
    }

    /**
     * Returns the current timeline.
     *
     * @param connection an open connection
     * @return the timeline id
     */
    public static int timeline(Connection connection) {
        return Integer.parseInt(query(connection, "SELECT timeline_id::text FROM pg_control_checkpoint()"));
    }

    /**
     * Runs a query that returns one value.
     *
     * @param connection an open connection
     * @param sql the query
     * @return the first column of the first row, as text
     * @throws DrException {@code UNAVAILABLE} or {@code ACCESS_DENIED} when the query fails
     */
    public static String query(Connection connection, String sql) {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new DrException(ErrorCode.ILLEGAL_STATE, "No row from " + sql, sql);
            }
            String value = rs.getString(1);
            return value == null ? "" : value;
        } catch (SQLException e) {
            throw failed(e, sql);
        }
    }

    /**
     * Turns a failed statement into a {@link DrException}.
     *
     * @param e the failure
     * @param what what was being done
     * @return the exception
     */
    public static DrException failed(SQLException e, String what) {
        @Nullable String state = e.getSQLState();
        ErrorCode code = INSUFFICIENT_PRIVILEGE.equals(state) ? ErrorCode.ACCESS_DENIED : ErrorCode.UNAVAILABLE;
        return new DrException(code, "PostgreSQL failed to " + what + ": " + e.getMessage(), what, e);
    }
}
