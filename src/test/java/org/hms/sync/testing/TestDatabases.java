package org.hms.sync.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.hms.sync.db.Database;
import org.junit.jupiter.api.Assumptions;

/**
 * Fresh databases for tests. H2 always; PostgreSQL when {@code HMS_TEST_PG_URL} is set or
 * 127.0.0.1:5432 answers (each test gets its own schema). With {@code HMS_REQUIRE_PG=1} (CI) a
 * missing PostgreSQL fails the test instead of skipping it.
 */
public final class TestDatabases {
  private static volatile String pgProblem;
  private static volatile boolean pgChecked;

  private TestDatabases() {}

  /** An in-memory H2 database, migrated. */
  public static TestDb h2() {
    TestDb db = emptyH2();
    db.database().migrate();
    return db;
  }

  /** An in-memory H2 database without any schema (for migration tests). */
  public static TestDb emptyH2() {
    String url =
        "jdbc:h2:mem:t" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
    return new TestDb(Database.open(url, "sa", "", 16), url, "sa", null);
  }

  /** An H2 file database in the folder, migrated (for tests that reopen it or use two processes). */
  public static TestDb h2File(Path folder) {
    String url = "jdbc:h2:file:" + folder.resolve("hms").toAbsolutePath();
    Database database = Database.open(url, "sa", "", 16);
    database.migrate();
    return new TestDb(database, url, "sa", null);
  }

  /** A fresh schema in the test PostgreSQL, migrated; skips (or fails on CI) when there is none. */
  public static TestDb postgres() {
    TestDb db = emptyPostgres();
    db.database().migrate();
    return db;
  }

  /** A fresh, empty schema in the test PostgreSQL (for migration tests); see {@link #postgres}. */
  public static TestDb emptyPostgres() {
    requirePostgres();
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection connection = DriverManager.getConnection(pgBaseUrl(), pgUser(), "");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    } catch (SQLException failure) {
      throw new IllegalStateException("cannot create test schema in " + pgBaseUrl(), failure);
    }
    String url = pgBaseUrl() + (pgBaseUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
    return new TestDb(Database.open(url, pgUser(), "", 16), url, pgUser(), schema);
  }

  static String pgBaseUrl() {
    String url = System.getenv("HMS_TEST_PG_URL");
    return url == null || url.isBlank() ? "jdbc:postgresql://127.0.0.1:5432/test" : url;
  }

  static String pgUser() {
    String user = System.getenv("HMS_TEST_PG_USER");
    return user == null || user.isBlank() ? "postgres" : user;
  }

  public static boolean postgresRequired() {
    String required = System.getenv("HMS_REQUIRE_PG");
    return required != null && (required.equals("1") || required.toLowerCase(Locale.ROOT).equals("true"));
  }

  private static synchronized void requirePostgres() {
    if (!pgChecked) {
      pgChecked = true;
      try (Connection connection = DriverManager.getConnection(pgBaseUrl() + (pgBaseUrl().contains("?") ? "&" : "?") + "connectTimeout=3", pgUser(), "")) {
        connection.isValid(3);
      } catch (SQLException failure) {
        pgProblem = "PostgreSQL not reachable at " + pgBaseUrl() + " as " + pgUser() + ": " + failure.getMessage();
      }
      if (pgProblem != null && !postgresRequired()) {
        System.err.println("SKIPPING PostgreSQL tests: " + pgProblem
            + " (set HMS_TEST_PG_URL, or HMS_REQUIRE_PG=1 to fail instead)");
      }
    }
    if (pgProblem != null) {
      if (postgresRequired()) {
        throw new IllegalStateException("HMS_REQUIRE_PG=1 but " + pgProblem);
      }
      Assumptions.abort("PostgreSQL tests skipped: " + pgProblem);
    }
  }
}
