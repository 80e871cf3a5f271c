package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import org.hms.sync.http.ApiClient.Reply;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.LedgerEntry;
import org.hms.sync.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retryable failures: the stand-in IIS goes down (503 with Retry-After: 1), deliveries wait in
 * {@code retrying}, connectors and metrics show it, and everything arrives once it comes back.
 */
class OutageTest {
  private static final Duration LONG_OUTAGE = Duration.ofMinutes(5);

  @TempDir Path dir;

  private IisSimulator iis;
  private RunningSync sync;

  @BeforeEach
  void startIis() {
    iis = IisSimulator.start(SimulatorOptions.defaults());
  }

  @AfterEach
  void stop() {
    if (sync != null) {
      sync.close();
    }
    iis.close();
  }

  @Test
  void an_outage_is_retried_with_the_same_idempotency_key_until_the_iis_comes_back() {
    sync = RunningSync.start(dir, iis.baseUrl());
    iis.goDown(LONG_OUTAGE);

    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 1));

    sync.awaitDeliveries(appointment, "retrying");
    iis.comeBack();
    sync.awaitDeliveries(appointment, "succeeded");
    String deliveryId = sync.deliveries(appointment).get(0).path("id").asText();
    JsonNode delivery = sync.delivery(deliveryId);
    JsonNode attempts = delivery.path("attempts");
    assertThat(attempts.size()).isGreaterThan(1);
    JsonNode first = attempts.get(0);
    assertThat(first.path("attempt").asInt()).isEqualTo(1);
    assertThat(first.path("outcome").asText()).isEqualTo("retry");
    assertThat(first.path("httpStatus").asInt()).isEqualTo(503);
    assertThat(first.path("errorMessage").asText()).contains("HTTP 503");
    assertThat(first.path("nextAttemptAt").asText()).isNotBlank();
    JsonNode last = attempts.get(attempts.size() - 1);
    assertThat(last.path("outcome").asText()).isEqualTo("succeeded");
    assertThat(last.path("httpStatus").asInt()).isEqualTo(201);
    assertThat(last.path("attempt").asInt()).isEqualTo(attempts.size());
    assertThat(delivery.path("attemptCount").asInt()).isEqualTo(attempts.size());

    List<LedgerEntry> ledger = iis.ledger();
    assertThat(ledger).hasSize(attempts.size());
    assertThat(ledger).extracting(LedgerEntry::idempotencyKey).containsOnly(deliveryId);
    assertThat(ledger).filteredOn(LedgerEntry::applied).hasSize(1);
    assertThat(iis.appointments()).hasSize(1);
  }

  @Test
  void the_retry_honours_the_iis_retry_after() {
    sync = RunningSync.start(dir, iis.baseUrl());
    iis.goDown(LONG_OUTAGE);

    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 1));

    sync.awaitDeliveries(appointment, "retrying");
    JsonNode attempt =
        sync.delivery(sync.deliveries(appointment).get(0).path("id").asText())
            .path("attempts")
            .get(0);
    Instant startedAt = Instant.parse(attempt.path("startedAt").asText());
    Instant next = Instant.parse(attempt.path("nextAttemptAt").asText());
    // backoff alone would be at most 200ms; the IIS asked for 1 s
    assertThat(Duration.between(startedAt, next)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
  }

  @Test
  void a_delivery_that_runs_out_of_attempts_is_dead_and_a_replay_delivers_it() {
    sync = RunningSync.start(dir, iis.baseUrl());
    iis.goDown(LONG_OUTAGE);

    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 1));

    sync.awaitDeliveries(appointment, "dead");
    String deliveryId = sync.deliveries(appointment).get(0).path("id").asText();
    JsonNode dead = sync.delivery(deliveryId);
    assertThat(dead.path("attempts")).hasSize(3);
    assertThat(dead.path("attempts").findValuesAsText("outcome"))
        .containsExactly("retry", "retry", "dead");
    iis.comeBack();
    Reply replayed = sync.api.post("/api/deliveries/" + deliveryId + "/replay", "");
    assertThat(replayed.status()).as(replayed.text()).isEqualTo(200);
    sync.awaitDeliveries(appointment, "succeeded");
    assertThat(sync.delivery(deliveryId).path("attempts")).hasSize(4);
    assertThat(iis.ledger()).extracting(LedgerEntry::idempotencyKey).containsOnly(deliveryId);
  }

  @Test
  void connectors_show_the_backlog_and_the_last_error_while_the_iis_is_down() {
    sync = RunningSync.start(dir, iis.baseUrl(), 50);
    JsonNode idle = sync.connector();
    assertThat(idle.path("id").asText()).isEqualTo(RunningSync.CONNECTOR);
    assertThat(idle.path("type").asText()).isEqualTo("rest");
    assertThat(idle.path("baseUrl").asText()).isEqualTo(iis.baseUrl().toString());
    assertThat(idle.path("backlog").asInt()).isZero();
    assertThat(idle.path("oldestPendingAgeSeconds").isNull()).isTrue();
    assertThat(idle.path("lastError").isNull()).isTrue();
    assertThat(idle.path("circuitBreaker").path("state").asText()).isEqualTo("closed");
    assertThat(idle.path("circuitBreaker").path("judgedAttempts").asInt()).isZero();
    assertThat(idle.path("limits").path("maxConcurrency").asInt()).isEqualTo(8);
    assertThat(idle.path("limits").path("rateLimit").asDouble()).isEqualTo(200.0);
    assertThat(idle.path("limits").path("inFlight").asInt()).isZero();
    assertThat(idle.path("capabilities").toString()).isEqualTo("[\"push\",\"preview\"]");
    assertThat(idle.path("health").isNull()).as("rest has no health check").isTrue();
    iis.goDown(LONG_OUTAGE);

    String slot = sync.slot(sync.location(), 2);
    String first = sync.book(sync.patient(), slot);
    String second = sync.book(sync.patient(), slot);

    sync.awaitDeliveries(first, "retrying");
    sync.awaitDeliveries(second, "retrying");
    JsonNode down = sync.connector();
    assertThat(down.path("backlog").asInt()).isEqualTo(2);
    assertThat(down.path("retrying").asInt()).isEqualTo(2);
    assertThat(down.path("pending").asInt()).isZero();
    assertThat(down.path("dead").asInt()).isZero();
    assertThat(down.path("oldestPendingAgeSeconds").isNumber()).isTrue();
    assertThat(down.path("oldestPendingAgeSeconds").asDouble()).isNotNegative();
    assertThat(down.path("lastError").asText()).contains("HTTP 503");
    assertThat(down.path("lastErrorAt").asText()).isNotBlank();
    assertThat(down.path("lastSuccessAt").isNull()).isTrue();

    iis.comeBack();
    await()
        .atMost(RunningSync.PATIENCE)
        .untilAsserted(() -> assertThat(sync.connector().path("backlog").asInt()).isZero());
    JsonNode recovered = sync.connector();
    assertThat(recovered.path("lastSuccessAt").asText()).isNotBlank();
    assertThat(recovered.path("oldestPendingAgeSeconds").isNull()).isTrue();
  }

  @Test
  void metrics_count_attempts_by_connector_and_outcome_and_show_the_backlog() {
    sync = RunningSync.start(dir, iis.baseUrl(), 50);
    iis.goDown(LONG_OUTAGE);
    String slot = sync.slot(sync.location(), 2);
    String waiting = sync.book(sync.patient(), slot);
    sync.awaitDeliveries(waiting, "retrying");

    String duringOutage = metrics();
    assertThat(sample(duringOutage, "hms_delivery_backlog{", "")).hasValue(1.0);
    assertThat(sample(duringOutage, "hms_connector_circuit_state", "state=\"closed\""))
        .as("one failure is not enough to open the circuit (minimumCalls 20)")
        .hasValue(1.0);
    assertThat(sample(duringOutage, "hms_connector_circuit_state", "state=\"open\""))
        .hasValue(0.0);
    assertThat(sample(duringOutage, "hms_delivery_attempts", "outcome=\"retry\"").orElseThrow())
        .isGreaterThanOrEqualTo(1.0);
    assertThat(sample(duringOutage, "hms_connector_max_concurrency", "")).hasValue(8.0);
    assertThat(sample(duringOutage, "hms_connector_rate_limit{", "")).hasValue(200.0);
    assertThat(sample(duringOutage, "hms_connector_in_flight", "")).isPresent();
    assertThat(sample(duringOutage, "hms_connector_rate_limited_total", "")).isPresent();

    iis.comeBack();
    sync.awaitDeliveries(waiting, "succeeded");
    String recovered = metrics();
    assertThat(sample(recovered, "hms_delivery_attempts", "outcome=\"succeeded\"")).hasValue(1.0);
    assertThat(sample(recovered, "hms_delivery_attempts", "outcome=\"dead\"")).hasValue(0.0);
    assertThat(sample(recovered, "hms_delivery_backlog{", "")).hasValue(0.0);
  }

  private String metrics() {
    Reply reply = sync.api.withToken(null).get("/metrics");
    assertThat(reply.status()).isEqualTo(200);
    return reply.text();
  }

  /** The value of the first sample line of {@code name} for our connector that has {@code label}. */
  private static OptionalDouble sample(String scrape, String name, String label) {
    return scrape
        .lines()
        .filter(line -> line.startsWith(name))
        .filter(line -> line.contains("connector=\"" + RunningSync.CONNECTOR + "\""))
        .filter(line -> line.contains(label))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .findFirst();
  }
}
