package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.hms.sync.http.ProblemAssert.assertProblem;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.hms.sync.http.ApiClient.Reply;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.LedgerEntry;
import org.hms.sync.simulator.SimAppointment;
import org.hms.sync.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EMR commands through the API, and what the stand-in IIS receives for them. */
class AppointmentSyncTest {
  @TempDir Path dir;

  private IisSimulator iis;
  private RunningSync sync;
  private ApiClient api;

  @BeforeEach
  void start() {
    iis = IisSimulator.start(SimulatorOptions.defaults());
    sync = RunningSync.start(dir, iis.baseUrl());
    api = sync.api;
  }

  @AfterEach
  void stop() {
    sync.close();
    iis.close();
  }

  @Test
  void booking_answers_201_with_the_appointment_and_etag_1() {
    String patient = sync.patient();
    String location = sync.location();
    String slot = sync.slot(location, 2);
    JsonNode slotView = sync.slotView(slot);

    Reply booked =
        api.post("/api/appointments", ApiClient.json("patientId", patient, "slotId", slot));

    assertThat(booked.status()).isEqualTo(201);
    assertThat(booked.header("ETag")).hasValue("\"1\"");
    JsonNode appointment = booked.json();
    String id = appointment.path("id").asText();
    assertThat(id).isNotBlank();
    assertThat(booked.header("Location")).hasValue("/api/appointments/" + id);
    assertThat(appointment.path("patientId").asText()).isEqualTo(patient);
    assertThat(appointment.path("slotId").asText()).isEqualTo(slot);
    assertThat(appointment.path("locationId").asText()).isEqualTo(location);
    assertThat(appointment.path("start").asText()).isEqualTo(slotView.path("start").asText());
    assertThat(appointment.path("end").asText()).isEqualTo(slotView.path("end").asText());
    assertThat(appointment.path("status").asText()).isEqualTo("booked");
    assertThat(appointment.path("version").asLong()).isEqualTo(1);
    assertThat(appointment.path("updatedAt").asText()).isNotBlank();

    Reply fetched = api.get("/api/appointments/" + id);
    assertThat(fetched.json()).isEqualTo(appointment);
    assertThat(fetched.header("ETag")).hasValue("\"1\"");
    assertThat(sync.slotView(slot).path("booked").asInt()).isEqualTo(1);
    assertThat(sync.slotView(slot).path("available").asInt()).isEqualTo(1);
  }

  @Test
  void appointments_can_be_listed_by_patient_and_status() {
    String slot = sync.slot(sync.location(), 3);
    String patient = sync.patient();
    String kept = sync.book(patient, slot);
    String cancelled = sync.book(patient, slot);
    String someoneElses = sync.book(sync.patient(), slot);
    assertThat(
            api.post("/api/appointments/" + cancelled + "/cancel", ApiClient.json("reason", "ill"))
                .status())
        .isEqualTo(200);

    assertThat(ids(api.get("/api/appointments?patientId=" + patient)))
        .containsExactlyInAnyOrder(kept, cancelled);
    assertThat(ids(api.get("/api/appointments?patientId=" + patient + "&status=booked")))
        .containsExactly(kept);
    assertThat(ids(api.get("/api/appointments?status=cancelled"))).containsExactly(cancelled);
    assertThat(ids(api.get("/api/appointments"))).contains(someoneElses).hasSize(3);
  }

  @Test
  void booking_rescheduling_and_cancelling_reach_the_iis_in_order_with_one_key_per_delivery() {
    String location = sync.location();
    String first = sync.slot(location, 1);
    String second = sync.slot(location, 1);
    String appointment = sync.book(sync.patient(), first);

    Reply moved =
        api.post(
            "/api/appointments/" + appointment + "/reschedule", ApiClient.json("slotId", second));
    Reply cancelled =
        api.post(
            "/api/appointments/" + appointment + "/cancel",
            ApiClient.json("reason", "patient moved away"));

    assertThat(moved.status()).isEqualTo(200);
    assertThat(moved.json().path("slotId").asText()).isEqualTo(second);
    assertThat(moved.json().path("version").asLong()).isEqualTo(2);
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.json().path("status").asText()).isEqualTo("cancelled");
    assertThat(cancelled.json().path("cancelReason").asText()).isEqualTo("patient moved away");
    assertThat(cancelled.header("ETag")).hasValue("\"3\"");

