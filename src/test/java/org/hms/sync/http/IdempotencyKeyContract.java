package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hms.sync.http.ProblemAssert.assertProblem;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hms.sync.http.ApiClient.Reply;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Idempotency-Key} on writing requests: a retry with the same key gets the first answer
 * again and changes nothing more, across restarts; the same key with another request is 422; a
 * key whose first request still runs is 409; a refused request frees its key. Subclassed per
 * database.
 */
abstract class IdempotencyKeyContract {
  static final String KEY = "Idempotency-Key";

  @TempDir Path dir;

  private IisSimulator iis;
  RunningSync sync;
  ApiClient api;

  abstract RunningSync start(Path dir, URI iisBaseUrl);

  @BeforeEach
  void startService() {
    iis = IisSimulator.start(SimulatorOptions.defaults());
    sync = start(dir, iis.baseUrl());
    api = sync.api;
  }

  @AfterEach
  void stop() {
    sync.close();
    iis.close();
  }

  @Test
  void a_booking_retried_with_the_same_key_books_once_and_answers_the_first_answer_again() {
    String patient = sync.patient();
    String slot = sync.slot(sync.location(), 5);
    String booking = ApiClient.json("patientId", patient, "slotId", slot);

    Reply first = api.post("/api/appointments", booking, KEY, "booking-7f3a");
    RunningSync.Counts afterFirst = sync.counts();
    Reply retry = api.post("/api/appointments", booking, KEY, "booking-7f3a");

    assertThat(first.status()).as(first.text()).isEqualTo(201);
    assertThat(first.header("Idempotent-Replayed")).isEmpty();
    assertThat(retry.status()).isEqualTo(201);
    assertThat(retry.header("Idempotent-Replayed")).contains("true");
    assertThat(retry.json()).isEqualTo(first.json());
    assertThat(retry.header("Location")).isEqualTo(first.header("Location"));
    assertThat(retry.header("ETag")).isEqualTo(first.header("ETag"));
    assertThat(retry.contentType()).startsWith("application/json");
    assertThat(sync.counts()).isEqualTo(afterFirst);
    assertThat(appointmentsOf(patient)).hasSize(1);
    assertThat(sync.slotView(slot).path("booked").asInt()).isEqualTo(1);
  }

  @Test
  void requests_without_a_key_are_not_deduplicated() {
    String patient = sync.patient();
    String slot = sync.slot(sync.location(), 5);
    String booking = ApiClient.json("patientId", patient, "slotId", slot);

    assertThat(api.post("/api/appointments", booking).status()).isEqualTo(201);
    assertThat(api.post("/api/appointments", booking).status()).isEqualTo(201);

    assertThat(appointmentsOf(patient)).hasSize(2);
  }

  @Test
  void the_same_key_with_another_body_answers_422_and_changes_nothing() {
    String patient = sync.patient();
    String location = sync.location();
    String slot = sync.slot(location, 5);
    String other = sync.slot(location, 5);
    api.post("/api/appointments", ApiClient.json("patientId", patient, "slotId", slot), KEY, "k-1");
    RunningSync.Counts before = sync.counts();

    Reply reused =
        api.post(
            "/api/appointments", ApiClient.json("patientId", patient, "slotId", other), KEY, "k-1");

    assertThat(assertProblem(reused, 422)).contains("different request");
    assertThat(sync.counts()).isEqualTo(before);
    assertThat(sync.slotView(other).path("booked").asInt()).isZero();
  }

  @Test
  void the_same_key_on_another_path_answers_422() {
    String location = sync.location();
    api.post("/api/slots", slotBody(location, "2027-05-01T09:00:00Z"), KEY, "k-2");

    Reply reused =
        api.post("/api/locations", ApiClient.json("code", "C-K2", "name", "Other"), KEY, "k-2");

    assertProblem(reused, 422);
  }

