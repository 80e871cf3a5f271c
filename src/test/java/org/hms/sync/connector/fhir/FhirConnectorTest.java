package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hms.sync.connector.fhir.FhirFixtures.assertNoPhi;
import static org.hms.sync.connector.fhir.FhirFixtures.at;
import static org.hms.sync.connector.fhir.FhirFixtures.config;
import static org.hms.sync.connector.fhir.FhirFixtures.connector;
import static org.hms.sync.connector.fhir.FhirFixtures.push;
import static org.hms.sync.connector.fhir.FhirFixtures.request;
import static org.hms.sync.connector.fhir.FhirFixtures.settings;
import static org.hms.sync.connector.fhir.FhirFixtures.with;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Reference;
import org.hms.sync.SyncException;
import org.hms.sync.config.RouteConfig;
import org.hms.sync.connector.types.ConnectorTypes;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;
import org.junit.jupiter.api.Test;

/** What the fhir connector makes of each event at a real HAPI FHIR server. */
class FhirConnectorTest {

  private final FhirTestServer server = FhirFixtures.server();
  private final FhirConnector connector = connector(config(server.baseUrl(), null));

  private final OutboxEvent created = SampleEvents.event(EventTypes.CREATED, 1);
  private final OutboxEvent rescheduled =
      at(SampleEvents.event(EventTypes.RESCHEDULED, 2), "2027-03-02T14:30:00Z");

  // ---- created ----

  @Test
  void created_makes_one_booked_appointment_with_our_identifier_by_conditional_create() {
    PushResult result = push(connector, request(created, null));

    assertThat(result).isEqualTo(new PushResult.Success(201, "Appointment/1/_history/1", null));
    List<Appointment> stored = server.appointments.all();
    assertThat(stored).hasSize(1);
    Appointment appointment = stored.get(0);
    assertThat(appointment.getStatus()).isEqualTo(Appointment.AppointmentStatus.BOOKED);
    assertThat(appointment.getIdentifierFirstRep().getSystem())
        .isEqualTo("urn:hms-sync:appointment");
    assertThat(appointment.getIdentifierFirstRep().getValue())
        .isEqualTo(SampleEvents.APPOINTMENT_ID);
    assertThat(appointment.getStartElement().getValueAsString())
        .isEqualTo("2027-03-01T09:00:00Z");
    assertThat(appointment.getEndElement().getValueAsString()).isEqualTo("2027-03-01T09:15:00Z");
    FhirTestServer.Received post = server.received("POST").get(0);
    assertThat(post.uri()).isEqualTo("/fhir/Appointment");
    assertThat(post.header("If-None-Exist"))
        .isEqualTo("identifier=urn:hms-sync:appointment|" + SampleEvents.APPOINTMENT_ID);
  }

  @Test
  void every_request_carries_the_bearer_token_our_user_agent_and_the_configured_headers() {
    push(connector, request(created, null));

    FhirTestServer.Received post = server.received("POST").get(0);
    assertThat(post.header("Authorization")).isEqualTo("Bearer s3cret-fhir-token");
    assertThat(post.headers().get("User-Agent")).hasSize(1);
    assertThat(post.header("User-Agent")).startsWith("hms-sync/");
    assertThat(post.header("X-Tenant")).isEqualTo("county-12");
    assertThat(post.header("Content-Type")).startsWith("application/fhir+json");
  }

  @Test
  void by_default_patient_and_location_are_named_by_identifier() {
    push(connector, request(created, null));

    Appointment appointment = server.appointments.all().get(0);
    assertThat(appointment.getParticipant()).hasSize(2);
    Reference patient = appointment.getParticipant().get(0).getActor();
    assertThat(patient.getType()).isEqualTo("Patient");
    assertThat(patient.getIdentifier().getSystem()).isEqualTo("urn:hms-sync:mrn");
    assertThat(patient.getIdentifier().getValue()).isEqualTo(SampleEvents.PATIENT_MRN);
    assertThat(patient.hasReference()).isFalse();
    Reference location = appointment.getParticipant().get(1).getActor();
    assertThat(location.getType()).isEqualTo("Location");
    assertThat(location.getIdentifier().getSystem()).isEqualTo("urn:hms-sync:location");
    assertThat(location.getIdentifier().getValue()).isEqualTo(SampleEvents.CLINIC_CODE);
    assertThat(appointment.getParticipant())
        .allSatisfy(
            participant ->
                assertThat(participant.getStatus())
                    .isEqualTo(Appointment.ParticipationStatus.ACCEPTED));
  }

