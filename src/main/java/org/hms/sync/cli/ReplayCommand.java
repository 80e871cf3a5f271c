package org.hms.sync.cli;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.SyncConfig;
import org.hms.sync.db.Database;
import org.hms.sync.delivery.DeadLetters;
import org.hms.sync.delivery.DeliveryRepository;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description =
        "Send a connector's dead letters again (same idempotency keys, fresh retry budget). A"
            + " running engine picks them up within its poll interval.")
public final class ReplayCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ConfigFile config;

  @Option(names = "--connector", required = true, description = "connector id")
  String connector;

  @Option(
      names = "--status",
      defaultValue = "dead",
      description = "which deliveries to replay; only 'dead' is accepted (default: ${DEFAULT-VALUE})")
  String status;

  @Override
  public Integer call() {
    if (!"dead".equals(status)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--status takes 'dead' only, not '" + status + "'");
    }
    SyncConfig loaded = config.load();
    List<String> connectors = loaded.connectors().stream().map(ConnectorConfig::id).toList();
    if (!connectors.contains(connector)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "connector '" + connector + "' is not in " + config + "; configured: " + connectors);
    }
    try (Database database = DatabaseOptions.open(loaded.database())) {
      // No engine runs in this process: a running `serve` picks the replays up when it polls.
      DeadLetters deadLetters =
          new DeadLetters(
              new DeliveryRepository(database.transactor()), connectors, () -> {},
              Clock.systemUTC());
      int replayed = deadLetters.replayAll(connector);
      System.out.println("replayed " + replayed + " dead delivery(ies) of connector " + connector);
    }
    return 0;
  }
}
