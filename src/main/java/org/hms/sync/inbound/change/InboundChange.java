package org.hms.sync.inbound.change;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One change to the EMR that an inbound mapping made out of a webhook payload or a polled item.
 * The wire shape (what a mapping returns) is exactly the keys of {@link #toMap()}.
 *
 * @param action what to do
 * @param externalId the appointment's id at the external system; never blank
 * @param appointmentId our appointment id, when the sender knows it
 * @param slotId our slot id
 * @param start the new start, when the sender names a time instead of a slot
 * @param locationCode our location code
 * @param patientMrn the patient's MRN (PHI: never logged, see {@link #toString()})
 * @param reason why, e.g. a cancellation reason
 * @param baseVersion the appointment version the sender's change is based on (optimistic
 *     concurrency), or {@code null}
 */
public record InboundChange(
    Action action,
    String externalId,
    String appointmentId,
    String slotId,
    Instant start,
    String locationCode,
    String patientMrn,
    String reason,
    Long baseVersion) {

  /** The keys of the wire shape, in order. */
  public static final List<String> KEYS =
      List.of(
          "action", "externalId", "appointmentId", "slotId", "start", "locationCode", "patientMrn",
          "reason", "baseVersion");

  /** What the change does; the wire form is the lower-case name. */
  public enum Action {
    RESCHEDULE,
    CANCEL,
    BOOK,
    COMPLETE;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public InboundChange {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(externalId, "externalId");
  }

  /** The wire shape, every key present (absent values as {@code null}). */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("action", action.wire());
    map.put("externalId", externalId);
    map.put("appointmentId", appointmentId);
    map.put("slotId", slotId);
    map.put("start", start == null ? null : start.toString());
    map.put("locationCode", locationCode);
    map.put("patientMrn", patientMrn);
    map.put("reason", reason);
    map.put("baseVersion", baseVersion);
    return map;
  }

  /** Without the MRN and the reason (free text that may hold PHI). */
  @Override
  public String toString() {
    return "InboundChange[action=" + action.wire() + ", externalId=" + externalId
        + ", appointmentId=" + appointmentId + ", slotId=" + slotId + ", start=" + start
        + ", baseVersion=" + baseVersion + "]";
  }
}
