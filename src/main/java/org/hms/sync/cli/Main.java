package org.hms.sync.cli;

import org.hms.sync.SyncException;
import org.hms.sync.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hms-sync} command line. */
@Command(
    name = "hms-sync",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Keeps the EMR appointment calendar in lockstep with external systems.",
    subcommands = {
      ServeCommand.class,
      DemoCommand.class,
      MigrateCommand.class,
      StatusCommand.class,
      ReplayCommand.class,
      ReconcileCommand.class,
      ConfigCommand.class,
      MappingCommand.class,
      SimulateIisCommand.class,
      SimulatePortalCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The common pool's parallelism is read once, when the pool is first used: set before that. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    widenCommonPool();
    System.exit(run(args));
  }

  /**
   * On a machine with fewer than three cores the JDK gives the common pool a parallelism of one,
   * and CompletableFuture then runs every asynchronous step on a new thread. The JDK HttpClient
   * hands each {@code sendAsync} result to that default executor, so every HTTP request started a
   * thread of its own: on two cores that halved the delivery rate. A parallelism of at least two
   * keeps the common pool in use. An explicit {@code -D} setting wins.
   */
  static void widenCommonPool() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(
          COMMON_POOL_PARALLELISM,
          String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
  }

  /** Runs a command line and returns its exit code (2 for bad configuration or usage). */
  public static int run(String... args) {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setExecutionExceptionHandler(
        (failure, line, parsed) -> {
          if (failure instanceof ConfigException || failure instanceof SyncException) {
            line.getErr().println("error: " + failure.getMessage());
            return failure instanceof ConfigException ? 2 : 1;
          }
          throw failure;
        });
    return commandLine.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"hms-sync " + (version == null ? "dev" : version)};
    }
  }
}
