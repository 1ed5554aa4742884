package dev.drkit.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What every command prints for arguments it cannot parse (a value an option does not take, an
 * unknown option, a missing one): picocli's message with the user's text escaped as every text
 * output is ({@link TerminalText}), any "did you mean" suggestion, and a one-line hint such as
 * {@code Try 'dr restore --help'.} in place of the whole usage, which buried the message. The
 * exit code is the command's code for invalid input, 2.
 *
 * <p>A named class, not a lambda: picocli's interfaces are of Java 5, and a lambda implementing one
 * crashes Java 17's JVM when the launcher records its classes at exit (JDK-8274944).
 */
final class UsageErrors implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(TerminalText.escape(message(ex)));
        StringWriter suggestions = new StringWriter();
        if (UnmatchedArgumentException.printSuggestions(ex, new PrintWriter(suggestions, true))) {
            suggestions.toString().lines().forEach(line -> err.println(TerminalText.escape(line)));
        }
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * Picocli's message, but for a missing choice of options ({@code fleet status} needs
     * {@code --repo} or {@code --coordinator}), which picocli names by their shortest names
     * ({@code -r=URI}) and which the usage it printed after spelled out: named by their longest.
     */
    private static String message(ParameterException ex) {
        if (ex instanceof MissingParameterException missing && missing.getMissing().size() > 1
                && missing.getMissing().stream().allMatch(a -> a.isOption() && a.group() != null
                        && a.group().exclusive())) {
            return "Missing required option: give one of " + missing.getMissing().stream()
                    .map(a -> ((OptionSpec) a).longestName() + "=" + a.paramLabel())
                    .collect(Collectors.joining(", "));
        }
        return String.valueOf(ex.getMessage());
    }
}
