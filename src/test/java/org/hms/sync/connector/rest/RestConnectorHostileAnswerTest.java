package org.hms.sync.connector.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.connector.rest.Connectors.CLOCK;
import static org.hms.sync.connector.rest.Connectors.NOW;
import static org.hms.sync.connector.rest.Connectors.config;
import static org.hms.sync.connector.rest.Connectors.push;
import static org.hms.sync.connector.rest.Connectors.request;
import static org.hms.sync.connector.rest.Connectors.route;
import static org.hms.sync.testing.HostileAnswers.PHI_LIKE;

import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;
import org.hms.sync.testing.AnswerServer;
import org.hms.sync.testing.AnswerServer.Answer;
import org.hms.sync.testing.HostileAnswers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a RestConnector makes of hostile or broken answers: a 2xx is a success whatever its body
 * (the change was applied), with a note saying why no external id was stored; any other status is
 * judged by its status, and a body too large to read is not read.
 */
class RestConnectorHostileAnswerTest {

  private final AnswerServer server = AnswerServer.start();
  private final OutboxEvent created = SampleEvents.event(EventTypes.CREATED, 1);
  private final RestConnector connector =
      RestConnector.create(
          config(server.baseUrl(), route(EventTypes.CREATED, "POST", "/appointments", null, "/id")),
          CLOCK);

  @AfterEach
  void stopServer() {
    server.close();
  }

  private PushResult.Success successAfter(Answer answer) {
    server.answer(answer);
    PushResult result = push(connector, request(created, null));
    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(result.toString()).doesNotContain(PHI_LIKE);
    PushResult.Success success = (PushResult.Success) result;
    assertThat(success.externalId()).isNull();
    return success;
  }

  @Test
  void a_2xx_nested_ten_thousand_levels_deep_is_a_success_without_external_id() {
    assertThat(successAfter(HostileAnswers.deep(201)).note())
        .isEqualTo(
            "response is not JSON (JSON nested more than 64 levels deep; the limit is 64);"
                + " external id at /id not stored");
  }

  @Test
  void a_2xx_with_a_thousand_digit_number_is_a_success_without_external_id() {
    assertThat(successAfter(HostileAnswers.longNumber(201)).note())
        .isEqualTo(
            "response is not JSON (a number is longer than 64 characters; the limit is 64);"
                + " external id at /id not stored");
  }

  @Test
  void a_2xx_that_is_not_utf8_is_a_success_without_external_id() {
    assertThat(successAfter(HostileAnswers.invalidUtf8(201)).note())
        .isEqualTo(
            "response is not JSON (invalid UTF-8 in field 'name' at byte 23); external id at /id"
                + " not stored");
  }

  @Test
  void a_2xx_html_page_is_a_success_without_external_id() {
    assertThat(successAfter(HostileAnswers.notJson(200)).note())
        .isEqualTo(
            "response is not JSON (malformed JSON at line 1, column 1: unexpected character or"
                + " token); external id at /id not stored");
  }

  @Test
  void a_2xx_with_an_array_where_the_id_should_be_is_a_success_without_external_id() {
    assertThat(successAfter(Answer.json(201, "{\"id\": [\"" + PHI_LIKE + "\"]}")).note())
        .isEqualTo("response has no scalar at /id; external id not stored");
  }

  @Test
  void a_2xx_with_an_id_too_long_to_store_is_a_success_without_external_id() {
    assertThat(successAfter(Answer.json(201, "{\"id\": \"" + "7".repeat(501) + "\"}")).note())
        .isEqualTo("external id not stored: it is 501 characters long; at most 500 are kept");
  }

  @Test
  void a_2xx_with_a_control_character_in_the_id_is_a_success_without_external_id() {
    assertThat(successAfter(Answer.json(201, "{\"id\": \"iis\\u000042\"}")).note())
        .isEqualTo("external id not stored: it contains a control character (U+0000)");
  }

  @Test
  void a_2xx_that_never_ends_is_cut_off_and_a_success_without_external_id() {
    assertThat(successAfter(HostileAnswers.endless(201)).note())
        .isEqualTo(
            "response not read (the HTTP 201 answer is larger than 4 MiB; reading stopped after"
                + " 4194304 bytes); external id at /id not stored");
  }

  @Test
  void a_2xx_that_declares_a_huge_body_is_not_read_and_a_success_without_external_id() {
    assertThat(successAfter(HostileAnswers.declaredHuge(201)).note())
        .isEqualTo(
            "response not read (the HTTP 201 answer is larger than 4 MiB (its Content-Length is"
                + " 1099511627776 bytes); it was not read); external id at /id not stored");
  }

  @Test
  void a_503_that_never_ends_is_retryable_by_its_status_and_retry_after() {
    server.answer(HostileAnswers.endless(503).with("Retry-After", "30"));

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isEqualTo(
            new PushResult.Retryable(
                503,
                "HttpStatus",
                "HTTP 503 from POST /appointments (the HTTP 503 answer is larger than 4 MiB;"
                    + " reading stopped after 4194304 bytes)",
                NOW.plusSeconds(30)));
  }

  @Test
  void a_400_that_declares_a_huge_body_is_permanent_by_its_status() {
    server.answer(HostileAnswers.declaredHuge(400));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Permanent.class,
        permanent -> {
          assertThat(permanent.httpStatus()).isEqualTo(400);
          assertThat(permanent.reason())
              .startsWith("HTTP 400 from POST /appointments (the HTTP 400 answer is larger than");
        });
  }

  @Test
  void an_error_text_with_control_characters_and_broken_utf8_is_one_printable_line() {
    byte[] text = "{\"error\": \"bad\u0000segment\r\n\tline\u0007 two \"}"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] body = java.util.Arrays.copyOf(text, text.length + 2);
    body[text.length] = (byte) 0xC3;
    body[text.length + 1] = (byte) 0x28;
    server.answer(Answer.bytes(422, "application/json", body));

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isEqualTo(
            new PushResult.Permanent(
                422,
                "HttpStatus",
                "HTTP 422 from POST /appointments: {\"error\": \"bad\uFFFDsegment line\uFFFD two"
                    + " \"}\uFFFD("));
  }
}
