package org.hms.sync.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.SyncConfig;
import org.hms.sync.db.Database;
import org.hms.sync.delivery.ConnectorStats;
import org.hms.sync.delivery.DeliveryRepository;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show the schema version and each connector's backlog, dead letters and health.")
public final class StatusCommand implements Callable<Integer> {
  @CommandLine.Mixin ConfigFile config;

  @Override
  public Integer call() {
    SyncConfig loaded = config.load();
    try (Database database = DatabaseOptions.open(loaded.database())) {
      Database.SchemaStatus schema = database.schemaStatus();
      int pending = schema.pending();
      System.out.println(
          "database schema version "
              + schema.version()
              + (pending == 0
                  ? " (up to date)"
                  : " (" + pending + " migration(s) pending: run migrate)"));
      if (pending > 0 && schema.version().equals("none")) {
        return 1;
      }
      Map<String, ConnectorStats> stats =
          new DeliveryRepository(database.transactor())
              .stats(loaded.connectors().stream().map(ConnectorConfig::id).toList());
      Instant now = Instant.now();
      System.out.printf("%-20s %8s %8s %8s %8s %8s  %-22s %-22s %s%n", "CONNECTOR", "BACKLOG",
          "PENDING", "RETRYING", "PARKED", "DEAD", "OLDEST WAITING", "LAST SUCCESS", "LAST ERROR");
      for (ConnectorStats connector : stats.values()) {
        System.out.printf(
            "%-20s %8d %8d %8d %8d %8d  %-22s %-22s %s%n",
            connector.connectorId(),
            connector.backlog(),
            connector.pending(),
            connector.retrying(),
            connector.parked(),
            connector.dead(),
            connector.oldestPendingSince() == null
                ? "-"
                : Duration.between(connector.oldestPendingSince(), now).toSeconds() + "s ago",
            connector.lastSuccessAt() == null ? "-" : connector.lastSuccessAt().toString(),
            connector.lastError() == null ? "-" : connector.lastError());
      }
    }
    return 0;
  }
}
