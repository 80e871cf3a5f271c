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

  /**
   * Whether the connector's create is conditional on our appointment id (it finds an existing one
   * instead of making a second), so that sending a create again can never double an appointment.
   * Reconciliation then re-sends an appointment the system once had but no longer lists.
   */
  default boolean createsConditionally() {
    return false;
  }

  /**
   * The external id a corrective delivery of reconciliation goes out with, given the one stored
   * for the appointment (null if none) and the appointment as listed now. By default the stored
   * one, or the listed one when none is stored. A connector whose stored id pins a version the
   * system may have moved past answers the listed one instead, so that the repair applies the
   * EMR's state over what the system has now (the fhir connector: {@code Appointment/<id>}
   * without {@code _history}, which makes its push read the current version first).
   */
  default String repairExternalId(String stored, ListedAppointment listed) {
    return stored != null ? stored : listed.externalId();
  }

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
