package org.hms.sync.scheduling;

import org.hms.sync.SyncException;

/** A scheduling command was refused; nothing was changed. Subclasses say why. */
public abstract class SchedulingException extends SyncException {
  protected SchedulingException(String message) {
    super(message);
  }

  /** The thing asked for does not exist (HTTP 404). */
  public static final class NotFound extends SchedulingException {
    public NotFound(String kind, String id) {
      super(kind + " '" + id + "' not found");
    }
  }

  /** The slot has no free place left (HTTP 409). */
  public static final class SlotFull extends SchedulingException {
    public SlotFull(String slotId, int capacity) {
      super("slot '" + slotId + "' is full (capacity " + capacity + "); choose another slot");
    }
  }

  /** The caller's version is not the current one (HTTP 412). */
  public static final class VersionMismatch extends SchedulingException {
    public VersionMismatch(String appointmentId, long expected, long actual) {
      super(
          "appointment '"
              + appointmentId
              + "' is at version "
              + actual
              + ", not "
              + expected
              + "; fetch it again and retry with If-Match: \""
              + actual
              + "\"");
    }
  }

  /** The command does not fit the current state or data (HTTP 409). */
  public static final class Conflict extends SchedulingException {
    public Conflict(String message) {
      super(message);
    }
  }

  /** The input is invalid (HTTP 400). */
  public static final class Invalid extends SchedulingException {
    public Invalid(String message) {
      super(message);
    }
  }
}
