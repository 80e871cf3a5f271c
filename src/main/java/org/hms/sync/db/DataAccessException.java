package org.hms.sync.db;

import org.hms.sync.SyncException;

/** A database call failed; the message names the operation, never the data. */
public final class DataAccessException extends SyncException {
  private final boolean outcomeUnknown;

  public DataAccessException(String message, Throwable cause) {
    this(message, cause, false);
  }

  DataAccessException(String message, Throwable cause, boolean outcomeUnknown) {
    super(message, cause);
    this.outcomeUnknown = outcomeUnknown;
  }

  /** True when the connection broke during commit: the change may or may not be stored. */
  public boolean outcomeUnknown() {
    return outcomeUnknown;
  }
}
