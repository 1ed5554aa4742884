package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns a library's refusal of a value that names its own field ({@code keepLast must be >= 0,
 * but was -1}) into one that names the option the user typed ({@code --keep-last must be >= 0,
 * but was -1}). The library's messages name its builders' fields, which is right for its users.
 */
final class OptionNames {
    private OptionNames() {
    }

    /**
     * Builds a library value from options, naming the option behind any field it refuses.
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
            String message = String.valueOf(e.getMessage());
            if (message.startsWith(field + " ")) {
                message = option + message.substring(field.length());
            }
            throw new DrException(ErrorCode.INVALID_ARGUMENT, message, option + (eq < 0 ? "" : input.substring(eq)), e);
        }
    }
}
