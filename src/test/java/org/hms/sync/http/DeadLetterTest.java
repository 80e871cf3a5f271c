package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.hms.sync.http.ProblemAssert.assertProblem;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.hms.sync.http.ApiClient.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Permanent failures: an IIS that answers 422 dead-letters the delivery at once, parks what
 * follows for the same appointment, and replay or discard (through the API) sets it moving again.
 */
class DeadLetterTest {
  @TempDir Path dir;

  private StubIis iis;
  private RunningSync sync;
  private ApiClient api;

  @BeforeEach
  void start() {
    iis = StubIis.start();
    sync = RunningSync.start(dir, iis.baseUrl());
    api = sync.api;
  }

  @AfterEach
  void stop() {
    sync.close();
    iis.close();
  }

  @Test
  void a_permanent_rejection_dead_letters_the_delivery_at_once_with_its_attempt_history() {
    iis.refuse("POST");

    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 1));

    sync.awaitDeliveries(appointment, "dead");
    String deliveryId = onlyDelivery(appointment);
    JsonNode dead = sync.delivery(deliveryId);
    assertThat(dead.path("attemptCount").asInt()).isEqualTo(1);
    assertThat(dead.path("lastHttpStatus").asInt()).isEqualTo(422);
    assertThat(dead.path("lastError").asText()).contains("HTTP 422");
    assertThat(dead.path("completedAt").asText()).isNotBlank();
    JsonNode attempts = dead.path("attempts");
    assertThat(attempts).hasSize(1);
    JsonNode attempt = attempts.get(0);
    assertThat(attempt.path("attempt").asInt()).isEqualTo(1);
    assertThat(attempt.path("httpStatus").asInt()).isEqualTo(422);
    assertThat(attempt.path("outcome").asText()).isEqualTo("dead");
    assertThat(attempt.path("errorClass").asText()).isEqualTo("HttpStatus");
    assertThat(attempt.path("errorMessage").asText())
        .contains("HTTP 422")
        .contains("POST /api/appointments");
    assertThat(attempt.path("startedAt").asText()).isNotBlank();
    assertThat(attempt.path("durationMs").asLong()).isNotNegative();
    assertThat(iis.received()).hasSize(1);
    JsonNode connector = sync.connector();
    assertThat(connector.path("dead").asInt()).isEqualTo(1);
    assertThat(connector.path("lastError").asText()).contains("HTTP 422");
    assertThat(connector.path("lastErrorAt").asText()).isNotBlank();
  }

  @Test
  void later_events_of_a_dead_lettered_appointment_are_parked_and_not_sent() {
    iis.refuse("POST");
    String location = sync.location();
    String appointment = sync.book(sync.patient(), sync.slot(location, 1));
    sync.awaitDeliveries(appointment, "dead");

    reschedule(appointment, sync.slot(location, 1));
    cancel(appointment);

    assertThat(sync.deliveryStatuses(appointment)).containsExactly("dead", "parked", "parked");
    assertThat(sync.deliveries(appointment).subList(1, 3))
        .allSatisfy(parked -> assertThat(parked.path("attemptCount").asInt()).isZero());
    assertThat(api.get("/api/deliveries?status=parked").json().path("items")).hasSize(2);
    JsonNode connector = sync.connector();
    assertThat(connector.path("parked").asInt()).isEqualTo(2);
    assertThat(connector.path("dead").asInt()).isEqualTo(1);
    assertThat(connector.path("backlog").asInt()).isEqualTo(2);
    assertThat(iis.received()).hasSize(1);
  }

  @Test
  void replaying_the_dead_delivery_after_the_fix_delivers_it_and_its_followers_in_order() {
    iis.refuse("POST");
    String location = sync.location();
    String appointment = sync.book(sync.patient(), sync.slot(location, 1));
    sync.awaitDeliveries(appointment, "dead");
    reschedule(appointment, sync.slot(location, 1));
    cancel(appointment);
    sync.awaitDeliveries(appointment, "dead", "parked", "parked");
    String deadId = sync.deliveries(appointment).get(0).path("id").asText();

    iis.acceptAll();
    Reply replayed = api.post("/api/deliveries/" + deadId + "/replay", "");

    assertThat(replayed.status()).as(replayed.text()).isEqualTo(200);
    assertThat(replayed.field("id")).isEqualTo(deadId);
    assertThat(replayed.field("status")).isIn("pending", "succeeded");
    sync.awaitDeliveries(appointment, "succeeded", "succeeded", "succeeded");
    List<String> keys =
        sync.deliveries(appointment).stream().map(d -> d.path("id").asText()).toList();
    assertThat(iis.acceptedCalls())
        .containsExactly(
            "POST /api/appointments",
            "PUT /api/appointments/ext-1",
            "DELETE /api/appointments/ext-1");
    assertThat(iis.acceptedKeys()).containsExactlyElementsOf(keys);
    assertThat(iis.received().get(0).idempotencyKey())
        .as("the refused first attempt and the replay carry the same key")
        .isEqualTo(deadId);
    JsonNode history = sync.delivery(deadId).path("attempts");
    assertThat(history).hasSize(2);
    assertThat(history.get(0).path("outcome").asText()).isEqualTo("dead");
    assertThat(history.get(0).path("httpStatus").asInt()).isEqualTo(422);
    assertThat(history.get(1).path("outcome").asText()).isEqualTo("succeeded");
    assertThat(history.get(1).path("httpStatus").asInt()).isEqualTo(201);
    assertThat(history.get(1).path("attempt").asInt()).isEqualTo(2);
    JsonNode connector = sync.connector();
    assertThat(connector.path("backlog").asInt()).isZero();
    assertThat(connector.path("dead").asInt()).isZero();
    assertThat(connector.path("lastSuccessAt").asText()).isNotBlank();
  }

  @Test
  void replaying_a_delivery_that_is_not_dead_answers_409_and_changes_nothing() {
    iis.refuse("POST");
    String location = sync.location();
    String appointment = sync.book(sync.patient(), sync.slot(location, 1));
    sync.awaitDeliveries(appointment, "dead");
    reschedule(appointment, sync.slot(location, 1));
    String parkedId = sync.deliveries(appointment).get(1).path("id").asText();
    iis.acceptAll();
    String fine = sync.book(sync.patient(), sync.slot(location, 1));
    sync.awaitDeliveries(fine, "succeeded");
    String succeededId = onlyDelivery(fine);
    JsonNode deliveriesBefore = sync.allDeliveries();

    Reply parked = api.post("/api/deliveries/" + parkedId + "/replay", "");
    Reply succeeded = api.post("/api/deliveries/" + succeededId + "/replay", "");

    assertThat(assertProblem(parked, 409)).contains("parked");
    assertThat(assertProblem(succeeded, 409)).contains("succeeded");
    assertThat(sync.allDeliveries()).isEqualTo(deliveriesBefore);
    assertThat(iis.acceptedCalls()).containsExactly("POST /api/appointments");
  }

  @Test
  void discarding_a_dead_delivery_releases_its_parked_followers() {
    iis.refuse("PUT");
    String location = sync.location();
    String appointment = sync.book(sync.patient(), sync.slot(location, 1));
    reschedule(appointment, sync.slot(location, 1));
    sync.awaitDeliveries(appointment, "succeeded", "dead");
    cancel(appointment);
    sync.awaitDeliveries(appointment, "succeeded", "dead", "parked");
    String deadId = sync.deliveries(appointment).get(1).path("id").asText();

    Reply discarded = api.post("/api/deliveries/" + deadId + "/discard", "");

    assertThat(discarded.status()).as(discarded.text()).isEqualTo(200);
    assertThat(discarded.field("status")).isEqualTo("discarded");
    sync.awaitDeliveries(appointment, "succeeded", "discarded", "succeeded");
    assertThat(iis.received())
        .extracting(StubIis.Received::call, StubIis.Received::status)
        .containsExactly(
            tuple("POST /api/appointments", 201),
            tuple("PUT /api/appointments/ext-1", 422),
            tuple("DELETE /api/appointments/ext-1", 200));
    JsonNode connector = sync.connector();
    assertThat(connector.path("dead").asInt()).isZero();
    assertThat(connector.path("parked").asInt()).isZero();
    assertThat(connector.path("backlog").asInt()).isZero();
  }

  @Test
  void discarding_a_delivery_that_is_not_dead_answers_409_and_changes_nothing() {
    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 1));
    sync.awaitDeliveries(appointment, "succeeded");
    JsonNode deliveriesBefore = sync.allDeliveries();

    Reply reply = api.post("/api/deliveries/" + onlyDelivery(appointment) + "/discard", "");

    assertThat(assertProblem(reply, 409)).contains("only dead");
    assertThat(sync.allDeliveries()).isEqualTo(deliveriesBefore);
  }

  @Test
  void replaying_a_discarded_delivery_answers_409_so_an_old_change_cannot_overtake_a_newer_one() {
    iis.refuse("PUT");
    String location = sync.location();
    String appointment = sync.book(sync.patient(), sync.slot(location, 1));
    reschedule(appointment, sync.slot(location, 1));
    sync.awaitDeliveries(appointment, "succeeded", "dead");
    cancel(appointment);
    String rescheduleId = sync.deliveries(appointment).get(1).path("id").asText();
    assertThat(api.post("/api/deliveries/" + rescheduleId + "/discard", "").status())
        .isEqualTo(200);
    sync.awaitDeliveries(appointment, "succeeded", "discarded", "succeeded");
    iis.acceptAll();

    // The IIS already has the cancellation; sending the older reschedule now would re-book the
    // appointment there (its body says status "booked"), after the slot was freed in the EMR.
    Reply replayed = api.post("/api/deliveries/" + rescheduleId + "/replay", "");

    assertThat(assertProblem(replayed, 409)).contains(rescheduleId);
    assertThat(sync.deliveryStatuses(appointment))
        .containsExactly("succeeded", "discarded", "succeeded");
  }

  @Test
  void a_dead_letter_holds_back_only_its_own_appointment() {
    String location = sync.location();
    String slot = sync.slot(location, 2);
    String stuckPatient = sync.patient();
    String mrn = api.get("/api/patients/" + stuckPatient).field("mrn");
    iis.refuse(request -> request.body().contains("\"" + mrn + "\""));
    String stuck = sync.book(stuckPatient, slot);
    sync.awaitDeliveries(stuck, "dead");
    String flowing = sync.book(sync.patient(), slot);

    reschedule(stuck, sync.slot(location, 1));
    reschedule(flowing, sync.slot(location, 1));

    sync.awaitDeliveries(flowing, "succeeded", "succeeded");
    assertThat(sync.deliveryStatuses(stuck)).containsExactly("dead", "parked");
    assertThat(iis.acceptedKeys())
        .containsExactlyElementsOf(
            sync.deliveries(flowing).stream().map(d -> d.path("id").asText()).toList());
  }

  @Test
  void bulk_replay_answers_how_many_dead_deliveries_it_replayed() {
    iis.refuse("POST");
    String slot = sync.slot(sync.location(), 3);
    String first = sync.book(sync.patient(), slot);
    String second = sync.book(sync.patient(), slot);
    sync.awaitDeliveries(first, "dead");
    sync.awaitDeliveries(second, "dead");
    String third = sync.book(sync.patient(), slot);
    cancel(third);
    sync.awaitDeliveries(third, "dead", "parked");
    iis.acceptAll();

    Reply replayed =
        api.post("/api/deliveries/replay?status=dead&connector=" + RunningSync.CONNECTOR, "");

    assertThat(replayed.status()).as(replayed.text()).isEqualTo(200);
    assertThat(replayed.json().path("replayed").asInt()).isEqualTo(3);
    sync.awaitDeliveries(first, "succeeded");
    sync.awaitDeliveries(second, "succeeded");
    sync.awaitDeliveries(third, "succeeded", "succeeded");
    assertThat(iis.acceptedCalls()).filteredOn(call -> call.startsWith("POST")).hasSize(3);
    Reply again = api.post("/api/deliveries/replay", "");
    assertThat(again.json().path("replayed").asInt()).isZero();
  }

  @Test
  void bulk_replay_refuses_other_statuses_and_unknown_connectors() {
    assertThat(assertProblem(api.post("/api/deliveries/replay?status=parked", ""), 400))
        .contains("status=dead");
    assertThat(assertProblem(api.post("/api/deliveries/replay?status=lost", ""), 400))
        .contains("unknown delivery status");
    assertThat(assertProblem(api.post("/api/deliveries/replay?connector=fax-machine", ""), 404))
        .contains("fax-machine");
  }

  private String onlyDelivery(String appointment) {
    List<JsonNode> deliveries = sync.deliveries(appointment);
    assertThat(deliveries).hasSize(1);
    return deliveries.get(0).path("id").asText();
  }

  private void reschedule(String appointment, String slot) {
    Reply moved =
        api.post("/api/appointments/" + appointment + "/reschedule", ApiClient.json("slotId", slot));
    assertThat(moved.status()).as(moved.text()).isEqualTo(200);
  }

  private void cancel(String appointment) {
    Reply cancelled = api.post("/api/appointments/" + appointment + "/cancel", "");
    assertThat(cancelled.status()).as(cancelled.text()).isEqualTo(200);
  }
}
