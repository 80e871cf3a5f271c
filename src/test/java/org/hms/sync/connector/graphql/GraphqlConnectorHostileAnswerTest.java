package org.hms.sync.connector.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.connector.graphql.Fixtures.CLOCK;
import static org.hms.sync.connector.graphql.Fixtures.NOW;
import static org.hms.sync.connector.graphql.Fixtures.config;
import static org.hms.sync.connector.graphql.Fixtures.exampleRoutes;
import static org.hms.sync.connector.graphql.Fixtures.push;
import static org.hms.sync.connector.graphql.Fixtures.request;
import static org.hms.sync.testing.HostileAnswers.PHI_LIKE;

import java.net.URI;
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
 * What a GraphqlConnector makes of hostile or broken answers: a 2xx it cannot read leaves the
 * outcome unknown (retryable with the same Idempotency-Key), any other status is judged by its
 * status, and no reason repeats what the answer held.
 */
class GraphqlConnectorHostileAnswerTest {
  private static final String CREATE = "mutation CreateAppointment (POST /graphql)";
  private static final String UNKNOWN =
      "; outcome unknown, retried with the same Idempotency-Key (check the connector's baseUrl if"
          + " this persists)";

  private final AnswerServer server = AnswerServer.start();
  private final OutboxEvent created = SampleEvents.event(EventTypes.CREATED, 1);
  private final GraphqlConnector connector =
      GraphqlConnector.create(
          config(URI.create(server.baseUrl() + "/graphql"), exampleRoutes()), CLOCK);

  @AfterEach
  void stopServer() {
    server.close();
  }

  private PushResult pushAgainst(Answer answer) {
    server.answer(answer);
    PushResult result = push(connector, request(created, null));
    assertThat(result.toString()).doesNotContain(PHI_LIKE);
    return result;
  }

  private static PushResult unknown(String problem) {
    return new PushResult.Retryable(
        200, "InvalidResponse", "HTTP 200 answer to " + CREATE + " " + problem + UNKNOWN, null);
  }

  @Test
  void a_200_nested_ten_thousand_levels_deep_leaves_the_outcome_unknown() {
    assertThat(pushAgainst(HostileAnswers.deep(200)))
        .isEqualTo(
            unknown("is not JSON (JSON nested more than 64 levels deep; the limit is 64)"));
  }

  @Test
  void a_200_with_a_thousand_digit_number_leaves_the_outcome_unknown() {
    assertThat(pushAgainst(HostileAnswers.longNumber(200)))
        .isEqualTo(
            unknown("is not JSON (a number is longer than 64 characters; the limit is 64)"));
  }

  @Test
  void a_200_that_is_not_utf8_leaves_the_outcome_unknown() {
    assertThat(pushAgainst(HostileAnswers.invalidUtf8(200)))
        .isEqualTo(unknown("is not JSON (invalid UTF-8 in field 'name' at byte 23)"));
  }

  @Test
  void a_200_html_page_leaves_the_outcome_unknown() {
    assertThat(pushAgainst(HostileAnswers.notJson(200)))
        .isEqualTo(
            unknown(
                "is not JSON (malformed JSON at line 1, column 1: unexpected character or"
                    + " token)"));
  }

  @Test
  void a_200_of_the_wrong_shape_leaves_the_outcome_unknown() {
    assertThat(pushAgainst(Answer.json(200, "{\"data\": [\"" + PHI_LIKE + "\"], \"errors\": {}}")))
        .isEqualTo(
            unknown(
                "is JSON but no GraphQL response (it needs a data object or an errors array)"));
  }

  @Test
  void errors_that_are_not_objects_or_have_endless_paths_are_named_without_their_content() {
    String path = "\"step\", 1, ".repeat(100) + "\"" + PHI_LIKE + "\"";
    PushResult result =
        pushAgainst(
            Answer.json(
                200,
                "{\"data\": null, \"errors\": [\"" + PHI_LIKE + "\", 42, {\"path\": [" + path
                    + "], \"extensions\": {\"code\": \"" + PHI_LIKE + "\"}}]}"));

    assertThat(result)
        .isEqualTo(
            new PushResult.Permanent(
                200,
                "GraphqlError",
                "3 GraphQL errors: (no code) (permanent: error without code (set"
                    + " graphql.errorCodes.* to retryable if such errors are transient)); (no"
                    + " code) (permanent: error without code (set graphql.errorCodes.* to"
                    + " retryable if such errors are transient)); (unprintable code) at"
                    + " step.1.step.1.step.1.step.1.step.1.step.1.step.1.step.1.... (permanent:"
                    + " code not listed (list it in graphql.errorCodes as retryable if it is"
                    + " transient)) for " + CREATE));
  }

  @Test
  void a_200_with_an_id_too_long_to_store_is_a_success_without_external_id() {
    PushResult result =
        pushAgainst(
            Answer.json(
                200,
                "{\"data\": {\"createAppointment\": {\"id\": \"" + "7".repeat(501)
                    + "\", \"status\": \"booked\"}}}"));

    assertThat(result)
        .isEqualTo(
            new PushResult.Success(
                200,
                null,
                "external id not stored: it is 501 characters long; at most 500 are kept"));
  }

  @Test
  void a_200_that_never_ends_is_cut_off_and_leaves_the_outcome_unknown() {
    assertThat(pushAgainst(HostileAnswers.endless(200)))
        .isEqualTo(
            unknown(
                "was not read (the HTTP 200 answer is larger than 4 MiB; reading stopped after"
                    + " 4194304 bytes)"));
  }

  @Test
  void a_503_that_declares_a_huge_body_is_retryable_by_its_status_and_retry_after() {
    assertThat(pushAgainst(HostileAnswers.declaredHuge(503).with("Retry-After", "30")))
        .isEqualTo(
            new PushResult.Retryable(
                503,
                "HttpStatus",
                "HTTP 503 for " + CREATE + " (the HTTP 503 answer is larger than 4 MiB (its"
                    + " Content-Length is 1099511627776 bytes); it was not read)",
                NOW.plusSeconds(30)));
  }

  @Test
  void a_400_that_never_ends_is_permanent_by_its_status() {
    assertThat(pushAgainst(HostileAnswers.endless(400)))
        .isEqualTo(
            new PushResult.Permanent(
                400,
                "HttpStatus",
                "HTTP 400 for " + CREATE + " (the HTTP 400 answer is larger than 4 MiB; reading"
                    + " stopped after 4194304 bytes)"));
  }
}
