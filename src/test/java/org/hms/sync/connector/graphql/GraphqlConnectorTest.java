package org.hms.sync.connector.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hms.sync.connector.graphql.Fixtures.BEARER;
import static org.hms.sync.connector.graphql.Fixtures.CLOCK;
import static org.hms.sync.connector.graphql.Fixtures.config;
import static org.hms.sync.connector.graphql.Fixtures.exampleRoute;
import static org.hms.sync.connector.graphql.Fixtures.exampleRoutes;
import static org.hms.sync.connector.graphql.Fixtures.push;
import static org.hms.sync.connector.graphql.Fixtures.request;
import static org.hms.sync.connector.graphql.Fixtures.route;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.connector.Capability;
import org.hms.sync.connector.OutboundRequest;
import org.hms.sync.connector.Preview;
import org.hms.sync.connector.graphql.RegistryServer.Received;
import org.hms.sync.connector.types.ConnectorTypes;
import org.hms.sync.delivery.PushRequest;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.json.Json;
import org.hms.sync.mapping.MappingInput;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a GraphqlConnector sends to a real GraphQL server, and what it makes of a success. */
class GraphqlConnectorTest {

  private final RegistryServer registry = RegistryServer.start();
  private final OutboxEvent created = SampleEvents.event(EventTypes.CREATED, 1);
  private final OutboxEvent rescheduled = SampleEvents.event(EventTypes.RESCHEDULED, 2);
  private final OutboxEvent cancelled = SampleEvents.event(EventTypes.CANCELLED, 3);
  private final OutboxEvent completed =
      SampleEvents.event(EventTypes.COMPLETED, 4, SampleEvents.completed());

  @TempDir Path dir;

  @AfterEach
  void stopServer() {
    registry.close();
  }

  // ---- success ----

  @Test
  void create_succeeds_with_the_external_id_at_the_route_pointer_into_data() {
    GraphqlConnector connector = connector(exampleRoute(EventTypes.CREATED));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isEqualTo(new PushResult.Success(200, "reg-1", null));
    assertThat(registry.appointments().get("reg-1"))
        .containsEntry("emrAppointmentId", SampleEvents.APPOINTMENT_ID)
        .containsEntry("clinicCode", SampleEvents.CLINIC_CODE)
        .containsEntry("status", "BOOKED")
        .containsEntry("start", "2027-03-01T09:00:00Z");
  }

  @Test
  void every_event_type_of_the_examples_reaches_the_registry_with_the_stored_external_id() {
    GraphqlConnector connector = connector(exampleRoutes());

    PushResult create = push(connector, request(created, null));
    String externalId = ((PushResult.Success) create).externalId();
    PushResult reschedule = push(connector, request(rescheduled, externalId));
    PushResult complete = push(connector, request(completed, externalId));

    assertThat(externalId).isEqualTo("reg-1");
    assertThat(reschedule).isEqualTo(new PushResult.Success(200, null, null));
    assertThat(complete).isEqualTo(new PushResult.Success(200, null, null));
    Map<String, Object> stored = registry.appointments().get("reg-1");
    assertThat(stored).containsEntry("status", "COMPLETED");
    assertThat(stored.get("dose").toString()).contains("cvx=208").contains("lot=EK5730");
    assertThat(registry.received())
        .extracting(received -> received.json().path("operationName").asText())
        .containsExactly("CreateAppointment", "RescheduleAppointment", "CompleteAppointment");
    assertThat(registry.received().get(1).json().path("variables").path("id").asText())
        .isEqualTo("reg-1");
  }

  @Test
  void cancel_uses_the_external_id_as_its_variable() {
    GraphqlConnector connector = connector(exampleRoutes());
    String externalId = ((PushResult.Success) push(connector, request(created, null))).externalId();

    PushResult result = push(connector, request(cancelled, externalId));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(registry.appointments().get(externalId)).containsEntry("status", "CANCELLED");
    assertThat(registry.received().get(1).json().path("variables"))
        .isEqualTo(Json.read("{\"id\": \"" + externalId + "\"}"));
  }

