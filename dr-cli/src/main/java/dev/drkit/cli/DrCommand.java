package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
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
    /**
     * Exit code of {@code dr backup}: the snapshot was saved, but entries that could not be read
     * (permission denied) were left out of it; they are named on stderr. Not 3, which this
     * command line keeps for integrity problems (restic gives 3 to this case). Also of {@code dr
     * plan run}: the execution succeeded (every critical step), but optional steps failed or an
     * undo failed; the result line names them.
     */
    public static final int EXIT_INCOMPLETE = 4;

    /** Where passwords are read from: the process environment unless a caller passes its own. */
    Map<String, String> environment = Map.of();

    /** The clock repositories are opened with: the system's, unless a test sets its own. */
    Clock clock = Clock.systemUTC();

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Show stack traces of failures.")
    boolean verbose;

    /** The subcommands, in the order help lists them. */
    private static final List<Class<?>> SUBCOMMANDS = List.of(
            InitCommand.class,
            BackupCommand.class,
            SnapshotsCommand.class,
            RestoreCommand.class,
            PostgresCommand.class,
            WatchCommand.class,
            CopyCommand.class,
            VerifyCommand.class,
            RestoreTestCommand.class,
            ForgetCommand.class,
            PruneCommand.class,
            UnlockCommand.class,
            DiffCommand.class,
            StatsCommand.class,
            KeyCommand.class,
            RepairCommand.class,
            SimulateCommand.class,
            ConfigCommand.class,
            PlanCommand.class,
            IncidentCommand.class,
            ReportCommand.class,
            AuditCommand.class,
            FleetCommand.class,
            GuardCommand.class,
            DemoCommand.class);

    /** New instances of all subcommands, in the order help lists them. */
    static List<Object> subcommands() {
        return SUBCOMMANDS.stream().map(DrCommand::instantiate).toList();
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
        return newCommandLine(System.getenv(), args).execute(args);
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
        return newCommandLine(environment, null);
    }

    /**
     * Builds the command line for one run: when the arguments name a subcommand (after any
     * {@code --verbose}), only that subcommand, since building the model of all of them takes
     * a tenth of a second or more of a command's start; else all of them (for help, the
     * version, and the messages on an unknown subcommand). Option values are converted by
     * {@link OptionConverters}, whose messages name the option, the accepted form and the value;
     * arguments that do not parse are reported by {@link UsageErrors}.
     */
    static CommandLine newCommandLine(Map<String, String> environment, String @Nullable [] args) {
        DrCommand root = new DrCommand();
        root.environment = Map.copyOf(environment);
        CommandLine cl = new CommandLine(root);
        Object named = args == null ? null : named(args);
        for (Object sub : named != null ? List.of(named) : subcommands()) {
            cl.addSubcommand(sub);
        }
        OptionConverters.register(cl, () -> root.clock);
        cl.setParameterExceptionHandler(new UsageErrors());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            // Messages name files, snapshots' paths and hosts: escaped as every text output is.
            if (ex instanceof DrException dr) {
                err.println("dr: " + TerminalText.escape(String.valueOf(dr.getMessage())));
            } else {
                err.println("dr: " + TerminalText.escape(String.valueOf(ex)));
            }
            if (root.verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return exitCodeOf(ex);
        });
        return cl;
    }

    private static Object instantiate(Class<?> type) {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot create the command " + type.getName(), e);
        }
    }

    /** The subcommand the first argument other than {@code --verbose} names, or null. */
    private static @Nullable Object named(String[] args) {
        for (String arg : args) {
            if (arg.equals("--verbose")) {
                continue;
            }
            if (arg.startsWith("-")) {
                return null;
            }
            for (Class<?> type : SUBCOMMANDS) {
                Command command = type.getAnnotation(Command.class);
                if (command != null && command.name().equals(arg)) {
                    return instantiate(type);
                }
            }
            return null;
        }
        return null;
    }

    /**
     * Maps a failure to the documented exit code.
     *
     * @param failure what went wrong
     * @return 2 for usage, configuration, credential (access denied) and password errors, 3 for
     *     integrity problems, 1 otherwise
     */
    public static int exitCodeOf(Throwable failure) {
        if (failure instanceof DrException dr) {
            ErrorCode code = dr.code();
            switch (code) {
                case INVALID_ARGUMENT, INVALID_CONFIG, INVALID_KEY, UNKNOWN_SCHEME, WRONG_PASSWORD, ACCESS_DENIED:
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
