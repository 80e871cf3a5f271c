package org.hms.sync.reconcile;

import java.time.Instant;

/**
 * What reconciliation compares of an EMR appointment (never the patient).
 *
 * @param version the appointment's version, for optimistic concurrency of the repair
 */
record EmrAppointment(
    String id, String status, Instant start, String locationCode, long version) {

  boolean cancelled() {
    return status.equals("cancelled");
  }
}
