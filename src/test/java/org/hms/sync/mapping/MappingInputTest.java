package org.hms.sync.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;
import org.junit.jupiter.api.Test;

class MappingInputTest {

  @Test
  void input_has_exactly_event_appointment_and_external_id() {
    ObjectNode input = MappingInput.of(SampleEvents.event(EventTypes.CREATED, 1), null);

    assertThat(names(input)).containsExactly("event", "appointment", "externalId");
    assertThat(names(input.get("event")))
        .containsExactlyInAnyOrder("id", "type", "sequence", "occurredAt");
    assertThat(names(input.get("appointment")))
        .containsExactlyInAnyOrder(
            "id",
            "status",
            "start",
            "end",
            "version",
            "slotId",
            "patient",
            "location",
            "immunization");
  }

  @Test
  void event_fields_come_from_the_outbox_event() {
    OutboxEvent event = SampleEvents.event(EventTypes.RESCHEDULED, 4);

    JsonNode eventNode = MappingInput.of(event, "iis-7").get("event");

    assertThat(eventNode.get("id").asText()).isEqualTo("event-4");
    assertThat(eventNode.get("type").asText()).isEqualTo(EventTypes.RESCHEDULED);
    assertThat(eventNode.get("sequence").isIntegralNumber()).isTrue();
    assertThat(eventNode.get("sequence").asLong()).isEqualTo(4);
    assertThat(eventNode.get("occurredAt").asText()).isEqualTo("2027-02-20T14:05:00Z");
  }

  @Test
  void appointment_comes_from_the_snapshot_payload() {
    JsonNode appointment =
        MappingInput.of(SampleEvents.event(EventTypes.CREATED, 1), null).get("appointment");

    assertThat(appointment.get("id").asText()).isEqualTo(SampleEvents.APPOINTMENT_ID);
    assertThat(appointment.get("status").asText()).isEqualTo("booked");
    assertThat(appointment.get("start").asText()).isEqualTo("2027-03-01T09:00:00Z");
    assertThat(appointment.get("end").asText()).isEqualTo("2027-03-01T09:15:00Z");
    assertThat(appointment.get("version").asLong()).isEqualTo(1);
    assertThat(appointment.get("slotId").asText()).isEqualTo("c1d2e3f4-0000-4000-8000-000000000001");
    assertThat(appointment.get("patient").get("familyName").asText())
        .isEqualTo(SampleEvents.PATIENT_FAMILY_NAME);
    assertThat(appointment.get("location").get("code").asText()).isEqualTo(SampleEvents.CLINIC_CODE);
    assertThat(appointment.get("immunization").isNull()).isTrue();
  }

  @Test
  void snapshot_fields_outside_the_contract_are_left_out() {
    JsonNode appointment =
        MappingInput.of(SampleEvents.event(EventTypes.CREATED, 1), null).get("appointment");

    assertThat(appointment.has("cancelReason")).isFalse();
    assertThat(appointment.has("updatedAt")).isFalse();
  }

  @Test
  void immunization_of_a_completed_appointment_is_passed_through() {
    OutboxEvent event = SampleEvents.event(EventTypes.COMPLETED, 2, SampleEvents.completed());

    JsonNode immunization = MappingInput.of(event, "iis-7").get("appointment").get("immunization");

    assertThat(immunization.get("cvxCode").asText()).isEqualTo("208");
    assertThat(immunization.get("lotNumber").asText()).isEqualTo("EK5730");
  }

  @Test
  void known_external_id_is_a_string() {
    ObjectNode input = MappingInput.of(SampleEvents.event(EventTypes.RESCHEDULED, 2), "iis-7");

    assertThat(input.get("externalId").asText()).isEqualTo("iis-7");
  }

  @Test
  void unknown_external_id_is_json_null_not_absent() {
    ObjectNode input = MappingInput.of(SampleEvents.event(EventTypes.CREATED, 1), null);

    assertThat(input.has("externalId")).isTrue();
    assertThat(input.get("externalId").isNull()).isTrue();
  }

  @Test
  void keys_missing_from_an_older_payload_are_null() {
    OutboxEvent sparse =
        new OutboxEvent(
            "event-1",
            "appointment-1",
            1,
            EventTypes.CANCELLED,
            Instant.parse("2027-02-20T14:05:00Z"),
            null,
            "{\"id\": \"appointment-1\", \"status\": \"cancelled\"}");

    JsonNode appointment = MappingInput.of(sparse, null).get("appointment");

    assertThat(names(appointment)).hasSize(9);
    assertThat(appointment.get("status").asText()).isEqualTo("cancelled");
    assertThat(appointment.get("patient").isNull()).isTrue();
    assertThat(appointment.get("location").isNull()).isTrue();
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
