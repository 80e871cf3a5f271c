package org.hms.sync.delivery;

import java.util.Locale;

/** Where a delivery stands; the wire form is the lower-case name. */
public enum DeliveryStatus {
  /** Waiting for its first attempt (or for an earlier event of its appointment). */
  PENDING,
  /** Failed with a retryable error; the next attempt is scheduled. */
  RETRYING,
  SUCCEEDED,
  /** Dead letter: failed permanently or ran out of attempts. Replay or discard it. */
  DEAD,
  /** Held behind a dead delivery of the same appointment and connector. */
  PARKED,
  /** A dead letter an operator chose to drop. */
  DISCARDED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The statuses as an SQL list in declared order, e.g. {@code 'succeeded', 'discarded'}. */
  static String sqlList(java.util.Collection<DeliveryStatus> statuses) {
    return java.util.EnumSet.copyOf(statuses).stream()
        .map(status -> "'" + status.wire() + "'")
        .collect(java.util.stream.Collectors.joining(", "));
  }

  public static DeliveryStatus fromWire(String text) {
    for (DeliveryStatus status : values()) {
      if (status.wire().equals(text)) {
        return status;
      }
    }
    throw new IllegalArgumentException(
        "unknown delivery status '"
            + text
            + "': use pending, retrying, succeeded, dead, parked or discarded");
  }
}
