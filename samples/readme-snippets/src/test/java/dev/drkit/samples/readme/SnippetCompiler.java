package dev.drkit.samples.readme;

import dev.drkit.samples.readme.ReadmeBlocks.Block;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a README's Java block as a user would paste it. The convention, in the order it is
 * decided:
 *
 * <ol>
 *   <li><b>A complete file</b>: a block whose first code line is {@code package} or
 *       {@code import} is compiled as it stands, with nothing added (the Quick start).
 *   <li><b>Types</b>: a block that declares a top-level class, interface, record or enum at the
 *       start of a line is compiled as one file after the prelude.
 *   <li><b>Members</b>: a block that starts with an annotation or a method declaration is
 *       compiled as the body of a class, after the prelude.
 *   <li><b>Statements</b>: anything else is compiled as the body of a method that may throw
 *       any exception, after the prelude.
 * </ol>
 *
 * <p>The prelude is what a reader takes for granted in a fragment: on-demand imports of every
 * DR Kit package that is not {@code internal} (found on the class path, so a new package needs no
 * change here), of the everyday JDK packages, of JUnit's and of Spring's {@code @Bean}, and the
 * static members of {@link ReadmeContext}: the application's types and values a fragment uses
 * without declaring them ({@code password}, {@code registry}, {@code PricingEngine}, ...).
 * The prelude goes on the block's first line, so a compiler message's line is the README's.
 */
