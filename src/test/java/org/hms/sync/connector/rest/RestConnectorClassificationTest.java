package org.hms.sync.connector.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.connector.rest.Connectors.BEARER;
import static org.hms.sync.connector.rest.Connectors.CLOCK;
import static org.hms.sync.connector.rest.Connectors.NOW;
import static org.hms.sync.connector.rest.Connectors.config;
import static org.hms.sync.connector.rest.Connectors.push;
import static org.hms.sync.connector.rest.Connectors.request;
import static org.hms.sync.connector.rest.Connectors.route;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.hms.sync.config.TimeoutsConfig;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How a RestConnector judges answers and failures: success, retry (and when) or dead letter. */
class RestConnectorClassificationTest {

  private final RecordingServer server = RecordingServer.start();
  private final OutboxEvent created = SampleEvents.event(EventTypes.CREATED, 1);
  private final RestConnector connector =
      RestConnector.create(
          config(server.baseUrl(), route(EventTypes.CREATED, "POST", "/appointments", null, "/id")),
          CLOCK);

  @AfterEach
  void stopServer() {
    server.close();
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {408, 425, 429, 500, 502, 503, 504})
  void transient_status_is_retryable(int status) {
    server.answer("/appointments", status, "{\"error\": \"try later\"}");

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Retryable.class,
        retryable -> {
          assertThat(retryable.httpStatus()).isEqualTo(status);
          assertThat(retryable.errorClass()).isEqualTo("HttpStatus");
          assertThat(retryable.reason())
              .contains("HTTP " + status)
              .contains("POST /appointments")
              .contains("try later");
          assertThat(retryable.notBefore()).isNull();
        });
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {400, 401, 403, 404, 405, 409, 410, 422})
  void client_error_status_is_permanent(int status) {
    server.answer("/appointments", status, "{\"error\": \"slotTime is required\"}");

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Permanent.class,
        permanent -> {
          assertThat(permanent.httpStatus()).isEqualTo(status);
          assertThat(permanent.errorClass()).isEqualTo("HttpStatus");
          assertThat(permanent.reason())
              .contains("HTTP " + status)
              .contains("slotTime is required");
        });
  }

  @Test
  void long_error_body_is_cut_in_the_reason() {
    server.answer("/appointments", 500, "{\"error\": \"" + "x".repeat(2_000) + "\"}");

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Retryable.class,
        retryable -> assertThat(retryable.reason()).hasSizeLessThan(400).endsWith("…"));
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {301, 302, 307, 308})
  void redirect_is_permanent_and_not_followed(int status) {
    server.answer(
        "/appointments", status, "", "Location", server.baseUrl() + "/moved/appointments");

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Permanent.class,
        permanent -> assertThat(permanent.httpStatus()).isEqualTo(status));
    assertThat(server.requestsTo("/moved/appointments")).isZero();
    assertThat(server.received()).hasSize(1);
  }

  @Test
  void retry_after_seconds_sets_the_earliest_next_attempt() {
    server.answer("/appointments", 503, "", "Retry-After", "2");

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Retryable.class,
        retryable -> assertThat(retryable.notBefore()).isEqualTo(NOW.plusSeconds(2)));
  }

  @Test
  void retry_after_http_date_sets_the_earliest_next_attempt() {
    server.answer("/appointments", 429, "", "Retry-After", "Mon, 01 Mar 2027 08:00:30 GMT");

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Retryable.class,
        retryable ->
            assertThat(retryable.notBefore()).isEqualTo(Instant.parse("2027-03-01T08:00:30Z")));
  }

  @Test
  void retry_after_beyond_an_hour_is_capped_at_an_hour() {
    server.answer("/appointments", 503, "", "Retry-After", "86400");

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Retryable.class,
        retryable -> assertThat(retryable.notBefore()).isEqualTo(NOW.plus(Duration.ofHours(1))));
  }

  @Test
  void garbage_retry_after_leaves_the_next_attempt_to_the_backoff() {
    server.answer("/appointments", 503, "", "Retry-After", "soon-ish");

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Retryable.class, retryable -> assertThat(retryable.notBefore()).isNull());
  }

  /** A number too large for an Instant must not turn the push future exceptional. */
  @Test
  void absurdly_large_retry_after_is_capped_at_an_hour() {
    server.answer("/appointments", 503, "", "Retry-After", "999999999999999999");

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Retryable.class,
        retryable -> assertThat(retryable.notBefore()).isEqualTo(NOW.plus(Duration.ofHours(1))));
  }

  @Test
  void retry_after_on_a_permanent_failure_is_ignored() {
    server.answer("/appointments", 400, "", "Retry-After", "2");

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
  }

  @Test
  void server_that_never_answers_is_a_retryable_timeout() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      // the kernel accepts the connection; nobody ever reads the request or answers it
      RestConnector impatient =
          RestConnector.create(
              config(
                  URI.create("http://127.0.0.1:" + silent.getLocalPort()),
                  BEARER,
                  Map.of(),
                  new TimeoutsConfig(Duration.ofSeconds(1), Duration.ofMillis(300)),
                  route(EventTypes.CREATED, "POST", "/appointments")),
              CLOCK);

      long started = System.nanoTime();
      PushResult result = push(impatient, request(created, null));
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      assertThat(result).isInstanceOfSatisfying(
          PushResult.Retryable.class,
          retryable -> {
            assertThat(retryable.httpStatus()).isNull();
            assertThat(retryable.errorClass()).containsIgnoringCase("timeout");
            assertThat(retryable.reason()).contains("timed out").contains("POST /appointments");
            assertThat(retryable.notBefore()).isNull();
          });
      assertThat(took).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void refused_connection_is_retryable() throws IOException {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    RestConnector nobodyHome =
        RestConnector.create(
            config(
                URI.create("http://127.0.0.1:" + closedPort),
                route(EventTypes.CREATED, "POST", "/appointments")),
            CLOCK);

    PushResult result = push(nobodyHome, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Retryable.class,
        retryable -> {
          assertThat(retryable.httpStatus()).isNull();
          assertThat(retryable.errorClass()).isEqualTo("ConnectException");
          assertThat(retryable.reason()).contains("cannot connect").contains("/appointments");
        });
  }
}
