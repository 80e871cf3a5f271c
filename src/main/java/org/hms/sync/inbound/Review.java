package org.hms.sync.inbound;

import java.time.Instant;
import java.util.Objects;

/**
 * An inbound change a person must decide on: the EMR changed the appointment after the version
 * the change was based on (conflict policy {@code review}), or the change would overbook a slot.
 *
 * @param id our id (a UUID)
 * @param inboxItemId the inbox item the change came in
 * @param connectorId the connector it came from
 * @param appointmentId the EMR appointment; {@code null} for a booking that did not happen
 * @param emrSnapshot the EMR's appointment when the conflict was found (JSON), or {@code null}
 * @param externalChange the external change (JSON, the inbound change shape)
 * @param changeIndex which change of the item, from 0
 * @param reason why it needs a person; never PHI
 * @param status open or resolved
 * @param resolution emr or external once resolved, else {@code null}
 * @param createdAt when it was opened
 * @param resolvedAt when it was resolved, else {@code null}
 */
public record Review(
    String id,
    String inboxItemId,
    String connectorId,
    String appointmentId,
    String emrSnapshot,
    String externalChange,
    int changeIndex,
    String reason,
    Status status,
    Choice resolution,
    Instant createdAt,
    Instant resolvedAt) {

  public Review {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(inboxItemId, "inboxItemId");
    Objects.requireNonNull(connectorId, "connectorId");
    Objects.requireNonNull(externalChange, "externalChange");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** Whether the review waits for a person; the wire form is the lower-case name. */
  public enum Status {
    OPEN,
    RESOLVED;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Status fromWire(String text) {
      for (Status status : values()) {
        if (status.wire().equals(text)) {
          return status;
        }
      }
      throw new IllegalArgumentException("unknown review status '" + text + "': use open or resolved");
    }
  }

  /** Whose version a person chose; the wire form is the lower-case name. */
  public enum Choice {
    /** The EMR's state stands; the external change is dropped. */
    EMR,
    /** The external change is applied now. */
    EXTERNAL;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Choice fromWire(String text) {
      for (Choice choice : values()) {
        if (choice.wire().equals(text)) {
          return choice;
        }
      }
      throw new IllegalArgumentException(
          "choose must be \"emr\" or \"external\", was " + (text == null ? "missing" : "'" + text + "'"));
    }
  }

  /** Without the snapshot and change, which hold PHI. */
  @Override
  public String toString() {
    return "Review[id=" + id + ", inboxItemId=" + inboxItemId + ", connectorId=" + connectorId
        + ", appointmentId=" + appointmentId + ", status=" + status.wire() + "]";
  }
}
