package org.hms.sync.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hms.sync.crash.SlowTarget.Received;
import org.hms.sync.db.Jdbc;
import org.hms.sync.inbound.webhook.WebhookVerifier;
import org.hms.sync.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code serve} in its own JVM against a slow target, under load (bookings through the API,
 * webhooks into the inbox, deliveries in flight), sends it SIGTERM and checks what the stop left:
 * the exit code, a log without errors, no lease in the database, attempts that finished within
 * {@code engine.shutdownGrace} recorded as succeeded, the rest handed back and sent again by the
 * next start with the same idempotency key.
 *
 * <p>Two connectors share the target: {@code fast} is answered after half a second; {@code stuck}
 * is not answered until the test releases it, so its attempts outlast the grace.
 */
abstract class ShutdownContractTest {
  private static final String ADMIN = "shutdown-test-admin";
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final int APPOINTMENTS = 60;
  private static final int STUCK_CONCURRENCY = 3;
  /** 128 + 15: the JVM ended on SIGTERM after running its shutdown hooks. */
  private static final int SIGTERM_EXIT_CODE = 143;
  /** A frame, a cause, "... n more", or an exception's first line. */
  private static final Pattern STACK_TRACE_LINE =
      Pattern.compile(
          "^(\\s+at \\S.*|\\s*Caused by: .*|\\s*\\.\\.\\. \\d+ more"
              + "|[\\w.$]+(Exception|Error)(: .*)?)$");

  @TempDir Path folder;
  SlowTarget target;
  EngineProcess engine;
  final HttpClient http = HttpClient.newHttpClient();
  int port;
  String[] database;

  /** JDBC URL and user of the database the engine process uses, readable after it ended. */
  abstract String[] database(Path folder);

  @AfterEach
  void tearDown() throws InterruptedException, IOException {
    Path log = folder.resolve("engine.log");
    if (Files.exists(log)) {
      Files.copy(log, Path.of("target", getClass().getSimpleName() + "-engine.log"),
          StandardCopyOption.REPLACE_EXISTING);
    }
    if (engine != null && engine.isAlive()) {
      engine.kill();
    }
    if (target != null) {
      target.close();
    }
  }

