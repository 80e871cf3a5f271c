package org.hms.sync.cli;

import org.hms.sync.SyncException;
import org.hms.sync.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code hms-sync} command itself: usage, {@code --version}, and how failures become exit
 * codes. Its subcommands are added by the launcher, which knows every command there is.
 */
@Command(
    name = "hms-sync",
    mixinStandardHelpOptions = true,
    versionProvider = RootCommand.Version.class,
    description = "Keeps the EMR appointment calendar in lockstep with external systems.")
public final class RootCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * The command line with this root; bad configuration answers exit code 2 and any other known
   * failure ({@link SyncException}) exit code 1, each with one {@code error:} line.
   */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new RootCommand());
    commandLine.setExecutionExceptionHandler(
        (failure, line, parsed) -> {
          if (failure instanceof ConfigException || failure instanceof SyncException) {
            line.getErr().println("error: " + failure.getMessage());
            return failure instanceof ConfigException ? 2 : 1;
          }
          throw failure;
        });
    return commandLine;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = RootCommand.class.getPackage().getImplementationVersion();
      return new String[] {"hms-sync " + (version == null ? "dev" : version)};
    }
  }
}
