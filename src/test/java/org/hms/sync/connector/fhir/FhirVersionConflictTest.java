package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.connector.fhir.FhirFixtures.assertNoPhi;
import static org.hms.sync.connector.fhir.FhirFixtures.at;
import static org.hms.sync.connector.fhir.FhirFixtures.attempt;
import static org.hms.sync.connector.fhir.FhirFixtures.config;
import static org.hms.sync.connector.fhir.FhirFixtures.connector;
import static org.hms.sync.connector.fhir.FhirFixtures.push;
import static org.hms.sync.connector.fhir.FhirFixtures.request;
import static org.hms.sync.connector.fhir.FhirFixtures.settings;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;
import org.junit.jupiter.api.Test;

/**
 * Version conflicts at the portal stand-in, which answers a stale If-Match as the HAPI FHIR JPA
 * server does (409, {@code HAPI-0989}) or, asked to, with 412: each is settled by reading the
 * Appointment, and a 409 while it is still at the version sent is the server's own refusal.
 */
class FhirVersionConflictTest {

  private final FhirTestServer server = FhirFixtures.server();
  private final FhirConnector reapply = connector(config(server.baseUrl(), null));
  private final FhirConnector failing =
      connector(config(server.baseUrl(), settings(null, "fail", false)));

  private final OutboxEvent created = SampleEvents.event(EventTypes.CREATED, 1);
  private final OutboxEvent rescheduled =
      at(SampleEvents.event(EventTypes.RESCHEDULED, 2), "2027-03-02T14:30:00Z");
  private final OutboxEvent completed =
      SampleEvents.event(EventTypes.COMPLETED, 2, SampleEvents.completed());

  @Test
  void a_conflict_answered_412_is_settled_as_one_answered_409() {
    server.answerStaleVersionsWith(412);
    String externalId = created();
    server.changeBeforeNext(
        "PUT",
        "Appointment",
        () -> server.appointments.change("1", appointment -> appointment.setComment("wheelchair access")));

    PushResult result = push(reapply, request(completed, externalId));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(((PushResult.Success) result).externalId()).isEqualTo("Appointment/1/_history/3");
    Appointment stored = server.appointments.get("1");
    assertThat(stored.getStatus()).isEqualTo(Appointment.AppointmentStatus.FULFILLED);
    assertThat(stored.getComment()).isEqualTo("wheelchair access");
    assertThat(server.received("PUT"))
        .extracting(put -> put.header("If-Match"))
        .containsExactly("W/\"1\"", "W/\"2\"");
  }

  @Test
  void a_409_while_the_appointment_is_still_at_the_version_sent_is_permanent_with_the_masked_outcome() {
    String externalId = created();
    OperationOutcome outcome = new OperationOutcome();
    outcome
        .addIssue()
        .setSeverity(OperationOutcome.IssueSeverity.ERROR)
        .setCode(OperationOutcome.IssueType.BUSINESSRULE)
        .setDiagnostics(
            "patient " + SampleEvents.PATIENT_FAMILY_NAME + " already has a fulfilled visit today");
    BaseServerResponseException rule = BaseServerResponseException.newInstance(409, "rule");
    rule.setOperationOutcome(outcome);
    server.failNext("PUT", "Appointment", rule);

    PushResult result = push(reapply, request(completed, externalId));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    PushResult.Permanent permanent = (PushResult.Permanent) result;
    assertThat(permanent.httpStatus()).isEqualTo(409);
    assertThat(permanent.errorClass()).isEqualTo("HttpStatus");
    assertThat(permanent.reason())
        .startsWith(
            "HTTP 409 from PUT Appointment/1: error business-rule: patient *** already has a"
                + " fulfilled visit today")
        .contains("Appointment/1 is still at version 1, so this is not a version conflict")
        .contains("fix the cause there, then replay");
    assertNoPhi(result);
    assertThat(server.received("PUT")).as("not sent again").hasSize(1);
    assertThat(server.received("GET"))
        .as("the read before the PUT, and the one that tells them apart")
        .hasSize(2);
  }

