package org.hms.sync.cli;

import org.hms.sync.config.DatabaseConfig;
import org.hms.sync.db.Database;

/** Opens the configured database for the maintenance commands. */
final class DatabaseOptions {
  private DatabaseOptions() {}

  static Database open(DatabaseConfig config) {
    return Database.open(config.url(), config.user(), config.password(), 2);
  }
}
