package io.orchiddb.cli;

import io.orchiddb.cli.bench.BenchCommand;
import io.orchiddb.router.NodeCommand;
import io.orchiddb.router.RouterMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code orchiddb}: the one command for running and using OrchidDB. Wiring only. */
@Command(name = "orchiddb", mixinStandardHelpOptions = true, version = "OrchidDB 0.1.0-SNAPSHOT",
    description = "OrchidDB: a sharded, Raft-replicated key-value store.",
    subcommands = {DevCommand.class, NodeCommand.class, RouterMain.class, KeyCommands.Get.class,
        KeyCommands.Put.class, KeyCommands.Delete.class, KeyCommands.Scan.class, KeyCommands.Status.class,
        ReplCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Start here:  orchiddb dev     (a 3-node cluster and a router in one process)"})
public final class OrchidCli {
  private OrchidCli() {}

  public static CommandLine commandLine() {
    return new CommandLine(new OrchidCli());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
