package dev.drkit.coordination.zookeeper.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A parsed ensemble address: the servers, the chroot (a Curator namespace) and the connect
 * timeout from a {@code zookeeper://} URI's query.
 *
 * @param servers {@code host:port,host:port}
 * @param namespace the chroot without its leading slash, or null for the root
 * @param connectTimeout the connect timeout the URI asks for, if any
 * @param display the text to name in messages
 */
public record ZkUri(String servers, @Nullable String namespace, Optional<Duration> connectTimeout, String display) {
    /** The URI scheme. */
    public static final String SCHEME = "zookeeper";

    private static final Pattern SERVER = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+)(:[0-9]{1,5})?");
    private static final Pattern CHROOT = Pattern.compile("(/[A-Za-z0-9._@-]+)+");

    /**
     * Parses a connect string, {@code host:port,host:port/chroot}.
     *
     * @param connectString the text
     * @return the parsed address
     * @throws DrException {@code INVALID_CONFIG} naming the text when it is blank or malformed
     */
    public static ZkUri parseConnectString(@Nullable String connectString) {
        if (connectString == null || connectString.isBlank()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "ZooKeeper connect string must not be empty",
                    "connectString");
        }
        String text = connectString.strip();
        int slash = text.indexOf('/');
        String servers = slash < 0 ? text : text.substring(0, slash);
        String chroot = slash < 0 ? "" : text.substring(slash);
        return of(servers, chroot, Optional.empty(), text);
    }

    /**
     * Parses a {@code zookeeper://host:port,host:port/chroot?connectTimeout=PT5S} URI.
     *
     * @param uri the URI
     * @return the parsed address
     * @throws DrException {@code INVALID_CONFIG} naming the URI when it is malformed
     */
    public static ZkUri parse(URI uri) {
        String display = uri.toString();
        if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "ZooKeeper URI '" + display + "' must start with "
                    + SCHEME + "://", display);
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isBlank()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "ZooKeeper URI '" + display
                    + "' names no server; write zookeeper://host:port,host:port/chroot", display);
        }
        if (authority.contains("@")) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "ZooKeeper URI '" + display.replace(authority, "***")
                    + "' must not carry credentials", SCHEME + "://***");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.equals("/")) {
            path = "";
        }
        Optional<Duration> timeout = Optional.empty();
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                if (!key.equals("connectTimeout")) {
                    throw new DrException(ErrorCode.INVALID_CONFIG, "ZooKeeper URI '" + display
                            + "' has the unknown option '" + key + "'; known: connectTimeout", display);
                }
                timeout = Optional.of(duration(value, display));
            }
        }
        return of(authority, path, timeout, display);
    }

    private static ZkUri of(String servers, String chroot, Optional<Duration> timeout, String display) {
        if (servers.isEmpty()) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "ZooKeeper address '" + display + "' names no server",
                    display);
        }
        for (String server : servers.split(",", -1)) {
            if (!SERVER.matcher(server).matches() || !validPort(server)) {
                throw new DrException(ErrorCode.INVALID_CONFIG, "ZooKeeper address '" + display
                        + "' has a malformed server '" + server + "'; write host:port,host:port", display);
            }
        }
        String namespace = null;
        if (!chroot.isEmpty()) {
            if (!CHROOT.matcher(chroot).matches()) {
                throw new DrException(ErrorCode.INVALID_CONFIG, "ZooKeeper address '" + display
                        + "' has a malformed chroot '" + chroot + "'; write /name or /name/name", display);
            }
            namespace = chroot.substring(1);
        }
        return new ZkUri(servers, namespace, timeout, display);
    }

    private static boolean validPort(String server) {
        int colon = server.lastIndexOf(':');
        if (colon < 0 || server.endsWith("]")) {
            return true;
        }
        int port = Integer.parseInt(server.substring(colon + 1));
        return port >= 1 && port <= 65535;
    }

    private static Duration duration(String value, String display) {
        try {
            Duration d = value.chars().allMatch(Character::isDigit) && !value.isEmpty()
                    ? Duration.ofMillis(Long.parseLong(value)) : Duration.parse(value);
            if (d.isNegative() || d.isZero()) {
                throw new DrException(ErrorCode.INVALID_CONFIG, "connectTimeout in ZooKeeper URI '" + display
                        + "' must be > 0, but was " + value, "connectTimeout=" + value);
            }
            return d;
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new DrException(ErrorCode.INVALID_CONFIG, "connectTimeout in ZooKeeper URI '" + display
                    + "' must be a duration such as PT5S or milliseconds, but was " + value,
                    "connectTimeout=" + value, e);
        }
    }

    /**
     * Returns the servers with the chroot, as Curator's messages show them.
     *
     * @return such as {@code zk1:2181,zk2:2181/orders}
     */
    public String connectString() {
        return namespace == null ? servers : servers + "/" + namespace;
    }
}
