package org.hms.sync;

import java.sql.SQLException;

/**
 * Describes a failure for a log line without its messages: database drivers and parsers quote the
 * values they choke on, and those may be PHI. Gives the exception classes along the cause chain
 * with SQLStates, e.g. {@code DataAccessException <- JdbcSQLDataException (SQLState 22001)}.
 * Full stack traces are logged at DEBUG only.
 */
public final class Failures {
  private Failures() {}

  public static String describe(Throwable failure) {
    StringBuilder text = new StringBuilder();
    Throwable current = failure;
    for (int depth = 0; current != null && depth < 6; depth++) {
      if (depth > 0) {
        text.append(" <- ");
      }
      text.append(current.getClass().getSimpleName());
      if (current instanceof SQLException sql && sql.getSQLState() != null) {
        text.append(" (SQLState ").append(sql.getSQLState()).append(')');
      }
      if (current instanceof SyncException && !(current.getCause() instanceof SQLException)) {
        // our own messages carry no PHI by rule
        text.append(": ").append(current.getMessage());
      }
      if (current.getCause() == current) {
        break;
      }
      current = current.getCause();
    }
    return text.toString();
  }
}
