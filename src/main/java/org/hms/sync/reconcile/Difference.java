package org.hms.sync.reconcile;

import java.util.List;

/**
 * One drift found by a reconciliation. Never PHI: ids, statuses, instants and location codes only.
 *
 * @param kind missingAtExternal, missingInEmr or mismatch
 * @param appointmentId the EMR appointment, or {@code null} when it is missing in the EMR
 * @param externalId the id at the external system, or {@code null} when unknown
 * @param fields for a mismatch, the fields that differ (status, start, location)
 * @param truth which side is taken as right: emr, external or both (both changed: the conflict
 *     policy decides)
 * @param repair what was done about it, or {@code null} when the run did not repair
 */
public record Difference(
    String kind,
    String appointmentId,
    String externalId,
    List<Field> fields,
    String truth,
    Repair repair) {
  public static final String MISSING_AT_EXTERNAL = "missingAtExternal";
  public static final String MISSING_IN_EMR = "missingInEmr";
  public static final String MISMATCH = "mismatch";
  public static final String TRUTH_EMR = "emr";
  public static final String TRUTH_EXTERNAL = "external";
  public static final String TRUTH_BOTH = "both";

  public Difference {
    fields = fields == null ? List.of() : List.copyOf(fields);
  }

  Difference withRepair(Repair done) {
    return new Difference(kind, appointmentId, externalId, fields, truth, done);
  }

  /** One field that differs: status, start or location (a location code). */
  public record Field(String name, String emr, String external) {}

  /**
   * @param action delivery (a corrective delivery was queued), inbound (a change was put in the
   *     inbox) or none
   * @param eventType for a delivery, the event type sent
   * @param id the delivery's or inbox item's id, or {@code null}
   * @param note why nothing was done, or what will happen
   */
  public record Repair(String action, String eventType, String id, String note) {
    public static final String DELIVERY = "delivery";
    public static final String INBOUND = "inbound";
    public static final String NONE = "none";

    static Repair none(String note) {
      return new Repair(NONE, null, null, note);
    }
  }
}
