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
  void a_slot_changed_at_the_server_meanwhile_is_re_read_and_marked() {
    String slot = seedSlot(SLOT_ID);
    server.failNext(
        "PUT", "Slot", new ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException("moved"));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(server.slots.get(slot).getStatus()).isEqualTo(Slot.SlotStatus.BUSY);
    assertThat(server.received("PUT"))
        .extracting(FhirTestServer.Received::uri)
        .containsExactly("/fhir/Slot/" + slot, "/fhir/Slot/" + slot);
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
