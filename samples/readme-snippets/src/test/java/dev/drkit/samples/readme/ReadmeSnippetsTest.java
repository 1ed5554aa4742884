package dev.drkit.samples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.samples.readme.ReadmeBlocks.Block;
import dev.drkit.samples.readme.SnippetCompiler.Compiled;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code java} and {@code properties} block of every README.md, read from the README
 * itself, so that the documentation cannot drift from the code.
 *
 * <ul>
 *   <li>Each Java block compiles against the published modules (this module's test class
 *       path). How a fragment is wrapped, and what it may use without declaring it, is
 *       {@link SnippetCompiler}'s convention: a block with its own {@code import}s is compiled
 *       as it stands; any other block gets the prelude (imports of every DR Kit package and of
 *       the everyday JDK ones, and the application's placeholders from {@link ReadmeContext}).
 *       Nothing is written in the README to say how a block is compiled.
 *   <li>The root README's Quick start runs, twice, against a temporary directory, and rolls
 *       back.
 *   <li>Each properties block copies clean: no inline comments (a {@code .properties} file
 *       has none: the comment becomes part of the value), and every {@code dr.} key is in the
 *       starter's configuration metadata.
 * </ul>
 *
 * <p>Each block is its own test, named {@code file:line}, and a failure names the README's
 * line of every error.
 */
class ReadmeSnippetsTest {
    static final Path ROOT = ReadmeBlocks.root();
    static final List<Block> BLOCKS = ReadmeBlocks.all(ROOT);

    @TempDir
    static Path classes;

    @Test
    void theScanFindsTheBlocksOfEveryReadme() {
        assertThat(ReadmeBlocks.readmes(ROOT)).contains(Path.of("README.md"), Path.of("dr-core/README.md"),
                Path.of("dr-spring-starter/README.md"), Path.of("samples/plain-java/README.md"));
        assertThat(BLOCKS).filteredOn(b -> b.language().equals("java")).hasSizeGreaterThan(10);
        assertThat(BLOCKS).filteredOn(b -> b.language().equals("properties")).isNotEmpty();
        assertThat(BLOCKS).filteredOn(b -> b.file().equals(Path.of("dr-spring-starter/README.md")))
                .extracting(Block::language).contains("java", "properties");
    }

    @TestFactory
    Stream<DynamicTest> everyJavaBlockCompiles() {
        SnippetCompiler compiler = new SnippetCompiler(classes.resolve("compiled"));
        return BLOCKS.stream().filter(b -> b.language().equals("java")).map(block -> DynamicTest.dynamicTest(
                block.toString(), () -> {
                    Compiled compiled = compiler.compile(block);
                    if (!compiled.errors().isEmpty()) {
                        fail(block + " does not compile (read as " + compiled.kind() + ", see SnippetCompiler):\n  "
                                + String.join("\n  ", compiled.errors()));
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> everyPropertiesBlockCopiesCleanAndNamesKnownKeys() {
        StarterProperties known = new StarterProperties();
        assertThat(known.found()).as("the starter's configuration metadata is on the class path").isTrue();
        return BLOCKS.stream().filter(b -> b.language().equals("properties")).map(block -> DynamicTest.dynamicTest(
                block.toString(), () -> {
                    List<String> problems = new ArrayList<>();
                    for (int n = 1; n <= block.lines().size(); n++) {
                        String line = block.lines().get(n - 1).strip();
                        if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                            continue;
                        }
                        int eq = line.indexOf('=');
                        if (eq < 0) {
                            problems.add(block.at(n) + ": not key=value: " + line);
                            continue;
                        }
                        String key = line.substring(0, eq).strip();
                        String value = line.substring(eq + 1);
                        int comment = value.indexOf(" #");
                        if (comment >= 0) {
                            problems.add(block.at(n) + ": " + key + " would be '" + value.strip() + "': a .properties "
                                    + "file has no inline comments, put '" + value.substring(comment).strip()
                                    + "' on a line of its own above");
                        }
                        String at = block.at(n);
                        if (key.startsWith("dr.")) {
                            known.unknown(key).ifPresent(why -> problems.add(at + ": " + why));
                        }
                    }
                    if (!problems.isEmpty()) {
                        fail(block + " cannot be copied as it is:\n  " + String.join("\n  ", problems));
                    }
                }));
    }

    @Test
    void theQuickStartRunsTwiceAndRollsBackAsWritten(@TempDir Path home) throws Exception {
        Block quickStart = BLOCKS.stream()
                .filter(b -> b.file().equals(Path.of("README.md")) && b.heading().equals("Quick start")
                        && b.language().equals("java"))
                .findFirst().orElseThrow(() -> new AssertionError("README.md has no java block under '## Quick start'"));
        assertThat(SnippetCompiler.kindOf(quickStart)).as("the Quick start shows its imports")
                .isEqualTo(SnippetCompiler.Kind.FILE);
        Compiled compiled = new SnippetCompiler(classes.resolve("quick-start")).compile(quickStart);
        assertThat(compiled.errors()).as("compiler errors").isEmpty();

        String first = runMain(compiled, home);
        String second = runMain(compiled, home);

        assertThat(first).contains("snapshots in the repository: 1", "pricing: ROLLED_BACK");
        assertThat(second).as("a second run opens the repository the first one created")
                .contains("snapshots in the repository: 2", "pricing: ROLLED_BACK");
        try (Stream<Path> restored = Files.walk(home.resolve("restored"))) {
            assertThat(restored.filter(Files::isRegularFile)).isNotEmpty();
        }
    }

    private static String runMain(Compiled compiled, Path home) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {compiled.classes().toUri().toURL()},
                ReadmeSnippetsTest.class.getClassLoader())) {
            Method main = loader.loadClass(compiled.typeName()).getMethod("main", String[].class);
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {home.toString()});
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void fail(String message) {
        throw new AssertionError(message);
    }
}
