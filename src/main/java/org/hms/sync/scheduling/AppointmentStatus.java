package org.hms.sync.scheduling;

import java.util.Locale;

/** Lifecycle of an appointment; the wire form is the lower-case name. */
public enum AppointmentStatus {
  BOOKED,
  CANCELLED,
  COMPLETED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the wire form; throws {@link IllegalArgumentException} naming the allowed values. */
  public static AppointmentStatus fromWire(String text) {
    for (AppointmentStatus status : values()) {
      if (status.wire().equals(text)) {
        return status;
      }
    }
    throw new IllegalArgumentException(
        "unknown appointment status '" + text + "': use booked, cancelled or completed");
  }
}
