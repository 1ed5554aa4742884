package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a library's refusal of a value that names its own fields ({@code keepLast must be >= 0,
 * but was -1}; {@code regressionRatio times baselineRate (0.4) must be < 1, but was 3.0}) into one
 * that names the options the user typed ({@code --keep-last must be >= 0, but was -1};
 * {@code --regression-ratio times --baseline-error (0.4) must be < 1, but was 3.0}). The library's
 * messages name its builders' fields, which is right for its users.
 */
final class OptionNames {
    /** Where a refusal in {@link DrException#invalidArgument}'s form starts to echo the value. */
    private static final String VALUE = ", but was ";

    private OptionNames() {
    }

    /**
     * Builds a library value from options, naming the option behind any field it refuses. The
     * refused field becomes its option in the message and the exception's input; so does every
     * other field of {@code options} the message names as a word before it echoes the value
     * ({@code , but was ...}), which is left as it was given.
     *
     * @param options the option behind each field, such as {@code keepLast} to {@code --keep-last}
     * @param build builds the value
     * @return the value
     * @throws DrException {@code INVALID_ARGUMENT} naming the option for a refused field; any other as thrown
     */
    static <T> T named(Map<String, String> options, Supplier<T> build) {
        try {
            return build.get();
        } catch (DrException e) {
            String input = e.input();
            if (e.code() != ErrorCode.INVALID_ARGUMENT || input == null) {
                throw e;
            }
            int eq = input.indexOf('=');
            String field = eq < 0 ? input : input.substring(0, eq);
            String option = options.get(field);
            if (option == null) {
                throw e;
            }
            throw new DrException(ErrorCode.INVALID_ARGUMENT, renamed(String.valueOf(e.getMessage()), options),
                    option + (eq < 0 ? "" : input.substring(eq)), e);
        }
    }

    /** The message with each field of {@code options} it names, up to the echoed value, as its option. */
    private static String renamed(String message, Map<String, String> options) {
        int value = message.lastIndexOf(VALUE);
        String requirement = value < 0 ? message : message.substring(0, value);
        Pattern fields = Pattern.compile(options.keySet().stream().map(Pattern::quote)
                .collect(Collectors.joining("|", "\\b(", ")\\b")));
        String named = fields.matcher(requirement).replaceAll(m -> Matcher.quoteReplacement(options.get(m.group(1))));
        return value < 0 ? named : named + message.substring(value);
    }
}
