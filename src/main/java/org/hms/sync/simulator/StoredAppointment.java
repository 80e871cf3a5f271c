package org.hms.sync.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/**
 * An appointment inside the store. {@code fields} is never changed after construction: every
 * change builds a new value, so readers can use a value without locking.
 */
record StoredAppointment(
    long number,
    String externalId,
    ObjectNode fields,
    String status,
    int updates,
    Instant createdAt,
    Instant updatedAt) {

  static final String BOOKED = "booked";
  static final String CANCELLED = "cancelled";

  static StoredAppointment created(long number, ObjectNode body, Instant now) {
    return new StoredAppointment(
        number, "iis-" + number, body.deepCopy(), statusIn(body, BOOKED), 0, now, now);
  }

  /** Body fields overwrite stored ones; a string {@code status} in the body becomes the status. */
  StoredAppointment merged(ObjectNode body, Instant now) {
    ObjectNode merged = fields.deepCopy();
    merged.setAll(body.deepCopy());
    return new StoredAppointment(
        number, externalId, merged, statusIn(body, status), updates + 1, createdAt, now);
  }

  StoredAppointment cancelled(Instant now) {
    return new StoredAppointment(number, externalId, fields, CANCELLED, updates + 1, createdAt, now);
  }

  /**
   * A change the IIS made on its own side: fields set, status replaced; not counted in {@code
   * updates}, which counts requests.
   */
  StoredAppointment changedHere(ObjectNode changedFields, String newStatus, Instant now) {
    ObjectNode merged = fields.deepCopy();
    merged.setAll(changedFields.deepCopy());
    return new StoredAppointment(number, externalId, merged, newStatus, updates, createdAt, now);
  }

  /** A text field of the stored body, or null. */
  String text(String field) {
    JsonNode value = fields.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  /** {@code {"id": ..., ...fields, "status": ...}}; the id and status are always the IIS's own. */
  ObjectNode render(SimJson json) {
    ObjectNode rendered = json.object();
    rendered.put("id", externalId);
    for (Map.Entry<String, JsonNode> field : fields.properties()) {
      if (!field.getKey().equals("id") && !field.getKey().equals("status")) {
        rendered.set(field.getKey(), field.getValue().deepCopy());
      }
    }
    rendered.put("status", status);
    return rendered;
  }

  SimAppointment toSimAppointment(SimJson json) {
    return new SimAppointment(externalId, json.toMap(fields), status, updates, createdAt, updatedAt);
  }

  private static String statusIn(ObjectNode body, String otherwise) {
    JsonNode status = body.get("status");
    return status != null && status.isTextual() ? status.asText() : otherwise;
  }
}