  @Test
  void a_key_whose_first_request_still_runs_answers_409_until_its_claim_passes() {
    String patient = sync.patient();
    String slot = sync.slot(sync.location(), 5);
    String booking = ApiClient.json("patientId", patient, "slotId", slot);
    // Another node has claimed the key and is still running the request.
    claimElsewhere("busy-key", booking, Duration.ofMinutes(1));
    RunningSync.Counts before = sync.counts();

    Reply busy = api.post("/api/appointments", booking, KEY, "busy-key");

    assertThat(assertProblem(busy, 409)).contains("still being processed");
    assertThat(busy.header("Retry-After")).contains("1");
    assertThat(sync.counts()).isEqualTo(before);

    // That node died: once its claim has passed, the retry runs the request.
    claimElsewhere("busy-key", booking, Duration.ofMinutes(-1));
    Reply retry = api.post("/api/appointments", booking, KEY, "busy-key");

    assertThat(retry.status()).as(retry.text()).isEqualTo(201);
    assertThat(appointmentsOf(patient)).hasSize(1);
  }

  @Test
  void a_refused_request_frees_its_key_so_the_retry_runs_again() {
    String slot = sync.slot(sync.location(), 1);
    String holder = sync.book(sync.patient(), slot);
    String patient = sync.patient();
    String booking = ApiClient.json("patientId", patient, "slotId", slot);

    Reply full = api.post("/api/appointments", booking, KEY, "when-full");
    api.post("/api/appointments/" + holder + "/cancel", "{}");
    Reply retry = api.post("/api/appointments", booking, KEY, "when-full");

    assertProblem(full, 409);
    assertThat(retry.status()).as(retry.text()).isEqualTo(201);
    assertThat(retry.header("Idempotent-Replayed")).isEmpty();
    assertThat(appointmentsOf(patient)).hasSize(1);
  }

