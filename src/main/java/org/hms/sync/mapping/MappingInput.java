package org.hms.sync.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hms.sync.json.Json;
import org.hms.sync.outbox.OutboxEvent;

/**
 * Builds what a mapping sees: {@code {"event": {id, type, sequence, occurredAt}, "appointment":
 * {id, status, start, end, version, slotId, patient, location, immunization}, "externalId"}}.
 */
public final class MappingInput {
  private static final String[] APPOINTMENT_KEYS = {
    "id", "status", "start", "end", "version", "slotId", "patient", "location", "immunization"
  };

  private MappingInput() {}

  public static ObjectNode of(OutboxEvent event, String externalId) {
    JsonNode snapshot = Json.read(event.payload());
    ObjectNode input = Json.MAPPER.createObjectNode();
    ObjectNode eventNode = input.putObject("event");
    eventNode.put("id", event.id());
    eventNode.put("type", event.type());
    eventNode.put("sequence", event.sequence());
    eventNode.put("occurredAt", event.occurredAt().toString());
    ObjectNode appointment = input.putObject("appointment");
    for (String key : APPOINTMENT_KEYS) {
      JsonNode value = snapshot.get(key);
      if (value == null) {
        appointment.putNull(key);
      } else {
        appointment.set(key, value);
      }
    }
    if (externalId == null) {
      input.putNull("externalId");
    } else {
      input.put("externalId", externalId);
    }
    return input;
  }
}
