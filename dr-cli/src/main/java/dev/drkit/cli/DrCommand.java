package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The root {@code dr} command: parses arguments, runs a subcommand and turns failures into
 * the documented exit codes without showing a stack trace unless {@code --verbose} is given.
 */
@Command(name = "dr", mixinStandardHelpOptions = true, versionProvider = DrCommand.Version.class,
        description = "DR Kit operator command line: backups, rollbacks, recovery plans and audit.",
        subcommandsRepeatable = false)
public final class DrCommand {

    /** Exit code: the operation succeeded. */
    public static final int EXIT_OK = 0;
    /** Exit code: the operation failed. */
    public static final int EXIT_FAILED = 1;
    /** Exit code: usage, configuration or password error. */
    public static final int EXIT_USAGE = 2;
    /** Exit code: an integrity problem was found. */
    public static final int EXIT_INTEGRITY = 3;

    /** Where passwords are read from: the process environment unless a caller passes its own. */
    Map<String, String> environment = Map.of();

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Show stack traces of failures.")
    boolean verbose;

    /** The subcommands, in the order help lists them. */
    static List<Object> subcommands() {
        return List.of(
                new InitCommand(),
                new BackupCommand(),
                new SnapshotsCommand(),
                new RestoreCommand(),
                new PostgresCommand(),
                new WatchCommand(),
                new CopyCommand(),
                new VerifyCommand(),
                new RestoreTestCommand(),
                new ForgetCommand(),
                new PruneCommand(),
                new DiffCommand(),
                new StatsCommand(),
                new KeyCommand(),
                new SimulateCommand(),
                new ConfigCommand(),
                new PlanCommand(),
                new IncidentCommand(),
                new ReportCommand(),
                new AuditCommand(),
                new FleetCommand(),
                new GuardCommand(),
                new DemoCommand());
    }

    /**
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line and returns its exit code, for tests and embedding.
     *
     * @param args the arguments
     * @return the exit code
     */
    public static int run(String... args) {
        return newCommandLine().execute(args);
    }

    /**
     * Builds the picocli command line with every subcommand and the exit-code mapping.
     *
     * @return the command line
     */
    public static CommandLine newCommandLine() {
        return newCommandLine(System.getenv());
    }

    /**
     * Builds the command line reading passwords and credentials from the given environment
     * instead of the process's, for tests and embedding.
     *
     * @param environment the variables, such as {@code DR_PASSWORD}
     * @return the command line
     */
    public static CommandLine newCommandLine(Map<String, String> environment) {
        DrCommand root = new DrCommand();
        root.environment = Map.copyOf(environment);
        CommandLine cl = new CommandLine(root);
        for (Object sub : subcommands()) {
            cl.addSubcommand(sub);
        }
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (ex instanceof DrException dr) {
                err.println("dr: " + dr.getMessage());
            } else {
                err.println("dr: " + ex);
            }
            if (root.verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return exitCodeOf(ex);
        });
        return cl;
    }

    /**
     * Maps a failure to the documented exit code.
     *
     * @param failure what went wrong
     * @return 2 for usage, configuration and password errors, 3 for integrity problems, 1 otherwise
     */
    public static int exitCodeOf(Throwable failure) {
        if (failure instanceof DrException dr) {
            ErrorCode code = dr.code();
            switch (code) {
                case INVALID_ARGUMENT, INVALID_CONFIG, INVALID_KEY, UNKNOWN_SCHEME, WRONG_PASSWORD:
                    return EXIT_USAGE;
                case INTEGRITY:
                    return EXIT_INTEGRITY;
                default:
                    return EXIT_FAILED;
            }
        }
        return EXIT_FAILED;
    }

    /** Reads the version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = DrCommand.class.getPackage().getImplementationVersion();
            return new String[] {"dr " + (v == null ? "development build" : v)};
        }
    }
}
