package org.hms.sync.reconcile;

import org.hms.sync.SyncException;

/** A reconciliation cannot be started as asked; the message says what to change. */
public class ReconcileException extends SyncException {
  public ReconcileException(String message) {
    super(message);
  }

  /** The connector is not configured. */
  public static final class UnknownConnector extends ReconcileException {
    public UnknownConnector(String message) {
      super(message);
    }
  }
}
