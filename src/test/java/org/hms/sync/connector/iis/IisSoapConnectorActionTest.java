package org.hms.sync.connector.iis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.connector.iis.IisConnectors.PHI;
import static org.hms.sync.connector.iis.IisConnectors.cancelledEvent;
import static org.hms.sync.connector.iis.IisConnectors.completedEvent;
import static org.hms.sync.connector.iis.IisConnectors.completedWithoutDose;
import static org.hms.sync.connector.iis.IisConnectors.connector;
import static org.hms.sync.connector.iis.IisConnectors.push;
import static org.hms.sync.connector.iis.IisConnectors.request;
import static org.hms.sync.connector.iis.IisTestServer.ack;

import ca.uhn.hl7v2.util.Terser;
import java.util.List;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.scheduling.AppointmentStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which VXU each event sends: add, its retries, a correction, a delete, and nothing at all; the
 * vaccination keeps one ORC-3 throughout.
 */
class IisSoapConnectorActionTest {
  private IisTestServer registry;
  private IisSoapConnector connector;

  @BeforeEach
  void start() {
    registry = IisTestServer.start();
    connector = connector(registry.uri());
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void a_retry_of_the_same_delivery_sends_the_same_orc_3_still_as_an_add() throws Exception {
    registry.answer(received -> ack(received, "AR"));
    PushResult first = push(connector, request(completedEvent(), null, 1));
    registry.answer(received -> ack(received, "AA"));

    PushResult second = push(connector, request(completedEvent(), null, 2));

    assertThat(first).isInstanceOf(PushResult.Retryable.class);
    assertThat(second).isInstanceOf(PushResult.Success.class);
    List<IisTestServer.Received> sent = registry.received();
    assertThat(sent).hasSize(2);
    Terser firstVxu = sent.get(0).vxu();
    Terser secondVxu = sent.get(1).vxu();
    assertThat(secondVxu.get("/ORDER/ORC-3-1"))
        .isEqualTo(firstVxu.get("/ORDER/ORC-3-1"))
        .isEqualTo(SampleEvents.APPOINTMENT_ID);
    assertThat(firstVxu.get("/ORDER/RXA-21")).isEqualTo("A");
    assertThat(secondVxu.get("/ORDER/RXA-21")).isEqualTo("A");
    // Each attempt is its own transmission, answered by its own ACK.
    assertThat(firstVxu.get("/MSH-10"))
        .isEqualTo(IisSoapConnector.controlId("delivery-event-3", 1));
    assertThat(secondVxu.get("/MSH-10"))
        .isEqualTo(IisSoapConnector.controlId("delivery-event-3", 2));
  }

  @Test
  void completing_a_reported_appointment_again_sends_an_update_with_the_same_orc_3()
      throws Exception {
    PushResult added = push(connector, request(completedEvent(), null));
    String vaccinationId = ((PushResult.Success) added).externalId();

    PushResult corrected = push(connector, request(completedEvent(), vaccinationId));

    assertThat(corrected).isInstanceOf(PushResult.Success.class);
    assertThat(((PushResult.Success) corrected).externalId()).isEqualTo(vaccinationId);
    Terser update = registry.lastReceived().vxu();
    assertThat(update.get("/ORDER/RXA-21")).isEqualTo("U");
    assertThat(update.get("/ORDER/ORC-3-1")).isEqualTo(vaccinationId);
    assertThat(update.get("/ORDER/RXA-5-1")).isEqualTo("208");
    assertThat(registry.received())
        .extracting(received -> received.vxu().get("/ORDER/RXA-21"))
        .containsExactly("A", "U");
  }

  @Test
  void cancelling_a_reported_appointment_sends_a_delete_with_the_same_orc_3() throws Exception {
    PushResult deleted = push(connector, request(cancelledEvent(), SampleEvents.APPOINTMENT_ID));

    assertThat(deleted).isInstanceOf(PushResult.Success.class);
    Terser delete = registry.lastReceived().vxu();
    assertThat(delete.get("/ORDER/RXA-21")).isEqualTo("D");
    assertThat(delete.get("/ORDER/ORC-3-1")).isEqualTo(SampleEvents.APPOINTMENT_ID);
    // The cancellation no longer carries the dose: CVX 998 at the appointment's start.
    assertThat(delete.get("/ORDER/RXA-5-1")).isEqualTo("998");
    assertThat(delete.get("/ORDER/RXA-3")).isEqualTo("20270301090000+0000");
  }

  @Test
  void a_delete_carries_the_dose_when_the_cancellation_still_holds_it() throws Exception {
    var cancelledWithDose =
        SampleEvents.event(
            EventTypes.CANCELLED,
            4,
            SampleEvents.snapshot(
                SampleEvents.APPOINTMENT_ID,
                AppointmentStatus.CANCELLED,
                SampleEvents.completed().appointment().immunization()));

    push(connector, request(cancelledWithDose, SampleEvents.APPOINTMENT_ID));

    Terser delete = registry.lastReceived().vxu();
    assertThat(delete.get("/ORDER/RXA-21")).isEqualTo("D");
    assertThat(delete.get("/ORDER/RXA-5-1")).isEqualTo("208");
    assertThat(delete.get("/ORDER/RXA-15")).isEqualTo("EK5730");
  }

  @Test
  void cancelling_before_any_report_sends_nothing_and_succeeds() {
    PushResult result = push(connector, request(cancelledEvent(), null));

    assertThat(result)
        .isEqualTo(
            new PushResult.Success(
                null,
                null,
                "no vaccination was reported; nothing to delete (appointment "
                    + SampleEvents.APPOINTMENT_ID
                    + ")"));
    assertThat(registry.received()).isEmpty();
  }

  @Test
  void completing_without_immunization_details_is_permanent_and_sends_nothing() {
    PushResult result = push(connector, request(completedWithoutDose(), null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    PushResult.Permanent permanent = (PushResult.Permanent) result;
    assertThat(permanent.errorClass()).isEqualTo("NothingToSend");
    assertThat(permanent.reason())
        .contains(SampleEvents.APPOINTMENT_ID, "immunization")
        .doesNotContain(PHI);
    assertThat(registry.received()).isEmpty();
  }

  @Test
  void an_unreadable_dose_text_is_sent_as_an_unknown_amount_and_noted() throws Exception {
    var oddDose =
        SampleEvents.event(
            EventTypes.COMPLETED,
            3,
            SampleEvents.snapshot(
                SampleEvents.APPOINTMENT_ID,
                AppointmentStatus.COMPLETED,
                new org.hms.sync.scheduling.Immunization(
                    "141", null, "half a vial", "SKB", null, null, null)));

    PushResult result = push(connector, request(oddDose, null));

    assertThat(((PushResult.Success) result).note()).contains("RXA-6 says 999");
    Terser vxu = registry.lastReceived().vxu();
    assertThat(vxu.get("/ORDER/RXA-6")).isEqualTo("999");
    assertThat(vxu.get("/ORDER/RXA-7")).isNull();
    assertThat(vxu.get("/ORDER/RXA-17-1")).isEqualTo("SKB");
    assertThat(vxu.get("/ORDER/RXA-17-3")).isEqualTo("MVX");
    // No administration time given: the appointment's start.
    assertThat(vxu.get("/ORDER/RXA-3")).isEqualTo("20270301090000+0000");
  }

  @Test
  void control_ids_are_stable_per_delivery_and_attempt_and_fit_hl7_s_20_characters() {
    String delivery = "0190f0c2-7b1e-7c3a-9d4e-5f6a7b8c9d0e";
    String first = IisSoapConnector.controlId(delivery, 1);

    assertThat(first).isEqualTo(IisSoapConnector.controlId(delivery, 1));
    assertThat(first).matches("[0-9A-F]{14}-1");
    assertThat(IisSoapConnector.controlId(delivery, 2))
        .isNotEqualTo(first)
        .startsWith(first.substring(0, 14));
    assertThat(IisSoapConnector.controlId("another-delivery", 1)).isNotEqualTo(first);
    assertThat(IisSoapConnector.controlId("x", 99999)).hasSizeLessThanOrEqualTo(20);
  }

  @Test
  void the_registry_can_read_every_message_the_connector_sends_with_default_validation() {
    push(connector, request(completedEvent(), null));
    push(connector, request(completedEvent(), SampleEvents.APPOINTMENT_ID));
    push(connector, request(cancelledEvent(), SampleEvents.APPOINTMENT_ID));

    assertThat(registry.received())
        .hasSize(3)
        .allSatisfy(received -> assertThat(received.vxu().get("/MSH-9-3")).isEqualTo("VXU_V04"));
  }
}