  @Test
  void a_cancel_retried_with_its_key_answers_200_again_instead_of_409() {
    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 1));
    String path = "/api/appointments/" + appointment + "/cancel";

    Reply first = api.post(path, "{\"reason\":\"patient called\"}", KEY, "cancel-1");
    Reply retry = api.post(path, "{\"reason\":\"patient called\"}", KEY, "cancel-1");
    Reply withoutKey = api.post(path, "{\"reason\":\"patient called\"}");

    assertThat(first.status()).isEqualTo(200);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.header("Idempotent-Replayed")).contains("true");
    assertThat(retry.json()).isEqualTo(first.json());
    assertProblem(withoutKey, 409);
    assertThat(sync.appointment(appointment).path("version").asLong()).isEqualTo(2);
  }

  @Test
  void keys_hold_across_a_restart() {
    String patient = sync.patient();
    String booking =
        ApiClient.json("patientId", patient, "slotId", sync.slot(sync.location(), 5));
    Reply first = api.post("/api/appointments", booking, KEY, "across-restart");

    sync = sync.restarted();
    Reply retry = sync.api.post("/api/appointments", booking, KEY, "across-restart");

    assertThat(retry.status()).isEqualTo(201);
    assertThat(retry.header("Idempotent-Replayed")).contains("true");
    assertThat(retry.json()).isEqualTo(first.json());
    assertThat(sync.api.get("/api/appointments?patientId=" + patient).json().path("items"))
        .hasSize(1);
  }

  @Test
  void an_answer_lost_on_the_way_is_given_again_to_the_retry_and_the_booking_made_once() {
    String patient = sync.patient();
    String booking =
        ApiClient.json("patientId", patient, "slotId", sync.slot(sync.location(), 5));
    try (RawHttp lost = new RawHttp(sync.app.port())) {
      lost.send(
          "POST /api/appointments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
              + RunningSync.ADMIN_TOKEN + "\r\nContent-Type: application/json\r\n"
              + "Idempotency-Key: lost-answer\r\nContent-Length: " + booking.length()
              + "\r\n\r\n" + booking);
      // The client goes away without reading the answer: its outcome is unknown to it.
    }

    Reply[] retry = new Reply[1];
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              retry[0] = api.post("/api/appointments", booking, KEY, "lost-answer");
              return retry[0].status() != 409;
            });

    assertThat(retry[0].status()).as(retry[0].text()).isEqualTo(201);
    assertThat(appointmentsOf(patient)).hasSize(1);
  }

  @Test
  void concurrent_requests_with_one_key_book_once() throws Exception {
    String patient = sync.patient();
    String booking =
        ApiClient.json("patientId", patient, "slotId", sync.slot(sync.location(), 20));
    ExecutorService clients = Executors.newFixedThreadPool(8);
    List<Future<Reply>> replies = new ArrayList<>();
    try {
      for (int client = 0; client < 8; client++) {
        replies.add(
            clients.submit(() -> api.post("/api/appointments", booking, KEY, "together")));
      }
      for (Future<Reply> reply : replies) {
        assertThat(reply.get().status()).as(reply.get().text()).isIn(201, 409);
      }
    } finally {
      clients.shutdownNow();
    }

    assertThat(appointmentsOf(patient)).hasSize(1);
    assertThat(replies.stream().filter(reply -> status(reply) == 201)).isNotEmpty();
  }

  @Test
  void expired_keys_are_purged_and_then_run_as_new() {
    String location = sync.location();
    api.post("/api/slots", slotBody(location, "2027-06-01T09:00:00Z"), KEY, "old-key");
    execute("UPDATE idempotency_key SET expires_at = created_at WHERE idem_key = 'old-key'");

    int purged = sync.app.idempotencyKeys().purgeExpired(100);
    Reply again = api.post("/api/slots", slotBody(location, "2027-06-01T09:00:00Z"), KEY, "old-key");

    assertThat(purged).isEqualTo(1);
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.header("Idempotent-Replayed")).isEmpty();
  }

  @Test
  void a_key_that_is_not_printable_ascii_or_too_long_answers_400() {
    String body = ApiClient.json("code", "C-K9", "name", "Nine");
    RunningSync.Counts before = sync.counts();

    assertProblem(api.post("/api/locations", body, KEY, "x".repeat(256)), 400);
    // The JDK client would send '?' for a character it cannot write: send the bytes by hand.
    for (String key : List.of("schl\u00fcssel", "a\u0001b")) {
      try (RawHttp raw = new RawHttp(sync.app.port())) {
        raw.send(
            "POST /api/locations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + RunningSync.ADMIN_TOKEN + "\r\nContent-Type: application/json\r\n"
                + "Idempotency-Key: " + key + "\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body);
        RawHttp.Answer answer = raw.answer();
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.header("content-type")).startsWith("application/problem+json");
      }
    }

    assertThat(sync.counts()).isEqualTo(before);
    assertThat(api.post("/api/locations", body, KEY, "x".repeat(255)).status()).isEqualTo(201);
  }

  // ---- helpers ----

  private List<JsonNode> appointmentsOf(String patient) {
    List<JsonNode> items = new ArrayList<>();
    api.get("/api/appointments?patientId=" + patient).json().path("items").forEach(items::add);
    return items;
  }

  private static String slotBody(String location, String start) {
    return ApiClient.json(
        "locationId", location, "start", start,
        "end", java.time.Instant.parse(start).plusSeconds(900).toString());
  }

  private static int status(Future<Reply> reply) {
    try {
      return reply.get().status();
    } catch (Exception failure) {
      throw new AssertionError(failure);
    }
  }

  /** A claim on the key by another node, held for {@code hold} from now (negative: passed). */
  private void claimElsewhere(String key, String booking, Duration hold) {
    try (Connection connection = sync.app.database().dataSource().getConnection()) {
      try (Statement delete = connection.createStatement()) {
        delete.executeUpdate("DELETE FROM idempotency_key WHERE idem_key = '" + key + "'");
      }
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO idempotency_key (principal, idem_key, request_hash, claim_token,"
                  + " locked_until, created_at, expires_at) VALUES ('admin', ?, ?, 'other-node',"
                  + " ?, ?, ?)")) {
        java.time.OffsetDateTime now = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
        insert.setString(1, key);
        insert.setString(2, hashOfBooking(booking));
        insert.setObject(3, now.plus(hold));
        insert.setObject(4, now);
        insert.setObject(5, now.plusDays(1));
        insert.executeUpdate();
      }
    } catch (SQLException failure) {
      throw new IllegalStateException(failure);
    }
  }

  /** SHA-256 of "POST /api/appointments", a newline and the body, as the service hashes it. */
  private static String hashOfBooking(String body) {
    try {
      java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
      digest.update(("POST /api/appointments\n" + body).getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest.digest());
    } catch (java.security.NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private void execute(String sql) {
    try (Connection connection = sync.app.database().dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.executeUpdate(sql);
    } catch (SQLException failure) {
      throw new IllegalStateException(failure);
    }
  }
}
