package org.hms.sync.connector.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hms.sync.connector.graphql.Fixtures.CLOCK;
import static org.hms.sync.connector.graphql.Fixtures.NOW;
import static org.hms.sync.connector.graphql.Fixtures.config;
import static org.hms.sync.connector.graphql.Fixtures.exampleRoute;
import static org.hms.sync.connector.graphql.Fixtures.exampleRoutes;
import static org.hms.sync.connector.graphql.Fixtures.push;
import static org.hms.sync.connector.graphql.Fixtures.request;
import static org.hms.sync.connector.graphql.Fixtures.route;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hms.sync.SyncException;
import org.hms.sync.config.GraphqlConfig;
import org.hms.sync.delivery.PushRequest;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How a GraphqlConnector judges a real graphql-java server's answers: success, retry (and when) or
 * dead letter, by HTTP status first and then by the {@code errors} of the GraphQL response.
 */
class GraphqlConnectorOutcomeTest {

  /** What a server's error message may well say; it must never reach a reason. */
  private static final String PHI_MESSAGE =
      "patient "
          + SampleEvents.PATIENT_GIVEN_NAME
          + " "
          + SampleEvents.PATIENT_FAMILY_NAME
          + " ("
          + SampleEvents.PATIENT_MRN
          + ", born 1980-01-01) already has an appointment";

  private final RegistryServer registry = RegistryServer.start();
  private final OutboxEvent created = SampleEvents.event(EventTypes.CREATED, 1);
  private final GraphqlConnector connector =
      GraphqlConnector.create(config(registry.endpoint(), exampleRoutes()), CLOCK);

  @TempDir Path dir;

  @AfterEach
  void stopServer() {
    registry.close();
  }

