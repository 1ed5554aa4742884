package dev.drkit.postgres;

import dev.drkit.api.DrException;
import java.util.Objects;

/**
 * How to reach a PostgreSQL server: a JDBC URL, a user and a password. The password never
 * appears in {@link #toString()}.
 *
 * @param jdbcUrl such as {@code jdbc:postgresql://db:5432/orders}
 * @param user the role to log in as
 * @param password its password
 */
public record PostgresConnection(String jdbcUrl, String user, String password) {
    /**
     * Validates the fields.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a URL that is not {@code jdbc:postgresql:} or a blank user
     */
    public PostgresConnection {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw DrException.invalidArgument("url", "must start with jdbc:postgresql:", jdbcUrl);
        }
        if (user.isBlank()) {
            throw DrException.invalidArgument("user", "must not be blank", "'" + user + "'");
        }
    }

    @Override
    public String toString() {
        return "PostgresConnection[" + jdbcUrl + ", user=" + user + "]";
    }
}
