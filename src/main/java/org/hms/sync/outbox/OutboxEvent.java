package org.hms.sync.outbox;

import java.time.Instant;

/**
 * One change of one appointment, written in the same transaction as the change.
 *
 * @param sequence per-appointment, starting at 1, without gaps
 * @param origin the connector the change came from (inbound sync), or null for EMR-side changes;
 *     the event is never delivered back to its origin
 * @param payload JSON snapshot of the appointment (with patient and location) after the change
 */
public record OutboxEvent(
    String id,
    String appointmentId,
    long sequence,
    String type,
    Instant occurredAt,
    String origin,
    String payload) {
  @Override
  public String toString() {
    return "OutboxEvent[id=" + id + ", appointment=" + appointmentId + ", seq=" + sequence
        + ", type=" + type + "]";
  }
}
