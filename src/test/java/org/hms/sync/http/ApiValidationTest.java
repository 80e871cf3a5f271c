package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.http.ProblemAssert.assertProblem;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.hms.sync.http.ApiClient.Reply;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a clear problem+json answer and changes nothing. */
class ApiValidationTest {
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
  void malformed_json_answers_400_problem_json_and_creates_nothing() {
    RunningSync.Counts before = sync.counts();

    Reply reply = api.post("/api/patients", "{\"mrn\": \"MRN-1\", \"givenName\": ");

    assertThat(assertProblem(reply, 400)).contains("malformed JSON");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void malformed_json_answers_400_without_echoing_what_was_sent() {
    // A bare word where a string belongs: Jackson names the token it could not read.
    Reply reply =
        api.post(
            "/api/patients",
            "{\"mrn\": \"MRN-1\", \"givenName\": Johanna, \"familyName\": \"Smith\","
                + " \"birthDate\": \"1980-01-01\"}");

    String detail = assertProblem(reply, 400);
    assertThat(detail).contains("malformed JSON").doesNotContain("Johanna");
  }

  @Test
  void an_empty_body_answers_400() {
    assertThat(assertProblem(api.post("/api/locations", ""), 400)).contains("empty");
  }

  @Test
  void a_body_that_is_not_an_object_answers_400() {
    assertThat(assertProblem(api.post("/api/locations", "[1, 2]"), 400))
        .contains("JSON object");
  }

  @Test
  void an_unknown_field_answers_400_naming_the_field_and_creates_nothing() {
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post("/api/locations", ApiClient.json("code", "C-1", "name", "Clinic", "colour", "red"));

    assertThat(assertProblem(reply, 400)).contains("'colour'");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_missing_field_answers_400_naming_the_field() {
    Reply reply = api.post("/api/locations", ApiClient.json("code", "C-1"));

    assertThat(assertProblem(reply, 400)).contains("'name'");
  }

  @Test
  void a_slot_with_a_bad_instant_answers_400_and_creates_nothing() {
    String location = sync.location();
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post(
            "/api/slots",
            ApiClient.json(
                "locationId", location,
                "start", "next tuesday at nine",
                "end", "2027-03-01T09:15:00Z",
                "capacity", 1));

    assertThat(assertProblem(reply, 400)).contains("'start'").contains("ISO-8601");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_slot_that_ends_before_it_starts_answers_400_and_creates_nothing() {
    String location = sync.location();
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post(
            "/api/slots",
            ApiClient.json(
                "locationId", location,
                "start", "2027-03-01T09:15:00Z",
                "end", "2027-03-01T09:00:00Z",
                "capacity", 1));

    assertThat(assertProblem(reply, 400)).contains("after start");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_slot_with_capacity_zero_answers_400_and_creates_nothing() {
    String location = sync.location();
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post(
            "/api/slots",
            ApiClient.json(
                "locationId", location,
                "start", "2027-03-01T09:00:00Z",
                "end", "2027-03-01T09:15:00Z",
                "capacity", 0));

    assertThat(assertProblem(reply, 400)).contains("capacity");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_slot_with_a_fractional_capacity_answers_400() {
    String location = sync.location();

    Reply reply =
        api.post(
            "/api/slots",
            ApiClient.json(
                "locationId", location,
                "start", "2027-03-01T09:00:00Z",
                "end", "2027-03-01T09:15:00Z",
                "capacity", 1.5));

    assertThat(assertProblem(reply, 400)).contains("'capacity'").contains("integer");
  }

  @Test
  void a_slot_at_an_unknown_location_answers_404_and_creates_nothing() {
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post(
            "/api/slots",
            ApiClient.json(
                "locationId", "no-such-location",
                "start", "2027-03-01T09:00:00Z",
                "end", "2027-03-01T09:15:00Z",
                "capacity", 1));

    assertProblem(reply, 404);
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_patient_with_a_bad_birth_date_answers_400_without_echoing_it_and_creates_nothing() {
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post(
            "/api/patients",
            ApiClient.json(
                "mrn", "MRN-1", "givenName", "Ada", "familyName", "Byron",
                "birthDate", "1815-13-10"));

    assertThat(assertProblem(reply, 400)).contains("'birthDate'").doesNotContain("1815-13-10");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_patient_born_in_the_future_answers_400_and_creates_nothing() {
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post(
            "/api/patients",
            ApiClient.json(
                "mrn", "MRN-1", "givenName", "Ada", "familyName", "Byron",
                "birthDate", "2999-01-01"));

    assertThat(assertProblem(reply, 400)).contains("birthDate");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_second_patient_with_the_same_mrn_answers_409_without_echoing_the_mrn() {
    String body =
        ApiClient.json(
            "mrn", "MRN-55501", "givenName", "Ada", "familyName", "Byron",
            "birthDate", "1980-12-10");
    assertThat(api.post("/api/patients", body).status()).isEqualTo(201);
    RunningSync.Counts before = sync.counts();

    Reply again = api.post("/api/patients", body);

    assertThat(assertProblem(again, 409)).doesNotContain("MRN-55501");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void an_oversized_body_answers_413_and_creates_nothing() {
    RunningSync.Counts before = sync.counts();
    String huge = ApiClient.json("code", "C-1", "name", "x".repeat(300 * 1024));

    Reply reply = api.post("/api/locations", huge);

    assertProblem(reply, 413);
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void unknown_ids_answer_404_problem_json() {
    for (String path :
        new String[] {
          "/api/patients/nope",
          "/api/locations/nope",
          "/api/slots/nope",
          "/api/appointments/nope",
          "/api/deliveries/nope"
        }) {
      assertThat(assertProblem(api.get(path), 404)).as(path).contains("'nope'");
    }
  }

  @Test
  void commands_on_an_unknown_appointment_answer_404_and_change_nothing() {
    String slot = sync.slot(sync.location(), 1);
    RunningSync.Counts before = sync.counts();

    assertProblem(
        api.post("/api/appointments/nope/reschedule", ApiClient.json("slotId", slot)), 404);
    assertProblem(api.post("/api/appointments/nope/cancel", ApiClient.json("reason", "ill")), 404);
    assertProblem(api.post("/api/appointments/nope/complete", ""), 404);
    assertProblem(api.post("/api/deliveries/nope/replay", ""), 404);
    assertProblem(api.post("/api/deliveries/nope/discard", ""), 404);

    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void booking_an_unknown_patient_or_slot_answers_404_and_changes_nothing() {
    String patient = sync.patient();
    String slot = sync.slot(sync.location(), 1);
    RunningSync.Counts before = sync.counts();

    assertThat(
            assertProblem(
                api.post(
                    "/api/appointments", ApiClient.json("patientId", "ghost", "slotId", slot)),
                404))
        .contains("patient");
    assertThat(
            assertProblem(
                api.post(
                    "/api/appointments", ApiClient.json("patientId", patient, "slotId", "ghost")),
                404))
        .contains("slot");

    assertThat(sync.counts()).isEqualTo(before);
    assertThat(sync.slotView(slot).path("booked").asInt()).isZero();
  }

  @Test
  void booking_a_full_slot_answers_409_and_changes_nothing() {
    String location = sync.location();
    String slot = sync.slot(location, 1);
    String first = sync.book(sync.patient(), slot);
    sync.awaitDeliveries(first, "succeeded");
    String latecomer = sync.patient();
    RunningSync.Counts before = sync.counts();
    JsonNode deliveriesBefore = sync.allDeliveries();

    Reply reply =
        api.post("/api/appointments", ApiClient.json("patientId", latecomer, "slotId", slot));

    assertThat(assertProblem(reply, 409)).contains("full");
    assertThat(sync.counts()).isEqualTo(before);
    assertThat(sync.allDeliveries()).isEqualTo(deliveriesBefore);
    assertThat(api.get("/api/appointments?patientId=" + latecomer).json().path("items")).isEmpty();
    JsonNode slotAfter = sync.slotView(slot);
    assertThat(slotAfter.path("booked").asInt()).isEqualTo(1);
    assertThat(slotAfter.path("available").asInt()).isZero();
    assertThat(iis.ledger()).hasSize(1);
  }

  @Test
  void rescheduling_into_a_full_slot_answers_409_and_keeps_both_slots_and_the_version() {
    String location = sync.location();
    String from = sync.slot(location, 1);
    String full = sync.slot(location, 1);
    sync.book(sync.patient(), full);
    String appointment = sync.book(sync.patient(), from);
    sync.awaitDeliveries(appointment, "succeeded");
    RunningSync.Counts before = sync.counts();
    JsonNode deliveriesBefore = sync.allDeliveries();

    Reply reply =
        api.post(
            "/api/appointments/" + appointment + "/reschedule", ApiClient.json("slotId", full));

    assertProblem(reply, 409);
    JsonNode unchanged = sync.appointment(appointment);
    assertThat(unchanged.path("slotId").asText()).isEqualTo(from);
    assertThat(unchanged.path("version").asLong()).isEqualTo(1);
    assertThat(sync.slotView(from).path("booked").asInt()).isEqualTo(1);
    assertThat(sync.slotView(full).path("booked").asInt()).isEqualTo(1);
    assertThat(sync.counts()).isEqualTo(before);
    assertThat(sync.allDeliveries()).isEqualTo(deliveriesBefore);
  }

  @Test
  void a_cancel_reason_over_500_characters_answers_400_and_keeps_the_appointment() {
    String slot = sync.slot(sync.location(), 1);
    String appointment = sync.book(sync.patient(), slot);
    sync.awaitDeliveries(appointment, "succeeded");
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post(
            "/api/appointments/" + appointment + "/cancel",
            ApiClient.json("reason", "r".repeat(501)));

    assertThat(assertProblem(reply, 400)).contains("500");
    assertThat(sync.appointment(appointment).path("status").asText()).isEqualTo("booked");
    assertThat(sync.slotView(slot).path("booked").asInt()).isEqualTo(1);
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void rescheduling_into_the_same_slot_answers_409_and_changes_nothing() {
    String slot = sync.slot(sync.location(), 2);
    String appointment = sync.book(sync.patient(), slot);
    sync.awaitDeliveries(appointment, "succeeded");
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post("/api/appointments/" + appointment + "/reschedule", ApiClient.json("slotId", slot));

    assertProblem(reply, 409);
    assertThat(sync.appointment(appointment).path("version").asLong()).isEqualTo(1);
    assertThat(sync.slotView(slot).path("booked").asInt()).isEqualTo(1);
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void an_unknown_delivery_status_answers_400() {
    assertThat(assertProblem(api.get("/api/deliveries?status=lost"), 400))
        .contains("pending, retrying, succeeded, dead, parked");
  }

  @Test
  void an_unknown_appointment_status_answers_400() {
    assertThat(assertProblem(api.get("/api/appointments?status=postponed"), 400))
        .contains("booked");
  }

  @Test
  void a_limit_out_of_range_answers_400() {
    assertProblem(api.get("/api/deliveries?limit=0"), 400);
    assertProblem(api.get("/api/appointments?limit=many"), 400);
  }
}
