package org.hms.sync.delivery;

import org.hms.sync.SyncException;

/** An operator's action on dead letters was refused; nothing was changed. Subclasses say why. */
public abstract class DeadLetterException extends SyncException {
  protected DeadLetterException(String message) {
    super(message);
  }

  /** No delivery with this id (HTTP 404). */
  public static final class NotFound extends DeadLetterException {
    NotFound(String deliveryId) {
      super("delivery '" + deliveryId + "' not found");
    }
  }

  /** The connector named is not configured (HTTP 404). */
  public static final class UnknownConnector extends DeadLetterException {
    UnknownConnector(String message) {
      super(message);
    }
  }

  /** The delivery is not a dead letter, so the action does not apply (HTTP 409). */
  public static final class NotDead extends DeadLetterException {
    NotDead(String message) {
      super(message);
    }
  }
}
