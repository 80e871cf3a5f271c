package org.hms.sync.connector;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import org.hms.sync.Text;
import org.hms.sync.delivery.PushResult;

/**
 * One appointment as an external system lists it, read for reconciliation. The wire shape a list
 * mapping returns is {@code {externalId, appointmentId, status, start, locationCode, patientMrn}}.
 *
 * @param externalId its id at the external system; never blank
 * @param appointmentId our appointment id, when the system keeps it; else {@code null}
 * @param status booked, cancelled or completed
 * @param start when it starts, or {@code null} when the system does not say
 * @param locationCode our location code, or {@code null} when the system does not say
 * @param patientMrn the patient's MRN, needed only to book it into the EMR (PHI: never logged)
 */
public record ListedAppointment(
    String externalId,
    String appointmentId,
    String status,
    Instant start,
    String locationCode,
    String patientMrn) {
  public static final String BOOKED = "booked";
  public static final String CANCELLED = "cancelled";
  public static final String COMPLETED = "completed";

  /**
   * @throws IllegalArgumentException when the status is unknown, the external id longer than
   *     {@link PushResult.Success#MAX_EXTERNAL_ID_LENGTH}, or a text holds a character {@link
   *     Text#problem} objects to; the message names the field, never its value
   */
  public ListedAppointment {
    Objects.requireNonNull(externalId, "externalId");
    Objects.requireNonNull(status, "status");
    if (externalId.length() > PushResult.Success.MAX_EXTERNAL_ID_LENGTH) {
      throw new IllegalArgumentException(
          "externalId is " + externalId.length() + " characters long; at most "
              + PushResult.Success.MAX_EXTERNAL_ID_LENGTH + " are kept");
    }
    printable("externalId", externalId);
    printable("appointmentId", appointmentId);
    printable("locationCode", locationCode);
    printable("patientMrn", patientMrn);
    status = status.toLowerCase(Locale.ROOT);
    if (!status.equals(BOOKED) && !status.equals(CANCELLED) && !status.equals(COMPLETED)) {
      throw new IllegalArgumentException(
          "status '" + Text.excerpt(status, 40) + "' is not booked, cancelled or completed");
    }
  }

  private static void printable(String field, String value) {
    String problem = Text.problem(value);
    if (problem != null) {
      throw new IllegalArgumentException(field + " " + problem);
    }
  }

  public boolean cancelled() {
    return status.equals(CANCELLED);
  }

  /** Without the MRN. */
  @Override
  public String toString() {
    return "ListedAppointment[externalId=" + externalId + ", appointmentId=" + appointmentId
        + ", status=" + status + ", start=" + start + ", locationCode=" + locationCode + "]";
  }
}
