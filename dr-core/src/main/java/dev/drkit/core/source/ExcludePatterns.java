package dev.drkit.core.source;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * The exclude globs of a {@link DirectorySource}, compiled. Each glob is matched against an
 * entry's path relative to the source's directory, {@code /}-separated
 * ({@code logs/app.log}), and against its name alone ({@code app.log}), with Java's glob
 * syntax ({@link java.nio.file.FileSystem#getPathMatcher}); a leading {@code **}{@code /} also
 * matches at the top, as in gitignore and restic ({@code **}{@code /x} skips {@code x} and
 * {@code a/b/x}); a trailing {@code /} is left out ({@code node_modules/} skips directories and
 * files of that name). A glob that could never match is refused: an empty one, {@code .} and
 * {@code ..}, an absolute one, one starting with {@code ./} or {@code ../}, and one whose first
 * name is the source's own name or its directory's when the directory holds no entry of that
 * name.
 */
final class ExcludePatterns {
    private final List<PathMatcher> matchers;

    private ExcludePatterns(List<PathMatcher> matchers) {
        this.matchers = matchers;
    }

    /**
     * Compiles the globs of a source.
     *
     * @param name the source's name in the snapshot
     * @param root the source's directory, absolute and normalized
     * @param globs the exclude globs
     * @return the compiled globs
     * @throws DrException {@code INVALID_ARGUMENT} naming a malformed glob or one that could never match
     */
    static ExcludePatterns compile(String name, Path root, List<String> globs) {
        List<PathMatcher> m = new ArrayList<>();
        for (String given : globs) {
            // 'node_modules/' as in gitignore: a trailing '/' is left out (the glob matches
            // directories and files of that name), since no path it is matched against ends in one.
            String glob = given;
            while (glob.length() > 1 && glob.endsWith("/")) {
                glob = glob.substring(0, glob.length() - 1);
            }
            refuseUnmatchable(name, root, glob);
            m.add(matcher(glob));
            String rest = glob;
            while (rest.startsWith("**/")) {
                rest = rest.substring(3);
            }
            if (!rest.equals(glob) && !rest.isEmpty()) {
                m.add(matcher(rest));
            }
        }
        return new ExcludePatterns(List.copyOf(m));
    }

    /** Whether an entry is excluded, by its relative path and its name. */
    boolean matches(String path, String fileName) {
        if (matchers.isEmpty()) {
            return false;
        }
        Path rel = Path.of(path);
        Path leaf = Path.of(fileName);
        for (PathMatcher m : matchers) {
            if (m.matches(rel) || m.matches(leaf)) {
                return true;
            }
        }
        return false;
    }

    private static PathMatcher matcher(String glob) {
        try {
            return FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (IllegalArgumentException e) {
            throw DrException.invalidArgument("exclude", "must be a valid glob", glob);
        }
    }

    private static void refuseUnmatchable(String name, Path root, String glob) {
        String against = " can never match: exclude patterns are matched against each entry's path relative to "
                + root + " (such as 'logs/app.log') and against its name alone (such as 'app.log')";
        if (glob.isEmpty() || glob.equals(".") || glob.equals("..")) {
            throw unmatchable(glob, "'" + glob + "' names no entry, so it" + against);
        }
        if (glob.startsWith("/")) {
            Path asPath = Path.of(glob).normalize();
            String hint = asPath.startsWith(root) && !asPath.equals(root)
                    ? "; write '" + root.relativize(asPath).toString().replace('\\', '/') + "'"
                    : "; write it relative to " + root;
            throw unmatchable(glob, "'" + glob + "' is absolute, so it" + against + hint);
        }
        if (glob.startsWith("./") || glob.startsWith("../")) {
            throw unmatchable(glob, "'" + glob + "' starts with '" + glob.substring(0, glob.indexOf('/') + 1)
                    + "', so it" + against + "; leave that out");
        }
        int slash = glob.indexOf('/');
        if (slash > 0) {
            String first = glob.substring(0, slash);
            Path dirName = root.getFileName();
            boolean ownName = first.equals(name) || (dirName != null && first.equals(dirName.toString()));
            if (ownName && !Files.exists(root.resolve(first), LinkOption.NOFOLLOW_LINKS)) {
                throw unmatchable(glob, "'" + glob + "' starts with the source's own name '" + first
                        + "', which " + root + " does not hold, so it" + against + "; write '"
                        + glob.substring(slash + 1) + "'");
            }
        }
    }

    private static DrException unmatchable(String glob, String message) {
        return new DrException(ErrorCode.INVALID_ARGUMENT, "exclude " + message, "exclude=" + glob);
    }
}
