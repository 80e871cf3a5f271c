package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.http.ProblemAssert.assertProblem;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.hms.sync.http.ApiClient.Reply;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the API does with values it must not store: 400 (or 413) naming the field and the rule,
 * the same answer on every database, and nothing changed. Subclassed per database; one service
 * serves every test of a class (each test makes its own patients, slots and appointments).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ApiInputContract {
  private IisSimulator iis;
  RunningSync sync;
  ApiClient api;

  /** The service under test, on this class's database. */
  abstract RunningSync start(Path dir, URI iisBaseUrl);

  @BeforeAll
  void startService(@TempDir Path dir) {
    iis = IisSimulator.start(SimulatorOptions.defaults());
    sync = start(dir, iis.baseUrl());
    api = sync.api;
  }

  @AfterAll
  void stop() {
    sync.close();
    iis.close();
  }

  // ---- JSON limits ----

  @Test
  void arrays_nested_ten_thousand_deep_answer_400_naming_the_depth_limit() {
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post(
            "/api/patients",
            "{\"mrn\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}");

    assertThat(assertProblem(reply, 400)).contains("64");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_thousand_digit_number_answers_400_naming_the_number_limit() {
    Reply reply =
        api.post(
            "/api/slots",
            "{\"locationId\":\"x\",\"start\":\"2027-03-01T09:00:00Z\",\"end\":"
                + "\"2027-03-01T09:15:00Z\",\"capacity\":" + "9".repeat(1000) + "}");

    assertThat(assertProblem(reply, 400)).contains("number").contains("64");
  }

  @Test
  void a_twenty_million_character_string_answers_413() {
    Reply reply =
        api.post("/api/locations", "{\"code\":\"C\",\"name\":\"" + "n".repeat(20_000_000) + "\"}");

    assertThat(assertProblem(reply, 413)).contains("256 KiB");
  }

  @Test
  void a_field_given_twice_answers_400() {
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post("/api/locations", "{\"code\":\"C-1\",\"name\":\"One\",\"code\":\"C-2\"}");

    assertThat(assertProblem(reply, 400)).contains("twice").contains("'code'");
    assertThat(sync.counts()).isEqualTo(before);
  }

  // ---- text fields ----

  static Stream<Arguments> forbiddenCharacters() {
    return Stream.of(
        Arguments.of("NUL", "\\u0000", "U+0000"),
        Arguments.of("SOH", "\\u0001", "U+0001"),
        Arguments.of("TAB", "\\t", "U+0009"),
        Arguments.of("LF", "\\n", "U+000A"),
        Arguments.of("CR", "\\r", "U+000D"),
        Arguments.of("DEL", "\\u007f", "U+007F"),
        Arguments.of("C1 NEL", "\\u0085", "U+0085"),
        Arguments.of("lone surrogate", "\\ud800", "U+D800"),
        Arguments.of("noncharacter", "\\uffff", "U+FFFF"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forbiddenCharacters")
  void a_patient_name_with_a_forbidden_character_answers_400_naming_the_field(
      String label, String escaped, String codePoint) {
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post(
            "/api/patients",
            "{\"mrn\":\"MRN-C1\",\"givenName\":\"Jo" + escaped + "hanna\","
                + "\"familyName\":\"Smith\",\"birthDate\":\"1980-01-01\"}");

    assertThat(assertProblem(reply, 400)).contains("'givenName'").contains(codePoint)
        .doesNotContain("Jo");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_completion_with_nul_in_the_lot_number_answers_400_and_nothing_reaches_the_registry() {
    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 1));
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post(
            "/api/appointments/" + appointment + "/complete",
            "{\"immunization\":{\"cvxCode\":\"208\",\"lotNumber\":\"EK\\u00005730\"}}");

    assertThat(assertProblem(reply, 400)).contains("'immunization.lotNumber'").contains("U+0000");
    assertThat(sync.appointment(appointment).path("status").asText()).isEqualTo("booked");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_cancel_reason_with_a_control_character_answers_400_and_keeps_the_appointment() {
    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 1));
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post(
            "/api/appointments/" + appointment + "/cancel",
            "{\"reason\":\"patient \\u0001 called\"}");

    assertThat(assertProblem(reply, 400)).contains("'reason'");
    assertThat(sync.appointment(appointment).path("status").asText()).isEqualTo("booked");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void invalid_utf8_in_a_field_answers_400_naming_the_field() {
    RunningSync.Counts before = sync.counts();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(
        "{\"mrn\":\"MRN-U1\",\"givenName\":\"Given\",\"familyName\":\"Fam"
            .getBytes(StandardCharsets.US_ASCII));
    body.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28}); // a lead byte without its follower
    body.writeBytes("\",\"birthDate\":\"1980-01-01\"}".getBytes(StandardCharsets.US_ASCII));

    Reply reply = postBytes("/api/patients", body.toByteArray());

    assertThat(assertProblem(reply, 400)).contains("UTF-8").contains("'familyName'");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void an_overlong_utf8_encoding_answers_400() {
    RunningSync.Counts before = sync.counts();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes("{\"code\":\"C-O\",\"name\":\"a".getBytes(StandardCharsets.US_ASCII));
    body.writeBytes(new byte[] {(byte) 0xC0, (byte) 0xAF}); // '/' written in two bytes
    body.writeBytes("b\"}".getBytes(StandardCharsets.US_ASCII));

    Reply reply = postBytes("/api/locations", body.toByteArray());

    assertThat(assertProblem(reply, 400)).contains("UTF-8").contains("'name'");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_number_where_a_string_belongs_answers_400() {
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post(
            "/api/patients",
            "{\"mrn\":4242,\"givenName\":\"Given\",\"familyName\":\"Family\","
                + "\"birthDate\":\"1980-01-01\"}");

    assertThat(assertProblem(reply, 400)).contains("'mrn'").contains("string");
    assertThat(sync.counts()).isEqualTo(before);
  }

  static Stream<Arguments> tooLong() {
    return Stream.of(
        Arguments.of("/api/patients", "mrn", 64),
        Arguments.of("/api/patients", "givenName", 200),
        Arguments.of("/api/patients", "familyName", 200),
        Arguments.of("/api/locations", "code", 64),
        Arguments.of("/api/locations", "name", 200));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("tooLong")
  void a_string_over_its_maximum_length_answers_400_naming_the_field_and_the_maximum(
      String path, String field, int maximum) {
    RunningSync.Counts before = sync.counts();
    var body = ApiClient.MAPPER.createObjectNode();
    if (path.equals("/api/patients")) {
      body.put("mrn", "MRN-L1").put("givenName", "G").put("familyName", "F")
          .put("birthDate", "1980-01-01");
    } else {
      body.put("code", "C-L1").put("name", "N");
    }
    body.put(field, "x".repeat(maximum + 1));

    Reply reply = api.post(path, body.toString());

    assertThat(assertProblem(reply, 400)).contains(field).contains(String.valueOf(maximum));
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void immunization_fields_over_their_maximum_length_answer_400() {
    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 1));

    Reply reply =
        api.post(
            "/api/appointments/" + appointment + "/complete",
            "{\"immunization\":{\"cvxCode\":\"208\",\"manufacturer\":\"" + "M".repeat(17) + "\"}}");

    assertThat(assertProblem(reply, 400)).contains("immunization.manufacturer").contains("16");
  }

  // ---- times ----

  @ParameterizedTest
  @ValueSource(
      strings = {
        "+1000000000-01-01T00:00:00Z",
        "-0001-01-01T00:00:00Z",
        "1899-12-31T23:59:59Z",
        "+10000-01-01T00:00:00Z"
      })
  void a_slot_outside_the_years_1900_to_9999_answers_400_and_creates_nothing(String start) {
    String location = sync.location();
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post(
            "/api/slots",
            ApiClient.json(
                "locationId", location, "start", start, "end", "2027-03-01T09:15:00Z"));

    assertThat(assertProblem(reply, 400)).contains("'start'").contains("1900").contains("9999");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_birth_date_before_1900_answers_400() {
    RunningSync.Counts before = sync.counts();

    Reply reply =
        api.post(
            "/api/patients",
            ApiClient.json(
                "mrn", "MRN-B1", "givenName", "G", "familyName", "F", "birthDate", "1850-01-01"));

    assertThat(assertProblem(reply, 400)).contains("'birthDate'").contains("1900");
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void a_reconciliation_range_in_year_one_billion_answers_400() {
    Reply reply =
        api.post(
            "/api/reconciliations",
            ApiClient.json(
                "connector", RunningSync.CONNECTOR, "from", "2027-01-01T00:00:00Z",
                "to", "+1000000000-01-01T00:00:00Z"));

    assertThat(assertProblem(reply, 400)).contains("'to'");
  }

  // ---- ids in paths and queries ----

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/api/appointments/%00",
        "/api/patients/a%01b",
        "/api/appointments?patientId=%00",
        "/api/deliveries?appointmentId=%C2%85",
        "/api/inbox?connector=%00"
      })
  void a_control_character_in_an_id_or_filter_answers_400(String path) {
    assertProblem(api.get(path), 400);
  }

  private Reply postBytes(String path, byte[] body) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sync.app.port() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + RunningSync.ADMIN_TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (Exception failure) {
      throw new AssertionError("POST " + path + " failed", failure);
    }
  }
}