  @Test
  void an_update_reads_first_and_its_if_match_carries_the_version_it_read() {
    String externalId = created();
    server.appointments.change("1", appointment -> appointment.setComment("wheelchair access"));

    PushResult result = push(reapply, request(completed, externalId));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(server.received())
        .extracting(FhirTestServer.Received::method, received -> received.header("If-Match"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("POST", null),
            org.assertj.core.groups.Tuple.tuple("GET", null),
            org.assertj.core.groups.Tuple.tuple("PUT", "W/\"2\""));
    Appointment stored = server.appointments.get("1");
    assertThat(stored.getStatus()).isEqualTo(Appointment.AppointmentStatus.FULFILLED);
    assertThat(stored.getComment()).isEqualTo("wheelchair access");
  }

  @Test
  void a_later_update_keeps_the_elements_another_client_added_to_a_version_we_have_seen() {
    String externalId = created();
    server.appointments.change("1", appointment -> appointment.setComment("wheelchair access"));
    PushResult moved = push(reapply, request(rescheduled, externalId));

    PushResult done =
        push(reapply, request(completed, ((PushResult.Success) moved).externalId()));

    assertThat(done).isInstanceOf(PushResult.Success.class);
    assertThat(((PushResult.Success) done).note()).isNull();
    assertThat(server.appointments.get("1").getComment()).isEqualTo("wheelchair access");
  }

  @Test
  void with_the_fail_policy_a_replayed_delivery_applies_our_change_over_theirs() {
    String externalId = created();
    server.appointments.change("1", appointment -> appointment.setComment("moved by phone"));
    PushResult first = push(failing, request(completed, externalId));
    assertThat(first).isInstanceOf(PushResult.Permanent.class);

    PushResult replayed = push(failing, attempt(completed, externalId, 2, 1));

    assertThat(replayed).isInstanceOf(PushResult.Success.class);
    assertThat(((PushResult.Success) replayed).note()).contains("the delivery was replayed");
    Appointment stored = server.appointments.get("1");
    assertThat(stored.getStatus()).isEqualTo(Appointment.AppointmentStatus.FULFILLED);
    assertThat(stored.getComment()).isEqualTo("moved by phone");
    assertThat(server.received("PUT"))
        .extracting(put -> put.header("If-Match"))
        .as("the first attempt found the conflict by reading and wrote nothing")
        .containsExactly("W/\"2\"");
  }

  @Test
  void a_stored_external_id_without_a_version_reads_first_and_keeps_their_elements() {
    created();
    server.appointments.change("1", appointment -> appointment.setComment("wheelchair access"));

    PushResult result = push(failing, request(completed, "Appointment/1"));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(((PushResult.Success) result).externalId()).isEqualTo("Appointment/1/_history/3");
    assertThat(server.received("PUT"))
        .extracting(put -> put.header("If-Match"))
        .containsExactly("W/\"2\"");
    assertThat(server.appointments.get("1").getComment()).isEqualTo("wheelchair access");
  }

  @Test
  void a_409_to_the_create_finds_the_appointment_an_earlier_attempt_made_meanwhile() {
    server.changeBeforeNext("POST", "Appointment", () -> server.appointments.seed(ours()));
    server.failNext(
        "POST",
        "Appointment",
        new ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException(
            "HAPI-2745: conditional create constraint failure"));

    PushResult result = push(reapply, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    PushResult.Success success = (PushResult.Success) result;
    assertThat(success.externalId()).isEqualTo("Appointment/1/_history/1");
    assertThat(success.note()).contains("refused with HTTP 409").contains("no second one");
    assertThat(server.appointments.all()).hasSize(1);
  }

  @Test
  void a_409_to_the_create_with_no_appointment_of_ours_there_is_permanent() {
    server.failNext(
        "POST",
        "Appointment",
        new ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException(
            "HAPI-0824: unique index conflict"));

    PushResult result = push(reapply, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    assertThat(((PushResult.Permanent) result).reason())
        .startsWith("HTTP 409 from POST Appointment")
        .contains("HAPI-0824")
        .contains("no Appointment carries identifier=urn:hms-sync:appointment|");
  }

  /** Our Appointment as a parallel create would have made it. */
  private Appointment ours() {
    Appointment appointment = new Appointment();
    appointment.setStatus(Appointment.AppointmentStatus.BOOKED);
    appointment
        .addIdentifier()
        .setSystem("urn:hms-sync:appointment")
        .setValue(SampleEvents.APPOINTMENT_ID);
    return appointment;
  }

  private String created() {
    PushResult result = push(reapply, request(created, null));
    assertThat(result).isInstanceOf(PushResult.Success.class);
    return ((PushResult.Success) result).externalId();
  }
}
