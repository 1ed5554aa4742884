package dev.drkit.samples.readme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The fenced code blocks of the project's READMEs, each with the file and line it starts on. */
final class ReadmeBlocks {
    private static final Pattern FENCE = Pattern.compile("^\\s*```\\s*(\\w*)\\s*$");

    /**
     * One fenced block.
     *
     * @param file the README, relative to the project's root
     * @param fenceLine the line of the opening fence (1-based); the block's first line is the next one
     * @param language the word after the fence, empty when none
     * @param lines the lines between the fences
     * @param heading the last {@code #} heading above the block, empty when none
     */
    record Block(Path file, int fenceLine, String language, List<String> lines, String heading) {
        /** Returns where the block's {@code n}th line (1-based) is: {@code file:line}. @param n the line in the block @return the place */
        String at(int n) {
            return file + ":" + (fenceLine + n);
        }

        /** Returns the block's text. @return the lines joined */
        String text() {
            return String.join("\n", lines);
        }

        @Override
        public String toString() {
            return file + ":" + (fenceLine + 1) + " (```" + language + ")";
        }
    }

    private ReadmeBlocks() {
    }

    /** Returns the project's root: the first directory up from here that holds dr-core and a README. @return the root */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("dr-core")) && Files.isRegularFile(dir.resolve("README.md"))) {
                return dir;
            }
        }
        throw new IllegalStateException("No project root (a directory with dr-core/ and README.md) above "
                + Path.of("").toAbsolutePath());
    }

    /** Returns every README.md of the project outside build output, in path order. @param root the root @return the files */
    static List<Path> readmes(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().equals("README.md"))
                    .map(root::relativize)
                    .filter(p -> {
                        for (Path part : p) {
                            String name = part.toString();
                            if (name.equals("target") || name.equals("node_modules") || name.startsWith(".")) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the fenced blocks of every README. @param root the root @return the blocks, in file and line order */
    static List<Block> all(Path root) {
        List<Block> blocks = new ArrayList<>();
        for (Path readme : readmes(root)) {
            blocks.addAll(of(readme, read(root.resolve(readme))));
        }
        return blocks;
    }

    /** Returns the fenced blocks of one file's lines. @param file the name to report @param lines the text @return the blocks */
    static List<Block> of(Path file, List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        String heading = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#")) {
                heading = line.replaceFirst("^#+\\s*", "").trim();
                continue;
            }
            Matcher open = FENCE.matcher(line);
            if (!open.matches()) {
                continue;
            }
            int end = i + 1;
            while (end < lines.size() && !lines.get(end).trim().equals("```")) {
                end++;
            }
            if (end == lines.size()) {
                throw new IllegalStateException(file + ":" + (i + 1) + ": the block is never closed");
            }
            int indent = line.indexOf('`');
            List<String> body = new ArrayList<>();
            for (String l : lines.subList(i + 1, end)) {
                int strip = 0;
                while (strip < indent && strip < l.length() && l.charAt(strip) == ' ') {
                    strip++;
                }
                body.add(l.substring(strip)); // a block in a list item is indented as deep as its fence
            }
            blocks.add(new Block(file, i + 1, open.group(1), List.copyOf(body), heading));
            i = end;
        }
        return blocks;
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
