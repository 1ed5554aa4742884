package dev.drkit.core.repository.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.testkit.PropertyTests;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tree blobs decode straight from JSON, as strictly as the generic object reader does. */
class TreeCodecTest {
    private static final String OK_NODE = "\"type\":\"file\",\"size\":1,\"mtime\":2,\"mtimeNanos\":3,\"mode\":420,"
            + "\"inode\":5,\"content\":[\"ab\"]";

    @Test
    void randomTreesRoundTripAndMatchTheGenericReader() {
        PropertyTests.qt(300).forAll(longs().all(), integers().between(0, 40))
                .checkAssert((seed, count) -> {
                    Tree tree = randomTree(new Random(seed), count);
                    byte[] json = tree.encode();
                    Tree decoded = Tree.decode(json, "t");
                    assertThat(decoded).isEqualTo(tree);
                    assertThat(decoded).isEqualTo(genericDecode(json));
                });
    }

    @Test
    void nodesWithoutOwnersEncodeByteForByteAsBeforeOwnersWereRecorded() {
        Tree tree = new Tree(List.of(
                new Tree.Node("a", Tree.Node.FILE, 1, 2, 3, 0644, 5, List.of("ab"), null, null, 7),
                new Tree.Node("d", Tree.Node.DIR, 0, 2, 3, 0755, 6, null, "cd", null),
                new Tree.Node("l", Tree.Node.SYMLINK, 0, 2, 3, -1, 0, null, null, "a")));
        String before = "{\"nodes\":["
                + "{\"name\":\"a\",\"type\":\"file\",\"size\":1,\"mtime\":2,\"mtimeNanos\":3,\"mode\":420,"
                + "\"inode\":5,\"ctime\":7,\"content\":[\"ab\"]},"
                + "{\"name\":\"d\",\"type\":\"dir\",\"size\":0,\"mtime\":2,\"mtimeNanos\":3,\"mode\":493,"
                + "\"inode\":6,\"subtree\":\"cd\"},"
                + "{\"name\":\"l\",\"type\":\"symlink\",\"size\":0,\"mtime\":2,\"mtimeNanos\":3,\"mode\":-1,"
                + "\"inode\":0,\"target\":\"a\"}]}";
        assertThat(new String(tree.encode(), StandardCharsets.UTF_8)).isEqualTo(before);
        Tree decoded = Tree.decode(before.getBytes(StandardCharsets.UTF_8), "t");
        assertThat(decoded).isEqualTo(tree);
        assertThat(decoded.nodes()).allSatisfy(n -> {
            assertThat(n.uid()).isEqualTo(-1);
            assertThat(n.gid()).isEqualTo(-1);
        });
    }

