package org.hms.sync.connector.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.connector.auth.Tokens.failure;
import static org.hms.sync.connector.auth.Tokens.header;
import static org.hms.sync.testing.HostileAnswers.PHI_LIKE;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.testing.AnswerServer;
import org.hms.sync.testing.AnswerServer.Answer;
import org.hms.sync.testing.HostileAnswers;
import org.hms.sync.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A token endpoint that answers hostile or broken bodies: each ends in a clear AuthException
 * (retryable only when the status says so) that repeats nothing of the answer.
 */
class TokenEndpointHostileAnswerTest {
  private static final String SECRET = "s3cret-client";

  private final AnswerServer server = AnswerServer.start();
  private final MutableClock clock = new MutableClock(Instant.parse("2027-03-01T08:00:00Z"));
  private final Credentials credentials =
      Credentials.of(
          AuthConfig.oauth2(URI.create(server.baseUrl() + "/token"), "hms-sync", SECRET, null),
          HttpClient.newHttpClient(),
          clock);
  private final String endpoint = "token endpoint " + server.baseUrl() + "/token";

  @AfterEach
  void stopServer() {
    server.close();
  }

  private AuthException refusal(Answer answer, boolean retryable) {
    server.answer(answer);
    AuthException refused = failure(credentials);
    assertThat(refused.retryable()).isEqualTo(retryable);
    assertThat(refused.getMessage()).doesNotContain(PHI_LIKE).doesNotContain(SECRET);
    return refused;
  }

  @Test
  void an_answer_nested_ten_thousand_levels_deep_is_refused() {
    assertThat(refusal(HostileAnswers.deep(200), false))
        .hasMessage(
            endpoint + " answered HTTP 200 without an access_token: its body is not JSON (JSON"
                + " nested more than 64 levels deep; the limit is 64); check that auth.tokenUrl is"
                + " the token endpoint");
  }

  @Test
  void an_answer_with_a_thousand_digit_expires_in_is_refused() {
    assertThat(
            refusal(
                Answer.json(
                    200,
                    "{\"access_token\": \"t-1\", \"expires_in\": " + "9".repeat(1_000) + "}"),
                false))
        .hasMessage(
            endpoint + " answered HTTP 200 without an access_token: its body is not JSON (a number"
                + " is longer than 64 characters; the limit is 64); check that auth.tokenUrl is"
                + " the token endpoint");
  }

  @Test
  void an_answer_that_is_not_utf8_is_refused() {
    assertThat(refusal(HostileAnswers.invalidUtf8(200), false))
        .hasMessage(
            endpoint + " answered HTTP 200 without an access_token: its body is not JSON (invalid"
                + " UTF-8 in field 'name' at byte 23); check that auth.tokenUrl is the token"
                + " endpoint");
  }

  @Test
  void an_html_page_is_refused() {
    assertThat(refusal(HostileAnswers.notJson(200), false))
        .hasMessage(
            endpoint + " answered HTTP 200 without an access_token: its body is not JSON"
                + " (malformed JSON at line 1, column 1: unexpected character or token); check"
                + " that auth.tokenUrl is the token endpoint");
  }

  @Test
  void an_answer_of_the_wrong_shape_is_refused() {
    assertThat(refusal(Answer.json(200, "[{\"access_token\": \"t-1\"}]"), false))
        .hasMessage(
            endpoint + " answered HTTP 200 without an access_token; check that auth.tokenUrl is"
                + " the token endpoint");
  }

  @Test
  void a_token_that_cannot_go_into_a_header_is_refused() {
    assertThat(refusal(Answer.json(200, "{\"access_token\": \"t-1\\r\\nX-Evil: 1\"}"), false))
        .hasMessage(
            endpoint + " issued an access_token that holds a character outside printable ASCII"
                + " (U+000D) at position 3; a token must be printable ASCII (RFC 6749), check the"
                + " token endpoint");
  }

  @Test
  void a_token_type_is_echoed_as_one_short_printable_line() {
    assertThat(
            refusal(
                Answer.json(
                    200,
                    "{\"access_token\": \"t-1\", \"token_type\": \"mac\\u0000" + "x".repeat(100)
                        + "\"}"),
                false))
        .hasMessage(
            endpoint + " issued a token of type 'mac\uFFFD" + "x".repeat(36)
                + "…'; only Bearer tokens are supported");
  }

  @Test
  void an_answer_that_never_ends_is_cut_off_and_refused() {
    assertThat(refusal(HostileAnswers.endless(200), false))
        .hasMessage(
            endpoint + " answered HTTP 200 without a usable access_token (the HTTP 200 answer is"
                + " larger than 64 KiB; reading stopped after 65536 bytes); check that"
                + " auth.tokenUrl is the token endpoint");
  }

  @Test
  void an_error_that_declares_a_huge_body_is_judged_by_its_status() {
    assertThat(refusal(HostileAnswers.declaredHuge(503), true))
        .hasMessage(endpoint + " answered HTTP 503; will try again");
  }

  @Test
  void an_expires_in_beyond_a_day_is_taken_as_a_day() {
    server.answer(
        Answer.json(200, "{\"access_token\": \"t-1\", \"expires_in\": 999999999999999999}"));
    assertThat(header(credentials)).isEqualTo("Bearer t-1");

    clock.advance(Duration.ofDays(1));
    server.answer(Answer.json(200, "{\"access_token\": \"t-2\"}"));

    assertThat(header(credentials)).isEqualTo("Bearer t-2");
  }
}
