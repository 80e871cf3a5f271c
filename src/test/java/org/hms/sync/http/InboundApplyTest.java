package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.delivery.DeliveryObserver;
import org.hms.sync.http.ApiClient.Reply;
import org.hms.sync.inbound.webhook.WebhookVerifier;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.scheduling.Slot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Webhook in, change applied in the background, outcome and reviews through the HTTP API. */
class InboundApplyTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String TOKEN = "test-admin-token-inbound";
  private static final String MAPPING =
      """
      { "action": payload.action, "externalId": payload.id, "slotId": payload.slotId,
        "baseVersion": payload.version }
      """;

  @TempDir Path dir;

  SyncApp app;
  ApiClient api;
  HttpClient http;
  Location clinic;
  Patient patient;
  int hour;

  @BeforeEach
  void start() throws IOException {
    Files.writeString(dir.resolve("portal.jsonata"), MAPPING);
    String yaml =
        """
        server:
          port: 0
        database:
          url: "jdbc:h2:mem:inbound-%s;DB_CLOSE_DELAY=-1"
        connectors:
          - id: portal
            type: rest
            baseUrl: http://127.0.0.1:9/api
            inbound:
              conflictPolicy: review
              webhook:
                secrets: [ "${PORTAL_SECRET}" ]
                mapping: portal.jsonata
        """
            .formatted(UUID.randomUUID());
    Path config = Files.writeString(dir.resolve("hms-sync.yaml"), yaml);
    app =
        SyncApp.create(
            ConfigLoader.load(config, Map.of("PORTAL_SECRET", SECRET)), Clock.systemUTC(),
            DeliveryObserver.NONE);
    app.startEngine();
    app.startServer(TOKEN);
    api = new ApiClient(app.port(), TOKEN);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    clinic = app.scheduling().createLocation("CLINIC-1", "Clinic one");
    patient = app.scheduling().createPatient("MRN-1", "Ada", "Lovelace", LocalDate.of(1990, 1, 1));
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  private Slot slot() {
    hour++;
    Instant start = Instant.parse("2027-03-01T00:00:00Z").plus(Duration.ofHours(hour));
    return app.scheduling().createSlot(clinic.id(), start, start.plusSeconds(900), 3);
  }

  private Appointment bookedAndKnownAtPortal(String externalId) {
    Appointment appointment = app.scheduling().book(patient.id(), slot().id(), null);
    try (var connection = app.database().dataSource().getConnection();
        var insert =
            connection.prepareStatement(
                "INSERT INTO external_ref (connector_id, appointment_id, external_id, updated_at)"
                    + " VALUES ('portal', ?, ?, CURRENT_TIMESTAMP)")) {
      insert.setString(1, appointment.id());
      insert.setString(2, externalId);
      insert.executeUpdate();
    } catch (java.sql.SQLException failure) {
      throw new IllegalStateException(failure);
    }
    return appointment;
  }

  private int webhook(String webhookId, String body) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    long timestamp = Instant.now().getEpochSecond();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/webhooks/portal"))
            .header("Content-Type", "application/json")
            .header("webhook-id", webhookId)
            .header("webhook-timestamp", Long.toString(timestamp))
            .header("webhook-signature", WebhookVerifier.sign(SECRET, webhookId, timestamp, bytes))
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private JsonNode inboxItem(String webhookId) {
    for (JsonNode item : api.get("api/inbox?connector=portal").json().path("items")) {
      if (item.path("webhookId").asText().equals(webhookId)) {
        return item;
      }
    }
    throw new AssertionError("no inbox item " + webhookId);
  }

  private void awaitStatus(String webhookId, String status) {
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(inboxItem(webhookId).path("status").asText())
            .isEqualTo(status));
  }

  @Test
  void a_webhook_is_applied_in_the_background_and_the_inbox_shows_it_applied() throws Exception {
    Appointment appointment = bookedAndKnownAtPortal("p-1");
    Slot target = slot();

    int status = webhook("msg_1", "{\"action\":\"reschedule\",\"id\":\"p-1\",\"slotId\":\""
        + target.id() + "\",\"version\":1}");

    assertThat(status).isEqualTo(202);
    awaitStatus("msg_1", "applied");
    assertThat(api.get("api/appointments/" + appointment.id()).json().path("slotId").asText())
        .isEqualTo(target.id());
  }

  @Test
  void a_conflict_waits_in_the_review_queue_and_resolving_it_through_the_api_applies_it()
      throws Exception {
    Appointment appointment = bookedAndKnownAtPortal("p-1");
    app.scheduling().reschedule(appointment.id(), slot().id(), 1L, null);
    Slot target = slot();

    webhook("msg_1", "{\"action\":\"reschedule\",\"id\":\"p-1\",\"slotId\":\"" + target.id()
        + "\",\"version\":1}");
    awaitStatus("msg_1", "conflict");

    JsonNode reviews = api.get("api/reviews?status=open").json().path("reviews");
    assertThat(reviews).hasSize(1);
    JsonNode review = reviews.get(0);
    assertThat(review.path("emr").path("version").asLong()).isEqualTo(2);
    assertThat(review.path("external").path("slotId").asText()).isEqualTo(target.id());
    String path = "api/reviews/" + review.path("id").asText() + "/resolve";

    assertThat(api.post(path, "{\"choose\":\"both\"}").status()).isEqualTo(400);
    assertThat(api.post("api/reviews/nope/resolve", "{\"choose\":\"emr\"}").status())
        .isEqualTo(404);
    Reply resolved = api.post(path, "{\"choose\":\"external\"}");
    assertThat(resolved.status()).as(resolved.text()).isEqualTo(200);
    assertThat(resolved.json().path("resolution").asText()).isEqualTo("external");
    assertThat(api.post(path, "{\"choose\":\"emr\"}").status()).isEqualTo(409);

    assertThat(inboxItem("msg_1").path("status").asText()).isEqualTo("applied");
    assertThat(api.get("api/appointments/" + appointment.id()).json().path("slotId").asText())
        .isEqualTo(target.id());
    assertThat(api.get("api/reviews?status=open").json().path("reviews")).isEmpty();
  }
}
