package dev.drkit.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 15 server for tests, on a free port, in its own directory: Debian's
 * binaries (installed by {@code ensure-postgres.sh} when absent), run as the
 * {@code postgres} user when the tests run as root, since PostgreSQL refuses to run as root.
 */
public final class PostgresServer implements AutoCloseable {
    public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    public static final String SUPERUSER = "postgres";
    public static final String PASSWORD = "postgres-secret";
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static boolean installed;

    private final Path home;
    private final Path data;
    private final int port;
    private boolean running;

    private PostgresServer(Path home, Path data, int port) {
        this.home = home;
        this.data = data;
        this.port = port;
    }

    /** Creates a cluster with the given extra settings and starts it. */
    public static PostgresServer start(String... settings) throws Exception {
        ensureInstalled();
        Path home = newHome();
        Path data = home.resolve("data");
        Path pw = home.resolve("pwfile");
        Files.writeString(pw, PASSWORD + "\n");
        chown(home);
        run(List.of(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER, "--pwfile=" + pw,
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"), true);
        PostgresServer server = new PostgresServer(home, data, freePort());
        List<String> conf = new ArrayList<>(List.of("listen_addresses = '127.0.0.1'", "port = " + server.port,
                "unix_socket_directories = '" + home + "'", "wal_level = replica", "max_wal_senders = 8",
                "max_replication_slots = 8", "track_commit_timestamp = on", "fsync = off", "shared_buffers = 16MB",
                "max_connections = 30", "logging_collector = off"));
        conf.addAll(List.of(settings));
        Files.writeString(data.resolve("postgresql.conf"), "\n" + String.join("\n", conf) + "\n",
                StandardOpenOption.APPEND);
        server.startServer();
        return server;
    }

    /** Starts a cluster in a restored data directory on a new free port and waits until it is promoted. */
    public static PostgresServer startRestored(Path restored) throws Exception {
        Path home = newHome();
        Path data = home.resolve("data");
        run(List.of("cp", "-a", restored.toString(), data.toString()), false);
        chown(home);
        run(List.of("chmod", "700", data.toString()), false);
        PostgresServer server = new PostgresServer(home, data, freePort());
        Files.writeString(data.resolve("postgresql.conf"), "\nport = " + server.port + "\nunix_socket_directories = '"
                + home + "'\n", StandardOpenOption.APPEND);
        server.startServer();
        server.awaitPromotion();
        return server;
    }

    static synchronized void ensureInstalled() throws Exception {
        if (!installed) {
            Path script = Files.createTempFile("ensure-postgres", ".sh");
            try (InputStream in = PostgresServer.class.getResourceAsStream("/ensure-postgres.sh")) {
                Files.write(script, in.readAllBytes());
            }
            try {
                run(List.of("bash", script.toString()), false);
            } finally {
                Files.delete(script);
            }
            installed = true;
        }
    }

    private static Path newHome() throws Exception {
        Path home = Files.createTempDirectory(Path.of("/tmp"), "dr-pg-");
        run(List.of("chmod", "755", home.toString()), false);
        return home;
    }

    private void startServer() throws Exception {
        try {
            run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", home.resolve("log").toString(),
                    "-w", "-t", "300", "start"), true);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "\n" + log(), e);
        }
        running = true;
    }

    private void awaitPromotion() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (true) {
            try (Connection c = superuser(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return;
                }
            } catch (SQLException e) {
                // still starting
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the restored cluster did not finish recovery\n" + log());
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    public String log() {
        try {
            return Files.readString(home.resolve("log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public int port() {
        return port;
    }

    public Path dataDirectory() {
        return data;
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public PostgresConnection connection() {
        return new PostgresConnection(url(), SUPERUSER, PASSWORD);
    }

    public PostgresConnection connection(String user, String password) {
        return new PostgresConnection(url(), user, password);
    }

    public Connection superuser() throws SQLException {
        return DriverManager.getConnection(url(), SUPERUSER, PASSWORD);
    }

    public void execute(String... statements) throws SQLException {
        try (Connection c = superuser(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    /** Starts the server again after a stop or a crash; PostgreSQL recovers from its own WAL. */
    public void restart() throws Exception {
        // The killed postmaster's lock files stay; where no init process reaps it, its pid stays
        // taken by a zombie, and a new postmaster that finds the pid alive refuses to start.
        Files.deleteIfExists(data.resolve("postmaster.pid"));
        Files.deleteIfExists(home.resolve(".s.PGSQL." + port + ".lock"));
        Files.deleteIfExists(home.resolve(".s.PGSQL." + port));
        startServer();
    }

    /** Sends SIGKILL to the postmaster, as a crash would. */
    public void killPostmaster() throws Exception {
        String pid = Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim();
        run(List.of("kill", "-9", pid), false);
        running = false;
    }

    /** Stops the server cleanly (a fast shutdown, which ends with a checkpoint): its directory can be copied as is. */
    public void shutdown() throws Exception {
        if (running) {
            run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "300",
                    "stop"), true);
            running = false;
        }
    }

    public void stop() throws Exception {
        if (running) {
            run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"),
                    true);
            running = false;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } catch (IllegalStateException e) {
            // already gone
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static void chown(Path path) throws Exception {
        if (ROOT) {
            run(List.of("chown", "-R", "postgres:postgres", path.toString()), false);
        }
    }

    static String run(List<String> command, boolean asPostgres) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (asPostgres && ROOT) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
