package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hms.sync.http.RawHttp.Answer;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Requests no well-behaved client sends, written byte by byte on a socket: every one gets a
 * problem+json answer (or a closed connection where nothing more can be said), none a 5xx, none
 * an HTML page, and none changes anything.
 */
class HttpEdgeTest {
  private static final int LIMIT = 256 * 1024;
  private static final String PATIENT =
      "{\"mrn\":\"MRN-E1\",\"givenName\":\"Edge\",\"familyName\":\"Case\","
          + "\"birthDate\":\"1980-05-17\"}";

  @TempDir Path dir;

  private IisSimulator iis;
  private RunningSync sync;
  private ListAppender<ILoggingEvent> logLines;
  private Logger root;

  @BeforeEach
  void start() {
    root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logLines = new ListAppender<>();
    logLines.start();
    root.addAppender(logLines);
    iis = IisSimulator.start(SimulatorOptions.defaults());
    sync =
        RunningSync.start(
            dir, iis.baseUrl(), 3, "requestTimeout: 1s", "minRequestDataRate: 4096");
  }

  @AfterEach
  void stop() {
    sync.close();
    iis.close();
    root.detachAppender(logLines);
  }

  @Test
  void a_chunked_body_over_the_limit_answers_413_before_the_client_has_sent_it_all() {
    RunningSync.Counts before = sync.counts();
    try (RawHttp http = raw()) {
      http.send(head("POST", "/api/patients", "Transfer-Encoding: chunked"));
      byte[] chunk = chunk(64 * 1024);
      for (int sent = 0; sent <= LIMIT; sent += 64 * 1024) {
        http.send(chunk);
      }
      // No last chunk: a server that waited for the whole body would never answer.
      Answer answer = http.answer();

      assertProblem(answer, 413).contains("256 KiB");
      assertThat(answer.header("connection")).isEqualTo("close");
    }
    assertThat(sync.counts()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(longs = {LIMIT + 1L, 2_147_483_648L, 3_000_000_000L, Long.MAX_VALUE})
  void a_declared_length_over_the_limit_answers_413_without_waiting_for_the_body(long length) {
    RunningSync.Counts before = sync.counts();
    try (RawHttp http = raw()) {
      http.send(head("POST", "/api/patients", "Content-Length: " + length));

      assertProblem(http.answer(), 413).contains("256 KiB");
    }
    assertThat(sync.counts()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/connectors", "/webhooks/state-iis", "/health/live", "/nowhere"})
  void every_route_refuses_an_oversized_body(String path) {
    try (RawHttp http = raw()) {
      http.send(head("POST", path, "Transfer-Encoding: chunked"));
      byte[] chunk = chunk(64 * 1024);
      for (int sent = 0; sent <= LIMIT; sent += 64 * 1024) {
        http.send(chunk);
      }

      assertProblem(http.answer(), 413);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/patients", "/webhooks/state-iis"})
  void a_malformed_chunked_body_answers_400_and_logs_no_error(String path) {
    RunningSync.Counts before = sync.counts();
    try (RawHttp http = raw()) {
      http.send(head("POST", path, "Transfer-Encoding: chunked"));
      http.send("zz\r\n{\"mrn\":\"x\"}\r\n0\r\n\r\n");

      assertProblem(http.answer(), 400);
    }
    assertThat(sync.counts()).isEqualTo(before);
    assertThat(errorsLogged()).isEmpty();
  }

  @Test
  void a_body_that_stalls_is_cut_off_after_the_request_timeout() {
    RunningSync.Counts before = sync.counts();
    try (RawHttp http = raw()) {
      http.send(head("POST", "/api/patients", "Content-Length: " + PATIENT.length()));
      http.send(PATIENT.substring(0, 10));

      assertProblem(http.answer(), 408).contains("server.requestTimeout");
      assertThat(http.closedByServer()).isTrue();
    }
    assertThat(sync.counts()).isEqualTo(before);
    assertThat(errorsLogged()).isEmpty();
  }

  @Test
  void a_body_sent_slower_than_the_minimum_rate_is_cut_off() throws Exception {
    RunningSync.Counts before = sync.counts();
    String body = PATIENT + " ".repeat(2000);
    ScheduledExecutorService dripper = Executors.newSingleThreadScheduledExecutor();
    try (RawHttp http = raw()) {
      http.send(head("POST", "/api/patients", "Content-Length: " + body.length()));
      byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
      int[] next = {0};
      // 20 bytes every 50 ms: 400 bytes/s against a minimum of 4096, never stalling for a second.
      dripper.scheduleAtFixedRate(
          () -> {
            if (next[0] < bytes.length) {
              int end = Math.min(bytes.length, next[0] + 20);
              http.send(java.util.Arrays.copyOfRange(bytes, next[0], end));
              next[0] = end;
            }
          },
          0,
          50,
          TimeUnit.MILLISECONDS);

      assertProblem(http.answer(), 408);
    } finally {
      dripper.shutdownNow();
      dripper.awaitTermination(5, TimeUnit.SECONDS);
    }
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void headers_that_are_too_large_answer_431_problem_json() {
    try (RawHttp http = raw()) {
      http.send(head("GET", "/api/connectors", "X-Padding: " + "a".repeat(20_000)));

      assertProblem(http.answer(), 431);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Bad Header Without Colon",
        "X-Name : space before the colon",
        "Content-Length: 12\r\nContent-Length: 13",
        "Content-Length: 5\r\nTransfer-Encoding: chunked",
        "Transfer-Encoding: gzip, chunked, identity",
        "Content-Length: -1",
      })
  void a_malformed_or_smuggling_request_answers_400_problem_json(String header) {
    RunningSync.Counts before = sync.counts();
    try (RawHttp http = raw()) {
      http.send(head("POST", "/api/patients", header));
      http.send("0\r\n\r\n");

      assertProblem(http.answer(), 400);
    }
    assertThat(sync.counts()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/api/appointments/%00",
        "/api/appointments/a%00b",
        "/api/patients/%C0%AF",
        "/api/../etc/passwd",
        "/api/appointments?patientId=%00",
        "/api/deliveries?appointmentId=%FF%FE",
      })
  void odd_paths_and_queries_answer_problem_json_and_never_5xx(String path) {
    try (RawHttp http = raw()) {
      http.send(head("GET", path));

      Answer answer = http.answer();

      assertThat(answer.status()).as(answer.body()).isBetween(400, 499);
      assertProblem(answer, answer.status());
    }
    assertThat(errorsLogged()).isEmpty();
  }

  private RawHttp raw() {
    return new RawHttp(sync.app.port());
  }

  private static String head(String method, String path, String... headers) {
    StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1\r\n");
    head.append("Authorization: Bearer ").append(RunningSync.ADMIN_TOKEN).append("\r\n");
    head.append("Content-Type: application/json\r\n");
    for (String header : headers) {
      head.append(header).append("\r\n");
    }
    return head.append("\r\n").toString();
  }

  /** One chunk of {@code size} bytes of JSON-looking data, framed. */
  private static byte[] chunk(int size) {
    String data = "1".repeat(size);
    return (Integer.toHexString(size) + "\r\n" + data + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static org.assertj.core.api.AbstractStringAssert<?> assertProblem(
      Answer answer, int status) {
    assertThat(answer.status()).as("status of %s", answer.body()).isEqualTo(status);
    assertThat(answer.header("content-type")).startsWith("application/problem+json");
    assertThat(answer.json().path("status").asInt()).isEqualTo(status);
    assertThat(answer.json().path("title").asText()).isNotBlank();
    return assertThat(answer.json().path("detail").asText()).isNotBlank();
  }

  private java.util.List<String> errorsLogged() {
    return logLines.list.stream()
        .filter(line -> line.getLevel().isGreaterOrEqual(Level.ERROR))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }
}
