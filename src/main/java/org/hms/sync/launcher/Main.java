package org.hms.sync.launcher;

import org.hms.sync.app.SyncApp;
import org.hms.sync.bench.BenchCommand;
import org.hms.sync.cli.ConfigCommand;
import org.hms.sync.cli.MappingCommand;
import org.hms.sync.cli.MigrateCommand;
import org.hms.sync.cli.ReconcileCommand;
import org.hms.sync.cli.ReplayCommand;
import org.hms.sync.cli.RootCommand;
import org.hms.sync.cli.ServeCommand;
import org.hms.sync.cli.Service;
import org.hms.sync.cli.StatusCommand;
import org.hms.sync.config.SyncConfig;
import org.hms.sync.demo.DemoCommand;
import org.hms.sync.reconcile.Reconciler;
import org.hms.sync.simulator.SimulateIisCommand;
import org.hms.sync.simulator.fhir.SimulatePortalCommand;
import picocli.CommandLine;

/**
 * What {@code ./hms-sync} and {@code java -jar target/hms-sync.jar} run: every command, the
 * product's (serve, migrate, status, replay, reconcile, mapping, config) and the stand-ins' (demo, the
 * simulators, bench), with the service opened through {@link SyncApp}, the composition root.
 */
public final class Main {
  /** The common pool's parallelism is read once, when the pool is first used: set before that. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private Main() {}

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
    return commandLine().execute(args);
  }

  /** Every command, in the order {@code --help} lists them. */
  public static CommandLine commandLine() {
    Service.Opener opener = Main::open;
    return RootCommand.commandLine()
        .addSubcommand(new ServeCommand(opener))
        .addSubcommand(new DemoCommand())
        .addSubcommand(new MigrateCommand())
        .addSubcommand(new StatusCommand())
        .addSubcommand(new ReplayCommand())
        .addSubcommand(new ReconcileCommand(opener))
        .addSubcommand(new MappingCommand())
        .addSubcommand(new ConfigCommand())
        .addSubcommand(new SimulateIisCommand())
        .addSubcommand(new SimulatePortalCommand())
        .addSubcommand(new BenchCommand())
        .addSubcommand(new CommandLine.HelpCommand());
  }

  private static Service open(SyncConfig config) {
    SyncApp app = SyncApp.create(config);
    return new Service() {
      @Override
      public void serve(String adminToken) {
        app.startServer(adminToken).startEngine();
      }

      @Override
      public int port() {
        return app.port();
      }

      @Override
      public Reconciler reconciler() {
        return app.reconciler();
      }

      @Override
      public void close() {
        app.close();
      }
    };
  }
}
