package dev.drkit.cli;

import picocli.CommandLine.Command;

/** The {@code dr simulate} command group: what-if runs of DR Kit policies on simulated traffic. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run a policy on simulated traffic before shipping it.",
        subcommands = SimulateRollbackCommand.class)
public final class SimulateCommand {
}