final class SnippetCompiler {
    private static final Pattern TOP_LEVEL_TYPE = Pattern.compile(
            "^(?:@\\w+(?:\\([^)]*\\))?\\s+)*(?:(?:public|final|abstract|sealed|non-sealed)\\s+)*"
                    + "(?:class|interface|record|enum)\\s+(\\w+)");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^(?:@\\w+(?:\\([^)]*\\))?\\s+)*public\\s+(?:(?:final|abstract|sealed|non-sealed)\\s+)*"
                    + "(?:class|interface|record|enum)\\s+(\\w+)", Pattern.MULTILINE);
    private static final Pattern METHOD = Pattern.compile(
            "^[\\w<>\\[\\],.? ]+\\s+\\w+\\s*\\([^;]*\\)\\s*(?:throws [\\w., ]+)?\\{\\s*(?://.*)?$");
    private static final List<String> JDK_AND_TEST_IMPORTS = List.of(
            "java.io.*", "java.net.*", "java.nio.charset.*", "java.nio.file.*", "java.time.*", "java.util.*",
            "java.util.function.*", "static java.nio.charset.StandardCharsets.UTF_8",
            "io.micrometer.core.instrument.MeterRegistry", "org.springframework.context.annotation.Bean",
            "org.junit.jupiter.api.*", "org.junit.jupiter.api.extension.ExtendWith",
            // the test kit's contract over dr-test's deprecated subclass of the same name
            "dev.drkit.testkit.store.SnapshotStoreContract",
            "static " + ReadmeContext.class.getName() + ".*");

    /** How a block was wrapped. */
    enum Kind { FILE, TYPES, MEMBERS, STATEMENTS }

    /**
     * The outcome of compiling one block.
     *
     * @param kind how it was wrapped
     * @param typeName the fully qualified name of its public type, or of the wrapper
     * @param errors the compiler's errors, each with the README's file and line
     * @param classes where its classes were written
     */
    record Compiled(Kind kind, String typeName, List<String> errors, Path classes) {
    }

    private final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    private final StandardJavaFileManager files = compiler.getStandardFileManager(null, Locale.ROOT,
            StandardCharsets.UTF_8);
    private final String classPath = System.getProperty("java.class.path");
    private final String prelude;
    private final Path output;
    private int count;

    /** @param output where compiled classes go, one directory per block */
    SnippetCompiler(Path output) {
        this.output = output;
        StringBuilder imports = new StringBuilder();
        for (String p : drKitPackages()) {
            imports.append("import ").append(p).append(".*; ");
        }
        for (String i : JDK_AND_TEST_IMPORTS) {
            imports.append("import ").append(i).append("; ");
        }
        this.prelude = imports.toString();
    }

    /** Returns the prelude's import lines, for a failure message. @return the imports */
    String prelude() {
        return prelude.replace("; ", ";\n");
    }

    /** Decides how a block is wrapped. @param block the block @return its kind */
    static Kind kindOf(Block block) {
        List<String> code = block.lines().stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("//") && !l.startsWith("/*") && !l.startsWith("*"))
                .toList();
        String first = code.isEmpty() ? "" : code.get(0);
        if (first.startsWith("package ") || first.startsWith("import ")) {
            return Kind.FILE;
        }
        boolean declaresType = block.lines().stream().anyMatch(l -> TOP_LEVEL_TYPE.matcher(l).find())
                || TOP_LEVEL_TYPE.matcher(String.join(" ", code.subList(0, Math.min(2, code.size())))).find();
        if (declaresType) {
            return Kind.TYPES;
        }
        if (first.startsWith("@") || METHOD.matcher(first).matches()) {
            return Kind.MEMBERS;
        }
        return Kind.STATEMENTS;
    }

    /** Compiles one block into a directory of its own. @param block the block @return the outcome */
    Compiled compile(Block block) {
        Kind kind = kindOf(block);
        String pkg = "readme.block" + (++count);
        List<String> lines = new ArrayList<>(block.lines());
        if (lines.isEmpty()) {
            lines.add("");
        }
        boolean hasPackage = lines.stream().anyMatch(l -> l.strip().startsWith("package "));
        String head = switch (kind) {
            case FILE -> hasPackage ? "" : "package " + pkg + "; ";
            case TYPES -> "package " + pkg + "; " + prelude;
            case MEMBERS -> "package " + pkg + "; " + prelude + "class Snippet { ";
            case STATEMENTS -> "package " + pkg + "; " + prelude + "class Snippet { void snippet() throws Exception { ";
        };
        String tail = switch (kind) {
            case FILE, TYPES -> "";
            case MEMBERS -> "\n}";
            case STATEMENTS -> "\n}}";
        };
        lines.set(0, head + lines.get(0));
        String source = String.join("\n", lines) + tail + "\n";
        String declaredPackage = hasPackage ? packageOf(block.text()) : pkg;
        Matcher pub = PUBLIC_TYPE.matcher(block.text());
        String simpleName = kind == Kind.MEMBERS || kind == Kind.STATEMENTS ? "Snippet"
                : pub.find() ? pub.group(1) : "Snippet";
        String typeName = declaredPackage.isEmpty() ? simpleName : declaredPackage + "." + simpleName;
        Path classes = output.resolve(pkg);
        try {
            Files.createDirectories(classes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + typeName.replace('.', '/') + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> options = List.of("-classpath", classPath, "-d", classes.toString(), "-proc:none",
                "-implicit:none", "-encoding", "UTF-8", "-Xmaxerrs", "1000", "-nowarn");
        compiler.getTask(null, files, diagnostics, options, null, List.of(file)).call();
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                int line = (int) Math.max(1, d.getLineNumber());
                String text = line <= block.lines().size() ? block.lines().get(line - 1).strip() : "(after the block)";
                String message = d.getMessage(Locale.ROOT).lines().map(String::strip)
                        .filter(l -> !l.startsWith("location:")).map(l -> l.replaceAll("\\s+", " "))
                        .collect(Collectors.joining(", "));
                errors.add(block.at(Math.min(line, block.lines().size())) + ": " + message + "\n        " + text);
            }
        }
        return new Compiled(kind, typeName, errors, classes);
    }

    private static String packageOf(String text) {
        Matcher m = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE).matcher(text);
        return m.find() ? m.group(1) : "";
    }

    /**
     * Returns the DR Kit packages on the class path that hold a class, without internal ones
     * and without this module's (javac refuses an on-demand import of a package that holds
     * only a {@code package-info}).
     */
    static TreeSet<String> drKitPackages() {
        TreeSet<String> packages = new TreeSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.isDirectory(path)) {
                try (Stream<Path> walk = Files.walk(path)) {
                    walk.filter(p -> p.toString().endsWith(".class") && !p.endsWith("package-info.class"))
                            .map(p -> path.relativize(p.getParent() == null ? p : p.getParent()).toString()
                                    .replace(File.separatorChar, '.'))
                            .forEach(packages::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else if (entry.endsWith(".jar") && Files.isRegularFile(path) && path.getFileName().toString()
                    .startsWith("dr-")) {
                try (JarFile jar = new JarFile(path.toFile())) {
                    jar.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class") && n.contains("/")
                            && !n.endsWith("/package-info.class"))
                            .map(n -> n.substring(0, n.lastIndexOf('/')).replace('/', '.'))
                            .forEach(packages::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        packages.removeIf(p -> !p.startsWith("dev.drkit.") || p.contains(".internal") || p.startsWith("dev.drkit.samples"));
        return packages;
    }
}
