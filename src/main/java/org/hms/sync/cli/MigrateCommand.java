package org.hms.sync.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.config.SyncConfig;
import org.hms.sync.db.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = "Apply pending database migrations and exit (serve also does this at start).")
final class MigrateCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "YAML configuration file")
  Path config;

  @Override
  public Integer call() {
    SyncConfig loaded = ConfigLoader.load(config);
    try (Database database = DatabaseOptions.open(loaded.database())) {
      int applied = database.migrate();
      System.out.println(
          "applied " + applied + " migration(s); schema at version " + database.schemaVersion());
    }
    return 0;
  }
}