  @Test
  void success_without_a_value_at_the_pointer_has_a_note_and_no_external_id() {
    GraphqlConnector connector =
        connector(
            route(
                EventTypes.CREATED,
                Fixtures.EXAMPLES.resolve("create-appointment.graphql"),
                Fixtures.EXAMPLES.resolve("create-appointment.jsonata"),
                "/createAppointment/registryId"));

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Success.class,
            success -> {
              assertThat(success.externalId()).isNull();
              assertThat(success.note())
                  .contains("/createAppointment/registryId")
                  .contains("external id not stored");
            });
  }

  @Test
  void a_second_attempt_with_the_same_idempotency_key_books_nothing_new() {
    GraphqlConnector connector = connector(exampleRoute(EventTypes.CREATED));
    PushRequest first = request(created, null);
    PushRequest retry =
        new PushRequest(first.deliveryId(), first.idempotencyKey(), 2, created, null);

    PushResult firstResult = push(connector, first);
    PushResult retryResult = push(connector, retry);

    assertThat(retryResult).isEqualTo(firstResult);
    assertThat(registry.appointments()).hasSize(1);
    assertThat(registry.mutationsApplied()).isEqualTo(1);
    assertThat(registry.received())
        .extracting(received -> received.header("Idempotency-Key"))
        .containsExactly(first.idempotencyKey(), first.idempotencyKey());
  }

  // ---- the request ----

  @Test
  void request_is_a_json_post_of_the_document_its_operation_name_and_the_variables()
      throws Exception {
    GraphqlConnector connector = connector(exampleRoute(EventTypes.CREATED));

    push(connector, request(created, null));

    Received received = only();
    assertThat(received.header("Content-Type")).startsWith("application/json");
    assertThat(received.header("Accept")).contains("application/graphql-response+json");
    assertThat(received.header("User-Agent")).startsWith("hms-sync/");
    JsonNode body = received.json();
    assertThat(body.path("query").asText())
        .isEqualTo(Files.readString(Fixtures.EXAMPLES.resolve("create-appointment.graphql")));
    assertThat(body.path("operationName").asText()).isEqualTo("CreateAppointment");
    JsonNode input = body.path("variables").path("input");
    assertThat(input.path("emrAppointmentId").asText()).isEqualTo(SampleEvents.APPOINTMENT_ID);
    assertThat(input.path("patient").path("mrn").asText()).isEqualTo(SampleEvents.PATIENT_MRN);
    assertThat(input.path("end").asText()).isEqualTo("2027-03-01T09:15:00Z");
    assertThat(body.size()).isEqualTo(3);
  }

  @Test
  void bearer_token_idempotency_key_and_configured_headers_are_sent() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-Facility-Id", "county-clinic-12");
    headers.put("X-Api-Version", "2");
    GraphqlConnector connector =
        GraphqlConnector.create(
            config(registry.endpoint(), BEARER, headers, null, exampleRoute(EventTypes.CREATED)),
            CLOCK);
    PushRequest request = request(created, null);

    push(connector, request);

    Received received = only();
    assertThat(received.header("Authorization")).isEqualTo("Bearer s3cret-registry-token");
    assertThat(received.headerValues("Idempotency-Key")).containsExactly(request.idempotencyKey());
    assertThat(received.header("X-Facility-Id")).isEqualTo("county-clinic-12");
    assertThat(received.header("X-Api-Version")).isEqualTo("2");
  }

  @Test
  void no_authorization_header_without_auth() {
    GraphqlConnector connector =
        GraphqlConnector.create(
            config(
                registry.endpoint(),
                AuthConfig.none(),
                Map.of(),
                null,
                exampleRoute(EventTypes.CREATED)),
            CLOCK);

    push(connector, request(created, null));

    assertThat(only().header("Authorization")).isNull();
  }

  @Test
  void anonymous_mutation_without_variables_and_without_mapping_sends_only_the_query()
      throws Exception {
    Path document =
        Files.writeString(
            dir.resolve("cancel-fixed.graphql"),
            "mutation { cancelAppointment(id: \"reg-1\") { id status } }");
    GraphqlConnector connector =
        connector(
            exampleRoute(EventTypes.CREATED), route(EventTypes.CANCELLED, document, null, null));
    push(connector, request(created, null));

    PushResult result = push(connector, request(cancelled, null));

    assertThat(result).isEqualTo(new PushResult.Success(200, null, null));
    JsonNode body = registry.received().get(1).json();
    assertThat(body.has("operationName")).isFalse();
    assertThat(body.has("variables")).isFalse();
    assertThat(registry.appointments().get("reg-1")).containsEntry("status", "CANCELLED");
  }

  // ---- variables that cannot be sent ----

  @Test
  void missing_external_id_for_a_required_variable_is_permanent_and_sends_nothing() {
    GraphqlConnector connector = connector(exampleRoutes());

    PushResult result = push(connector, request(rescheduled, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Permanent.class,
            permanent -> {
              assertThat(permanent.httpStatus()).isNull();
              assertThat(permanent.errorClass()).isEqualTo("MissingVariable");
              assertThat(permanent.reason())
                  .contains("$id (ID!)")
                  .contains("mutation RescheduleAppointment")
                  .contains(SampleEvents.APPOINTMENT_ID)
                  .contains("replay the create");
            });
    assertThat(registry.received()).isEmpty();
  }

  @Test
  void mapping_that_yields_no_object_is_permanent_and_sends_nothing() throws Exception {
    Path mapping =
        Files.writeString(dir.resolve("list.jsonata"), "[externalId, appointment.start]");
    GraphqlConnector connector =
        connector(
            route(
                EventTypes.CANCELLED,
                Fixtures.EXAMPLES.resolve("cancel-appointment.graphql"),
                mapping,
                null));

    PushResult result = push(connector, request(cancelled, "reg-1"));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Permanent.class,
            permanent -> {
              assertThat(permanent.errorClass()).isEqualTo("MappingException");
              assertThat(permanent.reason()).contains(mapping.toString()).contains("an array");
            });
    assertThat(registry.received()).isEmpty();
  }

  @Test
  void mapping_that_fails_at_evaluation_is_permanent_and_sends_nothing() {
    Path mapping = SampleEvents.mappingFile("fails-at-evaluation.jsonata");
    GraphqlConnector connector =
        connector(
            route(
                EventTypes.CREATED,
                Fixtures.EXAMPLES.resolve("create-appointment.graphql"),
                mapping,
                null));

    PushResult result = push(connector, request(created, null));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Permanent.class,
            permanent -> {
              assertThat(permanent.errorClass()).isEqualTo("MappingException");
              assertThat(permanent.reason()).contains(mapping.toString());
            });
    assertThat(registry.received()).isEmpty();
  }

  @Test
  void event_type_without_route_is_permanent_and_sends_nothing() {
    GraphqlConnector connector = connector(exampleRoute(EventTypes.CREATED));

    PushResult result = push(connector, request(cancelled, "reg-1"));

    assertThat(result)
        .isInstanceOfSatisfying(
            PushResult.Permanent.class,
            permanent ->
                assertThat(permanent.reason()).contains("registry").contains(EventTypes.CANCELLED));
    assertThat(registry.received()).isEmpty();
  }

  // ---- preview (hms-sync mapping test) ----

  @Test
  void preview_shows_the_exact_body_and_the_document_and_variables_for_a_reader() throws Exception {
    GraphqlConnector connector = connector(exampleRoutes());

    Preview preview =
        connector.preview(EventTypes.RESCHEDULED, MappingInput.of(rescheduled, "reg-7"), "key-1");

    OutboundRequest request = preview.request();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.uri()).isEqualTo(registry.endpoint());
    assertThat(request.headers())
        .containsEntry("Idempotency-Key", "key-1")
        .containsEntry("Content-Type", "application/json")
        .containsEntry("Authorization", "Bearer ***");
    assertThat(request.toString()).doesNotContain("s3cret-registry-token");
    JsonNode body = Json.read(request.body());
    String document = Files.readString(Fixtures.EXAMPLES.resolve("reschedule-appointment.graphql"));
    assertThat(body.path("query").asText()).isEqualTo(document);
    assertThat(body.path("variables").path("id").asText()).isEqualTo("reg-7");
    assertThat(preview.detail())
        .contains("reschedule-appointment.graphql")
        .contains(document.strip())
        .contains("reschedule-appointment.jsonata")
        .contains(Json.pretty(body.path("variables")));
    assertThat(registry.received()).isEmpty();
  }

  @Test
  void preview_warns_about_a_missing_required_variable_instead_of_failing() {
    GraphqlConnector connector = connector(exampleRoutes());

    Preview preview =
        connector.preview(EventTypes.CANCELLED, MappingInput.of(cancelled, null), "key-1");

    assertThat(Json.read(preview.request().body()).path("variables").path("id").isNull()).isTrue();
    assertThat(preview.detail()).contains("warning").contains("$id (ID!)");
  }

  @Test
  void preview_for_an_event_type_without_route_names_the_connector() {
    GraphqlConnector connector = connector(exampleRoute(EventTypes.CREATED));

    assertThatThrownBy(
            () -> connector.preview(EventTypes.CANCELLED, MappingInput.of(cancelled, "r"), "k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("registry")
        .hasMessageContaining(EventTypes.CANCELLED);
  }

  // ---- registration ----

  @Test
  void graphql_type_is_registered_and_can_push_and_preview() {
    var built =
        ConnectorTypes.create(
            config(registry.endpoint(), exampleRoute(EventTypes.CREATED)), Clock.systemUTC());

    assertThat(built).isInstanceOf(GraphqlConnector.class);
    assertThat(built.id()).isEqualTo("registry");
    assertThat(Capability.of(built)).containsExactlyInAnyOrder(Capability.PUSH, Capability.PREVIEW);
  }

  private GraphqlConnector connector(org.hms.sync.config.RouteConfig... routes) {
    return GraphqlConnector.create(config(registry.endpoint(), routes), CLOCK);
  }

  private Received only() {
    assertThat(registry.received()).hasSize(1);
    return registry.received().get(0);
  }
}
