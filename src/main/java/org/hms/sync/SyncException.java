package org.hms.sync;

/** Root of every exception HMS-EMR Sync throws on purpose. Messages never carry PHI. */
public class SyncException extends RuntimeException {
  public SyncException(String message) {
    super(message);
  }

  public SyncException(String message, Throwable cause) {
    super(message, cause);
  }
}