    sync.awaitDeliveries(appointment, "succeeded", "succeeded", "succeeded");
    List<JsonNode> deliveries = sync.deliveries(appointment);
    assertThat(deliveries)
        .extracting(d -> d.path("eventType").asText(), d -> d.path("sequence").asLong())
        .containsExactly(
            tuple("appointment.created", 1L),
            tuple("appointment.rescheduled", 2L),
            tuple("appointment.cancelled", 3L));
    String externalId = iis.ledger().get(0).externalId();
    assertThat(iis.ledger())
        .extracting(LedgerEntry::method, LedgerEntry::path, LedgerEntry::status)
        .containsExactly(
            tuple("POST", "/api/appointments", 201),
            tuple("PUT", "/api/appointments/" + externalId, 200),
            tuple("DELETE", "/api/appointments/" + externalId, 200));
    assertThat(iis.ledger())
        .extracting(LedgerEntry::idempotencyKey)
        .containsExactlyElementsOf(deliveries.stream().map(d -> d.path("id").asText()).toList());
    assertThat(deliveries)
        .allSatisfy(
            delivery -> {
              assertThat(delivery.path("idempotencyKey").asText())
                  .isEqualTo(delivery.path("id").asText());
              assertThat(delivery.path("attemptCount").asInt()).isEqualTo(1);
            });
    assertThat(iis.ledger()).noneMatch(LedgerEntry::replayed);

