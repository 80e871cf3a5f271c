package org.hms.sync.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.Clock;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.hms.sync.inbound.webhook.WebhookVerifier;
import org.hms.sync.simulator.SimHttp.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The IIS's own changes: the change feed, the /sim change endpoints and the signed webhooks. */
class IisSimulatorChangesTest {

  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String BOOKING =
      "{\"appointmentId\":\"emr-1\",\"slotTime\":\"2026-03-01T09:00:00Z\","
          + "\"slotEnd\":\"2026-03-01T09:15:00Z\",\"clinicCode\":\"CLINIC-12\",\"status\":\"booked\"}";
  private static final Instant TEN = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant TEN_FIFTEEN = Instant.parse("2026-03-01T10:15:00Z");

  /** A webhook as the receiving server got it. */
  record Received(String id, String timestamp, String signature, byte[] body) {}

  private IisSimulator simulator;
  private SimHttp http;
  private HttpServer receiver;
  private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    simulator = IisSimulator.start(SimulatorOptions.defaults().withRequiredToken("t"));
    http = new SimHttp(simulator);
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/webhooks/state-iis",
        exchange -> {
          received.add(
              new Received(
                  exchange.getRequestHeaders().getFirst("webhook-id"),
                  exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                  exchange.getRequestHeaders().getFirst("webhook-signature"),
                  exchange.getRequestBody().readAllBytes()));
          int status = failuresLeft.getAndDecrement() > 0 ? 500 : 202;
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stop() {
    simulator.close();
    receiver.stop(0);
  }

  private URI webhookUrl() {
    return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks/state-iis");
  }

  private String book() {
    Reply created = http.post("/api/appointments", BOOKING, "Authorization", "Bearer t");
    assertThat(created.status()).isEqualTo(201);
    return created.text("id");
  }

  @Test
  void a_reschedule_on_the_iis_side_moves_the_appointment_and_appears_in_the_feed() {
    String externalId = book();

    SimChange change = simulator.reschedule(externalId, TEN, TEN_FIFTEEN);

    assertThat(change.type()).isEqualTo("rescheduled");
    assertThat(change.externalId()).isEqualTo(externalId);
    assertThat(change.appointmentId()).isEqualTo("emr-1");
    assertThat(change.slotTime()).isEqualTo("2026-03-01T10:00:00Z");
    assertThat(change.slotEnd()).isEqualTo("2026-03-01T10:15:00Z");
    assertThat(change.clinicCode()).isEqualTo("CLINIC-12");
    assertThat(change.status()).isEqualTo("booked");
    SimAppointment stored = simulator.appointment(externalId).orElseThrow();
    assertThat(stored.fields()).containsEntry("slotTime", "2026-03-01T10:00:00Z");
    assertThat(stored.updates()).as("own changes are not requests").isZero();

    Reply feed = http.get("/api/changes", "Authorization", "Bearer t");
    assertThat(feed.status()).isEqualTo(200);
    assertThat(feed.body().path("items")).hasSize(1);
    assertThat(feed.body().path("items").get(0).path("changeId").asText()).isEqualTo(change.changeId());
    assertThat(feed.body().path("items").get(0).path("appointmentId").asText()).isEqualTo("emr-1");
    assertThat(feed.body().path("items").get(0).path("slotTime").asText()).isEqualTo("2026-03-01T10:00:00Z");
    assertThat(feed.body().has("next")).isFalse();
  }

  @Test
  void the_feed_pages_oldest_first_and_next_leads_to_the_rest() {
    String first = book();
    String second = book();
    simulator.reschedule(first, TEN, TEN_FIFTEEN);
    simulator.cancel(second, "clinic closed");
    simulator.reschedule(first, TEN_FIFTEEN, TEN_FIFTEEN.plusSeconds(900));

    Reply page1 = http.get("/api/changes?limit=2", "Authorization", "Bearer t");
    assertThat(page1.body().path("items")).hasSize(2);
    assertThat(page1.body().path("items").get(0).path("type").asText()).isEqualTo("rescheduled");
    assertThat(page1.body().path("items").get(1).path("type").asText()).isEqualTo("cancelled");
    assertThat(page1.body().path("items").get(1).path("reason").asText()).isEqualTo("clinic closed");
    assertThat(page1.body().path("items").get(1).path("status").asText()).isEqualTo("cancelled");
    String next = page1.body().path("next").asText();
    assertThat(next).startsWith("/api/changes?updatedSince=");

    Reply page2 = http.get(next, "Authorization", "Bearer t");
    assertThat(page2.body().path("items")).hasSize(1);
    assertThat(page2.body().path("items").get(0).path("slotTime").asText()).isEqualTo("2026-03-01T10:15:00Z");
    assertThat(page2.body().has("next")).isFalse();

    Instant since = Instant.parse(page1.body().path("items").get(0).path("updatedAt").asText());
    Reply later = http.get("/api/changes?updatedSince=" + since, "Authorization", "Bearer t");
    assertThat(later.body().path("items")).hasSize(2);
    assertThat(simulator.changes()).extracting(SimChange::changeId).doesNotHaveDuplicates().hasSize(3);
  }

  @Test
  void changes_made_within_one_clock_tick_still_page_without_loss() {
    simulator.close();
    simulator =
        IisSimulator.start(
            SimulatorOptions.defaults(), Clock.fixed(Instant.parse("2026-03-01T08:00:00Z"), java.time.ZoneOffset.UTC));
    http = new SimHttp(simulator);
    String externalId = book();
    for (int i = 0; i < 5; i++) {
      simulator.reschedule(externalId, TEN.plusSeconds(i), TEN_FIFTEEN.plusSeconds(i));
    }
    int seen = 0;
    String next = "/api/changes?limit=2";
    while (next != null) {
      Reply page = http.get(next);
      seen += page.body().path("items").size();
      next = page.body().has("next") ? page.body().path("next").asText() : null;
    }
    assertThat(seen).isEqualTo(5);
  }

  @Test
  void the_feed_needs_the_token_and_checks_its_parameters() {
    assertThat(http.get("/api/changes").status()).isEqualTo(401);
    Reply badSince = http.get("/api/changes?updatedSince=yesterday", "Authorization", "Bearer t");
    assertThat(badSince.status()).isEqualTo(400);
    assertThat(badSince.text("error")).contains("updatedSince").contains("yesterday");
    Reply badLimit = http.get("/api/changes?limit=0", "Authorization", "Bearer t");
    assertThat(badLimit.status()).isEqualTo(400);
    assertThat(badLimit.text("error")).contains("limit").contains("1000");
  }

  @Test
  void the_sim_endpoints_make_changes_and_refuse_unknown_ids_and_bad_bodies() {
    String externalId = book();

    Reply moved =
        http.post(
            "/sim/appointments/" + externalId + "/reschedule",
            "{\"slotTime\":\"2026-03-01T10:00:00Z\",\"slotEnd\":\"2026-03-01T10:15:00Z\"}");
    assertThat(moved.status()).isEqualTo(200);
    assertThat(moved.text("type")).isEqualTo("rescheduled");
    Reply cancelled = http.post("/sim/appointments/" + externalId + "/cancel", "{\"reason\":\"no vaccine\"}");
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(simulator.appointment(externalId).orElseThrow().status()).isEqualTo("cancelled");

    assertThat(http.post("/sim/appointments/iis-999/cancel", "{}").status()).isEqualTo(404);
    Reply badTimes = http.post("/sim/appointments/" + externalId + "/reschedule", "{\"slotTime\":\"soon\"}");
    assertThat(badTimes.status()).isEqualTo(400);
    assertThat(badTimes.text("error")).contains("slotTime and slotEnd");
    assertThatThrownBy(() -> simulator.reschedule(externalId, TEN_FIFTEEN, TEN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be after");
    assertThatThrownBy(() -> simulator.cancel("iis-999", null))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("iis-999");
    assertThat(simulator.changes()).hasSize(2);
  }

  @Test
  void a_cancelled_appointment_is_not_reopened_by_a_reschedule_on_the_iis_side() {
    String externalId = book();
    simulator.cancel(externalId, null);

    Reply refused =
        http.post(
            "/sim/appointments/" + externalId + "/reschedule",
            "{\"slotTime\":\"2026-03-01T10:00:00Z\",\"slotEnd\":\"2026-03-01T10:15:00Z\"}");

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.text("error")).contains("is cancelled; only a booked appointment can be rescheduled");
    assertThat(simulator.appointment(externalId).orElseThrow().status()).isEqualTo("cancelled");
    assertThat(simulator.changes()).hasSize(1);
  }

  @Test
  void a_change_is_sent_as_a_webhook_the_service_verifier_accepts() {
    String externalId = book();
    simulator.setWebhookTarget(webhookUrl(), SECRET);

    SimChange change = simulator.reschedule(externalId, TEN, TEN_FIFTEEN);

    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    Received webhook = received.peek();
    new WebhookVerifier(List.of(SECRET), Duration.ofMinutes(5), Clock.systemUTC())
        .verify(webhook.id(), webhook.timestamp(), webhook.signature(), webhook.body());
    assertThat(webhook.id()).startsWith("msg_");
    String body = new String(webhook.body(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(body)
        .contains("\"changeId\":\"" + change.changeId() + "\"")
        .contains("\"appointmentId\":\"emr-1\"")
        .contains("\"type\":\"rescheduled\"")
        .contains("\"slotTime\":\"2026-03-01T10:00:00Z\"");
  }

  @Test
  void a_webhook_signed_with_another_secret_fails_verification() {
    String externalId = book();
    simulator.setWebhookTarget(webhookUrl(), "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]));

    simulator.cancel(externalId, null);

    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    Received webhook = received.peek();
    WebhookVerifier verifier = new WebhookVerifier(List.of(SECRET), Duration.ofMinutes(5), Clock.systemUTC());
    assertThatThrownBy(() -> verifier.verify(webhook.id(), webhook.timestamp(), webhook.signature(), webhook.body()))
        .isInstanceOf(RuntimeException.class);
  }

  @Test
  void a_refused_webhook_is_retried_with_the_same_id_and_each_webhook_has_its_own() {
    String externalId = book();
    simulator.close();
    simulator = IisSimulator.start(SimulatorOptions.defaults().withWebhook(webhookUrl(), SECRET));
    http = new SimHttp(simulator);
    externalId = book();
    failuresLeft.set(2);

    simulator.reschedule(externalId, TEN, TEN_FIFTEEN);

    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3);
    assertThat(received).extracting(Received::id).containsOnly(received.peek().id());
    simulator.cancel(externalId, "moved away");
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 4);
    assertThat(received.stream().map(Received::id).distinct()).hasSize(2);
    WebhookVerifier verifier = new WebhookVerifier(List.of(SECRET), Duration.ofMinutes(5), Clock.systemUTC());
    for (Received webhook : received) {
      verifier.verify(webhook.id(), webhook.timestamp(), webhook.signature(), webhook.body());
    }
  }

  @Test
  void a_change_made_while_no_webhook_target_is_set_is_not_sent() {
    String externalId = book();
    simulator.setWebhookTarget(webhookUrl(), SECRET);
    simulator.setWebhookTarget(null, null);
    simulator.reschedule(externalId, TEN, TEN_FIFTEEN);
    simulator.setWebhookTarget(webhookUrl(), SECRET);

    SimChange sent = simulator.cancel(externalId, null);

    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    assertThat(new String(received.peek().body(), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"changeId\":\"" + sent.changeId() + "\"");
    assertThat(simulator.changes()).hasSize(2);
  }
}
