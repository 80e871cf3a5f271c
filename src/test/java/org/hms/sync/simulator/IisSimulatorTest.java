package org.hms.sync.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.hms.sync.SyncException;
import org.hms.sync.simulator.SimHttp.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IisSimulatorTest {

  private static final String APPOINTMENTS = "/api/appointments";
  private static final String BOOKING = "{\"patientId\":\"p-1\",\"vaccine\":\"MMR\",\"start\":\"2025-03-01T09:00\"}";

  private IisSimulator simulator;
  private SimHttp http;

  @BeforeEach
  void start() {
    simulator = IisSimulator.start(SimulatorOptions.defaults());
    http = new SimHttp(simulator);
  }

  @AfterEach
  void stop() {
    simulator.close();
  }

  @Test
  void simulator_listens_on_a_free_loopback_port() {
    assertThat(simulator.port()).isPositive();
    assertThat(simulator.baseUrl()).hasToString("http://127.0.0.1:" + simulator.port() + "/api");
  }

  @Test
  void create_answers_201_with_an_iis_id_and_booked_status() {
    Reply created = http.post(APPOINTMENTS, BOOKING);

    assertThat(created.status()).isEqualTo(201);
    assertThat(created.text("id")).matches("iis-\\d+");
    assertThat(created.text("status")).isEqualTo("booked");
    assertThat(created.text("vaccine")).isEqualTo("MMR");
    assertThat(created.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    SimAppointment stored = simulator.appointment(created.text("id")).orElseThrow();
    assertThat(stored.fields()).containsEntry("patientId", "p-1").containsEntry("vaccine", "MMR");
    assertThat(stored.status()).isEqualTo("booked");
    assertThat(stored.updates()).isZero();
  }

  @Test
  void create_takes_the_status_from_the_body_when_it_is_a_string() {
    Reply created = http.post(APPOINTMENTS, "{\"status\":\"pending\",\"patientId\":\"p-2\"}");

    assertThat(created.text("status")).isEqualTo("pending");
    assertThat(simulator.appointment(created.text("id")).orElseThrow().status()).isEqualTo("pending");
  }

  @Test
  void update_merges_fields_and_counts_the_update() {
    String id = http.post(APPOINTMENTS, BOOKING).text("id");

    Reply updated = http.put(APPOINTMENTS + "/" + id, "{\"start\":\"2025-03-02T10:00\",\"room\":\"B\"}");

    assertThat(updated.status()).isEqualTo(200);
    assertThat(updated.text("id")).isEqualTo(id);
    assertThat(updated.text("vaccine")).isEqualTo("MMR");
    assertThat(updated.text("start")).isEqualTo("2025-03-02T10:00");
    assertThat(updated.text("room")).isEqualTo("B");
    SimAppointment stored = simulator.appointment(id).orElseThrow();
    assertThat(stored.fields()).containsEntry("start", "2025-03-02T10:00").containsEntry("patientId", "p-1");
    assertThat(stored.updates()).isEqualTo(1);
    assertThat(stored.updatedAt()).isAfterOrEqualTo(stored.createdAt());
  }

  @Test
  void patch_merges_like_put() {
    String id = http.post(APPOINTMENTS, BOOKING).text("id");

    Reply patched = http.send("PATCH", APPOINTMENTS + "/" + id, "{\"status\":\"arrived\"}");

    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.text("status")).isEqualTo("arrived");
    assertThat(patched.text("vaccine")).isEqualTo("MMR");
  }

  @Test
  void delete_cancels_and_keeps_the_appointment() {
    String id = http.post(APPOINTMENTS, BOOKING).text("id");

    Reply cancelled = http.delete(APPOINTMENTS + "/" + id);

    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.text("id")).isEqualTo(id);
    assertThat(cancelled.text("status")).isEqualTo("cancelled");
    Reply read = http.get(APPOINTMENTS + "/" + id);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.text("status")).isEqualTo("cancelled");
    assertThat(read.text("vaccine")).isEqualTo("MMR");
    assertThat(simulator.appointment(id).orElseThrow().updates()).isEqualTo(1);
  }

  @Test
  void list_returns_every_appointment_in_creation_order() {
    String first = http.post(APPOINTMENTS, "{\"n\":1}").text("id");
    String second = http.post(APPOINTMENTS, "{\"n\":2}").text("id");
    String third = http.post(APPOINTMENTS, "{\"n\":3}").text("id");

    Reply list = http.get(APPOINTMENTS);

    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body().path("items").findValuesAsText("id")).containsExactly(first, second, third);
    assertThat(simulator.appointments()).extracting(SimAppointment::externalId).containsExactly(first, second, third);
  }

  @Test
  void unknown_appointment_is_404_for_read_update_and_delete() {
    String unknown = APPOINTMENTS + "/iis-999";

    assertThat(http.get(unknown).status()).isEqualTo(404);
    assertThat(http.put(unknown, "{}").status()).isEqualTo(404);
    Reply deleted = http.delete(unknown);
    assertThat(deleted.status()).isEqualTo(404);
    assertThat(deleted.text("error")).contains("iis-999");
    assertThat(simulator.appointments()).isEmpty();
  }

  @Test
  void body_that_is_not_a_json_object_is_400() {
    String id = http.post(APPOINTMENTS, BOOKING).text("id");

    for (String body : List.of("[1,2]", "\"text\"", "{not json", "")) {
      Reply created = http.post(APPOINTMENTS, body);
      assertThat(created.status()).as("POST body %s", body).isEqualTo(400);
      assertThat(created.text("error")).as("POST body %s", body).isNotBlank();
    }
    assertThat(http.put(APPOINTMENTS + "/" + id, "[]").status()).isEqualTo(400);
    assertThat(simulator.appointments()).hasSize(1);
    assertThat(simulator.appointment(id).orElseThrow().updates()).isZero();
  }

  @Test
  void same_idempotency_key_is_applied_once() {
    Reply first = http.post(APPOINTMENTS, BOOKING, "Idempotency-Key", "event-1");
    Reply second = http.post(APPOINTMENTS, BOOKING, "Idempotency-Key", "event-1");

    assertThat(first.status()).isEqualTo(201);
    assertThat(first.header("Idempotent-Replayed")).isEmpty();
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.header("Idempotent-Replayed")).contains("true");
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(simulator.appointments()).hasSize(1);
    assertThat(simulator.ledger())
        .extracting(LedgerEntry::applied, LedgerEntry::replayed)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(true, false), org.assertj.core.groups.Tuple.tuple(false, true));
  }

  @Test
  void same_key_with_the_same_json_in_another_layout_is_replayed() {
    http.post(APPOINTMENTS, "{\"a\":1,\"b\":2}", "Idempotency-Key", "event-2");

    Reply again = http.post(APPOINTMENTS, "{ \"b\": 2, \"a\": 1 }", "Idempotency-Key", "event-2");

    assertThat(again.header("Idempotent-Replayed")).contains("true");
    assertThat(simulator.appointments()).hasSize(1);
  }

  @Test
  void same_idempotency_key_on_update_and_delete_is_applied_once() {
    String id = http.post(APPOINTMENTS, BOOKING).text("id");

    http.put(APPOINTMENTS + "/" + id, "{\"room\":\"A\"}", "Idempotency-Key", "update-1");
    http.put(APPOINTMENTS + "/" + id, "{\"room\":\"A\"}", "Idempotency-Key", "update-1");
    http.delete(APPOINTMENTS + "/" + id, "Idempotency-Key", "delete-1");
    Reply replayedDelete = http.delete(APPOINTMENTS + "/" + id, "Idempotency-Key", "delete-1");

    assertThat(replayedDelete.header("Idempotent-Replayed")).contains("true");
    assertThat(simulator.appointment(id).orElseThrow().updates()).isEqualTo(2);
  }

  @Test
  void key_reused_with_another_body_is_422() {
    http.post(APPOINTMENTS, BOOKING, "Idempotency-Key", "event-3");

    Reply reused = http.post(APPOINTMENTS, "{\"patientId\":\"p-9\"}", "Idempotency-Key", "event-3");

    assertThat(reused.status()).isEqualTo(422);
    assertThat(reused.text("error")).contains("event-3");
    assertThat(simulator.appointments()).hasSize(1);
  }

  @Test
  void key_reused_on_another_path_is_422() {
    String id = http.post(APPOINTMENTS, BOOKING, "Idempotency-Key", "event-4").text("id");

    Reply reused = http.put(APPOINTMENTS + "/" + id, BOOKING, "Idempotency-Key", "event-4");

    assertThat(reused.status()).isEqualTo(422);
    assertThat(simulator.appointment(id).orElseThrow().updates()).isZero();
  }

  @Test
  void key_still_in_flight_is_409() {
    simulator.setLatency(Duration.ofMillis(500));

    CompletableFuture<Reply> one = http.sendAsync("POST", APPOINTMENTS, BOOKING, "Idempotency-Key", "event-5");
    CompletableFuture<Reply> two = http.sendAsync("POST", APPOINTMENTS, BOOKING, "Idempotency-Key", "event-5");

    assertThat(List.of(one.join().status(), two.join().status())).containsExactlyInAnyOrder(201, 409);
    assertThat(simulator.appointments()).hasSize(1);
  }

  @Test
  void requests_without_a_key_are_applied_every_time() {
    http.post(APPOINTMENTS, BOOKING);
    http.post(APPOINTMENTS, BOOKING);

    assertThat(simulator.appointments()).hasSize(2);
  }

  @Test
  void fail_rate_of_one_answers_every_request_503_and_applies_nothing() {
    simulator.setFailRate(1.0);

    for (int attempt = 0; attempt < 5; attempt++) {
      Reply failed = http.post(APPOINTMENTS, BOOKING, "Idempotency-Key", "event-6");
      assertThat(failed.status()).isEqualTo(503);
      assertThat(failed.header("Retry-After")).contains("1");
      assertThat(failed.text("error")).isNotBlank();
    }

    assertThat(simulator.appointments()).isEmpty();
    assertThat(simulator.ledger()).hasSize(5).allSatisfy(entry -> {
      assertThat(entry.status()).isEqualTo(503);
      assertThat(entry.applied()).isFalse();
    });
  }

  @Test
  void retry_after_a_503_with_the_same_key_is_applied() {
    simulator.setFailRate(1.0);
    assertThat(http.post(APPOINTMENTS, BOOKING, "Idempotency-Key", "event-7").status()).isEqualTo(503);
    simulator.setFailRate(0.0);

    Reply retried = http.post(APPOINTMENTS, BOOKING, "Idempotency-Key", "event-7");

    assertThat(retried.status()).isEqualTo(201);
    assertThat(retried.header("Idempotent-Replayed")).isEmpty();
    assertThat(simulator.appointments()).hasSize(1);
  }

  @Test
  void goDown_answers_503_until_comeBack() {
    simulator.goDown(Duration.ofMinutes(10));

    assertThat(simulator.isDown()).isTrue();
    Reply down = http.post(APPOINTMENTS, BOOKING);
    assertThat(down.status()).isEqualTo(503);
    assertThat(down.header("Retry-After")).contains("1");
    assertThat(http.get(APPOINTMENTS).status()).isEqualTo(503);

    simulator.comeBack();

    assertThat(simulator.isDown()).isFalse();
    assertThat(http.post(APPOINTMENTS, BOOKING).status()).isEqualTo(201);
    assertThat(simulator.appointments()).hasSize(1);
  }

  @Test
  void down_for_at_start_ends_by_itself() {
    try (IisSimulator briefOutage =
        IisSimulator.start(SimulatorOptions.defaults().withDownFor(Duration.ofMillis(300)))) {
      SimHttp client = new SimHttp(briefOutage);

      assertThat(client.post(APPOINTMENTS, BOOKING).status()).isEqualTo(503);
      await().atMost(Duration.ofSeconds(5)).until(() -> !briefOutage.isDown());
      assertThat(client.post(APPOINTMENTS, BOOKING).status()).isEqualTo(201);
    }
  }

  @Test
  void latency_does_not_serialize_concurrent_requests() {
    simulator.setLatency(Duration.ofMillis(200));
    long started = System.nanoTime();

    List<CompletableFuture<Reply>> replies =
        IntStream.range(0, 20)
            .mapToObj(n -> http.sendAsync("POST", APPOINTMENTS, "{\"n\":" + n + "}"))
            .toList();
    List<Integer> statuses = replies.stream().map(reply -> reply.join().status()).toList();

    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    assertThat(statuses).hasSize(20).containsOnly(201);
    assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(200)).isLessThan(Duration.ofSeconds(2));
    assertThat(simulator.appointments()).hasSize(20);
  }

  @Test
  void concurrent_updates_to_one_appointment_are_all_applied() {
    String id = http.post(APPOINTMENTS, BOOKING).text("id");

    List<CompletableFuture<Reply>> replies =
        IntStream.range(0, 50)
            .mapToObj(n -> http.sendAsync("PUT", APPOINTMENTS + "/" + id, "{\"field" + n + "\":" + n + "}"))
            .toList();
    replies.forEach(reply -> assertThat(reply.join().status()).isEqualTo(200));

    SimAppointment stored = simulator.appointment(id).orElseThrow();
    assertThat(stored.updates()).isEqualTo(50);
    assertThat(stored.fields()).containsKeys("field0", "field25", "field49");
  }

  @Test
  void required_token_rejects_requests_without_it_with_401() {
    try (IisSimulator guarded =
        IisSimulator.start(SimulatorOptions.defaults().withRequiredToken("s3cret"))) {
      SimHttp client = new SimHttp(guarded);

      assertThat(client.post(APPOINTMENTS, BOOKING).status()).isEqualTo(401);
      assertThat(client.post(APPOINTMENTS, BOOKING, "Authorization", "Bearer wrong").status()).isEqualTo(401);
      assertThat(client.post(APPOINTMENTS, BOOKING, "Authorization", "Bearer s3cret").status()).isEqualTo(201);
      assertThat(client.get("/sim/stats").status()).isEqualTo(200);
      assertThat(guarded.appointments()).hasSize(1);
      assertThat(guarded.ledger()).extracting(LedgerEntry::status).containsExactly(401, 401, 201);
    }
  }

  @Test
  void ledger_lists_every_request_in_arrival_order() {
    String id = http.post(APPOINTMENTS, BOOKING, "Idempotency-Key", "event-8").text("id");
    http.post(APPOINTMENTS, BOOKING, "Idempotency-Key", "event-8");
    http.put(APPOINTMENTS + "/" + id, "{\"room\":\"C\"}");
    http.get(APPOINTMENTS + "/iis-404");
    http.delete(APPOINTMENTS + "/" + id);

    List<LedgerEntry> ledger = simulator.ledger();

    assertThat(ledger).extracting(LedgerEntry::position).isSorted().doesNotHaveDuplicates();
    assertThat(ledger).extracting(LedgerEntry::method).containsExactly("POST", "POST", "PUT", "GET", "DELETE");
    assertThat(ledger).extracting(LedgerEntry::status).containsExactly(201, 201, 200, 404, 200);
    assertThat(ledger).extracting(LedgerEntry::applied).containsExactly(true, false, true, false, true);
    assertThat(ledger).extracting(LedgerEntry::replayed).containsExactly(false, true, false, false, false);
    assertThat(ledger).extracting(LedgerEntry::externalId).containsExactly(id, id, id, "iis-404", id);
    assertThat(ledger.get(0).idempotencyKey()).isEqualTo("event-8");
    assertThat(ledger.get(0).body()).isEqualTo(BOOKING);
    assertThat(ledger.get(0).path()).isEqualTo(APPOINTMENTS);
    assertThat(ledger.get(4).body()).isNull();

    Reply stats = http.get("/sim/stats");
    assertThat(stats.body().path("requests").asInt()).isEqualTo(5);
    assertThat(stats.body().path("applied").asInt()).isEqualTo(3);
    assertThat(stats.body().path("replayed").asInt()).isEqualTo(1);
    assertThat(stats.body().path("rejected").asInt()).isEqualTo(1);
    assertThat(stats.body().path("appointments").asInt()).isEqualTo(1);
    assertThat(stats.body().path("down").asBoolean()).isFalse();
    Reply ledgerJson = http.get("/sim/ledger");
    assertThat(ledgerJson.body().path("entries")).hasSize(5);
    assertThat(ledgerJson.body().path("entries").get(1).path("replayed").asBoolean()).isTrue();
  }

  @Test
  void control_endpoints_steer_the_simulator() {
    assertThat(http.post("/sim/down?for=10m", null).body().path("down").asBoolean()).isTrue();
    assertThat(simulator.isDown()).isTrue();
    assertThat(http.post("/sim/up", null).status()).isEqualTo(200);
    assertThat(simulator.isDown()).isFalse();

    assertThat(http.post("/sim/fail-rate?rate=1", null).status()).isEqualTo(200);
    assertThat(http.post(APPOINTMENTS, BOOKING).status()).isEqualTo(503);
    assertThat(http.post("/sim/fail-rate?rate=0", null).status()).isEqualTo(200);
    assertThat(http.post(APPOINTMENTS, BOOKING).status()).isEqualTo(201);

    assertThat(http.post("/sim/fail-rate?rate=1.5", null).status()).isEqualTo(400);
    assertThat(http.post("/sim/fail-rate?rate=lots", null).status()).isEqualTo(400);
    Reply badDuration = http.post("/sim/down?for=soon", null);
    assertThat(badDuration.status()).isEqualTo(400);
    assertThat(badDuration.text("error")).contains("soon");
    assertThat(http.post("/sim/down", null).status()).isEqualTo(400);

    Reply reset = http.post("/sim/reset", null);
    assertThat(reset.body().path("requests").asInt()).isZero();
    assertThat(simulator.appointments()).isEmpty();
  }

  @Test
  void reset_forgets_appointments_ledger_and_keys_but_never_reuses_ids() {
    String before = http.post(APPOINTMENTS, BOOKING, "Idempotency-Key", "event-9").text("id");

    simulator.reset();

    assertThat(simulator.appointments()).isEmpty();
    assertThat(simulator.ledger()).isEmpty();
    Reply after = http.post(APPOINTMENTS, BOOKING, "Idempotency-Key", "event-9");
    assertThat(after.header("Idempotent-Replayed")).isEmpty();
    assertThat(after.text("id")).isNotEqualTo(before);
  }

  @Test
  void snapshots_cannot_change_the_simulator() {
    String id = http.post(APPOINTMENTS, "{\"nested\":{\"a\":1},\"list\":[1]}").text("id");
    SimAppointment snapshot = simulator.appointment(id).orElseThrow();

    assertThatThrownBy(() -> snapshot.fields().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> simulator.ledger().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void second_simulator_on_a_taken_port_fails_with_a_clear_message() {
    assertThatThrownBy(() -> IisSimulator.start(SimulatorOptions.defaults().withPort(simulator.port())))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining(String.valueOf(simulator.port()))
        .hasMessageContaining("pick another port");
  }

  @Test
  void close_can_be_called_twice() {
    simulator.close();
    simulator.close();
  }
}
