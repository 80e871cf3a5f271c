package org.hms.sync.db;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs work in one JDBC transaction: commit on success, roll back on any exception. Deadlocks and
 * serialization failures are retried a few times, so the work may run more than once and must not
 * have effects outside the connection.
 */
public final class Transactor {
  private static final int MAX_TRIES = 5;

  /** Work done inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T apply(Connection connection) throws SQLException;
  }

  private final DataSource dataSource;
  private final Dialect dialect;

  public Transactor(DataSource dataSource, Dialect dialect) {
    this.dataSource = dataSource;
    this.dialect = dialect;
  }

  public Dialect dialect() {
    return dialect;
  }

  public <T> T inTransaction(String operation, Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection connection = dataSource.getConnection()) {
        connection.setAutoCommit(false);
        T result;
        try {
          result = work.apply(connection);
        } catch (SQLException | RuntimeException | Error failure) {
          rollbackQuietly(connection, failure);
          throw failure;
        }
        try {
          connection.commit();
        } catch (SQLException lost) {
          // The database may have committed before the connection broke: do not claim either way.
          throw new DataAccessException(
              operation
                  + " may or may not have been committed (the connection failed during commit:"
                  + " SQLState "
                  + lost.getSQLState()
                  + "); check the current state before retrying",
              lost,
              true);
        }
        return result;
      } catch (SQLException failure) {
        if (attempt < MAX_TRIES && isTransient(failure)) {
          continue;
        }
        // The driver's message may quote submitted values (PHI): class and SQLState only.
        throw new DataAccessException(
            operation
                + " failed: "
                + failure.getClass().getSimpleName()
                + " (SQLState "
                + failure.getSQLState()
                + ")",
            failure);
      }
    }
  }

  private static void rollbackQuietly(Connection connection, Throwable failure) {
    try {
      connection.rollback();
    } catch (SQLException rollbackFailure) {
      failure.addSuppressed(rollbackFailure);
    }
  }

  /** Deadlock (40P01), serialization failure (40001), H2 lock timeout/deadlock (HYT00, 40001). */
  static boolean isTransient(SQLException failure) {
    String state = failure.getSQLState();
    return "40001".equals(state) || "40P01".equals(state) || "HYT00".equals(state);
  }
}