    @Test
    void ownersAreWrittenOnlyWhenKnownAndReadBack() {
        Tree tree = new Tree(List.of(
                new Tree.Node("a", Tree.Node.FILE, 1, 2, 3, 0644, 5, List.of("ab"), null, null, 7, 0, 4294967294L),
                new Tree.Node("b", Tree.Node.FILE, 1, 2, 3, 0644, 5, List.of("ab"), null, null, 7, 12345, -1)));
        String json = new String(tree.encode(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"ctime\":7,\"uid\":0,\"gid\":4294967294,")
                .contains("\"ctime\":7,\"uid\":12345,\"content\"");
        assertThat(Tree.decode(tree.encode(), "t")).isEqualTo(tree);
    }

    @Test
    void unknownFieldsAreSkippedAtEveryLevel() {
        String json = "{\"future\":{\"a\":[1,{\"b\":null}]},\"nodes\":[{\"name\":\"a\"," + OK_NODE
                + ",\"xattrs\":{\"user.k\":\"v\"},\"flags\":[true,false,1.5]}],\"more\":\"x\"}";
        Tree tree = Tree.decode(json.getBytes(StandardCharsets.UTF_8), "t");
        assertThat(tree.nodes()).containsExactly(
                new Tree.Node("a", Tree.Node.FILE, 1, 2, 3, 420, 5, List.of("ab"), null, null));
        // The known types are the shared constants, so that a decoded walk keeps no copies.
        assertThat(tree.nodes().get(0).type()).isSameAs(Tree.Node.FILE);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`{\"nodes\":[{" + OK_NODE + "}]}` | field 'name' is missing",
        "`{\"nodes\":[{\"name\":null," + OK_NODE + "}]}` | field 'name' is missing",
        "`{\"nodes\":[{\"name\":7," + OK_NODE + "}]}` | field 'name' is not a string",
        "`{\"nodes\":[{\"name\":\"a\",\"size\":1,\"mtime\":2,\"mtimeNanos\":3,\"mode\":4,\"inode\":5}]}`"
            + " | field 'type' is missing",
        "`{\"nodes\":[{\"name\":\"a\",\"type\":\"file\",\"mtime\":2,\"mtimeNanos\":3,\"mode\":4,\"inode\":5}]}`"
            + " | field 'size' is missing or not an integer",
        "`{\"nodes\":[{\"name\":\"a\",\"type\":\"file\",\"size\":\"1\",\"mtime\":2,\"mtimeNanos\":3,\"mode\":4,"
            + "\"inode\":5}]}` | field 'size' is missing or not an integer",
        "`{\"nodes\":[{\"name\":\"a\",\"type\":\"file\",\"size\":1.5,\"mtime\":2,\"mtimeNanos\":3,\"mode\":4,"
            + "\"inode\":5}]}` | field 'size' is missing or not an integer",
        "`{\"nodes\":[{\"name\":\"a\",\"type\":\"file\",\"size\":1,\"mtime\":2,\"mtimeNanos\":3,"
            + "\"mode\":4294967296,\"inode\":5}]}` | field 'mode' is out of range",
        "`{\"nodes\":[{\"name\":\"a\",\"type\":\"file\",\"size\":99999999999999999999,\"mtime\":2,"
            + "\"mtimeNanos\":3,\"mode\":4,\"inode\":5}]}` | out of range",
        "`{\"nodes\":[{\"name\":\"a\",\"name\":\"b\"," + OK_NODE + "}]}` | field 'name' appears twice",
        "`{\"nodes\":[{\"name\":\"a\",\"uid\":-1," + OK_NODE + "}]}` | field 'uid' is out of range",
        "`{\"nodes\":[{\"name\":\"a\",\"gid\":4294967295," + OK_NODE + "}]}` | field 'gid' is out of range",
        "`{\"nodes\":[{\"name\":\"a\",\"gid\":\"0\"," + OK_NODE + "}]}` | field 'gid' is missing or not an integer",
        "`{\"nodes\":[{\"name\":\"a\",\"uid\":1,\"uid\":1," + OK_NODE + "}]}` | field 'uid' appears twice",
        "`{\"nodes\":[{\"name\":\"a\",\"x\":1,\"x\":2," + OK_NODE + "}]}` | field 'x' appears twice",
        "`{\"nodes\":[],\"nodes\":[]}` | field 'nodes' appears twice",
        "`{\"nodes\":[{\"name\":\"a\",\"type\":\"file\",\"size\":1,\"mtime\":2,\"mtimeNanos\":3,\"mode\":420,\"inode\":5,\"content\":[1]}]}`"
            + " | field 'content' holds something not a string",
        "`{\"nodes\":[{\"name\":\"a\",\"type\":\"file\",\"size\":1,\"mtime\":2,\"mtimeNanos\":3,\"mode\":420,\"inode\":5,\"content\":\"ab\"}]}`"
            + " | field 'content' is not a list",
        "`{\"nodes\":{}}` | field 'nodes' is missing or not a list",
        "`{\"other\":[]}` | field 'nodes' is missing or not a list",
        "`{\"nodes\":[1]}` | field 'nodes' holds something not an object",
        "`{\"nodes\":[{\"name\":\"a\"` | Tree t is malformed",
        "`{\"nodes\":[{\"name\":\"a\"," + OK_NODE + ",\"content\":[\"ab\"` | Tree t is malformed",
        "`{\"nodes\":[]} {}` | trailing data",
        "`[]` | not a JSON object",
        "`` | not a JSON object",
        "`{\"nodes\":[{\"name\":\"a\",\"type\":\"file\",\"size\":1,\"mtime\":2,\"mtimeNanos\":3,\"mode\":420,\"inode\":5}]}`"
            + " | File a has no content list",
    })
    void malformedTreesFailAsIntegrityProblemsNamingTheBlob(String json, String message) {
        assertThatThrownBy(() -> Tree.decode(json.getBytes(StandardCharsets.UTF_8), "t"))
                .isInstanceOfSatisfying(DrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                    assertThat(e.getMessage()).contains(message);
                    if (!message.startsWith("File")) {
                        assertThat(e.getMessage()).startsWith("Tree t is malformed: ");
                    }
                });
    }

    private static Tree randomTree(Random r, int count) {
        TreeMap<String, Tree.Node> nodes = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            String name = randomName(r);
            long mtime = r.nextBoolean() ? r.nextLong() : r.nextInt(2_000_000_000);
            int nanos = r.nextInt(1_000_000_000);
            int mode = r.nextBoolean() ? -1 : r.nextInt(07777 + 1);
            long inode = r.nextBoolean() ? 0 : r.nextLong();
            long uid = r.nextBoolean() ? -1 : r.nextInt(70_000);
            long gid = r.nextBoolean() ? -1 : r.nextInt(70_000);
            Tree.Node node = switch (r.nextInt(3)) {
                case 0 -> {
                    List<String> content = new ArrayList<>();
                    for (int c = r.nextInt(4); c > 0; c--) {
                        content.add(Long.toHexString(r.nextLong()));
                    }
                    yield new Tree.Node(name, Tree.Node.FILE, r.nextLong() & Long.MAX_VALUE, mtime, nanos, mode, inode,
                            List.copyOf(content), null, null, 0, uid, gid);
                }
                case 1 -> new Tree.Node(name, Tree.Node.DIR, 0, mtime, nanos, mode, inode, null,
                        Long.toHexString(r.nextLong()), null, 0, uid, gid);
                default -> new Tree.Node(name, Tree.Node.SYMLINK, 0, mtime, nanos, mode, inode, null, null,
                        "../" + randomName(r) + "/\"\\\n" + randomName(r), 0, uid, gid);
            };
            nodes.put(name, node);
        }
        return new Tree(List.copyOf(nodes.values()));
    }

    private static String randomName(Random r) {
        StringBuilder b = new StringBuilder();
        int length = 1 + r.nextInt(12);
        while (b.length() < length) {
            int cp = switch (r.nextInt(4)) {
                case 0 -> 'a' + r.nextInt(26);
                case 1 -> 0x20 + r.nextInt(0x5f); // printable ASCII, quotes and backslashes included
                case 2 -> 0xa0 + r.nextInt(0x2000);
                default -> 0x1f600 + r.nextInt(0x40); // beyond the BMP
            };
            if (cp != '/') {
                b.appendCodePoint(cp);
            }
        }
        String name = b.toString();
        return name.equals(".") || name.equals("..") ? name + "x" : name;
    }

    /** The decoding through {@link JsonCodec#parse}'s maps, as trees were read before. */
    private static Tree genericDecode(byte[] json) {
        List<Tree.Node> nodes = new ArrayList<>();
        for (JsonCodec.Fields f : JsonCodec.parse(json).objects("nodes")) {
            nodes.add(new Tree.Node(f.string("name"), f.string("type"), f.number("size"), f.number("mtime"),
                    f.integer("mtimeNanos"), f.integer("mode"), f.number("inode"), f.optStrings("content"),
                    f.optString("subtree"), f.optString("target"), 0, f.number("uid", -1), f.number("gid", -1)));
        }
        return new Tree(nodes);
    }
}