  @Test
  void with_references_mode_patient_and_location_are_literal_references() {
    FhirConnector references =
        connector(config(server.baseUrl(), settings("reference", null, false)));

    push(references, request(created, null));

    Appointment appointment = server.appointments.all().get(0);
    assertThat(appointment.getParticipant().get(0).getActor().getReference())
        .isEqualTo("Patient/" + SampleEvents.PATIENT_MRN);
    assertThat(appointment.getParticipant().get(1).getActor().getReference())
        .isEqualTo("Location/" + SampleEvents.CLINIC_CODE);
    assertThat(appointment.getParticipant().get(0).getActor().hasIdentifier()).isFalse();
  }

  @Test
  void in_references_mode_an_mrn_that_is_no_fhir_id_is_permanent_without_showing_it() {
    FhirConnector references =
        connector(config(server.baseUrl(), settings("reference", null, false)));
    OutboxEvent spaced = with(created, payload -> ((com.fasterxml.jackson.databind.node.ObjectNode) payload.get("patient")).put("mrn", "MRN 0042/7"));

    PushResult result = push(references, request(spaced, null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    assertThat(((PushResult.Permanent) result).reason())
        .contains("not a valid FHIR id")
        .doesNotContain("0042");
    assertThat(server.received()).isEmpty();
  }

  @Test
  void a_retry_after_a_lost_response_finds_the_appointment_instead_of_making_a_second() {
    server.loseNextResponse();

    PushResult lost = push(connector, request(created, null));

    assertThat(lost).isInstanceOf(PushResult.Retryable.class);
    assertThat(((PushResult.Retryable) lost).reason())
        .startsWith("no response to POST Appointment");
    assertThat(server.lostResponses()).isEqualTo(1);
    assertThat(server.appointments.all()).as("the server committed the create").hasSize(1);

    PushResult retried = push(connector, request(created, null));

    assertThat(retried).isInstanceOf(PushResult.Success.class);
    PushResult.Success success = (PushResult.Success) retried;
    assertThat(success.httpStatus()).isEqualTo(200);
    assertThat(success.externalId()).isEqualTo("Appointment/1/_history/1");
    assertThat(success.note()).contains("already existed").contains("no second one");
    assertThat(server.appointments.all()).hasSize(1);
    assertThat(server.received("POST"))
        .hasSize(2)
        .extracting(post -> post.header("If-None-Exist"))
        .containsOnly("identifier=urn:hms-sync:appointment|" + SampleEvents.APPOINTMENT_ID);
  }

  @Test
  void the_identifier_system_is_configurable() {
    FhirConnector custom =
        connector(
            config(
                server.baseUrl(),
                new org.hms.sync.config.FhirConfig(
                    "https://county.example/appointments", null, null, null, null, false)));

    push(custom, request(created, null));

    assertThat(server.received("POST").get(0).header("If-None-Exist"))
        .isEqualTo("identifier=https://county.example/appointments|" + SampleEvents.APPOINTMENT_ID);
    assertThat(server.appointments.all().get(0).getIdentifierFirstRep().getSystem())
        .isEqualTo("https://county.example/appointments");
  }

  // ---- rescheduled, cancelled, completed ----

  @Test
  void rescheduled_updates_start_and_end_with_if_match_of_the_version_we_saw() {
    String externalId = created();

    PushResult result = push(connector, request(rescheduled, externalId));

    assertThat(result).isEqualTo(new PushResult.Success(200, "Appointment/1/_history/2", null));
    Appointment stored = server.appointments.get("1");
    assertThat(stored.getStatus()).isEqualTo(Appointment.AppointmentStatus.BOOKED);
    assertThat(stored.getStartElement().getValueAsString()).isEqualTo("2027-03-02T14:30:00Z");
    assertThat(stored.getEndElement().getValueAsString()).isEqualTo("2027-03-02T14:45:00Z");
    FhirTestServer.Received put = server.received("PUT").get(0);
    assertThat(put.uri()).isEqualTo("/fhir/Appointment/1");
    assertThat(put.header("If-Match")).isEqualTo("W/\"1\"");
  }

  @Test
  void a_change_made_at_the_server_meanwhile_is_found_by_the_read_and_kept_under_our_change() {
    String externalId = created();
    server.appointments.change("1", appointment -> appointment.setComment("wheelchair access"));

    PushResult result = push(connector, request(rescheduled, externalId));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    PushResult.Success success = (PushResult.Success) result;
    assertThat(success.externalId()).isEqualTo("Appointment/1/_history/3");
    assertThat(success.note())
        .isEqualTo(
            "Appointment/1 changed at the server since version 1 (now 2): applied our change"
                + " over it");
    Appointment stored = server.appointments.get("1");
    assertThat(stored.getStartElement().getValueAsString()).isEqualTo("2027-03-02T14:30:00Z");
    assertThat(stored.getComment()).as("their change is kept").isEqualTo("wheelchair access");
    assertThat(server.received("PUT"))
        .extracting(put -> put.header("If-Match"))
        .as("the version just read, never the stale one")
        .containsExactly("W/\"2\"");
  }

  @Test
  void a_409_to_the_put_is_settled_by_reading_again_and_applying_our_change_over_that_version() {
    String externalId = created();
    server.changeBeforeNext(
        "PUT",
        "Appointment",
        () -> server.appointments.change("1", appointment -> appointment.setComment("wheelchair access")));

    PushResult result = push(connector, request(rescheduled, externalId));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    PushResult.Success success = (PushResult.Success) result;
    assertThat(success.externalId()).isEqualTo("Appointment/1/_history/3");
    assertThat(success.note())
        .isEqualTo(
            "Appointment/1 changed at the server since version 1 (now 2): re-read and applied our"
                + " change on top");
    Appointment stored = server.appointments.get("1");
    assertThat(stored.getStartElement().getValueAsString()).isEqualTo("2027-03-02T14:30:00Z");
    assertThat(stored.getComment()).as("their change is kept").isEqualTo("wheelchair access");
    assertThat(server.received("PUT"))
        .extracting(put -> put.header("If-Match"))
        .containsExactly("W/\"1\"", "W/\"2\"");
  }

  @Test
  void a_version_conflict_with_the_fail_policy_is_permanent_and_leaves_their_version_alone() {
    FhirConnector failing = connector(config(server.baseUrl(), settings(null, "fail", false)));
    String externalId = created();
    server.appointments.change("1", appointment -> appointment.setComment("moved by phone"));

    PushResult result = push(failing, request(rescheduled, externalId));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    PushResult.Permanent permanent = (PushResult.Permanent) result;
    assertThat(permanent.httpStatus()).isNull();
    assertThat(permanent.errorClass()).isEqualTo("VersionConflict");
    assertThat(permanent.reason())
        .startsWith(
            "Appointment/1 changed at the server since version 1 (now 2); onVersionConflict is"
                + " fail")
        .contains("then replay the delivery");
    assertThat(server.received("PUT")).isEmpty();
    Appointment stored = server.appointments.get("1");
    assertThat(stored.getMeta().getVersionId()).isEqualTo("2");
    assertThat(stored.getStartElement().getValueAsString()).isEqualTo("2027-03-01T09:00:00Z");
  }

  @Test
  void a_409_to_the_put_with_the_fail_policy_is_permanent_with_the_servers_answer() {
    FhirConnector failing = connector(config(server.baseUrl(), settings(null, "fail", false)));
    String externalId = created();
    server.changeBeforeNext(
        "PUT",
        "Appointment",
        () -> server.appointments.change("1", appointment -> appointment.setComment("by phone")));

    PushResult result = push(failing, request(rescheduled, externalId));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    PushResult.Permanent permanent = (PushResult.Permanent) result;
    assertThat(permanent.httpStatus()).isEqualTo(409);
    assertThat(permanent.errorClass()).isEqualTo("VersionConflict");
    assertThat(permanent.reason())
        .startsWith("Appointment/1 changed at the server since version 1 (now 2)")
        .contains(
            "(HTTP 409 from PUT Appointment/1: error processing: HAPI-0550: HAPI-0989: Trying to"
                + " update Appointment/1/_history/1 but this is not the current version)")
        .contains("onVersionConflict is fail");
    assertThat(server.appointments.get("1").getMeta().getVersionId()).isEqualTo("2");
  }

  @Test
  void a_retry_after_a_lost_update_answer_succeeds_without_writing_when_the_server_shows_our_change() {
    FhirConnector failing = connector(config(server.baseUrl(), settings(null, "fail", false)));
    String externalId = created();
    server.loseNextResponseTo("PUT", "Appointment");

    PushResult lost = push(failing, request(rescheduled, externalId));
    PushResult retried = push(failing, request(rescheduled, externalId));

    assertThat(lost).isInstanceOf(PushResult.Retryable.class);
    assertThat(retried).isInstanceOf(PushResult.Success.class);
    assertThat(((PushResult.Success) retried).externalId()).isEqualTo("Appointment/1/_history/2");
    assertThat(((PushResult.Success) retried).note())
        .contains("already shows this change at version 2");
    assertThat(server.received("PUT")).as("only the first attempt wrote").hasSize(1);
    assertThat(server.appointments.writes()).as("one create, one update").hasSize(2);
  }

  @Test
  void a_server_that_keeps_changing_the_appointment_makes_the_reapply_retryable_after_three_tries() {
    String externalId = created();
    for (int i = 0; i < 3; i++) {
      server.changeBeforeNext(
          "PUT",
          "Appointment",
          () -> server.appointments.change("1", appointment -> appointment.setComment("busy")));
    }

    PushResult result = push(connector, request(rescheduled, externalId));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    PushResult.Retryable retryable = (PushResult.Retryable) result;
    assertThat(retryable.httpStatus()).isEqualTo(409);
    assertThat(retryable.errorClass()).isEqualTo("VersionConflict");
    assertThat(retryable.reason()).contains("again each of 3 times");
    assertThat(retryable.outage()).as("not counted against the circuit breaker").isFalse();
    assertThat(server.received("PUT"))
        .extracting(put -> put.header("If-Match"))
        .containsExactly("W/\"1\"", "W/\"2\"", "W/\"3\"");
  }

  @Test
  void cancelled_sets_status_cancelled_with_the_cancel_reason_of_the_event() {
    String externalId = created();
    OutboxEvent cancelled =
        with(
            SampleEvents.event(EventTypes.CANCELLED, 2),
            payload -> {
              payload.put("status", "cancelled");
              payload.put("cancelReason", "clinic closed for snow");
            });

    PushResult result = push(connector, request(cancelled, externalId));

    assertThat(result).isEqualTo(new PushResult.Success(200, "Appointment/1/_history/2", null));
    Appointment stored = server.appointments.get("1");
    assertThat(stored.getStatus()).isEqualTo(Appointment.AppointmentStatus.CANCELLED);
    assertThat(stored.getCancelationReason().getText()).isEqualTo("clinic closed for snow");
  }

  @Test
  void cancelled_without_a_reason_gets_a_fixed_one() {
    String externalId = created();

    push(connector, request(SampleEvents.event(EventTypes.CANCELLED, 2), externalId));

    assertThat(server.appointments.get("1").getCancelationReason().getText())
        .isEqualTo("Cancelled in the EMR");
  }

  @Test
  void completed_sets_status_fulfilled() {
    String externalId = created();

    PushResult result =
        push(
            connector,
            request(
                SampleEvents.event(EventTypes.COMPLETED, 2, SampleEvents.completed()),
                externalId));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    Appointment stored = server.appointments.get("1");
    assertThat(stored.getStatus()).isEqualTo(Appointment.AppointmentStatus.FULFILLED);
    assertThat(stored.hasCancelationReason()).isFalse();
  }

  @Test
  void a_change_without_a_stored_external_id_finds_the_appointment_by_our_identifier() {
    created();

    PushResult result = push(connector, request(SampleEvents.event(EventTypes.CANCELLED, 2), null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(((PushResult.Success) result).externalId()).isEqualTo("Appointment/1/_history/2");
    assertThat(((PushResult.Success) result).note())
        .contains("found Appointment/1 by identifier");
    assertThat(server.received("PUT").get(0).header("If-Match")).isEqualTo("W/\"1\"");
    assertThat(server.appointments.get("1").getStatus())
        .isEqualTo(Appointment.AppointmentStatus.CANCELLED);
  }

  @Test
  void a_change_of_an_appointment_the_server_does_not_have_is_permanent() {
    PushResult result = push(connector, request(SampleEvents.event(EventTypes.CANCELLED, 2), null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    assertThat(((PushResult.Permanent) result).reason())
        .contains("no Appointment with identifier=urn:hms-sync:appointment|")
        .contains("replay the appointment.created delivery first");
    assertNoPhi(result);
  }

  // ---- mapping ----

  @Test
  void a_route_mapping_adds_elements_and_identifiers_to_ours() {
    FhirConnector mapped =
        connector(
            config(
                server.baseUrl(),
                null,
                Map.of(
                    EventTypes.CREATED,
                    new RouteConfig(
                        EventTypes.CREATED,
                        null,
                        null,
                        SampleEvents.mappingFile("fhir-appointment.jsonata"),
                        null,
                        null))));

    PushResult result = push(mapped, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    Appointment stored = server.appointments.all().get(0);
    assertThat(stored.getDescription()).isEqualTo("Vaccination at County Clinic 12");
    assertThat(stored.getIdentifier())
        .extracting(identifier -> identifier.getSystem() + "|" + identifier.getValue())
        .containsExactly(
            "urn:hms-sync:appointment|" + SampleEvents.APPOINTMENT_ID,
            "urn:county:booking|B-" + SampleEvents.APPOINTMENT_ID);
  }

  @Test
  void a_mapping_that_names_no_appointment_element_is_permanent_and_sends_nothing() {
    FhirConnector mapped =
        connector(
            config(
                server.baseUrl(),
                null,
                Map.of(
                    EventTypes.CREATED,
                    new RouteConfig(
                        EventTypes.CREATED,
                        null,
                        null,
                        SampleEvents.mappingFile("fhir-unknown-element.jsonata"),
                        null,
                        null))));

    PushResult result = push(mapped, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    assertThat(((PushResult.Permanent) result).errorClass()).isEqualTo("MappingException");
    assertThat(((PushResult.Permanent) result).reason())
        .contains("fhir-unknown-element.jsonata")
        .contains("invalid FHIR Appointment");
    assertThat(server.received()).isEmpty();
  }

  // ---- configuration ----

  @Test
  void the_fhir_type_builds_a_fhir_connector() {
    try (var built = ConnectorTypes.create(config(server.baseUrl(), null), Clock.systemUTC())) {
      assertThat(built).isInstanceOf(FhirConnector.class);
      assertThat(built.id()).isEqualTo("county-portal");
    }
  }

  @Test
  void an_unknown_version_conflict_policy_fails_at_start_up_naming_the_choices() {
    assertThatThrownBy(
            () ->
                FhirConnector.create(
                    config(server.baseUrl(), settings(null, "ask", false)), Clock.systemUTC()))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("'county-portal'")
        .hasMessageContaining("'ask'")
        .hasMessageContaining("reapply")
        .hasMessageContaining("fail");
  }

  /** Pushes the created event; the external id it gave. */
  private String created() {
    PushResult result = push(connector, request(created, null));
    assertThat(result).isInstanceOf(PushResult.Success.class);
    return ((PushResult.Success) result).externalId();
  }
}
