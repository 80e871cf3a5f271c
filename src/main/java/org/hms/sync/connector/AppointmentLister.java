package org.hms.sync.connector;

import java.time.Instant;
import java.util.List;

/**
 * A connector that can list the appointments its external system holds in a time range, for
 * reconciliation. Reads only; safe to call any number of times.
 */
public interface AppointmentLister {
  /**
   * The appointments starting in {@code [from, to)}, as far as the system filters by time (a
   * system that lists more is fine: the reconciler keeps to the range itself). Blocks until the
   * listing is complete.
   *
   * @throws ListingException when the system cannot be read completely
   */
  Listing list(Instant from, Instant to);

  /** Whether this instance is configured to list (a rest connector needs {@code routes.list}). */
  default boolean canList() {
    return true;
  }

  /**
   * @param appointments every item that could be read
   * @param unreadable one line per item that could not be read (its position and why; never its
   *     content), so a report shows it instead of calling the appointment missing
   */
  record Listing(List<ListedAppointment> appointments, List<String> unreadable) {
    public Listing {
      appointments = List.copyOf(appointments);
      unreadable = List.copyOf(unreadable);
    }
  }

  /** The listing failed as a whole: network, HTTP status, not JSON, too many pages. */
  final class ListingException extends org.hms.sync.SyncException {
    public ListingException(String message) {
      super(message);
    }

    public ListingException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
