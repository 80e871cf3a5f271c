package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.connector.fhir.FhirFixtures.at;
import static org.hms.sync.connector.fhir.FhirFixtures.config;
import static org.hms.sync.connector.fhir.FhirFixtures.connector;
import static org.hms.sync.connector.fhir.FhirFixtures.push;
import static org.hms.sync.connector.fhir.FhirFixtures.request;
import static org.hms.sync.connector.fhir.FhirFixtures.settings;
import static org.hms.sync.connector.fhir.FhirFixtures.with;

import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Slot;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;
import org.junit.jupiter.api.Test;

/** With slot events, the Slots at the FHIR server follow the appointments: busy and free. */
class FhirSlotTest {
  /** The slot of the sample appointment. */
  private static final String SLOT_ID = "c1d2e3f4-0000-4000-8000-000000000001";

  private static final String OTHER_SLOT_ID = "c1d2e3f4-0000-4000-8000-000000000099";

  private final FhirTestServer server = FhirFixtures.server();
  private final FhirConnector connector =
      connector(config(server.baseUrl(), settings(null, null, true)));
  private final OutboxEvent created = SampleEvents.event(EventTypes.CREATED, 1);

  @Test
  void created_marks_the_slot_busy_and_the_appointment_references_it() {
    String slot = seedSlot(SLOT_ID);

    PushResult result = push(connector, request(created, null));

    assertThat(result).isEqualTo(new PushResult.Success(201, "Appointment/1/_history/1", null));
    assertThat(server.slots.get(slot).getStatus()).isEqualTo(Slot.SlotStatus.BUSY);
    assertThat(server.appointments.get("1").getSlot())
        .extracting(Reference::getReference)
        .containsExactly("Slot/" + slot);
  }

  @Test
  void cancelled_frees_the_slot() {
    String slot = seedSlot(SLOT_ID);
    String externalId = externalId(push(connector, request(created, null)));

    PushResult result =
        push(connector, request(SampleEvents.event(EventTypes.CANCELLED, 2), externalId));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(server.slots.get(slot).getStatus()).isEqualTo(Slot.SlotStatus.FREE);
    assertThat(server.appointments.get("1").getStatus())
        .isEqualTo(Appointment.AppointmentStatus.CANCELLED);
  }

  @Test
  void rescheduled_to_another_slot_makes_it_busy_and_frees_the_old_one() {
    String oldSlot = seedSlot(SLOT_ID);
    String newSlot = seedSlot(OTHER_SLOT_ID);
    String externalId = externalId(push(connector, request(created, null)));
    OutboxEvent rescheduled =
        with(
            at(SampleEvents.event(EventTypes.RESCHEDULED, 2), "2027-03-02T10:00:00Z"),
            payload -> payload.put("slotId", OTHER_SLOT_ID));

    PushResult result = push(connector, request(rescheduled, externalId));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(server.slots.get(newSlot).getStatus()).isEqualTo(Slot.SlotStatus.BUSY);
    assertThat(server.slots.get(oldSlot).getStatus()).isEqualTo(Slot.SlotStatus.FREE);
    assertThat(server.appointments.get("1").getSlot())
        .extracting(Reference::getReference)
        .containsExactly("Slot/" + newSlot);
  }

  @Test
  void a_slot_the_server_does_not_have_is_skipped_with_a_note() {
    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(((PushResult.Success) result).note())
        .isEqualTo(
            "no Slot with identifier urn:hms-sync:slot|"
                + SLOT_ID
                + " at the server; slot status not kept");
    assertThat(server.appointments.get("1").hasSlot()).isFalse();
  }

  @Test
  void a_slot_changed_at_the_server_meanwhile_is_re_read_and_marked_on_the_version_read() {
    String slot = seedSlot(SLOT_ID);
    server.changeBeforeNext(
        "PUT", "Slot", () -> server.slots.change(slot, changed -> changed.setComment("checked")));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(((PushResult.Success) result).note())
        .contains("Slot/" + slot + " changed at the server since version 1 (now 2)");
    Slot stored = server.slots.get(slot);
    assertThat(stored.getStatus()).isEqualTo(Slot.SlotStatus.BUSY);
    assertThat(stored.getComment()).as("their change is kept").isEqualTo("checked");
    assertThat(server.received("PUT"))
        .extracting(FhirTestServer.Received::uri, put -> put.header("If-Match"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("/fhir/Slot/" + slot, "W/\"1\""),
            org.assertj.core.groups.Tuple.tuple("/fhir/Slot/" + slot, "W/\"2\""));
  }

  @Test
  void a_slot_conflict_answered_412_is_settled_the_same_way() {
    server.answerStaleVersionsWith(412);
    String slot = seedSlot(SLOT_ID);
    server.changeBeforeNext(
        "PUT", "Slot", () -> server.slots.change(slot, changed -> changed.setComment("checked")));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(server.slots.get(slot).getStatus()).isEqualTo(Slot.SlotStatus.BUSY);
    assertThat(server.received("PUT")).hasSize(2);
  }

  @Test
  void a_409_to_a_slot_still_at_the_version_sent_is_the_servers_rule_and_permanent() {
    String slot = seedSlot(SLOT_ID);
    server.failNext(
        "PUT",
        "Slot",
        new ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException(
            "slot is locked by the scheduler"));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    PushResult.Permanent permanent = (PushResult.Permanent) result;
    assertThat(permanent.httpStatus()).isEqualTo(409);
    assertThat(permanent.reason())
        .startsWith("HTTP 409 from PUT Slot/" + slot)
        .contains("slot is locked by the scheduler")
        .contains("Slot/" + slot + " is still at version 1, so this is not a version conflict");
    assertThat(server.received("PUT")).hasSize(1);
    assertThat(server.appointments.all()).as("no Appointment without its slot").isEmpty();
  }

  @Test
  void without_slot_events_slots_are_left_alone() {
    String slot = seedSlot(SLOT_ID);
    FhirConnector plain = connector(config(server.baseUrl(), null));

    push(plain, request(created, null));

    assertThat(server.slots.get(slot).getStatus()).isEqualTo(Slot.SlotStatus.FREE);
    assertThat(server.received()).extracting(FhirTestServer.Received::uri)
        .noneMatch(uri -> uri.contains("Slot"));
  }

  private String seedSlot(String slotId) {
    Slot slot = new Slot();
    slot.addIdentifier().setSystem("urn:hms-sync:slot").setValue(slotId);
    slot.setStatus(Slot.SlotStatus.FREE);
    slot.getSchedule().setReference("Schedule/clinic-12");
    return server.slots.seed(slot).getIdElement().getIdPart();
  }

  private static String externalId(PushResult result) {
    assertThat(result).isInstanceOf(PushResult.Success.class);
    return ((PushResult.Success) result).externalId();
  }
}