    SimAppointment atIis = iis.appointment(externalId).orElseThrow();
    assertThat(atIis.status()).isEqualTo("cancelled");
    assertThat(atIis.fields())
        .containsEntry("appointmentId", appointment)
        .containsEntry("slotTime", sync.slotView(second).path("start").asText())
        .containsEntry("sequence", 2);
    assertThat(sync.slotView(first).path("booked").asInt()).isZero();
    assertThat(sync.slotView(second).path("booked").asInt()).isZero();
  }

  @Test
  void each_successful_delivery_keeps_a_one_attempt_sync_log() {
    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 1));
    sync.awaitDeliveries(appointment, "succeeded");

    JsonNode delivery = sync.delivery(sync.deliveries(appointment).get(0).path("id").asText());

    assertThat(delivery.path("connector").asText()).isEqualTo(RunningSync.CONNECTOR);
    assertThat(delivery.path("lastHttpStatus").asInt()).isEqualTo(201);
    assertThat(delivery.path("completedAt").asText()).isNotBlank();
    JsonNode attempts = delivery.path("attempts");
    assertThat(attempts).hasSize(1);
    JsonNode attempt = attempts.get(0);
    assertThat(attempt.path("attempt").asInt()).isEqualTo(1);
    assertThat(attempt.path("outcome").asText()).isEqualTo("succeeded");
    assertThat(attempt.path("httpStatus").asInt()).isEqualTo(201);
    assertThat(attempt.path("startedAt").asText()).isNotBlank();
    assertThat(attempt.path("durationMs").isIntegralNumber()).isTrue();
    assertThat(attempt.path("errorClass").isNull()).isTrue();
  }

  @Test
  void cancelling_frees_the_place_in_the_slot() {
    String slot = sync.slot(sync.location(), 1);
    String appointment = sync.book(sync.patient(), slot);

    assertThat(api.post("/api/appointments/" + appointment + "/cancel", "").status())
        .isEqualTo(200);

    assertThat(sync.slotView(slot).path("booked").asInt()).isZero();
    String next = sync.book(sync.patient(), slot);
    assertThat(sync.appointment(next).path("status").asText()).isEqualTo("booked");
  }

  @Test
  void completing_with_an_immunization_round_trips_its_fields_and_sends_them_to_the_iis() {
    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 1));
    Map<String, String> given =
        Map.of(
            "cvxCode", "208",
            "lotNumber", "EW0182",
            "dose", "0.3 mL",
            "manufacturer", "PFR",
            "route", "IM",
            "site", "LD",
            "administeredAt", "2027-03-01T09:07:00Z");

    Reply completed =
        api.post(
            "/api/appointments/" + appointment + "/complete",
            ApiClient.json("immunization", given));

    assertThat(completed.status()).as(completed.text()).isEqualTo(200);
    assertThat(completed.json().path("status").asText()).isEqualTo("completed");
    assertThat(completed.json().path("version").asLong()).isEqualTo(2);
    assertThat(completed.header("ETag")).hasValue("\"2\"");
    JsonNode immunization = completed.json().path("immunization");
    given.forEach((field, value) -> assertThat(immunization.path(field).asText()).as(field)
        .isEqualTo(value));
    assertThat(sync.appointment(appointment).path("immunization")).isEqualTo(immunization);

    sync.awaitDeliveries(appointment, "succeeded", "succeeded");
    assertThat(iis.ledger())
        .extracting(LedgerEntry::method, LedgerEntry::status)
        .containsExactly(tuple("POST", 201), tuple("PUT", 200));
    SimAppointment atIis = iis.appointments().get(0);
    assertThat(atIis.status()).isEqualTo("completed");
    assertThat(atIis.fields().get("vaccine")).isEqualTo(Map.of("cvx", "208", "lot", "EW0182"));
  }

  @Test
  void completing_without_an_administration_time_records_the_time_of_completion() {
    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 1));

    Reply completed =
        api.post(
            "/api/appointments/" + appointment + "/complete",
            ApiClient.json("immunization", Map.of("cvxCode", "141")));

    assertThat(completed.status()).isEqualTo(200);
    JsonNode immunization = completed.json().path("immunization");
    assertThat(immunization.path("cvxCode").asText()).isEqualTo("141");
    assertThat(immunization.path("lotNumber").isNull()).isTrue();
    assertThat(immunization.path("administeredAt").asText()).isNotBlank();
  }

  @Test
  void completing_with_an_unknown_immunization_field_answers_400_and_changes_nothing() {
    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 1));
    sync.awaitDeliveries(appointment, "succeeded");
    RunningSync.Counts before = sync.counts();

    Reply wrongField =
        api.post(
            "/api/appointments/" + appointment + "/complete",
            ApiClient.json("immunization", Map.of("cvxCode", "208", "batch", "EW0182")));
    Reply noCode =
        api.post(
            "/api/appointments/" + appointment + "/complete",
            ApiClient.json("immunization", Map.of("lotNumber", "EW0182")));

    assertThat(assertProblem(wrongField, 400)).contains("'immunization.batch'");
    assertThat(assertProblem(noCode, 400)).contains("'immunization.cvxCode'");
    JsonNode unchanged = sync.appointment(appointment);
    assertThat(unchanged.path("status").asText()).isEqualTo("booked");
    assertThat(unchanged.path("version").asLong()).isEqualTo(1);
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_finished_appointment_cannot_be_changed_again_and_answers_409() {
    String slot = sync.slot(sync.location(), 1);
    String other = sync.slot(sync.location(), 1);
    String appointment = sync.book(sync.patient(), slot);
    assertThat(api.post("/api/appointments/" + appointment + "/cancel", "").status())
        .isEqualTo(200);
    sync.awaitDeliveries(appointment, "succeeded", "succeeded");
    RunningSync.Counts before = sync.counts();

    assertProblem(api.post("/api/appointments/" + appointment + "/cancel", ""), 409);
    assertProblem(api.post("/api/appointments/" + appointment + "/complete", ""), 409);
    assertProblem(
        api.post(
            "/api/appointments/" + appointment + "/reschedule", ApiClient.json("slotId", other)),
        409);

    assertThat(sync.counts()).isEqualTo(before);
    assertThat(sync.slotView(other).path("booked").asInt()).isZero();
  }

  @Test
  void reschedule_with_a_matching_if_match_answers_200_and_the_next_etag() {
    String location = sync.location();
    String appointment = sync.book(sync.patient(), sync.slot(location, 1));
    String target = sync.slot(location, 1);

    Reply moved =
        api.post(
            "/api/appointments/" + appointment + "/reschedule",
            ApiClient.json("slotId", target),
            "If-Match", "\"1\"");
    Reply cancelled =
        api.post("/api/appointments/" + appointment + "/cancel", "", "If-Match", "W/\"2\"");

    assertThat(moved.status()).as(moved.text()).isEqualTo(200);
    assertThat(moved.header("ETag")).hasValue("\"2\"");
    assertThat(moved.json().path("slotId").asText()).isEqualTo(target);
    assertThat(cancelled.status()).as(cancelled.text()).isEqualTo(200);
    assertThat(cancelled.header("ETag")).hasValue("\"3\"");
  }

  @Test
  void reschedule_with_a_stale_if_match_answers_412_and_changes_nothing() {
    String location = sync.location();
    String first = sync.slot(location, 1);
    String second = sync.slot(location, 1);
    String third = sync.slot(location, 1);
    String appointment = sync.book(sync.patient(), first);
    assertThat(
            api.post(
                    "/api/appointments/" + appointment + "/reschedule",
                    ApiClient.json("slotId", second),
                    "If-Match", "\"1\"")
                .status())
        .isEqualTo(200);
    sync.awaitDeliveries(appointment, "succeeded", "succeeded");
    RunningSync.Counts before = sync.counts();
    JsonNode deliveriesBefore = sync.allDeliveries();

    Reply stale =
        api.post(
            "/api/appointments/" + appointment + "/reschedule",
            ApiClient.json("slotId", third),
            "If-Match", "\"1\"");

    assertThat(assertProblem(stale, 412)).contains("version");
    JsonNode unchanged = sync.appointment(appointment);
    assertThat(unchanged.path("version").asLong()).isEqualTo(2);
    assertThat(unchanged.path("slotId").asText()).isEqualTo(second);
    assertThat(sync.slotView(first).path("booked").asInt()).isZero();
    assertThat(sync.slotView(second).path("booked").asInt()).isEqualTo(1);
    assertThat(sync.slotView(third).path("booked").asInt()).isZero();
    assertThat(sync.counts()).isEqualTo(before);
    assertThat(sync.allDeliveries()).isEqualTo(deliveriesBefore);
    assertThat(iis.ledger()).hasSize(2);
  }

  @Test
  void cancel_with_a_stale_if_match_answers_412_and_keeps_the_place() {
    String slot = sync.slot(sync.location(), 1);
    String appointment = sync.book(sync.patient(), slot);
    sync.awaitDeliveries(appointment, "succeeded");
    RunningSync.Counts before = sync.counts();

    Reply stale =
        api.post("/api/appointments/" + appointment + "/cancel", "", "If-Match", "\"7\"");

    assertProblem(stale, 412);
    assertThat(sync.appointment(appointment).path("status").asText()).isEqualTo("booked");
    assertThat(sync.slotView(slot).path("booked").asInt()).isEqualTo(1);
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_malformed_if_match_answers_400() {
    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 1));

    Reply reply =
        api.post("/api/appointments/" + appointment + "/cancel", "", "If-Match", "\"latest\"");

    assertThat(assertProblem(reply, 400)).contains("If-Match");
    assertThat(sync.appointment(appointment).path("status").asText()).isEqualTo("booked");
  }

  private static List<String> ids(Reply list) {
    assertThat(list.status()).as(list.text()).isEqualTo(200);
    return list.json().path("items").findValuesAsText("id");
  }
}
