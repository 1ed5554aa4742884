package dev.drkit.cli;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.Repository;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The shape of every command that works on an open repository: options, opening, output. */
abstract class RepositoryCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repository;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    /** Returns the environment the command reads passwords from, as the root command was given it. */
    Map<String, String> environment() {
        return root().environment;
    }

    /** Returns the clock the root command was given: what now is, for repositories and instants such as "10m ago". */
    Clock clock() {
        return root().clock;
    }

    private DrCommand root() {
        return (DrCommand) spec.root().userObject();
    }

    @Override
    public final Integer call() throws Exception {
        check();
        // Building a cloud store's client takes a few tenths of a second on one core; the key
        // derivation's code gets compiled on the other meanwhile.
        Repository.prepareToOpen();
        try (SnapshotStore store = repository.openStore()) {
            return run(store);
        }
    }

    /**
     * Checks the options, alone and against each other, before anything is opened: the store (a
     * cloud client), the password and the key derivation, which take seconds and whose errors
     * would hide the option's. Does nothing unless a command has options to check.
     *
     * @throws dev.drkit.api.DrException {@code INVALID_ARGUMENT} (exit 2) naming the option and its value
     */
    void check() {
    }

    /** Runs the command against the repository's store, after {@link #check()}. */
    abstract int run(SnapshotStore store) throws Exception;

    Repository open(SnapshotStore store) {
        char[] password = repository.password(environment());
        try {
            return RepositoryLocation.open("--repo", repository.repo, store, password,
                    dev.drkit.core.repository.RepositoryOptions.builder().clock(root().clock).build(),
                    RepositoryLocation.initHint(repository.repo, store));
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Writes a progress line to stderr when it is a terminal. */
    void progress(String line) {
        if (System.console() != null && !json) {
            err().println(line);
            err().flush();
        }
    }

    /** Shows the progress of the repository's operation on stderr until closed (see {@link ProgressDisplay}). */
    ProgressDisplay showProgress(Repository repo) {
        return ProgressDisplay.start(environment(), json, err(), repo::progress);
    }

    /** Formats a byte count for people: {@code 16 B}, {@code 1.5 KiB}, {@code 12.0 MiB}. */
    static String size(long bytes) {
        return ByteSizes.format(bytes);
    }
}
