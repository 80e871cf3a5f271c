package org.hms.sync.connector.iis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.config.SyncConfig;
import org.hms.sync.delivery.Delivery;
import org.hms.sync.delivery.DeliveryObserver;
import org.hms.sync.delivery.DeliveryStatus;
import org.hms.sync.json.Json;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.Immunization;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.scheduling.SchedulingService;
import org.hms.sync.scheduling.Slot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path: a YAML config with an iis-soap connector, the delivery engine, and the WSDL-first
 * registry. A dose given in the EMR is reported once (A), corrected (U) and withdrawn (D), always
 * under the same ORC-3; {@code GET /api/connectors} shows the registry's health.
 */
class IisSoapEndToEndTest {
  private static final String ADMIN_TOKEN = "e2e-admin-token";
  private static final String PASSWORD = "e2e-iis-password";

  @TempDir Path dir;

  private IisTestServer registry;
  private SyncApp app;

  @BeforeEach
  void start() throws IOException {
    registry = IisTestServer.start();
    String yaml =
        """
        server:
          port: 0
        database:
          url: "jdbc:h2:mem:iis-e2e-%s;DB_CLOSE_DELAY=-1"
        engine:
          pollInterval: 200ms
          lease: 10s
        connectors:
          - id: state-iis
            type: iis-soap
            baseUrl: %s
            timeouts:
              connect: 1s
              request: 3s
            retry:
              maxAttempts: 3
              initialBackoff: 100ms
              maxBackoff: 200ms
            iis:
              username: clinic-12
              password: ${IIS_PASSWORD}
              facilityId: F-12
              sendingFacility: CLINIC-12
            routes:
              appointment.completed: {}
              appointment.cancelled: {}
        """
            .formatted(UUID.randomUUID(), registry.uri());
    Path file = Files.writeString(dir.resolve("hms-sync.yaml"), yaml);
    SyncConfig config = ConfigLoader.load(file, Map.of("IIS_PASSWORD", PASSWORD));
    app = SyncApp.create(config, Clock.systemUTC(), DeliveryObserver.NONE);
    app.startEngine().startServer(ADMIN_TOKEN);
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void a_dose_is_reported_corrected_and_withdrawn_under_one_vaccination_id() {
    SchedulingService emr = app.scheduling();
    Location clinic = emr.createLocation("CLINIC-12", "County Clinic 12");
    Instant start = Instant.parse("2027-03-01T09:00:00Z");
    Slot slot = emr.createSlot(clinic.id(), start, start.plusSeconds(900), 1);
    Patient patient = emr.createPatient("E2E-1", "Test", "Patient", LocalDate.of(1980, 1, 1));
    Appointment booked = emr.book(patient.id(), slot.id(), null);

    emr.complete(
        booked.id(), new Immunization("208", "EK5730", "0.3 mL", "PFR", "IM", "LD", null), null,
        null);
    awaitSucceeded(booked.id(), 1);
    emr.complete(
        booked.id(), new Immunization("208", "EK5731", "0.3 mL", "PFR", "IM", "LD", null), null,
        null);
    awaitSucceeded(booked.id(), 2);
    emr.cancel(booked.id(), "recorded in error", null, null);
    awaitSucceeded(booked.id(), 3);

    List<IisTestServer.Received> received = registry.received();
    assertThat(received).hasSize(3);
    assertThat(received).extracting(message -> get(message, "/ORDER/RXA-21"))
        .containsExactly("A", "U", "D");
    assertThat(received).extracting(message -> get(message, "/ORDER/ORC-3"))
        .containsOnly(booked.id());
    assertThat(received).extracting(message -> get(message, "/ORDER/RXA-15"))
        .containsExactly("EK5730", "EK5731", "EK5731");
    assertThat(received).extracting(IisTestServer.Received::password).containsOnly(PASSWORD);
    assertThat(app.deliveries().list(DeliveryStatus.SUCCEEDED, "state-iis", booked.id(), 10))
        .as("the booking itself is not sent: the registry takes doses, not appointments")
        .hasSize(3);
  }

  /**
   * The retry budget is three attempts, but an unreadable answer after HTTP 200 may mean the dose
   * was recorded: the VXU is sent twice (iis.unreadableAckRetries defaults to 1), then it waits
   * as a dead letter; a replay sends it twice more.
   */
  @Test
  void a_vxu_whose_answers_stay_unreadable_is_sent_twice_then_dead_lettered() {
    registry.answer(received -> "Message received");
    SchedulingService emr = app.scheduling();
    Location clinic = emr.createLocation("CLINIC-12", "County Clinic 12");
    Instant start = Instant.parse("2027-03-01T09:00:00Z");
    Slot slot = emr.createSlot(clinic.id(), start, start.plusSeconds(900), 1);
    Patient patient = emr.createPatient("E2E-2", "Test", "Patient", LocalDate.of(1980, 1, 1));
    Appointment booked = emr.book(patient.id(), slot.id(), null);

    emr.complete(
        booked.id(), new Immunization("208", "EK5730", "0.3 mL", "PFR", "IM", "LD", null), null,
        null);

    Delivery dead = awaitDead(booked.id());
    assertThat(registry.received()).hasSize(2);
    assertThat(dead.attempts()).isEqualTo(2);
    assertThat(dead.lastHttpStatus()).isEqualTo(200);
    assertThat(dead.lastError())
        .contains("may have recorded the dose")
        .contains("patient data masked: Message received")
        .doesNotContain("E2E-2");

    assertThat(app.deliveries().replay(dead.id(), Instant.now())).isTrue();

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> assertThat(app.deliveries().find(dead.id()).orElseThrow().attempts())
                .isEqualTo(4));
    assertThat(awaitDead(booked.id()).id()).isEqualTo(dead.id());
    assertThat(registry.received()).hasSize(4);
  }

  @Test
  void connectors_show_the_registry_health_and_the_capabilities() throws Exception {
    JsonNode connector = connectors().path("items").get(0);

    assertThat(connector.path("type").asText()).isEqualTo("iis-soap");
    assertThat(connector.path("capabilities").toString())
        .isEqualTo("[\"push\",\"health-check\",\"preview\"]");
    assertThat(connector.path("health").path("status").asText()).isEqualTo("up");
    assertThat(registry.connectivityTests()).isNotEmpty();

  }

  private JsonNode connectors() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.port() + "/api/connectors"))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.read(response.body());
  }

  private Delivery awaitDead(String appointmentId) {
    return await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> app.deliveries().list(DeliveryStatus.DEAD, "state-iis", appointmentId, 10),
            dead -> dead.size() == 1)
        .get(0);
  }

  private void awaitSucceeded(String appointmentId, int count) {
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(
                        app.deliveries()
                            .list(DeliveryStatus.SUCCEEDED, "state-iis", appointmentId, 10))
                    .hasSize(count));
  }

  private static String get(IisTestServer.Received message, String path) {
    try {
      return message.vxu().get(path);
    } catch (ca.uhn.hl7v2.HL7Exception e) {
      throw new AssertionError(e);
    }
  }
}
