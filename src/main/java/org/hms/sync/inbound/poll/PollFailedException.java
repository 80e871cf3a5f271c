package org.hms.sync.inbound.poll;

/** A poll failed for a reason a later poll may not share; the message never holds PHI. */
public final class PollFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PollFailedException(String message) {
    super(message);
  }

  public PollFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
