package org.hms.sync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hms.sync.config.ConfigFixture.withConnector;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidationTest {
  @TempDir Path dir;
  ConfigFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new ConfigFixture(dir);
  }

  private List<String> problems(String yaml) {
    return fixture.problems(yaml);
  }

  private static String route(String eventType, String body) {
    StringBuilder yaml = new StringBuilder("routes:\n  ").append(eventType).append(":\n");
    for (String line : body.split("\n")) {
      if (!line.isEmpty()) {
        yaml.append("    ").append(line).append('\n');
      }
    }
    return yaml.toString();
  }

  // ---- keys and types ----

  @Test
  void unknown_key_is_reported_with_a_suggestion() {
    String yaml =
        """
        connectors:
          - id: iis
            type: rest
            baseurl: http://127.0.0.1:9000/api
        """;

    assertThat(problems(yaml))
        .containsExactly(
            "connectors[0].baseurl: unknown key; did you mean 'baseUrl'? allowed keys here: id,"
                + " type, baseUrl, auth, tls, timeouts, retry, circuitBreaker, rateLimit,"
                + " maxConcurrency, headers, routes, iis, fhir, graphql, inbound, reconcile",
            "connectors[0].baseUrl: required key is missing; write an absolute http or https URL,"
                + " e.g. baseUrl: https://iis.example.org/api");
  }

  @Test
  void unknown_key_far_from_every_allowed_key_lists_the_allowed_keys() {
    assertThat(problems("server:\n  colour: blue\n"))
        .containsExactly(
            "server.colour: unknown key; remove it; allowed keys here: port, adminToken,"
                + " requestTimeout, minRequestDataRate, idempotencyRetention");
  }

  @Test
  void server_limits_must_be_positive() {
    assertThat(
            problems(
                "server:\n  requestTimeout: 0s\n  minRequestDataRate: -1\n"
                    + "  idempotencyRetention: 0s\n"))
        .hasSize(3)
        .anySatisfy(problem -> assertThat(problem).startsWith("server.requestTimeout:"))
        .anySatisfy(
            problem ->
                assertThat(problem)
                    .startsWith("server.minRequestDataRate: -1 is negative")
                    .contains("or 0 for no check"))
        .anySatisfy(problem -> assertThat(problem).startsWith("server.idempotencyRetention:"));
  }

  @Test
  void unknown_top_level_key_is_reported_with_a_suggestion() {
    assertThat(problems("servers:\n  port: 1\n"))
        .containsExactly(
            "servers: unknown key; did you mean 'server'? allowed keys here: server, database,"
                + " engine, reconcile, connectors");
  }

  @Test
  void unknown_keys_are_found_in_every_section() {
    String yaml =
        withConnector(
            """
            auth:
              typ: none
            timeouts:
              conect: 1s
            retry:
              maxAttempt: 3
            routes:
              appointment.created:
                method: POST
                path: /a
                externalID: /id
            """);

    assertThat(problems(yaml))
        .extracting(problem -> problem.substring(0, problem.indexOf(';')))
        .containsExactly(
            "connectors[0].auth.typ: unknown key",
            "connectors[0].timeouts.conect: unknown key",
            "connectors[0].retry.maxAttempt: unknown key",
            "connectors[0].routes.appointment.created.externalID: unknown key");
    assertThat(problems(yaml).get(3)).contains("did you mean 'externalId'?");
  }

  @Test
  void missing_required_connector_keys_are_each_reported() {
    assertThat(problems("connectors:\n  - headers: {}\n"))
        .containsExactly(
            "connectors[0].id: required key is missing; give the connector a unique id, e.g. id:"
                + " state-iis",
            "connectors[0].type: required key is missing; set the connector type, e.g. type: rest",
            "connectors[0].baseUrl: required key is missing; write an absolute http or https URL,"
                + " e.g. baseUrl: https://iis.example.org/api");
  }

  @Test
  void an_empty_connector_entry_is_reported() {
    assertThat(problems("connectors:\n  -\n"))
        .containsExactly(
            "connectors[0]: empty connector entry; give it at least id, type and baseUrl, or"
                + " remove the '-' line");
  }

  @Test
  void route_needs_method_and_path() {
    assertThat(problems(withConnector("routes:\n  appointment.completed:\n    mapping:\n")))
        .containsExactly(
            "connectors[0].routes.appointment.completed.method: required key is missing; set the"
                + " HTTP method, one of GET, POST, PUT, PATCH, DELETE, e.g. method: POST",
            "connectors[0].routes.appointment.completed.path: required key is missing; set the"
                + " path below baseUrl, e.g. path: /appointments/{externalId}");
  }

  @Test
  void a_list_where_a_map_is_expected_is_a_wrong_type() {
    assertThat(problems(withConnector("retry:\n  - 1\n  - 2\n")))
        .containsExactly(
            "connectors[0].retry: expected a map with the keys maxAttempts, initialBackoff,"
                + " maxBackoff, multiplier but found a list; indent its keys under 'retry:'");
  }

  @Test
  void a_map_where_a_value_is_expected_is_a_wrong_type() {
    assertThat(problems("server:\n  port:\n    number: 80\n"))
        .containsExactly(
            "server.port: expected a single value but found a map; write the value on the same"
                + " line as the key, e.g. port: value");
  }

  @Test
  void connectors_written_as_a_map_are_a_wrong_type() {
    assertThat(problems("connectors:\n  id: iis\n"))
        .containsExactly(
            "connectors: expected a list of connectors but found a map; start each connector with"
                + " '- id: ...' and indent its other keys under it");
  }

  @Test
  void a_section_written_as_text_is_a_wrong_type() {
    assertThat(problems("engine: fast\n"))
        .singleElement()
        .asString()
        .startsWith("engine: expected a map with the keys maxInFlight, batchSize,")
        .contains("but found text");
  }

  // ---- numbers ----

  @Test
  void port_outside_0_to_65535_is_reported() {
    assertThat(problems("server:\n  port: 70000\n"))
        .containsExactly(
            "server.port: 70000 is not a port number (0..65535); use e.g. 8080, or 0 for any free"
                + " port");
    assertThat(problems("server:\n  port: -1\n"))
        .singleElement()
        .asString()
        .startsWith("server.port: -1 is not a port number");
  }

  @Test
  void port_zero_means_any_free_port() {
    assertThat(fixture.load("server:\n  port: 0\n").server().port()).isZero();
  }

  @Test
  void numbers_that_are_not_numbers_are_reported() {
    assertThat(problems("server:\n  port: eighty\n"))
        .containsExactly("server.port: 'eighty' is not a number; write a whole number, e.g. 8080");
    assertThat(problems(withConnector("retry:\n  maxAttempts: 1.5\n")))
        .containsExactly(
            "connectors[0].retry.maxAttempts: 1.5 is not a whole number; write a whole number,"
                + " e.g. 12");
    assertThat(problems(withConnector("retry:\n  multiplier: double\n")))
        .containsExactly(
            "connectors[0].retry.multiplier: 'double' is not a number; write a number, e.g. 2.0");
    assertThat(problems("database:\n  maxPoolSize: 99999999999\n"))
        .containsExactly(
            "database.maxPoolSize: 99999999999 is too large; write a whole number, e.g. 10");
    assertThat(problems("engine:\n  batchSize: true\n"))
        .containsExactly(
            "engine.batchSize: 'true' is not a number; write a whole number, e.g. 128");
  }

  @Test
  void max_in_flight_batch_size_and_pool_size_must_be_at_least_one() {
    assertThat(
            problems("engine:\n  maxInFlight: 0\n  batchSize: -3\ndatabase:\n  maxPoolSize: 0\n"))
        .containsExactly(
            "database.maxPoolSize: 0 is less than 1; set at least 1 (default 10)",
            "engine.maxInFlight: 0 is less than 1; set at least 1 (default 64)",
            "engine.batchSize: -3 is less than 1; set at least 1 (default 128)");
  }

  // ---- durations ----

  @Test
  void bad_duration_is_reported_with_its_key() {
    assertThat(problems(withConnector("retry:\n  initialBackoff: 5 sec\n")))
        .containsExactly(
            "connectors[0].retry.initialBackoff: bad duration '5 sec': write a number and a unit,"
                + " e.g. 250ms, 2s, 10m, 1h");
  }

  @Test
  void a_duration_without_unit_is_reported() {
    assertThat(problems("engine:\n  lease: 30\n"))
        .containsExactly(
            "engine.lease: bad duration '30': write a number and a unit, e.g. 250ms, 2s, 10m, 1h");
  }

  @Test
  void zero_timeouts_and_intervals_are_reported() {
    assertThat(
            problems(
                "engine:\n  pollInterval: 0s\n" + withConnector("timeouts:\n  connect: 0ms\n")))
        .containsExactly(
            "engine.pollInterval: must be longer than zero; set e.g. 1s (the default)",
            "connectors[0].timeouts.connect: must be longer than zero; set e.g. 5s (the default)");
  }

  @Test
  void a_negative_shutdown_grace_is_reported() {
    assertThat(problems("engine:\n  shutdownGrace: -1s\n"))
        .containsExactly(
            "engine.shutdownGrace: bad duration '-1s': must not be negative; write a number and a"
                + " unit, e.g. 250ms, 2s, 10m, 1h");
  }

  @Test
  void a_zero_shutdown_grace_is_accepted_and_hands_back_at_once() {
    assertThat(fixture.load("engine:\n  shutdownGrace: 0s\n").engine().shutdownGrace()).isZero();
  }

  @Test
  void the_shutdown_grace_defaults_to_ten_seconds() {
    assertThat(fixture.load("").engine().shutdownGrace()).hasSeconds(10);
  }

  // ---- connectors ----
  @Test
  void circuit_breaker_values_are_checked() {
    assertThat(
            problems(
                withConnector(
                    "circuitBreaker:\n  failureRatePercent: 150\n  minimumCalls: 60\n"
                        + "  window: 50\n  openFor: 0s\n  halfOpenProbes: 0\n  enabled: maybe\n")))
        .containsExactlyInAnyOrder(
            "connectors[0].circuitBreaker.enabled: 'maybe' is not true or false; write true or"
                + " false",
            "connectors[0].circuitBreaker.failureRatePercent: 150 is more than 100; set a"
                + " percentage from 1 to 100 (default 50)",
            "connectors[0].circuitBreaker.minimumCalls: minimumCalls 60 is more than window 50;"
                + " the breaker judges the last 'window' attempts; set minimumCalls at most that",
            "connectors[0].circuitBreaker.openFor: must be longer than zero; set e.g. 30s (the"
                + " default)",
            "connectors[0].circuitBreaker.halfOpenProbes: 0 is less than 1; set at least 1"
                + " (default 3)");
  }


  @Test
  void base_url_must_be_an_absolute_http_or_https_url() {
    for (String bad : List.of("ftp://files.example.org", "/api", "iis.example.org", "http:/x")) {
      assertThat(problems(withConnector("").replace("http://127.0.0.1:9000/api", bad)))
          .containsExactly(
              "connectors[0].baseUrl: '"
                  + bad
                  + "' is not an absolute http or https URL; write an absolute http or https URL,"
                  + " e.g. baseUrl: https://iis.example.org/api");
    }
    assertThat(problems(withConnector("").replace("http://127.0.0.1:9000/api", "http://a b")))
        .singleElement()
        .asString()
        .startsWith("connectors[0].baseUrl: 'http://a b' is not a valid URL (Illegal character");
  }

  @Test
  void https_base_url_is_accepted() {
    String yaml = withConnector("").replace("http://127.0.0.1:9000/api", "HTTPS://iis.example.org");

    assertThat(fixture.load(yaml).connectors().get(0).baseUrl().getHost())
        .isEqualTo("iis.example.org");
  }

  @Test
  void base_url_with_credentials_is_refused_without_showing_them() {
    String yaml =
        withConnector("").replace("http://127.0.0.1:9000/api", "https://bob:hunter2@iis.example");

    List<String> problems = problems(yaml);
    assertThat(problems)
        .containsExactly(
            "connectors[0].baseUrl: contains credentials (user:password@); remove them from the"
                + " URL and configure connectors[0].auth instead");
    assertThat(String.join("\n", problems)).doesNotContain("hunter2");
  }

  @Test
  void duplicate_connector_id_is_reported() {
    String yaml =
        """
        connectors:
          - id: iis
            type: rest
            baseUrl: http://a.example
          - id: iis
            type: rest
            baseUrl: http://b.example
        """;

    assertThat(problems(yaml))
        .containsExactly(
            "connectors[1].id: duplicate connector id 'iis' (connectors[0] has it too); give each"
                + " connector its own id");
  }

  @Test
  void connector_id_must_match_the_allowed_pattern() {
    for (String bad : List.of("\"state iis\"", "-iis", "\"" + "x".repeat(65) + "\"", "é")) {
      assertThat(problems(withConnector("").replace("id: iis", "id: " + bad)))
          .singleElement()
          .asString()
          .contains(
              "is not a valid connector id; use 1 to 64 letters, digits, '_', '.' or '-',"
                  + " starting with a letter or digit, e.g. state-iis");
    }
    assertThat(fixture.load(withConnector("").replace("id: iis", "id: A1_b.c-d")).connectors())
        .extracting(ConnectorConfig::id)
        .containsExactly("A1_b.c-d");
  }

  @Test
  void unknown_connector_type_is_reported() {
    assertThat(problems(withConnector("").replace("type: rest", "type: rset")))
        .containsExactly(
            "connectors[0].type: unknown connector type 'rset'; did you mean 'rest'? use one of:"
                + " rest, iis-soap, fhir, graphql");
    assertThat(problems(withConnector("").replace("type: rest", "type: carrier-pigeon")))
        .containsExactly(
            "connectors[0].type: unknown connector type 'carrier-pigeon'; use one of: rest,"
                + " iis-soap, fhir, graphql");
  }

  // ---- auth ----

  @Test
  void unknown_auth_type_is_reported() {
    assertThat(problems(withConnector("auth:\n  type: oauth\n")))
        .containsExactly(
            "connectors[0].auth.type: unknown auth type 'oauth'; did you mean 'oauth2'? use one"
                + " of: none, bearer, basic, oauth2, smart");
    assertThat(problems(withConnector("auth:\n  type: Bearer\n  token: t\n")))
        .containsExactly(
            "connectors[0].auth.type: unknown auth type 'Bearer'; did you mean 'bearer'? use one"
                + " of: none, bearer, basic, oauth2, smart");
  }

  @Test
  void bearer_without_token_is_reported() {
    assertThat(problems(withConnector("auth:\n  type: bearer\n")))
        .containsExactly(
            "connectors[0].auth.token: required key is missing; auth type bearer needs a token,"
                + " e.g. token: ${IIS_TOKEN}");
    assertThat(problems(withConnector("auth:\n  type: bearer\n  token: ${IIS_TOKEN:}\n")))
        .containsExactly(
            "connectors[0].auth.token: is empty (written as '${IIS_TOKEN:}'); auth type bearer"
                + " needs a token, e.g. token: ${IIS_TOKEN}");
  }

  @Test
  void basic_without_username_or_password_is_reported() {
    assertThat(problems(withConnector("auth:\n  type: basic\n")))
        .containsExactly(
            "connectors[0].auth.username: required key is missing; auth type basic needs a"
                + " username, e.g. username: ${IIS_USER}",
            "connectors[0].auth.password: required key is missing; auth type basic needs a"
                + " password, e.g. password: ${IIS_PASSWORD}");
    assertThat(problems(withConnector("auth:\n  type: basic\n  username: alice\n")))
        .singleElement()
        .asString()
        .startsWith("connectors[0].auth.password: required key is missing");
  }

  @Test
  void credentials_the_auth_type_does_not_use_are_reported() {
    assertThat(problems(withConnector("auth:\n  token: abc\n")))
        .containsExactly(
            "connectors[0].auth.token: not used by auth type none (the default); remove it, or"
                + " set connectors[0].auth.type: bearer");
    assertThat(problems(withConnector("auth:\n  type: bearer\n  token: t\n  username: u\n")))
        .containsExactly(
            "connectors[0].auth.username: not used by auth type bearer; remove it, or set"
                + " connectors[0].auth.type: basic");
  }

  @Test
  void an_unset_token_is_reported_once() {
    assertThat(problems(withConnector("auth:\n  type: bearer\n  token: ${IIS_TOKEN}\n")))
        .hasSize(1);
  }

  // ---- headers ----

  @Test
  void authorization_header_is_reserved() {
    assertThat(problems(withConnector("headers:\n  authorization: Bearer x\n")))
        .containsExactly(
            "connectors[0].headers.authorization: the Authorization header is reserved; set"
                + " connectors[0].auth instead");
  }

  @Test
  void idempotency_key_header_is_reserved() {
    assertThat(problems(withConnector("headers:\n  Idempotency-Key: abc\n")))
        .containsExactly(
            "connectors[0].headers.Idempotency-Key: the Idempotency-Key header is reserved; remove"
                + " it; the engine sets it on every request");
  }

  @Test
  void header_values_must_be_single_values() {
    assertThat(problems(withConnector("headers:\n  X-List:\n    - a\n    - b\n  X-Empty:\n")))
        .containsExactly(
            "connectors[0].headers.X-List: expected a single value but found a list; write the"
                + " value on the same line as the key, e.g. X-List: value",
            "connectors[0].headers.X-Empty: has no value; give it a value or remove the header");
  }

  @Test
  void headers_must_be_a_map_with_valid_unique_names() {
    assertThat(problems(withConnector("headers:\n  - X-Facility\n")))
        .singleElement()
        .asString()
        .startsWith(
            "connectors[0].headers: expected a map of header names to values but found a"
                + " list");
    assertThat(problems(withConnector("headers:\n  \"X Bad\": 1\n  X-A: 1\n  x-a: 2\n")))
        .containsExactly(
            "connectors[0].headers.X Bad: 'X Bad' is not a valid HTTP header name; use letters,"
                + " digits and '-', e.g. X-Facility",
            "connectors[0].headers.x-a: duplicate header (header names ignore case; 'X-A' is set"
                + " too); keep only one of them");
  }

  @Test
  void scalar_header_values_become_text() {
    SyncConfig config = fixture.load(withConnector("headers:\n  X-Number: 12\n  X-Flag: true\n"));

    assertThat(config.connectors().get(0).headers())
        .containsEntry("X-Number", "12")
        .containsEntry("X-Flag", "true");
  }

  // ---- routes ----

  @Test
  void unknown_route_key_is_reported_with_a_suggestion() {
    assertThat(problems(withConnector(route("appointment.create", "method: POST\npath: /a"))))
        .containsExactly(
            "connectors[0].routes.appointment.create: unknown event type 'appointment.create';"
                + " did you mean 'appointment.created'? use one of: appointment.created,"
                + " appointment.rescheduled, appointment.cancelled, appointment.completed (or"
                + " list, for reconciliation)");
  }

  @Test
  void every_known_event_type_is_accepted() {
    String yaml =
        withConnector(
            """
            routes:
              appointment.created: {method: POST, path: /a}
              appointment.rescheduled: {method: PATCH, path: "/a/{externalId}"}
              appointment.cancelled: {method: DELETE, path: "/a/{externalId}"}
              appointment.completed: {method: PUT, path: "/a/{appointmentId}/done"}
            """);

    assertThat(fixture.load(yaml).connectors().get(0).routes()).hasSize(4);
  }

  @Test
  void method_must_be_a_known_http_method() {
    assertThat(problems(withConnector(route("appointment.created", "method: post\npath: /a"))))
        .containsExactly(
            "connectors[0].routes.appointment.created.method: unknown HTTP method 'post'; did you"
                + " mean 'POST'? use one of: GET, POST, PUT, PATCH, DELETE");
    assertThat(problems(withConnector(route("appointment.created", "method: SUBMIT\npath: /a"))))
        .containsExactly(
            "connectors[0].routes.appointment.created.method: unknown HTTP method 'SUBMIT'; use"
                + " one of: GET, POST, PUT, PATCH, DELETE");
  }

  @Test
  void path_must_start_with_a_slash() {
    assertThat(problems(withConnector(route("appointment.created", "method: POST\npath: appts"))))
        .containsExactly(
            "connectors[0].routes.appointment.created.path: 'appts' does not start with '/';"
                + " write it from the end of baseUrl, e.g. /appts");
  }

  @Test
  void path_placeholders_other_than_external_id_and_appointment_id_are_reported() {
    assertThat(
            problems(
                withConnector(
                    route("appointment.cancelled", "method: DELETE\npath: /a/{id}/{externalid}"))))
        .containsExactly(
            "connectors[0].routes.appointment.cancelled.path: unknown placeholder {id} in"
                + " '/a/{id}/{externalid}'; the only placeholders are {externalId} and"
                + " {appointmentId}",
            "connectors[0].routes.appointment.cancelled.path: unknown placeholder {externalid} in"
                + " '/a/{id}/{externalid}'; did you mean 'externalId'? the only placeholders are"
                + " {externalId} and {appointmentId}");
  }

  @Test
  void unbalanced_braces_in_a_path_are_reported() {
    assertThat(
            problems(
                withConnector(
                    route("appointment.cancelled", "method: DELETE\npath: /a/{externalId"))))
        .containsExactly(
            "connectors[0].routes.appointment.cancelled.path: unbalanced '{' or '}' in"
                + " '/a/{externalId'; write placeholders as {externalId} or {appointmentId}");
  }

  @Test
  void a_create_route_cannot_use_the_external_id_placeholder() {
    assertThat(
            problems(
                withConnector(route("appointment.created", "method: PUT\npath: /a/{externalId}"))))
        .singleElement()
        .asString()
        .startsWith(
            "connectors[0].routes.appointment.created.path: {externalId} is not known yet when an"
                + " appointment is created;");
  }

  @Test
  void mapping_file_not_found_names_the_resolved_path() {
    String yaml =
        withConnector(
            route("appointment.created", "method: POST\npath: /a\nmapping: maps/../iis.jsonata"));
    Path resolved = dir.resolve("iis.jsonata").toAbsolutePath().normalize();

    assertThat(problems(yaml))
        .containsExactly(
            "connectors[0].routes.appointment.created.mapping: mapping file not found: "
                + resolved
                + "; create it or fix the path (a relative path starts from the config file's"
                + " folder "
                + dir.toAbsolutePath().normalize()
                + ")");
  }

  @Test
  void an_absolute_mapping_path_is_used_as_is() {
    Path mapping = fixture.file("elsewhere/m.jsonata", "{}").toAbsolutePath();
    String yaml =
        withConnector(
            route("appointment.created", "method: POST\npath: /a\nmapping: \"" + mapping + "\""));

    assertThat(fixture.load(yaml).connectors().get(0).routes().get("appointment.created").mapping())
        .isEqualTo(mapping.normalize());
  }

  @Test
  void external_id_must_be_a_json_pointer() {
    assertThat(
            problems(
                withConnector(
                    route("appointment.created", "method: POST\npath: /a\nexternalId: id"))))
        .containsExactly(
            "connectors[0].routes.appointment.created.externalId: 'id' is not a JSON pointer (it"
                + " must start with '/'); write a JSON pointer into the response, e.g."
                + " externalId: /id or /data/id");
    assertThat(
            problems(
                withConnector(
                    route("appointment.created", "method: POST\npath: /a\nexternalId: /a~2b"))))
        .singleElement()
        .asString()
        .contains("has a '~' that is not followed by 0 or 1");
  }

  // ---- retry ----

  @Test
  void max_attempts_below_one_is_reported() {
    assertThat(problems(withConnector("retry:\n  maxAttempts: 0\n")))
        .containsExactly(
            "connectors[0].retry.maxAttempts: 0 is less than 1; set at least 1 (1 means no"
                + " retries; default 12)");
  }

  @Test
  void backoffs_must_be_longer_than_zero() {
    assertThat(problems(withConnector("retry:\n  initialBackoff: 0s\n  maxBackoff: 0ms\n")))
        .containsExactly(
            "connectors[0].retry.initialBackoff: must be longer than zero; set e.g. 1s (the"
                + " default)",
            "connectors[0].retry.maxBackoff: must be longer than zero; set e.g. 10m (the"
                + " default)");
  }

  @Test
  void initial_backoff_longer_than_max_backoff_is_reported() {
    assertThat(problems(withConnector("retry:\n  initialBackoff: 5m\n  maxBackoff: 1m\n")))
        .containsExactly(
            "connectors[0].retry.initialBackoff: 5m is longer than maxBackoff 1m; lower"
                + " initialBackoff or raise maxBackoff");
  }

  @Test
  void multiplier_below_one_is_reported() {
    assertThat(problems(withConnector("retry:\n  multiplier: 0.5\n")))
        .containsExactly(
            "connectors[0].retry.multiplier: 0.5 is less than 1; set 1 for a constant backoff, or"
                + " e.g. 2 to double it after each attempt");
  }

  // ---- engine lease ----

  @Test
  void lease_must_be_longer_than_connect_plus_request_timeout() {
    String yaml =
        "engine:\n  lease: 20s\n" + withConnector("timeouts:\n  connect: 5s\n  request: 15s\n");

    assertThat(problems(yaml))
        .containsExactly(
            "engine.lease: 20s must be longer than connectors[0] (iis) timeouts.connect +"
                + " timeouts.request (5s + 15s = 20s), or a delivery could outlive its lease and be"
                + " sent twice; set engine.lease to at least 40s or shorten"
                + " connectors[0].timeouts");
  }

  @Test
  void the_default_lease_is_checked_too() {
    assertThat(problems(withConnector("timeouts:\n  request: 1m\n")))
        .singleElement()
        .asString()
        .startsWith("engine.lease: 30s (the default) must be longer than connectors[0] (iis)")
        .contains("set engine.lease to at least 130s");
  }

  @Test
  void lease_longer_than_every_connector_timeout_is_accepted() {
    String yaml =
        "engine:\n  lease: 21s\n" + withConnector("timeouts:\n  connect: 5s\n  request: 15s\n");

    assertThat(fixture.load(yaml).engine().lease()).hasSeconds(21);
  }

  // ---- database ----

  @Test
  void database_url_must_be_a_jdbc_url() {
    assertThat(problems("database:\n  url: postgres://db/hms\n"))
        .containsExactly(
            "database.url: 'postgres://db/hms' is not a JDBC URL; write a JDBC URL, e.g."
                + " jdbc:postgresql://localhost:5432/hms or jdbc:h2:file:./data/hms-sync");
  }

  // ---- all at once ----

  @Test
  void all_problems_are_reported_at_once_in_one_exception() {
    String yaml =
        """
        server:
          port: 99999
        engine:
          batchSize: 0
        connectors:
          - id: iis
            type: soap
            baseUrl: ftp://x
            retry:
              maxAttempts: 0
          - id: iis
            type: rest
            baseUrl: http://x
            routes:
              appointment.created:
                method: POST
                path: nope
        """;

    ConfigException failure = fixture.failure(yaml);

    Path file = dir.resolve(ConfigFixture.CONFIG_NAME).toAbsolutePath();
    assertThat(failure.problems())
        .extracting(problem -> problem.substring(0, problem.indexOf(':')))
        .containsExactly(
            "server.port",
            "engine.batchSize",
            "connectors[0].type",
            "connectors[0].baseUrl",
            "connectors[0].retry.maxAttempts",
            "connectors[1].id",
            "connectors[1].routes.appointment.created.path");
    StringBuilder expected = new StringBuilder("invalid configuration " + file + ":");
    failure.problems().forEach(problem -> expected.append("\n  - ").append(problem));
    assertThat(failure.getMessage()).isEqualTo(expected.toString());
    assertThat(failure.problems()).allSatisfy(problem -> assertThat(problem).contains("; "));
  }

  @Test
  void problems_cannot_be_modified() {
    List<String> problems = problems("server:\n  port: x\n");

    assertThatThrownBy(() -> problems.add("x")).isInstanceOf(UnsupportedOperationException.class);
  }
}
