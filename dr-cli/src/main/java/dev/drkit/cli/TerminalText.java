package dev.drkit.cli;

/**
 * Makes names from a repository or a file system safe to print for people: a file name may
 * hold a newline (to fake a line of output such as {@code - important.db}) or an escape
 * sequence (to move the cursor, retitle the terminal or hide text).
 *
 * <p>The rule, for every text output that is not {@code --json} (JSON keeps names exact):
 * a backslash is written {@code \\}; newline, carriage return and tab {@code \n}, {@code \r}
 * and {@code \t}; any other control character (U+0000 to U+001F, U+007F to U+009F, such as
 * ESC as {@code \x1b}) as {@code \xHH}; the line and paragraph separators and the
 * bidirectional formatting characters (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to
 * U+2069), which reorder what a terminal shows, as a backslash, {@code u} and four hex digits. Every other
 * character, non-ASCII letters included, is printed as it is, so a name reads the same unless
 * it holds one of those, and two different names never print the same.
 *
 * <p>Not shared with the library's two escapes, which differ on purpose: {@code DirectoryFeed}
 * writes log lines that keep a path's backslashes (Windows separators) as they are, and
 * {@code StoreKeys} names a refused key's control characters as a backslash, {@code u} and four
 * upper-case hex digits, as its message names the one it found ({@code U+001B}). Neither
 * promises this class's one-to-one rule.
 */
final class TerminalText {
    private TerminalText() {
    }

    /**
     * Escapes a name for a terminal as the class describes.
     *
     * @param text any text, such as a path from a snapshot
     * @return the text to print
     */
    static String escape(String text) {
        int i = 0;
        while (i < text.length() && !needsEscape(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c <= 0x9f && Character.isISOControl(c)) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else if (needsEscape(c)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static boolean needsEscape(char c) {
        return c == '\\' || Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\u061c'
                || c == '\u200e' || c == '\u200f' || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }
}
