package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.RedactedUri;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.CopyResult;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.store.SnapshotStores;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dr copy}: copies snapshots to another repository, of any store kind and with its own
 * password, sending only the blobs it lacks; a rerun after an interruption sends the rest.
 */
@Command(name = "copy", mixinStandardHelpOptions = true,
        description = "Copy snapshots to another repository (another store, region or password), sending only "
                + "missing data. The source password comes from $" + RepositoryOptions.PASSWORD_ENV
                + " or --password-file, the destination's from $" + CopyCommand.TO_PASSWORD_ENV
                + " or --to-password-file, else it is the source's.")
final class CopyCommand implements Callable<Integer> {
    /** The environment variable that holds the destination's password. */
    static final String TO_PASSWORD_ENV = "DR_TO_PASSWORD";

    @Option(names = {"-r", "--repo"}, paramLabel = "URI",
            description = "The repository to copy from: a URI (file:, s3://, azblob://, mem:NAME) or a plain path.")
    @Nullable String repo;

    /** The name {@code --repo} had before every command took {@code --repo}; still accepted, with a warning. */
    @Option(names = "--from", hidden = true, paramLabel = "URI")
    @Nullable String from;

    @Option(names = "--to", required = true, paramLabel = "URI", description = "The repository to copy into.")
    String to;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "Read the source password from the first line of FILE instead of $"
                    + RepositoryOptions.PASSWORD_ENV + ".")
    @Nullable Path passwordFile;

    @Option(names = "--to-password-file", paramLabel = "FILE",
            description = "Read the destination password from the first line of FILE instead of $" + TO_PASSWORD_ENV
                    + ".")
    @Nullable Path toPasswordFile;

    @Option(names = "--init", description = "Create the destination repository when its store holds none.")
    boolean init;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Parameters(arity = "0..*", paramLabel = "SNAPSHOT",
            description = "Snapshots to copy (ids, unique prefixes or 'latest'); all when none is named.")
    List<String> snapshots = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String sourceUri = sourceUri();
        Map<String, String> env = ((DrCommand) spec.root().userObject()).environment;
        RepositoryOptions sourceOptions = new RepositoryOptions();
        sourceOptions.passwordFile = passwordFile;
        char[] sourcePassword = sourceOptions.password(env);
        char[] destinationPassword;
        if (toPasswordFile != null) {
            RepositoryOptions destinationOptions = new RepositoryOptions();
            destinationOptions.passwordFile = toPasswordFile;
            destinationPassword = destinationOptions.password(env);
        } else {
            destinationPassword = destinationPassword(env, sourcePassword.clone());
        }
        try (SnapshotStore sourceStore = SnapshotStores.open(sourceUri);
                SnapshotStore destinationStore = SnapshotStores.open(to);
                Repository source = namingThePassword(() -> RepositoryLocation.open("--repo", sourceUri, sourceStore,
                        sourcePassword, dev.drkit.core.repository.RepositoryOptions.DEFAULT,
                        RepositoryLocation.initHint(sourceUri, sourceStore)), "--repo", sourcePasswordFrom());
                Repository destination = namingThePassword(() -> openDestination(destinationStore,
                        destinationPassword), "--to", destinationPasswordFrom(env))) {
            CopyResult r;
            try (ProgressDisplay shown = ProgressDisplay.start(env, json, spec.commandLine().getErr(), source::progress)) {
                r = source.copyTo(destination, snapshots);
            }
            if (json) {
                CliJson.print(spec.commandLine().getOut(), r);
            } else {
                spec.commandLine().getOut().printf("copied %s (%d already there): %s, %s sent in %.2f s%n",
                        Counts.of(r.copied().size(), "snapshot"), r.skipped().size(), Counts.of(r.blobsSent(), "blob"),
                        RepositoryCommand.size(r.bytesSent()), r.duration().toMillis() / 1000.0);
                spec.commandLine().getOut().flush();
            }
            if (!r.packsMissing().isEmpty()) {
                PrintWriter err = spec.commandLine().getErr();
                err.printf("warning: %s the destination's index listed %s missing from %s: %s%n",
                        Counts.of(r.packsMissing().size(), "pack"), r.packsMissing().size() == 1 ? "was" : "were",
                        TerminalText.escape(RedactedUri.of(to)), String.join(", ", r.packsMissing()));
                err.printf("  the snapshots copied now are whole there; run dr verify --repo %s to name older "
                        + "ones that need what is gone, and dr copy them again after dr forget there%n",
                        TerminalText.escape(RedactedUri.of(to)));
                err.flush();
                return DrCommand.EXIT_INTEGRITY;
            }
        } finally {
            Arrays.fill(sourcePassword, '\0');
            Arrays.fill(destinationPassword, '\0');
        }
        return DrCommand.EXIT_OK;
    }

    /**
     * Returns the password of a second repository: {@code $DR_TO_PASSWORD} when set, else the
     * source's.
     *
     * @param env the environment
     * @param sourcePassword the source's password, returned (not copied) when the variable is unset
     * @return the password, which the caller clears
     */
    static char[] destinationPassword(Map<String, String> env, char[] sourcePassword) {
        String fromEnv = env.get(TO_PASSWORD_ENV);
        if (fromEnv == null || fromEnv.isEmpty()) {
            return sourcePassword;
        }
        Arrays.fill(sourcePassword, '\0');
        return fromEnv.toCharArray();
    }

    /** Returns the source repository: {@code --repo}, or the deprecated {@code --from}. */
    private String sourceUri() {
        if (repo != null && from != null) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "Give the source repository once, with --repo "
                    + "(--from is its old name)", "--from");
        }
        if (from != null) {
            spec.commandLine().getErr().println("dr copy: --from is deprecated; use --repo");
            spec.commandLine().getErr().flush();
            return from;
        }
        if (repo == null) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "Missing the source repository: --repo URI", "--repo");
        }
        return repo;
    }

    /** Where the source's password came from, for the message of a wrong one. */
    private String sourcePasswordFrom() {
        return passwordFile != null ? "--password-file " + passwordFile : "$" + RepositoryOptions.PASSWORD_ENV;
    }

    /** Where the destination's password came from, for the message of a wrong one. */
    private String destinationPasswordFrom(Map<String, String> env) {
        if (toPasswordFile != null) {
            return "--to-password-file " + toPasswordFile;
        }
        String fromEnv = env.get(TO_PASSWORD_ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return "$" + TO_PASSWORD_ENV;
        }
        return "the source's password (" + sourcePasswordFrom() + "), tried since $" + TO_PASSWORD_ENV
                + " is unset; set $" + TO_PASSWORD_ENV + " or pass --to-password-file FILE";
    }

    /** Opens a repository; a wrong password says which repository's it was and where it came from. */
    private static Repository namingThePassword(Supplier<Repository> open, String option, String from) {
        try {
            return open.get();
        } catch (DrException e) {
            if (e.code() != ErrorCode.WRONG_PASSWORD) {
                throw e;
            }
            throw new DrException(ErrorCode.WRONG_PASSWORD, e.getMessage() + " (the password of " + option
                    + ", from " + from + ")", e.input(), e);
        }
    }

    private Repository openDestination(SnapshotStore store, char[] password) {
        if (init) {
            // --init creates the destination as dr init does: its bucket or container too.
            String created = InitCommand.createBucketOrContainer(store);
            if (created != null && !json && System.console() != null) {
                spec.commandLine().getErr().println(TerminalText.escape(created));
                spec.commandLine().getErr().flush();
            }
        }
        if (!init) {
            return RepositoryLocation.open("--to", to, store, password,
                    dev.drkit.core.repository.RepositoryOptions.DEFAULT, "pass --init to create it");
        }
        try {
            return Repository.open(store, password);
        } catch (DrException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            NewRepositoryDirectory.requireEmpty(store);
            return Repository.init(store, password, dev.drkit.core.repository.RepositoryOptions.DEFAULT);
        }
    }
}
