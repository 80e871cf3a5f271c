package org.hms.sync.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;

/** The connection pool and the schema migrations of one database (H2 file or PostgreSQL). */
public final class Database implements AutoCloseable {
  /** Chunks are compacted when live data fills less than this share of them. */
  private static final int COMPACT_BELOW_PERCENT = 50;
  /** A deferrable compaction still runs once the file is this large. */
  private static final long DEFER_UP_TO_BYTES = 512L * 1024 * 1024;

  private final HikariDataSource dataSource;
  private final Dialect dialect;
  private final Flyway flyway;
  private final Transactor transactor;

  private Database(HikariDataSource dataSource, Dialect dialect) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.flyway =
        Flyway.configure()
            .dataSource(dataSource)
            // SQL migrations, and the few that differ by database as Java classes.
            .locations("classpath:db/migration", "classpath:org/hms/sync/db/migration")
            .failOnMissingLocations(true)
            .load();
    this.transactor = new Transactor(dataSource, dialect);
  }

  /** Opens a pool; does not migrate (call {@link #migrate()}). */
  public static Database open(String url, String user, String password, int maxPoolSize) {
    Dialect dialect = Dialect.fromJdbcUrl(url);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(durable(url));
    if (user != null && !user.isEmpty()) {
      config.setUsername(user);
    }
    if (password != null && !password.isEmpty()) {
      config.setPassword(password);
    }
    config.setMaximumPoolSize(maxPoolSize);
    config.setPoolName("hms-sync");
    config.setConnectionTimeout(10_000);
    config.setInitializationFailTimeout(10_000);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    try {
      return new Database(new HikariDataSource(config), dialect);
    } catch (RuntimeException failure) {
      throw new DataAccessException(
          "cannot connect to the database ("
              + dialect
              + "): "
              + rootMessage(failure)
              + "; check database.url / HMS_DB_URL, user and password",
          failure);
    }
  }

  /**
   * H2 writes committed changes to its file up to 500 ms late by default, so a killed process
   * could lose commits it had acknowledged. Unless the URL says otherwise, commits are written at
   * once (WRITE_DELAY=0) and old chunks are reusable after 1 s (RETENTION_TIME=1000). H2 does not
   * close the database from a JVM shutdown hook of its own (DB_CLOSE_ON_EXIT=FALSE): the service's
   * stop records what finishes and hands back the rest before it closes the pool.
   */
  static String durable(String url) {
    String lower = url.toLowerCase(java.util.Locale.ROOT);
    boolean h2File = lower.startsWith("jdbc:h2:file:")
        || (lower.startsWith("jdbc:h2:") && !lower.startsWith("jdbc:h2:mem:")
            && !lower.startsWith("jdbc:h2:tcp:") && !lower.startsWith("jdbc:h2:ssl:"));
    if (!h2File) {
      return url;
    }
    String durable = url;
    if (!lower.contains("write_delay")) {
      durable += ";WRITE_DELAY=0";
    }
    if (!lower.contains("retention_time")) {
      // With a chunk per commit, H2's default 45 s retention of old chunks lets the file grow
      // to 45 s of writes; 1 s keeps it small. (Like H2 itself, this relies on the OS to flush
      // its write buffers; neither protects against power loss without fsync.)
      durable += ";RETENTION_TIME=1000";
    }
    if (!lower.contains("db_close_on_exit")) {
      durable += ";DB_CLOSE_ON_EXIT=FALSE";
    }
    if (!lower.contains("query_cache_size")) {
      // The engine's rounds use a dozen statements; H2's default cache of 8 parsed statements
      // per connection would parse some of them again every round.
      durable += ";QUERY_CACHE_SIZE=64";
    }
    return durable;
  }

  /** Applies pending migrations; returns how many ran. Safe to call on every start. */
  public int migrate() {
    return flyway.migrate().migrationsExecuted;
  }

  /** The applied schema version ("none" before the first migration) and what is still pending. */
  public record SchemaStatus(String version, int pending) {}

  /** Reads the migration history once. */
  public SchemaStatus schemaStatus() {
    org.flywaydb.core.api.MigrationInfoService info = flyway.info();
    MigrationInfo current = info.current();
    return new SchemaStatus(
        current == null ? "none" : current.getVersion().getVersion(), info.pending().length);
  }

  public String schemaVersion() {
    return schemaStatus().version();
  }

  /** One compaction pass: the chunks' fill rate before it, and whether it rewrote anything. */
  public record Compaction(int fillPercent, boolean compacted) {
    static final Compaction NOT_APPLICABLE = new Compaction(-1, false);
  }

  /**
   * Rewrites sparse chunks of an embedded H2 file so it does not grow without bound. With
   * WRITE_DELAY=0 (durable commits) H2 runs no background writer, and so no automatic compaction:
   * every commit leaves a chunk behind. Call this every few seconds: when live data fills less than
   * half of the file's chunks, it rewrites the live pages of sparse chunks (at most 16 MB per
   * call). It does nothing on PostgreSQL or in-memory H2.
   *
   * <p>Compaction competes with commits for the store. When {@code deferrable} (the caller is
   * busy), it only runs once the file has reached 512 MB, so a burst is not slowed down and the
   * file stays bounded.
   */
  public Compaction compactH2File(boolean deferrable) {
    if (dialect != Dialect.H2) {
      return Compaction.NOT_APPLICABLE;
    }
    try (Connection connection = dataSource.getConnection()) {
      org.h2.engine.Session session =
          connection.unwrap(org.h2.jdbc.JdbcConnection.class).getSession();
      if (!(session instanceof org.h2.engine.SessionLocal local)) {
        return Compaction.NOT_APPLICABLE;
      }
      org.h2.mvstore.MVStore store = local.getDatabase().getStore().getMvStore();
      if (store.getFileStore() == null) {
        return Compaction.NOT_APPLICABLE;
      }
      int chunksFill = store.getFileStore().getChunksFillRate();
      boolean defer = deferrable && store.getFileStore().size() < DEFER_UP_TO_BYTES;
      boolean compact = chunksFill < COMPACT_BELOW_PERCENT && !defer;
      if (compact) {
        store.compact(COMPACT_BELOW_PERCENT, 16 * 1024 * 1024);
      }
      return new Compaction(chunksFill, compact);
    } catch (SQLException | RuntimeException failure) {
      return Compaction.NOT_APPLICABLE;
    }
  }

  /** True when a connection can be taken and answers a trivial query. */
  public boolean isReachable() {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.setQueryTimeout(2);
      return statement.execute("SELECT 1");
    } catch (SQLException | RuntimeException failure) {
      return false;
    }
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public Dialect dialect() {
    return dialect;
  }

  public Transactor transactor() {
    return transactor;
  }

  @Override
  public void close() {
    dataSource.close();
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
