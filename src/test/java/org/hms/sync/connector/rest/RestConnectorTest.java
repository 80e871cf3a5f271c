package org.hms.sync.connector.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hms.sync.connector.rest.Connectors.BEARER;
import static org.hms.sync.connector.rest.Connectors.CLOCK;
import static org.hms.sync.connector.rest.Connectors.TIMEOUTS;
import static org.hms.sync.connector.rest.Connectors.config;
import static org.hms.sync.connector.rest.Connectors.push;
import static org.hms.sync.connector.rest.Connectors.request;
import static org.hms.sync.connector.rest.Connectors.route;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.RouteConfig;
import org.hms.sync.connector.OutboundRequest;
import org.hms.sync.connector.rest.RecordingServer.Received;
import org.hms.sync.delivery.PushRequest;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.json.Json;
import org.hms.sync.mapping.MappingException;
import org.hms.sync.mapping.MappingInput;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;
import org.hms.sync.scheduling.AppointmentStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a RestConnector sends, and how it reads a successful answer. */
class RestConnectorTest {

  private final RecordingServer server = RecordingServer.start();
  private final OutboxEvent created = SampleEvents.event(EventTypes.CREATED, 1);
  private final OutboxEvent rescheduled = SampleEvents.event(EventTypes.RESCHEDULED, 2);
  private final OutboxEvent cancelled = SampleEvents.event(EventTypes.CANCELLED, 3);

  @TempDir Path dir;

  @AfterEach
  void stopServer() {
    server.close();
  }

  // ---- success ----

  @Test
  void success_reads_the_external_id_at_the_route_pointer() {
    server.answer("/appointments", 201, "{\"id\": \"iis-42\", \"status\": \"booked\"}");
    RestConnector connector = connector(route(EventTypes.CREATED, "POST", "/appointments", null, "/id"));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isEqualTo(new PushResult.Success(201, "iis-42", null));
  }

  @Test
  void success_reads_a_nested_numeric_external_id_as_text() {
    server.answer("/appointments", 200, "{\"data\": {\"id\": 7001}}");
    RestConnector connector =
        connector(route(EventTypes.CREATED, "POST", "/appointments", null, "/data/id"));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isEqualTo(new PushResult.Success(200, "7001", null));
  }

