package dev.drkit.core.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Describes directory trees for comparison in tests. */
final class Trees {
    private Trees() {
    }

    /** Maps each relative path to its type, content digest, permissions, mtime or link target. */
    static Map<String, String> describe(Path root, boolean withTimes) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                String d;
                if (Files.isSymbolicLink(p)) {
                    d = "link->" + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    d = "dir " + perms(p);
                } else {
                    d = "file " + Files.size(p) + " " + sha256(Files.readAllBytes(p)) + " " + perms(p)
                            + (withTimes ? " " + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() : "");
                }
                out.put(rel, d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
