package org.hms.sync.inbound;

import java.util.Locale;

/** Where an inbound item stands; the wire form is the lower-case name. */
public enum InboxStatus {
  /** Verified and stored; waiting to be applied. */
  RECEIVED,
  APPLIED,
  /** Its change was already in the EMR. */
  DUPLICATE,
  /** It could not be applied and will not be retried; the reason says why. */
  REJECTED,
  /** The EMR changed since the sender's version; waiting for review. */
  CONFLICT,
  /** Applying failed in a way a retry may fix; next_attempt_at says when. */
  FAILED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static InboxStatus fromWire(String text) {
    for (InboxStatus status : values()) {
      if (status.wire().equals(text)) {
        return status;
      }
    }
    throw new IllegalArgumentException(
        "unknown inbox status '" + text
            + "': use received, applied, duplicate, rejected, conflict or failed");
  }
}
