package org.hms.sync.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.hms.sync.db.Database;

/** A fresh, migrated database for one test; closing it drops what it made. */
public final class TestDb implements AutoCloseable {
  private final Database database;
  private final String url;
  private final String user;
  private final String dropSchema;

  TestDb(Database database, String url, String user, String dropSchema) {
    this.database = database;
    this.url = url;
    this.user = user;
    this.dropSchema = dropSchema;
  }

  public Database database() {
    return database;
  }

  /** The JDBC URL, for a second process or a config file. */
  public String url() {
    return url;
  }

  public String user() {
    return user;
  }

  /** Runs one SQL statement outside the service's code (test set-up, fault injection). */
  public void execute(String sql) {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException failure) {
      throw new IllegalStateException("test SQL failed: " + sql, failure);
    }
  }

  /** One number from a query such as {@code SELECT COUNT(*) ...}. */
  public long count(String sql) {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement();
        var rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException failure) {
      throw new IllegalStateException("test SQL failed: " + sql, failure);
    }
  }

  @Override
  public void close() {
    database.close();
    if (dropSchema != null) {
      try (Connection connection = DriverManager.getConnection(TestDatabases.pgBaseUrl(), user, "");
          Statement statement = connection.createStatement()) {
        statement.execute("DROP SCHEMA IF EXISTS " + dropSchema + " CASCADE");
      } catch (SQLException ignored) {
        // a leftover schema in a scratch database is harmless
      }
    }
  }
}
