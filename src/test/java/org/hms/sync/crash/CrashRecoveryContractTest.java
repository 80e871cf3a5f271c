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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.hms.sync.json.Json;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.LedgerEntry;
import org.hms.sync.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the service in its own JVM, kills it with SIGKILL twice while deliveries are in flight,
 * restarts it, and checks the stand-in IIS's ledger: every event applied exactly once, with one
 * idempotency key, in sequence order per appointment.
 */
abstract class CrashRecoveryContractTest {
  private static final String ADMIN = "crash-test-admin";
  private static final int APPOINTMENTS = 30;

  @TempDir Path folder;
  IisSimulator iis;
  EngineProcess engine;
  final HttpClient http = HttpClient.newHttpClient();
  int port;

  /** JDBC URL and user of the database the engine process uses. */
  abstract String[] database(Path folder);

  @AfterEach
  void tearDown() throws InterruptedException, IOException {
    Path log = folder.resolve("engine.log");
    if (Files.exists(log)) {
      Files.copy(log, Path.of("target", getClass().getSimpleName() + "-engine.log"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    if (engine != null) {
      engine.stop();
    }
    if (iis != null) {
      iis.close();
    }
  }

  @Test
  void sigkill_mid_delivery_loses_nothing_doubles_nothing_and_keeps_order() throws Exception {
    iis = IisSimulator.start(SimulatorOptions.defaults().withLatency(Duration.ofMillis(60)));
    port = freePort();
    Path config = writeConfig();
    Path log = folder.resolve("engine.log");
    engine = EngineProcess.start(config, port, ADMIN, log);
    // Hold deliveries back (the IIS answers 503) until every event is committed.
    iis.goDown(Duration.ofMinutes(5));

    String location = post("/api/locations", Map.of("code", "C-1", "name", "Clinic")).path("id").asText();
    List<String> appointments = new ArrayList<>();
    for (int i = 0; i < APPOINTMENTS; i++) {
      String patient = post("/api/patients", Map.of("mrn", "CR-" + i, "givenName", "G", "familyName", "F",
          "birthDate", "1990-01-01")).path("id").asText();
      String first = slot(location, i, 0);
      String second = slot(location, i, 1);
      String appointment = post("/api/appointments", Map.of("patientId", patient, "slotId", first)).path("id").asText();
      post("/api/appointments/" + appointment + "/reschedule", Map.of("slotId", second));
      if (i % 2 == 0) {
        post("/api/appointments/" + appointment + "/cancel", Map.of("reason", "crash test"));
      }
      appointments.add(appointment);
    }
    int events = APPOINTMENTS * 2 + APPOINTMENTS / 2;
    iis.comeBack();

    await().atMost(Duration.ofSeconds(30)).until(() -> appliedCount() >= 10);
    engine.kill();
    long atFirstKill = appliedCount();
    assertThat(atFirstKill).as("killed mid-delivery").isLessThan(events);

    engine = EngineProcess.start(config, port, ADMIN, log);
    await().atMost(Duration.ofSeconds(30)).until(() -> appliedCount() >= atFirstKill + 10);
    engine.kill();
    assertThat(appliedCount()).as("killed mid-delivery again").isLessThan(events);

    engine = EngineProcess.start(config, port, ADMIN, log);
    await().atMost(Duration.ofSeconds(90)).until(() -> succeeded().size() == events);

    List<JsonNode> deliveries = succeeded();
    Map<String, List<JsonNode>> byAppointment = deliveries.stream()
        .sorted(Comparator.comparingLong(delivery -> delivery.path("sequence").asLong()))
        .collect(Collectors.groupingBy(delivery -> delivery.path("appointmentId").asText(),
            LinkedHashMap::new, Collectors.toList()));
    assertThat(byAppointment.keySet()).containsExactlyInAnyOrderElementsOf(appointments);

    List<LedgerEntry> ledger = iis.ledger();
    Map<String, Long> appliedPerKey = ledger.stream().filter(LedgerEntry::applied)
        .collect(Collectors.groupingBy(LedgerEntry::idempotencyKey, Collectors.counting()));
    Map<String, String> keyToAppointment = new HashMap<>();
    deliveries.forEach(delivery -> keyToAppointment.put(delivery.path("idempotencyKey").asText(),
        delivery.path("appointmentId").asText()));

    assertThat(appliedPerKey.keySet()).as("every key the IIS applied is one of our deliveries")
        .containsExactlyInAnyOrderElementsOf(keyToAppointment.keySet());
    assertThat(appliedPerKey.values()).as("each event applied exactly once").allMatch(count -> count == 1);
    assertThat(ledger.stream().filter(LedgerEntry::replayed).count())
        .as("at least one re-send after a kill was answered from the idempotency store, or none was needed")
        .isGreaterThanOrEqualTo(0);
    for (Map.Entry<String, List<JsonNode>> appointment : byAppointment.entrySet()) {
      List<String> expected = appointment.getValue().stream().map(d -> d.path("idempotencyKey").asText()).toList();
      List<String> appliedOrder = ledger.stream().filter(LedgerEntry::applied)
          .map(LedgerEntry::idempotencyKey).filter(expected::contains).toList();
      assertThat(appliedOrder).as("order of appointment %s", appointment.getKey()).containsExactlyElementsOf(expected);
    }
    assertThat(iis.appointments()).hasSize(APPOINTMENTS);
    assertThat(iis.appointments().stream().filter(a -> a.status().equals("cancelled")).count())
        .isEqualTo(APPOINTMENTS / 2);
  }

  private long appliedCount() {
    return iis.ledger().stream().filter(LedgerEntry::applied).count();
  }

  private List<JsonNode> succeeded() throws IOException, InterruptedException {
    JsonNode page = get("/api/deliveries?status=succeeded&limit=1000");
    List<JsonNode> items = new ArrayList<>();
    page.path("items").forEach(items::add);
    return items;
  }

  private String slot(String location, int appointment, int which) throws IOException, InterruptedException {
    int minutes = appointment * 60 + which * 30;
    String start = java.time.Instant.parse("2027-03-01T08:00:00Z").plusSeconds(minutes * 60L).toString();
    String end = java.time.Instant.parse(start).plusSeconds(900).toString();
    return post("/api/slots", Map.of("locationId", location, "start", start, "end", end, "capacity", 1))
        .path("id").asText();
  }

  private JsonNode post(String path, Map<String, Object> body) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + ADMIN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s -> %s", path, response.body()).isBetween(200, 201);
    return Json.read(response.body());
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + ADMIN).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return Json.read(response.body());
  }

  private Path writeConfig() throws IOException {
    try (var mapping = getClass().getResourceAsStream("/examples/demo/iis-appointment.jsonata")) {
      Files.copy(mapping, folder.resolve("iis.jsonata"));
    }
    String[] database = database(folder);
    Path config = folder.resolve("hms.yaml");
    Files.writeString(config, String.join("\n",
        "server:",
        "  port: " + port,
        "  adminToken: ${HMS_ADMIN_TOKEN}",
        "database:",
        "  url: " + database[0],
        "  user: " + database[1],
        "engine:",
        "  maxInFlight: 4",
        "  lease: 3s",
        "  pollInterval: 200ms",
        "connectors:",
        "  - id: iis",
        "    type: rest",
        "    baseUrl: " + iis.baseUrl(),
        "    timeouts: {connect: 500ms, request: 1s}",
        "    retry: {maxAttempts: 20, initialBackoff: 50ms, maxBackoff: 500ms}",
        // The outage below opens the circuit; probing soon after keeps the test short.
        "    circuitBreaker: {openFor: 500ms}",
        "    routes:",
        "      appointment.created: {method: POST, path: /appointments, mapping: iis.jsonata, externalId: /id}",
        "      appointment.rescheduled: {method: PUT, path: '/appointments/{externalId}', mapping: iis.jsonata}",
        "      appointment.cancelled: {method: DELETE, path: '/appointments/{externalId}'}",
        ""));
    return config;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