  @Test
  void sigterm_under_load_records_what_finishes_in_the_grace_hands_back_the_rest_and_logs_no_error()
      throws Exception {
    target = SlowTarget.start(Duration.ofMillis(500));
    port = freePort();
    database = database(folder);
    Path config = writeConfig();
    Path log = folder.resolve("engine.log");
    engine = EngineProcess.start(config, port, ADMIN, log, Map.of("PORTAL_SECRET", SECRET));

    List<String> appointments = book(APPOINTMENTS);
    cancelAtThePortal(appointments);
    await("attempts in flight at both connectors")
        .atMost(Duration.ofSeconds(30))
        .until(() -> held().size() >= STUCK_CONCURRENCY && answered() > 0);

    long sigterm = System.nanoTime();
    int exitCode = engine.terminate(Duration.ofSeconds(60));
    Instant ended = Instant.now();

    assertThat(exitCode).as("exit code after SIGTERM").isEqualTo(SIGTERM_EXIT_CODE);
    assertLogClean(log);
    assertThat(Files.readAllLines(log))
        .as("one line for the shutdown, with its counts")
        .filteredOn(line -> line.contains("stopped in"))
        .singleElement()
        .asString()
        .contains(" INFO ", "deliveries and", "inbox items finished", "handed back");
    List<Received> fast = target.received().stream().filter(Received::fast).toList();
    assertThat(fast)
        .as("fast attempts were in flight when SIGTERM came")
        .anyMatch(request -> request.inFlightAt(sigterm));
    Set<String> stuckKeys = keys(held());
    try (Connection db = openDatabase()) {
      assertThat(count(db, "SELECT COUNT(*) FROM delivery_state WHERE locked_by IS NOT NULL"
              + " OR locked_until IS NOT NULL OR claim_token IS NOT NULL"))
          .as("no delivery left leased")
          .isZero();
      assertThat(count(db, "SELECT COUNT(*) FROM inbox WHERE status IN ('received', 'failed')"
              + " AND next_attempt_at > ?", ended))
          .as("no inbox item left leased")
          .isZero();
      assertThat(count(db, "SELECT COUNT(*) FROM inbox")).isEqualTo(APPOINTMENTS);
      Map<String, String> status = deliveryStatus(db);
      assertThat(fast)
          .as("every fast attempt that was answered, within the grace too, is recorded")
          .filteredOn(Received::answered)
          .allSatisfy(
              request -> assertThat(status.get(request.idempotencyKey)).isEqualTo("succeeded"));
      assertThat(stuckKeys)
          .as("the attempts still running when the grace ended were handed back")
          .hasSize(STUCK_CONCURRENCY)
          .allSatisfy(key -> assertThat(status.get(key)).isEqualTo("pending"));
      assertThat(count(db, "SELECT COUNT(*) FROM delivery d JOIN delivery_state s"
              + " ON s.delivery_no = d.delivery_no WHERE d.connector_id = 'stuck'"
              + " AND (s.status <> 'pending' OR s.attempts <> 0)"))
          .as("handed back without spending an attempt")
          .isZero();
      assertThat(count(db, "SELECT COUNT(*) FROM delivery_attempt WHERE connector_id = 'stuck'"))
          .as("no outcome recorded for an attempt that had none")
          .isZero();
    }

    // The next start takes the handed-back deliveries at once and sends them again.
    target.releaseStuck();
    engine = EngineProcess.start(config, port, ADMIN, log, Map.of("PORTAL_SECRET", SECRET));
    await("every delivery succeeded after the restart")
        .atMost(Duration.ofSeconds(60))
        .until(() -> succeededThroughApi() == APPOINTMENTS * 3);
    assertThat(engine.terminate(Duration.ofSeconds(60))).isEqualTo(SIGTERM_EXIT_CODE);
    assertLogClean(log);

    Map<String, Long> requestsPerKey =
        target.received().stream()
            .filter(request -> !request.fast())
            .collect(
                Collectors.groupingBy(request -> request.idempotencyKey, Collectors.counting()));
    assertThat(requestsPerKey.keySet()).hasSize(APPOINTMENTS);
    for (String key : stuckKeys) {
      assertThat(requestsPerKey.get(key))
          .as("a handed-back attempt is sent again with its idempotency key")
          .isEqualTo(2);
    }
    try (Connection db = openDatabase()) {
      assertThat(count(db, "SELECT COUNT(*) FROM delivery_attempt WHERE connector_id = 'stuck'"
              + " AND attempt = 1 AND outcome = 'succeeded'"))
          .as("one attempt each in the sync log, the first")
          .isEqualTo(APPOINTMENTS);
      assertThat(count(db, "SELECT COUNT(*) FROM delivery_attempt")).isEqualTo(APPOINTMENTS * 3);
    }
  }

