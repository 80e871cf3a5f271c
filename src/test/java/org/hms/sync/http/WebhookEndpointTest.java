package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.http.ProblemAssert.assertProblem;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.delivery.DeliveryObserver;
import org.hms.sync.http.ApiClient.Reply;
import org.hms.sync.inbound.webhook.WebhookVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /webhooks/{connectorId}} and {@code GET /api/inbox} on a running service. */
class WebhookEndpointTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String OLD_SECRET = "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24=";
  private static final String TOKEN = "test-admin-token-webhooks";
  private static final String MAPPING =
      """
      (
        $type := payload.type;
        $data := payload.data;
        $type = "appointment.cancelled" ? {
          "action": "cancel", "externalId": $data.id, "reason": $data.reason
        } : $type = "appointment.rescheduled" ? {
          "action": "reschedule", "externalId": $data.id, "start": $data.start,
          "baseVersion": $data.version, "patientMrn": $data.mrn
        } : $type = "ping" ? null
        : { "action": $type, "externalId": $data.id }
      )
      """;

  @TempDir Path dir;

  SyncApp app;
  ApiClient api;
  HttpClient http;

  @BeforeEach
  void start() throws IOException {
    if (!Files.exists(dir.resolve("portal-webhook.jsonata"))) {
      Files.writeString(dir.resolve("portal-webhook.jsonata"), MAPPING);
    }
    String yaml =
        """
        server:
          port: 0
        database:
          url: "jdbc:h2:mem:webhooks-%s;DB_CLOSE_DELAY=-1"
        connectors:
          - id: portal
            type: rest
            baseUrl: http://127.0.0.1:9/api
            inbound:
              webhook:
                secrets:
                  - ${PORTAL_SECRET_OLD}
                  - ${PORTAL_SECRET}
                mapping: portal-webhook.jsonata
                toleranceSeconds: 300
          - id: outbound-only
            type: rest
            baseUrl: http://127.0.0.1:9/api
        """
            .formatted(UUID.randomUUID());
    Path config = Files.writeString(dir.resolve("hms-sync.yaml"), yaml);
    app =
        SyncApp.create(
            ConfigLoader.load(config, Map.of("PORTAL_SECRET", SECRET, "PORTAL_SECRET_OLD", OLD_SECRET)),
            Clock.systemUTC(),
            DeliveryObserver.NONE);
    app.startServer(TOKEN);
    api = new ApiClient(app.port(), TOKEN);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  // ---- sending ----

  private Reply post(String connector, String webhookId, long timestamp, String signature,
      byte[] body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/webhooks/" + connector))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (webhookId != null) {
      request.header("webhook-id", webhookId);
    }
    if (timestamp > 0) {
      request.header("webhook-timestamp", Long.toString(timestamp));
    }
    if (signature != null) {
      request.header("webhook-signature", signature);
    }
    return send(request.build());
  }

  private Reply send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (IOException failure) {
      throw new IllegalStateException(failure);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(interrupted);
    }
  }

  private static long now() {
    return Clock.systemUTC().instant().getEpochSecond();
  }

  /** Signed with {@code secret} now, as a Standard Webhooks sender would. */
  private Reply signed(String connector, String webhookId, String body, String secret) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    long timestamp = now();
    return post(connector, webhookId, timestamp,
        WebhookVerifier.sign(secret, webhookId, timestamp, bytes), bytes);
  }

  private Reply signed(String webhookId, String body) {
    return signed("portal", webhookId, body, SECRET);
  }

  private static String cancellation(String externalId) {
    return "{\"type\":\"appointment.cancelled\",\"data\":{\"id\":\"" + externalId
        + "\",\"reason\":\"patient called\"}}";
  }

  // ---- inspecting ----

  private long inboxRows() {
    try (Connection connection = app.database().dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM inbox")) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException failure) {
      throw new IllegalStateException(failure);
    }
  }

  private double rejections(String connector, String reason) {
    String metrics = api.get("/metrics").text();
    String prefix =
        "hms_webhook_rejections_total{connector=\"" + connector + "\",reason=\"" + reason + "\"} ";
    return Arrays.stream(metrics.split("\n"))
        .filter(line -> line.startsWith(prefix))
        .mapToDouble(line -> Double.parseDouble(line.substring(prefix.length()).trim()))
        .findFirst()
        .orElse(0);
  }

  private String rejected(Reply reply, int status, String connector, String reason) {
    String detail = assertProblem(reply, status);
    assertThat(inboxRows()).as("rows after a rejected webhook").isZero();
    assertThat(rejections(connector, reason)).isEqualTo(1.0);
    return detail;
  }

  // ---- accepted ----

  @Test
  void a_signed_webhook_is_in_the_inbox_before_the_202_with_the_changes_its_mapping_made() {
    Reply reply = signed("msg_1", cancellation("portal-appt-7"));
    long rowsRightAfter = inboxRows();

    assertThat(reply.status()).as(reply.text()).isEqualTo(202);
    assertThat(reply.json().path("status").asText()).isEqualTo("received");
    assertThat(reply.json().path("webhookId").asText()).isEqualTo("msg_1");
    assertThat(rowsRightAfter).isEqualTo(1);

    JsonNode items = api.get("/api/inbox?connector=portal&status=received").json().path("items");
    assertThat(items).hasSize(1);
    JsonNode item = items.get(0);
    assertThat(item.path("id").asText()).isEqualTo(reply.json().path("id").asText());
    assertThat(item.path("connector").asText()).isEqualTo("portal");
    assertThat(item.path("webhookId").asText()).isEqualTo("msg_1");
    assertThat(item.path("status").asText()).isEqualTo("received");
    assertThat(item.path("receivedAt").asText()).isNotBlank();
    assertThat(item.path("changes"))
        .isEqualTo(
            ApiClient.MAPPER.createArrayNode()
                .add(
                    ApiClient.MAPPER.createObjectNode()
                        .put("action", "cancel")
                        .put("externalId", "portal-appt-7")
                        .putNull("appointmentId")
                        .putNull("slotId")
                        .putNull("start")
                        .putNull("locationCode")
                        .putNull("patientMrn")
                        .put("reason", "patient called")
                        .putNull("baseVersion")));
  }

  @Test
  void the_mapping_input_has_payload_headers_in_lower_case_and_the_connector() throws IOException {
    Files.writeString(
        dir.resolve("portal-webhook.jsonata"),
        "{\"action\": \"cancel\", \"externalId\": connector & \"/\" & headers.`x-portal-shard`"
            + " & \"/\" & payload.id}");
    app.close();
    start();
    byte[] body = "{\"id\": \"a-9\"}".getBytes(StandardCharsets.UTF_8);
    long timestamp = now();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/webhooks/portal"))
            .header("webhook-id", "msg_h")
            .header("webhook-timestamp", Long.toString(timestamp))
            .header("webhook-signature", WebhookVerifier.sign(SECRET, "msg_h", timestamp, body))
            .header("X-Portal-Shard", "east")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();

    Reply reply = send(request);
    assertThat(reply.status()).as(reply.text()).isEqualTo(202);
    assertThat(api.get("/api/inbox").json().at("/items/0/changes/0/externalId").asText())
        .isEqualTo("portal/east/a-9");
  }

  @Test
  void the_same_webhook_id_again_answers_200_duplicate_and_leaves_one_row() {
    Reply first = signed("msg_dup", cancellation("portal-appt-1"));
    Reply again = signed("msg_dup", cancellation("portal-appt-1"));
    Reply changedBody = signed("msg_dup", cancellation("portal-appt-2"));

    assertThat(first.status()).isEqualTo(202);
    assertThat(again.status()).as(again.text()).isEqualTo(200);
    assertThat(again.json().path("status").asText()).isEqualTo("duplicate");
    assertThat(again.json().path("id").asText()).isEqualTo(first.json().path("id").asText());
    assertThat(changedBody.status()).isEqualTo(200);
    assertThat(inboxRows()).isEqualTo(1);
    assertThat(api.get("/api/inbox").json().at("/items/0/changes/0/externalId").asText())
        .isEqualTo("portal-appt-1");
  }

  @Test
  void a_webhook_signed_with_the_old_secret_is_accepted_while_keys_rotate() {
    assertThat(signed("portal", "msg_old", cancellation("x-1"), OLD_SECRET).status())
        .isEqualTo(202);
  }

  @Test
  void a_mapping_that_returns_null_stores_the_webhook_with_no_changes() {
    Reply reply = signed("msg_ping", "{\"type\":\"ping\"}");

    assertThat(reply.status()).as(reply.text()).isEqualTo(202);
    assertThat(api.get("/api/inbox").json().at("/items/0/changes")).isEmpty();
  }

  @Test
  void the_inbox_lists_newest_first_filters_and_needs_the_admin_token() {
    signed("msg_a", cancellation("a"));
    signed("msg_b", cancellation("b"));

    assertThat(api.get("/api/inbox?connector=portal").json().path("items"))
        .extracting(item -> item.path("webhookId").asText())
        .containsExactly("msg_b", "msg_a");
    assertThat(api.get("/api/inbox?limit=1").json().path("items")).hasSize(1);
    assertThat(api.get("/api/inbox?status=applied").json().path("items")).isEmpty();
    assertThat(api.get("/api/inbox?connector=outbound-only").json().path("items")).isEmpty();
    assertProblem(api.get("/api/inbox?status=done"), 400);
    assertProblem(api.withToken(null).get("/api/inbox"), 401);
  }

  // ---- rejected: nothing stored, counted ----

  @Test
  void an_unknown_connector_is_404() {
    rejected(signed("nobody", "msg_1", cancellation("x"), SECRET), 404, "unknown",
        "unknown_connector");
  }

  @Test
  void a_connector_without_a_webhook_section_is_404() {
    String detail =
        rejected(signed("outbound-only", "msg_1", cancellation("x"), SECRET), 404,
            "outbound-only", "unknown_connector");
    assertThat(detail).contains("inbound.webhook");
  }

  @Test
  void a_wrong_signature_is_401() {
    byte[] body = cancellation("x").getBytes(StandardCharsets.UTF_8);
    long timestamp = now();
    String forged =
        WebhookVerifier.sign("whsec_Zm9yZ2VkLWtleQ==", "msg_1", timestamp, body);

    rejected(post("portal", "msg_1", timestamp, forged, body), 401, "portal", "bad_signature");
  }

  @Test
  void a_body_changed_after_signing_is_401() {
    byte[] body = cancellation("x").getBytes(StandardCharsets.UTF_8);
    long timestamp = now();
    String signature = WebhookVerifier.sign(SECRET, "msg_1", timestamp, body);
    byte[] changed = cancellation("y").getBytes(StandardCharsets.UTF_8);

    rejected(post("portal", "msg_1", timestamp, signature, changed), 401, "portal",
        "bad_signature");
  }

  @Test
  void missing_signature_headers_are_401() {
    String detail =
        rejected(post("portal", "msg_1", 0, null, "{}".getBytes(StandardCharsets.UTF_8)), 401,
            "portal", "missing_headers");
    assertThat(detail).contains("webhook-timestamp", "webhook-signature");
  }

  @Test
  void a_stale_timestamp_is_401_even_when_correctly_signed() {
    byte[] body = cancellation("x").getBytes(StandardCharsets.UTF_8);
    long tenMinutesAgo = now() - 600;

    String detail =
        rejected(
            post("portal", "msg_1", tenMinutesAgo,
                WebhookVerifier.sign(SECRET, "msg_1", tenMinutesAgo, body), body),
            401, "portal", "stale_timestamp");
    assertThat(detail).contains("in the past");
  }

  @Test
  void a_body_over_256_kib_is_413_by_content_length() {
    byte[] body = new byte[256 * 1024 + 1];
    Arrays.fill(body, (byte) ' ');
    long timestamp = now();

    rejected(post("portal", "msg_big", timestamp,
            WebhookVerifier.sign(SECRET, "msg_big", timestamp, body), body),
        413, "portal", "too_large");
  }

  @Test
  void a_chunked_body_over_256_kib_is_413_as_it_is_read() {
    byte[] body = new byte[256 * 1024 + 1];
    Arrays.fill(body, (byte) ' ');
    long timestamp = now();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/webhooks/portal"))
            .header("webhook-id", "msg_chunked")
            .header("webhook-timestamp", Long.toString(timestamp))
            .header("webhook-signature",
                WebhookVerifier.sign(SECRET, "msg_chunked", timestamp, body))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
            .build();

    rejected(send(request), 413, "portal", "too_large");
  }

  @Test
  void malformed_json_is_400_without_quoting_the_body() {
    String detail =
        rejected(signed("msg_1", "{\"type\": \"appointment.cancelled\", MRN-4711"), 400,
            "portal", "malformed_json");
    assertThat(detail).contains("not valid JSON").doesNotContain("MRN-4711");
  }

  @Test
  void a_payload_the_mapping_turns_into_an_unknown_action_is_400_with_the_reason() {
    String detail =
        rejected(signed("msg_1", "{\"type\":\"appointment.moved\",\"data\":{\"id\":\"x\"}}"),
            400, "portal", "invalid_change");
    assertThat(detail).contains("unknown action", "reschedule, cancel, book or complete");
  }

  @Test
  void a_change_without_an_external_id_is_400() {
    String detail =
        rejected(signed("msg_1", "{\"type\":\"appointment.cancelled\",\"data\":{}}"), 400,
            "portal", "invalid_change");
    assertThat(detail).contains("externalId");
  }

  @Test
  void a_start_that_is_not_an_instant_or_an_mrn_that_is_not_text_is_400_without_the_value() {
    rejected(
        signed("msg_1",
            "{\"type\":\"appointment.rescheduled\",\"data\":{\"id\":\"x\",\"start\":\"next"
                + " tuesday\"}}"),
        400, "portal", "invalid_change");

    Reply mrnAsNumber =
        signed("msg_2",
            "{\"type\":\"appointment.rescheduled\",\"data\":{\"id\":\"x\","
                + "\"start\":\"2027-03-01T09:00:00Z\",\"mrn\":4711}}");
    String detail = assertProblem(mrnAsNumber, 400);
    assertThat(detail).contains("patientMrn").doesNotContain("4711");
    assertThat(inboxRows()).isZero();
  }
}
