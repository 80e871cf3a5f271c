package org.hms.sync.db;

import org.hms.sync.SyncException;

/** A database call failed; the message names the operation, never the data. */
public final class DataAccessException extends SyncException {
  public DataAccessException(String message, Throwable cause) {
    super(message, cause);
  }
}