  @Test
  void success_without_a_value_at_the_pointer_has_a_note_and_no_external_id() {
    server.answer("/appointments", 201, "{\"status\": \"booked\"}");
    RestConnector connector = connector(route(EventTypes.CREATED, "POST", "/appointments", null, "/id"));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Success.class,
        success -> {
          assertThat(success.httpStatus()).isEqualTo(201);
          assertThat(success.externalId()).isNull();
          assertThat(success.note()).contains("/id").contains("external id not stored");
        });
  }

  @Test
  void success_with_an_object_at_the_pointer_stores_no_external_id() {
    server.answer("/appointments", 201, "{\"id\": {\"value\": \"iis-42\"}}");
    RestConnector connector = connector(route(EventTypes.CREATED, "POST", "/appointments", null, "/id"));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Success.class,
        success -> {
          assertThat(success.externalId()).isNull();
          assertThat(success.note()).contains("/id");
        });
  }

  @Test
  void success_with_a_body_that_is_not_json_has_a_note() {
    server.answer("/appointments", 201, "created, thanks");
    RestConnector connector = connector(route(EventTypes.CREATED, "POST", "/appointments", null, "/id"));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Success.class,
        success -> {
          assertThat(success.externalId()).isNull();
          assertThat(success.note()).contains("not JSON").contains("/id");
        });
  }

  @Test
  void success_of_a_route_without_pointer_ignores_the_body() {
    server.answer("/appointments/iis-42", 204, "");
    RestConnector connector =
        connector(route(EventTypes.CANCELLED, "DELETE", "/appointments/{externalId}"));

    PushResult result = push(connector, request(cancelled, "iis-42"));

    assertThat(result).isEqualTo(new PushResult.Success(204, null, null));
  }

  // ---- headers ----

  @Test
  void idempotency_key_is_the_request_key_on_every_push_of_the_same_request() {
    RestConnector connector = connector(route(EventTypes.CREATED, "POST", "/appointments"));
    PushRequest request = request(created, null);

    push(connector, request);
    push(connector, request);

    assertThat(server.received())
        .extracting(received -> received.header("Idempotency-Key"))
        .containsExactly(request.idempotencyKey(), request.idempotencyKey());
    assertThat(server.received().get(0).headerValues("Idempotency-Key")).hasSize(1);
  }

  @Test
  void bearer_token_is_sent_as_authorization() {
    RestConnector connector = connector(route(EventTypes.CREATED, "POST", "/appointments"));

    push(connector, request(created, null));

    assertThat(only().header("Authorization")).isEqualTo("Bearer s3cret-iis-token");
  }

  @Test
  void basic_credentials_are_sent_base64_encoded() {
    AuthConfig basic = new AuthConfig("basic", null, "clinic-12", "pa:ss wörd");
    RestConnector connector =
        RestConnector.create(
            config(
                server.baseUrl(),
                basic,
                Map.of(),
                TIMEOUTS,
                route(EventTypes.CREATED, "POST", "/appointments")),
            CLOCK);

    push(connector, request(created, null));

    String authorization = only().header("Authorization");
    assertThat(authorization).startsWith("Basic ");
    String decoded =
        new String(
            Base64.getDecoder().decode(authorization.substring("Basic ".length())),
            StandardCharsets.UTF_8);
    assertThat(decoded).isEqualTo("clinic-12:pa:ss wörd");
  }

  @Test
  void no_authorization_header_without_auth() {
    RestConnector connector =
        RestConnector.create(
            config(
                server.baseUrl(),
                AuthConfig.none(),
                Map.of(),
                TIMEOUTS,
                route(EventTypes.CREATED, "POST", "/appointments")),
            CLOCK);

    push(connector, request(created, null));

    assertThat(only().header("Authorization")).isNull();
  }

  @Test
  void configured_headers_are_sent_with_every_request() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-Facility-Id", "county-clinic-12");
    headers.put("X-Api-Version", "2");
    RestConnector connector =
        RestConnector.create(
            config(
                server.baseUrl(),
                BEARER,
                headers,
                TIMEOUTS,
                route(EventTypes.CREATED, "POST", "/appointments"),
                route(EventTypes.CANCELLED, "DELETE", "/appointments/{externalId}")),
            CLOCK);

    push(connector, request(created, null));
    push(connector, request(cancelled, "iis-42"));

    assertThat(server.received())
        .allSatisfy(
            received -> {
              assertThat(received.header("X-Facility-Id")).isEqualTo("county-clinic-12");
              assertThat(received.header("X-Api-Version")).isEqualTo("2");
              assertThat(received.header("Accept")).isEqualTo("application/json");
              assertThat(received.header("User-Agent")).startsWith("hms-sync/");
            });
  }

  /**
   * Header names ignore case: a connector configured with {@code content-type} for a FHIR server
   * must send that one Content-Type, not the default one next to it.
   */
  @Test
  void configured_content_type_replaces_the_default_whatever_its_case() throws Exception {
    Path mapping = Files.writeString(dir.resolve("fhir.jsonata"), "{\"resourceType\": \"Appointment\"}");
    RestConnector connector =
        RestConnector.create(
            config(
                server.baseUrl(),
                BEARER,
                Map.of("content-type", "application/fhir+json"),
                TIMEOUTS,
                route(EventTypes.CREATED, "POST", "/Appointment", mapping, null)),
            CLOCK);

    push(connector, request(created, null));

    assertThat(only().headerValues("Content-Type")).containsExactly("application/fhir+json");
  }

  @Test
  void json_content_type_and_body_when_the_route_has_a_mapping() {
    RestConnector connector =
        connector(
            route(
                EventTypes.CREATED,
                "POST",
                "/appointments",
                SampleEvents.mappingFile("iis-appointment.jsonata"),
                "/id"));

    push(connector, request(created, null));

    Received received = only();
    assertThat(received.header("Content-Type")).startsWith("application/json");
    assertThat(received.body()).isNotEmpty();
  }

  @Test
  void no_body_and_no_content_type_when_the_route_has_no_mapping() {
    RestConnector connector =
        connector(route(EventTypes.CANCELLED, "DELETE", "/appointments/{externalId}"));

    push(connector, request(cancelled, "iis-42"));

    Received received = only();
    assertThat(received.method()).isEqualTo("DELETE");
    assertThat(received.body()).isEmpty();
    assertThat(received.header("Content-Type")).isNull();
  }

  @Test
  void no_body_and_no_content_type_when_the_mapping_yields_nothing() {
    RestConnector connector =
        connector(
            route(
                EventTypes.CREATED,
                "POST",
                "/appointments",
                SampleEvents.mappingFile("completed-only.jsonata"),
                null));

    push(connector, request(created, null));

    Received received = only();
    assertThat(received.body()).isEmpty();
    assertThat(received.header("Content-Type")).isNull();
  }

  // ---- paths ----

  @Test
  void external_id_placeholder_is_filled_and_url_encoded() {
    RestConnector connector =
        connector(route(EventTypes.RESCHEDULED, "PUT", "/appointments/{externalId}"));

    push(connector, request(rescheduled, "iis 7/a+b"));

    Received received = only();
    assertThat(received.method()).isEqualTo("PUT");
    assertThat(received.path()).isEqualTo("/appointments/iis%207%2Fa%2Bb");
  }

  @Test
  void appointment_id_placeholder_is_filled_and_url_encoded() {
    OutboxEvent event =
        SampleEvents.event(
            EventTypes.CREATED,
            1,
            SampleEvents.snapshot("appt 1/ä", AppointmentStatus.BOOKED, null));
    RestConnector connector =
        connector(route(EventTypes.CREATED, "PUT", "/appointments/by-emr-id/{appointmentId}"));

    push(connector, request(event, null));

    assertThat(only().path()).isEqualTo("/appointments/by-emr-id/appt%201%2F%C3%A4");
  }

  @Test
  void both_placeholders_in_one_path_are_filled() {
    RestConnector connector =
        connector(
            route(
                EventTypes.RESCHEDULED,
                "PATCH",
                "/appointments/{externalId}/sources/{appointmentId}"));

    push(connector, request(rescheduled, "iis-42"));

    assertThat(only().path())
        .isEqualTo("/appointments/iis-42/sources/" + SampleEvents.APPOINTMENT_ID);
  }

  @Test
  void route_path_is_appended_to_the_base_url_path() {
    RestConnector connector =
        RestConnector.create(
            config(
                URI.create(server.baseUrl() + "/api/v2/"),
                route(EventTypes.CREATED, "POST", "/appointments")),
            CLOCK);

    push(connector, request(created, null));

    assertThat(only().path()).isEqualTo("/api/v2/appointments");
  }

  @Test
  void missing_external_id_is_permanent_and_sends_nothing() {
    RestConnector connector =
        connector(route(EventTypes.RESCHEDULED, "PUT", "/appointments/{externalId}"));

    PushResult result = push(connector, request(rescheduled, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Permanent.class,
        permanent -> {
          assertThat(permanent.httpStatus()).isNull();
          assertThat(permanent.errorClass()).isEqualTo("MissingExternalIdException");
          assertThat(permanent.reason()).contains(SampleEvents.APPOINTMENT_ID);
        });
    assertThat(server.received()).isEmpty();
  }

  // ---- mapping ----

  @Test
  void mapping_shapes_the_body() throws Exception {
    Path mapping =
        Files.writeString(
            dir.resolve("iis.jsonata"),
            "{\n"
                + "  \"clinicCode\": appointment.location.code,\n"
                + "  \"seq\": event.sequence,\n"
                + "  \"iisId\": externalId\n"
                + "}\n");
    RestConnector connector =
        connector(route(EventTypes.RESCHEDULED, "PUT", "/appointments/{externalId}", mapping, null));

    push(connector, request(rescheduled, "iis-42"));

    JsonNode body = Json.read(only().body());
    assertThat(body.get("clinicCode").asText()).isEqualTo(SampleEvents.CLINIC_CODE);
    assertThat(body.get("seq").isIntegralNumber()).isTrue();
    assertThat(body.get("seq").asLong()).isEqualTo(2);
    assertThat(body.get("iisId").asText()).isEqualTo("iis-42");
    assertThat(body.size()).isEqualTo(3);
  }

  @Test
  void mapping_sees_the_dose_of_a_completed_appointment() {
    OutboxEvent completed =
        SampleEvents.event(EventTypes.COMPLETED, 4, SampleEvents.completed());
    RestConnector connector =
        connector(
            route(
                EventTypes.COMPLETED,
                "PUT",
                "/appointments/{externalId}",
                SampleEvents.mappingFile("iis-appointment.jsonata"),
                null));

    push(connector, request(completed, "iis-42"));

    JsonNode body = Json.read(only().body());
    assertThat(body.path("status").asText()).isEqualTo("completed");
    assertThat(body.path("vaccine").path("cvx").asText()).isEqualTo("208");
    assertThat(body.path("vaccine").path("lot").asText()).isEqualTo("EK5730");
  }

  @Test
  void mapping_that_fails_at_evaluation_is_permanent_and_sends_nothing() {
    Path mapping = SampleEvents.mappingFile("fails-at-evaluation.jsonata");
    RestConnector connector =
        connector(route(EventTypes.CREATED, "POST", "/appointments", mapping, "/id"));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Permanent.class,
        permanent -> {
          assertThat(permanent.httpStatus()).isNull();
          assertThat(permanent.errorClass()).isEqualTo("MappingException");
          assertThat(permanent.reason()).contains(mapping.toString());
        });
    assertThat(server.received()).isEmpty();
  }

  @Test
  void broken_mapping_fails_when_the_connector_is_created() {
    Path mapping = SampleEvents.mappingFile("broken-syntax.jsonata");
    ConnectorConfig config =
        config(server.baseUrl(), route(EventTypes.CREATED, "POST", "/appointments", mapping, null));

    assertThatThrownBy(() -> RestConnector.create(config, CLOCK))
        .isInstanceOf(MappingException.class)
        .hasMessageContaining(mapping.toString());
  }

  /**
   * The JDK client refuses some header names (Host, Connection, Expect, ...), and the config
   * accepts them. That must surface when the connector is built, not as an exception out of push.
   */
  @Test
  void header_the_http_client_refuses_is_reported_when_the_connector_is_created() {
    ConnectorConfig config =
        config(
            server.baseUrl(),
            BEARER,
            Map.of("Connection", "close"),
            TIMEOUTS,
            route(EventTypes.CREATED, "POST", "/appointments"));

    assertThatThrownBy(() -> RestConnector.create(config, CLOCK)).hasMessageContaining("Connection");
  }

  // ---- prepare ----

  @Test
  void preview_builds_the_request_without_sending_it() {
    RestConnector connector =
        connector(
            route(
                EventTypes.RESCHEDULED,
                "PUT",
                "/appointments/{externalId}",
                SampleEvents.mappingFile("iis-appointment.jsonata"),
                null));

    OutboundRequest prepared =
        connector
            .preview(EventTypes.RESCHEDULED, MappingInput.of(rescheduled, "iis-42"), "key-1")
            .request();

    assertThat(prepared.method()).isEqualTo("PUT");
    assertThat(prepared.uri()).isEqualTo(URI.create(server.baseUrl() + "/appointments/iis-42"));
    assertThat(prepared.headers())
        .containsEntry("Idempotency-Key", "key-1")
        .containsEntry("Content-Type", "application/json")
        .containsEntry("Authorization", "Bearer ***");
    assertThat(prepared.toString()).doesNotContain("s3cret-iis-token");
    assertThat(Json.read(prepared.body()).path("externalId").asText()).isEqualTo("iis-42");
    assertThat(server.received()).isEmpty();
  }

  @Test
  void preview_hides_the_bearer_token() {
    RestConnector connector = connector(route(EventTypes.CREATED, "POST", "/appointments"));

    OutboundRequest redacted =
        connector.preview(EventTypes.CREATED, MappingInput.of(created, null), "key-1").request();

    assertThat(redacted.headers().get("Authorization")).isEqualTo("Bearer ***");
    assertThat(redacted.toString()).doesNotContain("s3cret-iis-token");
    assertThat(redacted.headers().get("Idempotency-Key")).isEqualTo("key-1");
  }

  @Test
  void preview_hides_basic_credentials() {
    AuthConfig basic = new AuthConfig("basic", null, "clinic-12", "hunter2");
    RestConnector connector =
        RestConnector.create(
            config(
                server.baseUrl(),
                basic,
                Map.of(),
                TIMEOUTS,
                route(EventTypes.CREATED, "POST", "/appointments")),
            CLOCK);
    String encoded = Base64.getEncoder().encodeToString("clinic-12:hunter2".getBytes(StandardCharsets.UTF_8));

    OutboundRequest redacted =
        connector.preview(EventTypes.CREATED, MappingInput.of(created, null), "key-1").request();

    assertThat(redacted.headers().get("Authorization")).isEqualTo("Basic ***");
    assertThat(redacted.toString()).doesNotContain(encoded).doesNotContain("hunter2");
  }

  @Test
  void preview_for_an_event_type_without_route_names_the_connector() {
    RestConnector connector = connector(route(EventTypes.CREATED, "POST", "/appointments"));

    assertThatThrownBy(
            () ->
                connector.preview(
                    EventTypes.CANCELLED, MappingInput.of(cancelled, "iis-42"), "key-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("state-iis")
        .hasMessageContaining(EventTypes.CANCELLED);
  }

  @Test
  void connector_id_is_the_configured_id() {
    assertThat(connector(route(EventTypes.CREATED, "POST", "/appointments")).id())
        .isEqualTo("state-iis");
  }

  private RestConnector connector(RouteConfig... routes) {
    return RestConnector.create(config(server.baseUrl(), routes), CLOCK);
  }

  private Received only() {
    assertThat(server.received()).hasSize(1);
    return server.received().get(0);
  }
}
