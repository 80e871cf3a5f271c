package org.hms.sync.cli;

import java.util.concurrent.Callable;
import org.hms.sync.config.SyncConfig;
import org.hms.sync.db.Database;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = "Apply pending database migrations and exit (serve also does this at start).")
public final class MigrateCommand implements Callable<Integer> {
  @CommandLine.Mixin ConfigFile config;

  @Override
  public Integer call() {
    SyncConfig loaded = config.load();
    try (Database database = DatabaseOptions.open(loaded.database())) {
      int applied = database.migrate();
      System.out.println(
          "applied " + applied + " migration(s); schema at version " + database.schemaVersion());
    }
    return 0;
  }
}
