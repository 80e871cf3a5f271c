package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hms.sync.connector.fhir.FhirFixtures.connector;
import static org.hms.sync.connector.fhir.FhirFixtures.request;
import static org.hms.sync.testing.HostileAnswers.PHI_LIKE;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.TimeoutsConfig;
import org.hms.sync.connector.AppointmentLister.ListingException;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.testing.AnswerServer;
import org.hms.sync.testing.AnswerServer.Answer;
import org.hms.sync.testing.HostileAnswers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * What the fhir connector makes of hostile or broken answers read by the HAPI client: each push,
 * change-feed page and listing ends in a verdict whose reason says what was wrong (too large, not
 * UTF-8, beyond the parser's limits, not FHIR, the wrong resource) and repeats nothing of the
 * answer. A 2xx that cannot be read is retryable: conditional create and If-Match make a repeat
 * safe.
 */
class FhirHostileAnswerTest {
  private static final String FHIR_JSON = "application/fhir+json;charset=utf-8";
  private static final AnswerServer SERVER = AnswerServer.start();
  private static final FhirConnector CONNECTOR = connector(generous(config(SERVER.baseUrl())));

  private static ConnectorConfig config(URI server) {
    return FhirFixtures.config(URI.create(server + "/fhir"), null);
  }

  /**
   * With a request timeout of a minute: the first answer a fresh FhirContext parses makes it scan
   * the FHIR model, which can take seconds on a busy machine; every answer here is quick.
   */
  private static ConnectorConfig generous(ConnectorConfig config) {
    return new ConnectorConfig(
        config.id(), config.type(), config.baseUrl(), config.auth(), config.tls(),
        new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofMinutes(1)), config.retry(),
        config.circuitBreaker(), config.limits(), config.headers(), config.routes(),
        config.settings(), config.inbound(), config.list(), config.reconcile());
  }

  @AfterAll
  static void stopServer() {
    SERVER.close();
  }

  private static Answer fhir(int status, String body) {
    return Answer.bytes(status, FHIR_JSON, body.getBytes(StandardCharsets.UTF_8));
  }

  private static PushResult createAgainst(Answer answer) {
    SERVER.answer(answer);
    PushResult result;
    try {
      result =
          CONNECTOR
              .push(request(SampleEvents.event(EventTypes.CREATED, 1), null))
              .get(90, TimeUnit.SECONDS);
    } catch (Exception failure) {
      throw new AssertionError("push did not complete normally: " + failure, failure);
    }
    assertThat(result.toString()).doesNotContain(PHI_LIKE);
    return result;
  }

  private static String changesFailWith(Answer answer) {
    SERVER.answer(answer);
    try {
      CONNECTOR.fetchChanges(null).get(90, TimeUnit.SECONDS);
    } catch (ExecutionException failed) {
      assertThat(failed.getCause().getMessage()).doesNotContain(PHI_LIKE);
      return failed.getCause().getMessage();
    } catch (Exception other) {
      throw new AssertionError(other);
    }
    throw new AssertionError("the change feed read the answer");
  }

  private static PushResult unreadable(String problem) {
    return new PushResult.Retryable(
        null,
        "DataFormatException",
        "the answer to POST Appointment is not readable FHIR (" + problem + ")",
        null);
  }

  // ---- pushes ----

  /** An Appointment whose extension holds arrays nested this deep. */
  private static Answer nested(int status, int depth) {
    return fhir(
        status,
        "{\"resourceType\": \"Appointment\", \"extension\": " + "[".repeat(depth)
            + "]".repeat(depth) + "}");
  }

  @Test
  void an_answer_nested_ten_thousand_levels_deep_is_retryable() {
    assertThat(createAgainst(nested(201, 10_000)))
        .isEqualTo(unreadable("JSON nested deeper than the parser's limit"));
  }

  @Test
  void an_answer_that_is_a_bare_array_is_retryable() {
    assertThat(createAgainst(HostileAnswers.deep(201))).isEqualTo(unreadable("not a JSON object"));
  }

  @Test
  void arrays_nested_in_an_extension_that_make_the_parser_fail_are_retryable() {
    assertThat(createAgainst(nested(201, 100)))
        .isEqualTo(
            new PushResult.Retryable(
                null,
                "NullPointerException",
                "the answer to POST Appointment is not readable FHIR (the FHIR parser failed with"
                    + " NullPointerException)",
                null));
  }

  @Test
  void an_answer_with_a_two_thousand_digit_number_is_retryable() {
    assertThat(
            createAgainst(
                fhir(
                    201,
                    "{\"resourceType\": \"Appointment\", \"minutesDuration\": "
                        + "9".repeat(2_000) + "}")))
        .isEqualTo(unreadable("a number longer than the parser's limit"));
  }

  @Test
  void an_invalid_value_is_named_by_its_element_not_its_content() {
    assertThat(
            createAgainst(
                fhir(201, "{\"resourceType\": \"Appointment\", \"status\": \"" + PHI_LIKE + "\"}")))
        .isEqualTo(unreadable("an invalid value in element 'status'"));
  }

  @Test
  void an_answer_that_is_not_utf8_is_retryable() {
    byte[] body = HostileAnswers.invalidUtf8(201).body();
    assertThat(createAgainst(Answer.bytes(201, FHIR_JSON, body)))
        .isEqualTo(
            new PushResult.Retryable(
                201,
                "UnreadableResponse",
                "unreadable answer to POST Appointment: the HTTP 201 answer is not valid UTF-8 (at"
                    + " byte 23)",
                null));
  }

  @Test
  void an_html_page_labelled_fhir_is_retryable() {
    byte[] page = HostileAnswers.notJson(201).body();
    assertThat(createAgainst(Answer.bytes(201, FHIR_JSON, page)))
        .isEqualTo(unreadable("not a JSON object"));
  }

  @Test
  void an_answer_without_resource_type_is_retryable() {
    assertThat(createAgainst(fhir(201, "{\"id\": \"1\", \"name\": \"" + PHI_LIKE + "\"}")))
        .isEqualTo(unreadable("no resourceType"));
  }

  @Test
  void an_answer_that_never_ends_is_cut_off_and_retryable() {
    assertThat(createAgainst(Answer.endless(201, FHIR_JSON, "{\"a\": \"" + PHI_LIKE + "\"} ")))
        .isEqualTo(
            new PushResult.Retryable(
                201,
                "UnreadableResponse",
                "unreadable answer to POST Appointment: the HTTP 201 answer is larger than 16 MiB;"
                    + " reading stopped after 16777216 bytes",
                null));
  }

  @Test
  void an_answer_that_declares_a_huge_body_is_not_read_and_retryable() {
    assertThat(createAgainst(Answer.declaring(201, FHIR_JSON, 1L << 40)))
        .isEqualTo(
            new PushResult.Retryable(
                201,
                "UnreadableResponse",
                "unreadable answer to POST Appointment: the HTTP 201 answer is larger than 16 MiB"
                    + " (its Content-Length is 1099511627776 bytes); it was not read",
                null));
  }

  @Test
  void an_error_that_never_ends_is_cut_off_and_judged_by_its_status() {
    Answer endless = Answer.endless(503, FHIR_JSON, "{\"a\": 1} ").with("Retry-After", "30");

    // HAPI drops an error body it cannot read, so the reason has the status alone
    assertThat(createAgainst(endless))
        .isEqualTo(
            new PushResult.Retryable(
                503,
                "HttpStatus",
                "HTTP 503 from POST Appointment",
                FhirTestServer.START.plusSeconds(30)));
  }

  @Test
  void an_error_text_with_control_characters_is_one_printable_line() {
    PushResult result =
        createAgainst(
            Answer.bytes(
                400, "text/plain", "bad\u0000segment\r\n\tsecond line".getBytes(StandardCharsets.UTF_8)));

    assertThat(result)
        .isEqualTo(
            new PushResult.Permanent(
                400, "HttpStatus", "HTTP 400 from POST Appointment: bad\uFFFDsegment second line"));
  }

  @Test
  void a_location_too_long_to_store_is_a_success_without_external_id() {
    assertThat(
            createAgainst(
                Answer.bytes(201, FHIR_JSON, new byte[0])
                    .with("Location", SERVER.baseUrl() + "/fhir/Appointment/" + "a".repeat(600))))
        .isEqualTo(
            new PushResult.Success(
                201,
                null,
                "external id not stored: it is 612 characters long; at most 500 are kept"));
  }

  // ---- change feed ----

  @Test
  void a_change_page_nested_ten_thousand_levels_deep_fails_with_the_reason() {
    assertThat(changesFailWith(nested(200, 10_000)))
        .isEqualTo(
            "connector 'county-portal' cannot fetch changes: the answer to GET"
                + " Appointment?_lastUpdated is not readable FHIR (JSON nested deeper than the"
                + " parser's limit)");
  }

  @Test
  void a_change_page_that_is_not_utf8_fails_with_the_reason() {
    assertThat(changesFailWith(Answer.bytes(200, FHIR_JSON, HostileAnswers.invalidUtf8(200).body())))
        .isEqualTo(
            "connector 'county-portal' cannot fetch changes: unreadable answer to GET"
                + " Appointment?_lastUpdated: the HTTP 200 answer is not valid UTF-8 (at byte 23)");
  }

  @Test
  void a_change_page_that_is_an_html_page_fails_without_repeating_it() {
    assertThat(changesFailWith(HostileAnswers.notJson(200)))
        .isEqualTo(
            "connector 'county-portal' cannot fetch changes: unreadable answer (HTTP 200 from GET"
                + " Appointment?_lastUpdated: not FHIR (Content-Type 'text/html'))");
  }

  @Test
  void a_change_page_that_is_not_a_bundle_fails_with_the_reason() {
    assertThat(
            changesFailWith(
                fhir(200, "{\"resourceType\": \"Patient\", \"name\": [{\"family\": \"" + PHI_LIKE
                    + "\"}]}")))
        .isEqualTo(
            "connector 'county-portal' cannot fetch changes: the answer to GET"
                + " Appointment?_lastUpdated is not readable FHIR (a Patient where a Bundle was"
                + " expected)");
  }

  @Test
  void a_change_page_that_never_ends_is_cut_off_and_fails_with_the_reason() {
    assertThat(changesFailWith(Answer.endless(200, FHIR_JSON, "{\"a\": 1} ")))
        .isEqualTo(
            "connector 'county-portal' cannot fetch changes: unreadable answer to GET"
                + " Appointment?_lastUpdated: the HTTP 200 answer is larger than 16 MiB; reading"
                + " stopped after 16777216 bytes");
  }

  @Test
  void an_appointment_nested_deeper_than_the_service_passes_on_fails_with_the_reason() {
    String extension = "{\"url\": \"urn:x\", \"valueString\": \"" + PHI_LIKE + "\"}";
    for (int level = 0; level < 40; level++) {
      extension = "{\"url\": \"urn:x\", \"extension\": [" + extension + "]}";
    }
    String bundle =
        "{\"resourceType\": \"Bundle\", \"type\": \"searchset\", \"entry\": [{\"resource\":"
            + " {\"resourceType\": \"Appointment\", \"id\": \"1\", \"status\": \"booked\","
            + " \"meta\": {\"lastUpdated\": \"2027-03-01T08:00:00Z\"}, \"extension\": ["
            + extension + "], \"participant\": [{\"status\": \"accepted\"}]}}]}";

    assertThat(changesFailWith(fhir(200, bundle)))
        .isEqualTo(
            "connector 'county-portal': Appointment/1 cannot be passed on as JSON (JSON nested"
                + " more than 64 levels deep; the limit is 64)");
  }

  @Test
  void a_change_page_whose_next_link_leads_to_another_origin_fails_without_following_it() {
    String bundle =
        "{\"resourceType\": \"Bundle\", \"type\": \"searchset\", \"link\": [{\"relation\":"
            + " \"next\", \"url\": \"http://elsewhere.example/fhir?_getpages=1\"}], \"entry\":"
            + " [{\"resource\": {\"resourceType\": \"Appointment\", \"id\": \"1\", \"status\":"
            + " \"booked\", \"meta\": {\"versionId\": \"1\", \"lastUpdated\":"
            + " \"2027-03-01T08:00:00Z\"}, \"participant\": [{\"status\": \"accepted\"}]}}]}";

    assertThat(changesFailWith(fhir(200, bundle)))
        .isEqualTo(
            "connector 'county-portal': the change search's next link points to another origin"
                + " than baseUrl; the feed follows links on the connector's own origin only, so"
                + " that its credentials go nowhere else");
  }

  // ---- listing ----

  @Test
  void a_listed_appointment_with_nul_in_our_identifier_is_reported_by_position() {
    SERVER.answer(
        fhir(
            200,
            "{\"resourceType\": \"Bundle\", \"type\": \"searchset\", \"entry\": [{\"resource\":"
                + " {\"resourceType\": \"Appointment\", \"id\": \"1\", \"status\": \"booked\","
                + " \"start\": \"2027-03-01T09:00:00Z\", \"identifier\": [{\"system\":"
                + " \"urn:hms-sync:appointment\", \"value\": \"a-\\u00001\"}],"
                + " \"participant\": [{\"status\": \"accepted\"}]}}]}"));

    var listing =
        CONNECTOR.list(
            Instant.parse("2027-03-01T00:00:00Z"), Instant.parse("2027-03-02T00:00:00Z"));

    assertThat(listing.appointments()).isEmpty();
    assertThat(listing.unreadable())
        .containsExactly("item 0: appointmentId contains a control character (U+0000)");
  }

  @Test
  void a_listing_page_of_the_wrong_resource_fails_the_listing_with_the_reason() {
    SERVER.answer(fhir(200, "{\"resourceType\": \"Appointment\", \"status\": \"booked\"}"));

    assertThatThrownBy(
            () ->
                CONNECTOR.list(
                    Instant.parse("2027-03-01T00:00:00Z"), Instant.parse("2027-03-02T00:00:00Z")))
        .isInstanceOf(ListingException.class)
        .hasMessage(
            "connector 'county-portal' cannot list Appointments: the answer to GET"
                + " Appointment?date is not readable FHIR (an Appointment where a Bundle was"
                + " expected)");
  }
}
