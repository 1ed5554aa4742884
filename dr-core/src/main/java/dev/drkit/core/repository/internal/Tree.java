package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A directory listing, stored as a TREE blob in JSON: its entries sorted by name.
 *
 * @param nodes the entries
 */
public record Tree(List<Tree.Node> nodes) {
    /**
     * One entry of a directory.
     *
     * @param name its name, one path segment
     * @param type {@code file}, {@code dir} or {@code symlink}
     * @param size content length of a file
     * @param mtime modification time, seconds since the epoch
     * @param mtimeNanos the nanoseconds of the modification time
     * @param mode POSIX permission bits, or -1
     * @param inode the inode number, or 0
     * @param content a file's blob ids in order
     * @param subtree a directory's tree blob id
     * @param target a symlink's target
     */
    public record Node(String name, String type, long size, long mtime, int mtimeNanos, int mode, long inode,
            @Nullable List<String> content, @Nullable String subtree, @Nullable String target) {
        /** The type of a regular file. */
        public static final String FILE = "file";
        /** The type of a directory. */
        public static final String DIR = "dir";
        /** The type of a symbolic link. */
        public static final String SYMLINK = "symlink";
    }

    /**
     * Returns the node with a name, or {@code null}.
     *
     * @param name the name
     * @return the node or {@code null}
     */
    public @Nullable Node find(String name) {
        int lo = 0;
        int hi = nodes.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = nodes.get(mid).name().compareTo(name);
            if (c == 0) {
                return nodes.get(mid);
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return null;
    }

    /** Encodes the tree as JSON. @return the bytes */
    public byte[] encode() {
        return JsonCodec.write(g -> {
            g.writeStartObject();
            g.writeName("nodes");
            g.writeStartArray();
            for (Node n : nodes) {
                g.writeStartObject();
                g.writeStringProperty("name", n.name());
                g.writeStringProperty("type", n.type());
                g.writeNumberProperty("size", n.size());
                g.writeNumberProperty("mtime", n.mtime());
                g.writeNumberProperty("mtimeNanos", n.mtimeNanos());
                g.writeNumberProperty("mode", n.mode());
                g.writeNumberProperty("inode", n.inode());
                if (n.content() != null) {
                    JsonCodec.strings(g, "content", n.content());
                }
                JsonCodec.optional(g, "subtree", n.subtree());
                JsonCodec.optional(g, "target", n.target());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * Decodes a tree and checks that its names are safe and unique and its nodes well formed.
     *
     * @param json the bytes
     * @param what the blob to blame on failure
     * @return the tree
     * @throws DrException {@code UNSAFE_PATH} naming an entry whose name could leave its
     *     directory; {@code INTEGRITY} for malformed JSON or nodes
     */
    public static Tree decode(byte[] json, String what) {
        Tree tree;
        try {
            List<JsonCodec.Fields> entries = JsonCodec.parse(json).objects("nodes");
            List<Node> nodes = new ArrayList<>(entries.size());
            for (JsonCodec.Fields f : entries) {
                nodes.add(new Node(f.string("name"), f.string("type"), f.number("size"), f.number("mtime"),
                        f.integer("mtimeNanos"), f.integer("mode"), f.number("inode"), f.optStrings("content"),
                        f.optString("subtree"), f.optString("target")));
            }
            tree = new Tree(nodes);
        } catch (RuntimeException e) {
            throw new DrException(ErrorCode.INTEGRITY, "Tree " + what + " is malformed: " + e.getMessage(), what, e);
        }
        Set<String> names = new HashSet<>();
        String previous = null;
        for (Node node : tree.nodes()) {
            if (node == null || node.name() == null || node.type() == null) {
                throw new DrException(ErrorCode.INTEGRITY, "Tree " + what + " has a malformed entry", what);
            }
            checkName(node.name());
            if (!names.add(node.name())) {
                throw new DrException(ErrorCode.UNSAFE_PATH, "Tree " + what + " lists '" + node.name() + "' twice",
                        node.name());
            }
            if (previous != null && previous.compareTo(node.name()) > 0) {
                throw new DrException(ErrorCode.INTEGRITY, "Tree " + what + " is not sorted", what);
            }
            previous = node.name();
            switch (node.type()) {
                case Node.FILE -> {
                    if (node.content() == null) {
                        throw new DrException(ErrorCode.INTEGRITY, "File " + node.name() + " has no content list", what);
                    }
                }
                case Node.DIR -> {
                    if (node.subtree() == null) {
                        throw new DrException(ErrorCode.INTEGRITY, "Directory " + node.name() + " has no tree", what);
                    }
                }
                case Node.SYMLINK -> {
                    if (node.target() == null) {
                        throw new DrException(ErrorCode.INTEGRITY, "Symlink " + node.name() + " has no target", what);
                    }
                }
                default -> throw new DrException(ErrorCode.INTEGRITY, "Entry " + node.name() + " has unknown type "
                        + node.type(), what);
            }
        }
        return tree;
    }

    /**
     * Checks that a name is one safe path segment.
     *
     * @param name the name
     * @throws DrException {@code UNSAFE_PATH} naming it otherwise
     */
    public static void checkName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || (java.io.File.separatorChar == '\\' && name.indexOf('\\') >= 0) || name.indexOf('\0') >= 0) {
            throw new DrException(ErrorCode.UNSAFE_PATH, "Unsafe entry name '" + name
                    + "': it could leave the directory it belongs to", name);
        }
    }
}
