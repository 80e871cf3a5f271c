package org.hms.sync.simulator;

import java.time.Instant;

/**
 * A change the simulated IIS made on its own side, as its change feed ({@code GET /api/changes})
 * and its webhooks carry it.
 *
 * @param changeId unique within one simulator, {@code chg-<n>}
 * @param externalId the IIS's id of the appointment
 * @param appointmentId the EMR's id from the create body's {@code appointmentId}, or null
 * @param type {@code rescheduled} or {@code cancelled}
 * @param slotTime the appointment's start after the change (text as stored), or null
 * @param slotEnd the appointment's end after the change, or null
 * @param clinicCode the appointment's {@code clinicCode}, or null
 * @param status the appointment's status after the change
 * @param reason why it was cancelled; null for a reschedule
 * @param updatedAt when the change was made; strictly increasing along the feed
 */
public record SimChange(
    String changeId,
    String externalId,
    String appointmentId,
    String type,
    String slotTime,
    String slotEnd,
    String clinicCode,
    String status,
    String reason,
    Instant updatedAt) {

  public static final String RESCHEDULED = "rescheduled";
  public static final String CANCELLED = "cancelled";
}