  private static void assertLogClean(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).as("log lines").isNotEmpty();
    assertThat(lines).as("no ERROR line").noneMatch(line -> line.contains(" ERROR "));
    assertThat(lines)
        .as("no stack trace")
        .noneMatch(line -> STACK_TRACE_LINE.matcher(line).matches());
  }

  /** Stuck requests held without an answer. */
  private List<Received> held() {
    return target.received().stream()
        .filter(request -> !request.fast() && !request.answered())
        .toList();
  }

  private long answered() {
    return target.received().stream().filter(Received::fast).filter(Received::answered).count();
  }

  private static Set<String> keys(List<Received> requests) {
    Set<String> keys = new HashSet<>();
    requests.forEach(request -> keys.add(request.idempotencyKey));
    return keys;
  }

  private List<String> book(int count) throws IOException, InterruptedException {
    String location =
        post("/api/locations", Map.of("code", "C-1", "name", "Clinic")).path("id").asText();
    String start = Instant.parse("2027-03-01T08:00:00Z").toString();
    String end = Instant.parse("2027-03-01T08:15:00Z").toString();
    String slot =
        post("/api/slots",
                Map.of("locationId", location, "start", start, "end", end, "capacity", count))
            .path("id")
            .asText();
    List<String> appointments = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String patient =
          post("/api/patients",
                  Map.of("mrn", "SD-" + i, "givenName", "G", "familyName", "F",
                      "birthDate", "1990-01-01"))
              .path("id")
              .asText();
      appointments.add(
          post("/api/appointments", Map.of("patientId", patient, "slotId", slot))
              .path("id")
              .asText());
    }
    return appointments;
  }

  /** Signed webhooks from the portal, all at once: each cancels one appointment. */
  private void cancelAtThePortal(List<String> appointments) {
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    long timestamp = Instant.now().getEpochSecond();
    for (int i = 0; i < appointments.size(); i++) {
      String webhookId = "msg_" + i;
      byte[] body =
          Json.write(Map.of("id", "portal-" + i, "appointmentId", appointments.get(i)))
              .getBytes(StandardCharsets.UTF_8);
      sent.add(
          http.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/portal"))
                  .header("Content-Type", "application/json")
                  .header("webhook-id", webhookId)
                  .header("webhook-timestamp", Long.toString(timestamp))
                  .header("webhook-signature",
                      WebhookVerifier.sign(SECRET, webhookId, timestamp, body))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> response : sent) {
      assertThat(response.join().statusCode()).as("webhook accepted").isBetween(200, 299);
    }
  }

  private long succeededThroughApi() throws IOException, InterruptedException {
    return get("/api/deliveries?status=succeeded&limit=1000").path("items").size();
  }

  private Connection openDatabase() throws SQLException {
    return DriverManager.getConnection(database[0], database[1], "");
  }

  private static long count(Connection db, String sql, Instant... instants) throws SQLException {
    try (PreparedStatement query = db.prepareStatement(sql)) {
      for (int i = 0; i < instants.length; i++) {
        Jdbc.setInstant(query, i + 1, instants[i]);
      }
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  /** Each delivery's status by its id (the idempotency key). */
  private static Map<String, String> deliveryStatus(Connection db) throws SQLException {
    Map<String, String> status = new HashMap<>();
    try (PreparedStatement query =
            db.prepareStatement("SELECT d.id, s.status FROM delivery d JOIN delivery_state s"
                + " ON s.delivery_no = d.delivery_no");
        ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        status.put(rows.getString(1), rows.getString(2));
      }
    }
    return status;
  }

  private JsonNode post(String path, Map<String, Object> body)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s -> %s", path, response.body()).isBetween(200, 201);
    return Json.read(response.body());
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + ADMIN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return Json.read(response.body());
  }

  private Path writeConfig() throws IOException {
    Files.writeString(
        folder.resolve("target.jsonata"),
        "{ \"appointmentId\": appointment.id, \"seq\": event.sequence }");
    Files.writeString(
        folder.resolve("portal.jsonata"),
        "{ \"action\": \"cancel\", \"externalId\": payload.id,"
            + " \"appointmentId\": payload.appointmentId,"
            + " \"reason\": \"cancelled at the portal\" }");
    String fast = target.baseUrl() + "/fast";
    String stuck = target.baseUrl() + "/stuck";
    Path config = folder.resolve("hms.yaml");
    Files.writeString(config, String.join("\n",
        "server:",
        "  port: " + port,
        "  adminToken: ${HMS_ADMIN_TOKEN}",
        "database:",
        "  url: " + database[0],
        "  user: " + database[1],
        "engine:",
        "  maxInFlight: 12",
        "  lease: 30s",
        "  pollInterval: 200ms",
        "  shutdownGrace: 3s",
        "connectors:",
        "  - id: fast",
        "    type: rest",
        "    baseUrl: " + fast,
        "    timeouts: {connect: 1s, request: 20s}",
        "    routes:",
        "      appointment.created: {method: POST, path: /appointments, mapping: target.jsonata}",
        "      appointment.cancelled:",
        "        {method: POST, path: /cancellations, mapping: target.jsonata}",
        "  - id: stuck",
        "    type: rest",
        "    baseUrl: " + stuck,
        "    maxConcurrency: " + STUCK_CONCURRENCY,
        "    timeouts: {connect: 1s, request: 20s}",
        "    routes:",
        "      appointment.created: {method: POST, path: /appointments, mapping: target.jsonata}",
        "  - id: portal",
        "    type: rest",
        "    baseUrl: http://127.0.0.1:9/api",
        "    inbound:",
        "      webhook:",
        "        secrets: [ \"${PORTAL_SECRET}\" ]",
        "        mapping: portal.jsonata",
        ""));
    return config;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
