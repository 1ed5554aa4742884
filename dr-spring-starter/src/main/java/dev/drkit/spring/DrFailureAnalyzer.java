package dev.drkit.spring;

import dev.drkit.api.DrException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link DrException} that stops the application into Spring Boot's "APPLICATION FAILED
 * TO START" report: the message (which names the property, its origin and the value) as the
 * description, and what to do as the action, instead of a stack trace that repeats the message in
 * every nested cause and starts at whichever bean happened to be created first.
 */
public final class DrFailureAnalyzer extends AbstractFailureAnalyzer<DrException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DrException cause) {
        return new FailureAnalysis("DR Kit stopped the application (" + cause.code().id() + "): " + cause.getMessage(),
                action(cause), cause);
    }

    private static String action(DrException e) {
        String input = e.input() == null ? "" : " (" + e.input() + ")";
        return switch (e.code()) {
            case INVALID_CONFIG, INVALID_ARGUMENT, UNKNOWN_SCHEME -> "Correct the setting named above" + input
                    + ". Every dr.* property is in the configuration metadata and in dr-spring-starter's README.";
            case WRONG_PASSWORD, INVALID_KEY -> "Give the repository's password through dr.repository.password or "
                    + "dr.repository.password-file" + input + ".";
            case NOT_FOUND -> "Create what is named above" + input + ", or point the setting at one that exists "
                    + "(dr.repository.init-if-missing=true creates a missing repository).";
            case ACCESS_DENIED -> "Give the application's user access to what is named above" + input + ".";
            case LOCKED -> "Another process holds what is named above" + input + "; stop it, or give this instance "
                    + "its own (a lock of a process that is gone can be removed with 'dr unlock').";
            case UNAVAILABLE, IO_FAILURE, TIMEOUT -> "Make what is named above" + input + " reachable and writable, "
                    + "then start the application again.";
            case INTEGRITY -> "The repository or file named above" + input + " is damaged: run 'dr verify' on it "
                    + "before anything writes to it again.";
            default -> "Fix the cause named above" + input + " and start the application again.";
        };
    }
}