  // ---- errors in a 200 answer: built-in defaults ----

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "INTERNAL_SERVER_ERROR",
        "SERVICE_UNAVAILABLE",
        "TIMEOUT",
        "RATE_LIMITED",
        "THROTTLED",
        "internal-server-error"
      })
  void transient_error_code_is_retryable_and_changes_nothing(String code) {
    registry.failNextMutation(code, PHI_MESSAGE);

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Retryable.class,
            retryable -> {
              assertThat(retryable.httpStatus()).isEqualTo(200);
              assertThat(retryable.errorClass()).isEqualTo("GraphqlError");
              assertThat(retryable.reason())
                  .contains(code + " at createAppointment")
                  .contains("retryable: built-in default")
                  .contains("mutation CreateAppointment (POST /graphql)");
              assertThat(retryable.notBefore()).isNull();
            });
    assertThat(registry.appointments()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "BAD_USER_INPUT",
        "GRAPHQL_VALIDATION_FAILED",
        "GRAPHQL_PARSE_FAILED",
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND"
      })
  void request_error_code_is_permanent(String code) {
    registry.failNextMutation(code, PHI_MESSAGE);

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Permanent.class,
            permanent -> {
              assertThat(permanent.httpStatus()).isEqualTo(200);
              assertThat(permanent.errorClass()).isEqualTo("GraphqlError");
              assertThat(permanent.reason())
                  .contains(code + " at createAppointment")
                  .contains("permanent: built-in default");
            });
  }

  @Test
  void unknown_error_code_is_permanent_and_the_reason_says_how_to_make_it_retryable() {
    registry.failNextMutation("SLOT_TAKEN", PHI_MESSAGE);

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Permanent.class,
            permanent ->
                assertThat(permanent.reason())
                    .contains("SLOT_TAKEN at createAppointment")
                    .contains("graphql.errorCodes")
                    .contains("retryable"));
  }

  @Test
  void error_without_any_code_is_permanent() {
    registry.answerNext(
        200,
        "{\"errors\": [{\"message\": \""
            + PHI_MESSAGE
            + "\", \"path\": [\"createAppointment\"]}],"
            + " \"data\": {\"createAppointment\": null}}");

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Permanent.class,
            permanent ->
                assertThat(permanent.reason())
                    .contains("(no code) at createAppointment")
                    .contains("graphql.errorCodes.*"));
  }

  /**
   * graphql-java itself labels its errors with {@code extensions.classification} only: a document
   * that asks for a field the schema lacks is a ValidationError, which no retry can fix.
   */
  @Test
  void graphql_java_validation_error_of_a_document_the_schema_rejects_is_permanent()
      throws IOException {
    Path document =
        Files.writeString(
            dir.resolve("create.graphql"),
            "mutation CreateAppointment($input: CreateAppointmentInput!) {\n"
                + "  createAppointment(input: $input) { id registryNumber }\n"
                + "}\n");
    GraphqlConnector stale =
        GraphqlConnector.create(
            config(
                registry.endpoint(),
                route(
                    EventTypes.CREATED,
                    document,
                    Fixtures.EXAMPLES.resolve("create-appointment.jsonata"),
                    "/createAppointment/id")),
            CLOCK);

    PushResult result = push(stale, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Permanent.class,
            permanent ->
                assertThat(permanent.reason())
                    .contains("ValidationError")
                    .contains("permanent: built-in default"));
    assertThat(registry.appointments()).isEmpty();
  }

  @Test
  void server_error_messages_never_reach_the_reason() {
    registry.failNextMutation("BAD_USER_INPUT", PHI_MESSAGE);

    PushResult result = push(connector, request(created, null));

    String reason = ((PushResult.Permanent) result).reason();
    assertThat(reason)
        .doesNotContain(SampleEvents.PATIENT_GIVEN_NAME)
        .doesNotContain(SampleEvents.PATIENT_FAMILY_NAME)
        .doesNotContain(SampleEvents.PATIENT_MRN)
        .doesNotContain("1980-01-01");
  }

  @Test
  void odd_codes_and_path_steps_are_not_echoed() {
    registry.answerNext(
        200,
        "{\"errors\": [{\"message\": \"x\", \"path\": [\"createAppointment\", \""
            + SampleEvents.PATIENT_FAMILY_NAME
            + " 1980-01-01\"], \"extensions\": {\"code\": \""
            + SampleEvents.PATIENT_MRN
            + " is taken by "
            + SampleEvents.PATIENT_GIVEN_NAME
            + "\"}}], \"data\": null}");

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Permanent.class,
            permanent ->
                assertThat(permanent.reason())
                    .contains("(unprintable code) at createAppointment.?")
                    .doesNotContain(SampleEvents.PATIENT_FAMILY_NAME)
                    .doesNotContain(SampleEvents.PATIENT_GIVEN_NAME)
                    .doesNotContain(SampleEvents.PATIENT_MRN));
  }

  // ---- errors: configured codes ----

  @Test
  void configured_codes_override_the_defaults_whatever_their_case() {
    Map<String, String> codes = new LinkedHashMap<>();
    codes.put("bad_user_input", "retryable");
    codes.put("INTERNAL_SERVER_ERROR", "Permanent");
    codes.put("SLOT_TAKEN", "retryable");
    GraphqlConnector configured =
        GraphqlConnector.create(
            config(registry.endpoint(), new GraphqlConfig(codes), exampleRoutes()), CLOCK);

    registry.failNextMutation("BAD_USER_INPUT", "x");
    PushResult badInput = push(configured, request(created, null));
    registry.failNextMutation("INTERNAL_SERVER_ERROR", "x");
    PushResult internal = push(configured, request(created, null));
    registry.failNextMutation("SLOT_TAKEN", "x");
    PushResult slotTaken = push(configured, request(created, null));

    assertThat(badInput).isInstanceOf(PushResult.Retryable.class);
    assertThat(((PushResult.Retryable) badInput).reason())
        .contains("retryable: graphql.errorCodes");
    assertThat(internal).isInstanceOf(PushResult.Permanent.class);
    assertThat(((PushResult.Permanent) internal).reason())
        .contains("permanent: graphql.errorCodes");
    assertThat(slotTaken).isInstanceOf(PushResult.Retryable.class);
  }

  @Test
  void star_entry_judges_unlisted_codes_and_errors_without_code_but_not_listed_ones() {
    GraphqlConnector lenient =
        GraphqlConnector.create(
            config(
                registry.endpoint(), new GraphqlConfig(Map.of("*", "retryable")), exampleRoutes()),
            CLOCK);

    registry.failNextMutation("SLOT_TAKEN", "x");
    PushResult unlisted = push(lenient, request(created, null));
    registry.answerNext(200, "{\"errors\": [{\"message\": \"x\"}], \"data\": null}");
    PushResult noCode = push(lenient, request(created, null));
    registry.failNextMutation("BAD_USER_INPUT", "x");
    PushResult listed = push(lenient, request(created, null));

    assertThat(unlisted).isInstanceOf(PushResult.Retryable.class);
    assertThat(noCode).isInstanceOf(PushResult.Retryable.class);
    assertThat(listed).isInstanceOf(PushResult.Permanent.class);
  }

  @Test
  void error_code_judged_neither_retryable_nor_permanent_fails_create() {
    assertThatThrownBy(
            () ->
                GraphqlConnector.create(
                    config(
                        registry.endpoint(),
                        new GraphqlConfig(Map.of("SLOT_TAKEN", "sometimes")),
                        exampleRoutes()),
                    CLOCK))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("registry")
        .hasMessageContaining("graphql.errorCodes.SLOT_TAKEN")
        .hasMessageContaining("sometimes")
        .hasMessageContaining("retryable or permanent");
  }

  // ---- several errors, partial answers ----

  @Test
  void any_permanent_error_makes_the_attempt_permanent() {
    registry.answerNext(
        200,
        "{\"errors\": ["
            + "{\"message\": \"a\", \"path\": [\"createAppointment\"],"
            + " \"extensions\": {\"code\": \"RATE_LIMITED\"}},"
            + "{\"message\": \"b\", \"path\": [\"createAppointment\"],"
            + " \"extensions\": {\"code\": \"BAD_USER_INPUT\"}}],"
            + " \"data\": {\"createAppointment\": null}}");

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Permanent.class,
            permanent ->
                assertThat(permanent.reason())
                    .startsWith("2 GraphQL errors: ")
                    .contains("RATE_LIMITED at createAppointment (retryable")
                    .contains("BAD_USER_INPUT at createAppointment (permanent"));
  }

  @Test
  void many_errors_are_listed_up_to_five() {
    StringBuilder errors = new StringBuilder();
    for (int index = 0; index < 7; index++) {
      errors
          .append(index == 0 ? "" : ",")
          .append("{\"message\": \"m\", \"extensions\": {\"code\": \"E")
          .append(index)
          .append("\"}}");
    }
    registry.answerNext(200, "{\"errors\": [" + errors + "], \"data\": null}");

    PushResult result = push(connector, request(created, null));

    assertThat(((PushResult.Permanent) result).reason())
        .startsWith("7 GraphQL errors: E0 (")
        .contains("E4 (")
        .doesNotContain("E5")
        .contains("and 2 more");
  }

  @Test
  void retryable_error_then_success_books_the_appointment_once() {
    registry.failNextMutation("SERVICE_UNAVAILABLE", "x");
    PushRequest first = request(created, null);
    PushRequest second =
        new PushRequest(first.deliveryId(), first.idempotencyKey(), 2, created, null);

    PushResult failed = push(connector, first);
    PushResult retried = push(connector, second);

    assertThat(failed).isInstanceOf(PushResult.Retryable.class);
    assertThat(retried).isEqualTo(new PushResult.Success(200, "reg-1", null));
    assertThat(registry.appointments()).hasSize(1);
  }

  /**
   * The mutation's resolver returned the appointment; only a field of the answer failed. The change
   * was made, so it is a success (with the id), not a failure to retry or dead-letter.
   */
  @Test
  void errors_only_below_the_mutation_field_mean_it_was_applied() throws IOException {
    Path document =
        Files.writeString(
            dir.resolve("create.graphql"),
            "mutation CreateAppointment($input: CreateAppointmentInput!) {\n"
                + "  createAppointment(input: $input) { id confirmationCode }\n"
                + "}\n");
    GraphqlConnector withConfirmation =
        GraphqlConnector.create(
            config(
                registry.endpoint(),
                route(
                    EventTypes.CREATED,
                    document,
                    Fixtures.EXAMPLES.resolve("create-appointment.jsonata"),
                    "/createAppointment/id")),
            CLOCK);
    registry.failNextConfirmationCode("INTERNAL_SERVER_ERROR");

    PushResult result = push(withConfirmation, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Success.class,
            success -> {
              assertThat(success.externalId()).isEqualTo("reg-1");
              assertThat(success.note())
                  .contains("mutation applied")
                  .contains("INTERNAL_SERVER_ERROR at createAppointment.confirmationCode");
            });
    assertThat(registry.appointments()).containsOnlyKeys("reg-1");
  }

  @Test
  void error_at_the_mutation_field_is_a_failure_even_with_data() {
    registry.answerNext(
        200,
        "{\"errors\": [{\"message\": \"m\", \"path\": [\"createAppointment\", \"id\"],"
            + " \"extensions\": {\"code\": \"INTERNAL_SERVER_ERROR\"}}],"
            + " \"data\": {\"createAppointment\": null}}");

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
  }

  @Test
  void retry_after_header_with_a_rate_limit_error_sets_the_earliest_next_attempt() {
    registry.answerNext(
        200,
        "{\"errors\": [{\"message\": \"slow down\", \"extensions\": {\"code\": \"RATE_LIMITED\"}}],"
            + " \"data\": null}",
        "Retry-After",
        "30");

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Retryable.class,
            retryable -> assertThat(retryable.notBefore()).isEqualTo(NOW.plusSeconds(30)));
  }

  // ---- HTTP status ----

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {408, 425, 429, 500, 502, 503, 504})
  void transient_http_status_is_retryable(int status) {
    registry.answerNext(status, "<html>maintenance</html>");

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Retryable.class,
            retryable -> {
              assertThat(retryable.httpStatus()).isEqualTo(status);
              assertThat(retryable.errorClass()).isEqualTo("HttpStatus");
              assertThat(retryable.reason())
                  .contains("HTTP " + status)
                  .contains("mutation CreateAppointment (POST /graphql)");
            });
  }

  @Test
  void http_503_with_retry_after_date_sets_the_earliest_next_attempt() {
    registry.answerNext(503, "", "Retry-After", "Mon, 01 Mar 2027 08:00:30 GMT");

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Retryable.class,
            retryable ->
                assertThat(retryable.notBefore()).isEqualTo(Instant.parse("2027-03-01T08:00:30Z")));
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {400, 401, 403, 404, 405, 415, 422})
  void client_error_status_is_permanent(int status) {
    registry.answerNext(status, "");

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Permanent.class,
            permanent -> {
              assertThat(permanent.httpStatus()).isEqualTo(status);
              assertThat(permanent.errorClass()).isEqualTo("HttpStatus");
              assertThat(permanent.reason()).contains("HTTP " + status);
            });
  }

  /** GraphQL over HTTP lets servers answer a request error with 400 and a GraphQL body. */
  @Test
  void http_400_with_a_graphql_body_names_its_error_codes_but_not_its_messages() {
    registry.answerNext(
        400,
        "{\"errors\": [{\"message\": \""
            + PHI_MESSAGE
            + "\", \"extensions\": {\"code\": \"BAD_USER_INPUT\"}}]}");

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Permanent.class,
            permanent ->
                assertThat(permanent.reason())
                    .contains("HTTP 400")
                    .contains("1 GraphQL error: BAD_USER_INPUT")
                    .doesNotContain(SampleEvents.PATIENT_FAMILY_NAME));
  }

  // ---- answers that are no GraphQL response ----

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "<html>welcome</html>",
        "{\"data\": {\"createAppointment\": ",
        "",
        "[]",
        "{\"ok\": true}",
        "{\"data\": null}",
        "{\"errors\": \"bad\", \"data\": null}"
      })
  void answer_that_is_no_graphql_response_is_retryable_as_its_outcome_is_unknown(String body) {
    registry.answerNext(200, body);

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Retryable.class,
            retryable -> {
              assertThat(retryable.errorClass()).isEqualTo("InvalidResponse");
              assertThat(retryable.reason())
                  .contains("HTTP 200")
                  .contains("outcome unknown")
                  .doesNotContain("welcome");
            });
  }

  // ---- network ----

  @Test
  void server_that_is_not_listening_is_retryable() throws IOException {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    GraphqlConnector unreachable =
        GraphqlConnector.create(
            config(
                URI.create("http://127.0.0.1:" + port + "/graphql"),
                exampleRoute(EventTypes.CREATED)),
            CLOCK);

    PushResult result = push(unreachable, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Retryable.class,
            retryable -> {
              assertThat(retryable.httpStatus()).isNull();
              assertThat(retryable.reason()).contains("mutation CreateAppointment");
            });
  }
}
