package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.EntryMetadata;
import java.io.File;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

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
     * @param ctime the status change time in nanoseconds since the epoch, or 0 when unknown
     *     (trees written before it was recorded)
     * @param uid the owner's numeric id, or -1 when unknown (a source without owners, or trees
     *     written before owners were recorded); written only when known
     * @param gid the group's numeric id, or -1 when unknown; written only when known
     */
    public record Node(String name, String type, long size, long mtime, int mtimeNanos, int mode, long inode,
            @Nullable List<String> content, @Nullable String subtree, @Nullable String target, long ctime,
            long uid, long gid) {
        /**
         * A node whose owner and group are unknown.
         *
         * @param name its name
         * @param type its type
         * @param size its length
         * @param mtime modification time, seconds
         * @param mtimeNanos modification time, nanoseconds
         * @param mode permission bits or -1
         * @param inode inode number or 0
         * @param content a file's blob ids
         * @param subtree a directory's tree
         * @param target a symlink's target
         * @param ctime the status change time in nanoseconds, or 0
         */
        public Node(String name, String type, long size, long mtime, int mtimeNanos, int mode, long inode,
                @Nullable List<String> content, @Nullable String subtree, @Nullable String target, long ctime) {
            this(name, type, size, mtime, mtimeNanos, mode, inode, content, subtree, target, ctime, -1, -1);
        }

        /**
         * A node whose status change time, owner and group are unknown.
         *
         * @param name its name
         * @param type its type
         * @param size its length
         * @param mtime modification time, seconds
         * @param mtimeNanos modification time, nanoseconds
         * @param mode permission bits or -1
         * @param inode inode number or 0
         * @param content a file's blob ids
         * @param subtree a directory's tree
         * @param target a symlink's target
         */
        public Node(String name, String type, long size, long mtime, int mtimeNanos, int mode, long inode,
                @Nullable List<String> content, @Nullable String subtree, @Nullable String target) {
            this(name, type, size, mtime, mtimeNanos, mode, inode, content, subtree, target, 0);
        }

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
                if (n.ctime() != 0) {
                    g.writeNumberProperty("ctime", n.ctime());
                }
                // Only when known, so that the trees of sources without owners stay as they were.
                if (n.uid() >= 0) {
                    g.writeNumberProperty("uid", n.uid());
                }
                if (n.gid() >= 0) {
                    g.writeNumberProperty("gid", n.gid());
                }
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
            tree = new Tree(readNodes(json));
        } catch (JacksonException e) {
            throw new DrException(ErrorCode.INTEGRITY, "Tree " + what + " is malformed: " + e.getOriginalMessage(),
                    what, e);
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
     * Reads {@code {"nodes": [...]}} straight into nodes, without the maps of
     * {@link JsonCodec#parse}: a snapshot walk decodes every directory, and the maps cost more
     * allocation and compilation than the nodes themselves. Unknown fields are skipped, a field
     * given twice is an error, and so are missing or mistyped required fields.
     */
    private static List<Node> readNodes(byte[] json) {
        try (JsonParser p = JsonCodec.parser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            List<Node> nodes = null;
            Set<String> seen = new HashSet<>();
            for (String field = JsonCodec.nextName(p); field != null; field = JsonCodec.nextName(p)) {
                if (!seen.add(field)) {
                    throw new IllegalArgumentException("field '" + field + "' appears twice");
                }
                JsonToken t = JsonCodec.value(p);
                if (!"nodes".equals(field)) {
                    JsonCodec.skip(p, t);
                    continue;
                }
                if (t != JsonToken.START_ARRAY) {
                    throw new IllegalArgumentException("field 'nodes' is missing or not a list");
                }
                nodes = new ArrayList<>();
                for (JsonToken e = JsonCodec.value(p); e != JsonToken.END_ARRAY;
                        e = JsonCodec.value(p)) {
                    if (e != JsonToken.START_OBJECT) {
                        throw new IllegalArgumentException("field 'nodes' holds something not an object");
                    }
                    nodes.add(readNode(p));
                }
            }
            if (nodes == null) {
                throw new IllegalArgumentException("field 'nodes' is missing or not a list");
            }
            JsonCodec.requireEnd(p);
            return nodes;
        }
    }

    /** A node's fields, in the order of their bits in {@link #readNode}'s record of what it has seen. */
    private static final String[] FIELDS = {"name", "type", "size", "mtime", "mtimeNanos", "mode", "inode",
        "content", "subtree", "target", "ctime", "uid", "gid"};
    /** Fields 2 up to this one are the required numbers. */
    private static final int REQUIRED_NUMBERS = 7;

    /** Reads one node's object, the parser just past its start. */
    private static Node readNode(JsonParser p) {
        String name = null;
        String type = null;
        long size = 0;
        long mtime = 0;
        int mtimeNanos = 0;
        int mode = 0;
        long inode = 0;
        List<String> content = null;
        String subtree = null;
        String target = null;
        long ctime = 0;
        long uid = -1;
        long gid = -1;
        int seen = 0;
        Set<String> unknown = null;
        for (String field = JsonCodec.nextName(p); field != null; field = JsonCodec.nextName(p)) {
            JsonToken t = JsonCodec.value(p);
            int bit = switch (field) {
                case "name" -> {
                    name = JsonCodec.readString(p, t, field);
                    yield 1;
                }
                case "type" -> {
                    type = type(JsonCodec.readString(p, t, field));
                    yield 1 << 1;
                }
                case "size" -> {
                    size = JsonCodec.readLong(p, t, field);
                    yield 1 << 2;
                }
                case "mtime" -> {
                    mtime = JsonCodec.readLong(p, t, field);
                    yield 1 << 3;
                }
                case "mtimeNanos" -> {
                    mtimeNanos = JsonCodec.readInt(p, t, field);
                    yield 1 << 4;
                }
                case "mode" -> {
                    mode = JsonCodec.readInt(p, t, field);
                    yield 1 << 5;
                }
                case "inode" -> {
                    inode = JsonCodec.readLong(p, t, field);
                    yield 1 << 6;
                }
                case "content" -> {
                    content = JsonCodec.readStrings(p, t, field);
                    yield 1 << 7;
                }
                case "subtree" -> {
                    subtree = JsonCodec.readString(p, t, field);
                    yield 1 << 8;
                }
                case "target" -> {
                    target = JsonCodec.readString(p, t, field);
                    yield 1 << 9;
                }
                case "ctime" -> {
                    ctime = JsonCodec.readLong(p, t, field);
                    yield 1 << 10;
                }
                case "uid" -> {
                    uid = readId(p, t, field);
                    yield 1 << 11;
                }
                case "gid" -> {
                    gid = readId(p, t, field);
                    yield 1 << 12;
                }
                default -> {
                    if (unknown == null) {
                        unknown = new HashSet<>();
                    }
                    if (!unknown.add(field)) {
                        throw new IllegalArgumentException("field '" + field + "' appears twice");
                    }
                    JsonCodec.skip(p, t);
                    yield 0;
                }
            };
            if ((seen & bit) != 0) {
                throw new IllegalArgumentException("field '" + field + "' appears twice");
            }
            seen |= bit;
        }
        if (name == null || type == null) {
            throw new IllegalArgumentException("field '" + (name == null ? "name" : "type") + "' is missing");
        }
        for (int i = 2; i < REQUIRED_NUMBERS; i++) {
            if ((seen & (1 << i)) == 0) {
                throw new IllegalArgumentException("field '" + FIELDS[i] + "' is missing or not an integer");
            }
        }
        return new Node(name, type, size, mtime, mtimeNanos, mode, inode, content, subtree, target, ctime, uid, gid);
    }

    /** Reads a uid or gid: written only when known, so within 0..{@link EntryMetadata#MAX_ID}. */
    private static long readId(JsonParser p, JsonToken t, String field) {
        long id = JsonCodec.readLong(p, t, field);
        if (id < 0 || id > EntryMetadata.MAX_ID) {
            throw new IllegalArgumentException("field '" + field + "' is out of range");
        }
        return id;
    }

    /** The type's shared constant when it is a known one, so that a walk keeps no copies. */
    private static @Nullable String type(@Nullable String type) {
        if (Node.FILE.equals(type)) {
            return Node.FILE;
        }
        if (Node.DIR.equals(type)) {
            return Node.DIR;
        }
        return Node.SYMLINK.equals(type) ? Node.SYMLINK : type;
    }

    /**
     * Checks that a name is one safe path segment.
     *
     * @param name the name
     * @throws DrException {@code UNSAFE_PATH} naming it otherwise
     */
    public static void checkName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || (File.separatorChar == '\\' && name.indexOf('\\') >= 0) || name.indexOf('\0') >= 0) {
            throw new DrException(ErrorCode.UNSAFE_PATH, "Unsafe entry name '" + name
                    + "': it could leave the directory it belongs to", name);
        }
    }
}
