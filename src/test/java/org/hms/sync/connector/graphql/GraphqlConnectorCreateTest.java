package org.hms.sync.connector.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hms.sync.connector.graphql.Fixtures.BEARER;
import static org.hms.sync.connector.graphql.Fixtures.CLOCK;
import static org.hms.sync.connector.graphql.Fixtures.EXAMPLES;
import static org.hms.sync.connector.graphql.Fixtures.config;
import static org.hms.sync.connector.graphql.Fixtures.exampleRoute;
import static org.hms.sync.connector.graphql.Fixtures.route;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.hms.sync.SyncException;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.RouteConfig;
import org.hms.sync.mapping.MappingException;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connector whose documents, mappings or routes cannot work refuses to start, and says which file
 * and what to change. Nothing is sent, so no server is needed.
 */
class GraphqlConnectorCreateTest {

  private static final URI ENDPOINT = URI.create("http://127.0.0.1:9/graphql");
  private static final Path CREATE_MAPPING = EXAMPLES.resolve("create-appointment.jsonata");

  @TempDir Path dir;

  @Test
  void document_with_a_syntax_error_names_the_file_line_and_column() throws IOException {
    Path document =
        write(
            "create.graphql",
            "mutation CreateAppointment($input: CreateAppointmentInput!) {\n"
                + "  createAppointment(input: $input) {\n"
                + "    id status }}\n"
                + "  }\n");

    assertThatThrownBy(() -> create(route(EventTypes.CREATED, document, CREATE_MAPPING, null)))
        .isInstanceOf(GraphqlDocumentException.class)
        .hasMessageContaining(document.toString())
        .hasMessageContaining("line 4, column 3")
        .hasMessageContaining("'}'");
  }

  @Test
  void document_cut_short_names_the_end_of_the_file() throws IOException {
    Path document = write("create.graphql", "mutation CreateAppointment {\n  createAppointment(\n");

    assertThatThrownBy(() -> create(route(EventTypes.CREATED, document, null, null)))
        .isInstanceOf(GraphqlDocumentException.class)
        .hasMessageContaining(document.toString())
        .hasMessageContaining("line 3, column 1");
  }

  @Test
  void document_with_two_operations_is_refused_naming_both() throws IOException {
    Path document =
        write(
            "two.graphql",
            "mutation Cancel { cancelAppointment(id: \"1\") { id } }\n"
                + "mutation Cancel2 { cancelAppointment(id: \"2\") { id } }\n");

    assertThatThrownBy(() -> create(route(EventTypes.CANCELLED, document, null, null)))
        .isInstanceOf(GraphqlDocumentException.class)
        .hasMessageContaining(document.toString())
        .hasMessageContaining("2 operations")
        .hasMessageContaining("mutation Cancel at line 1")
        .hasMessageContaining("mutation Cancel2 at line 2")
        .hasMessageContaining("exactly one mutation");
  }

  @Test
  void document_with_only_fragments_is_refused() throws IOException {
    Path document =
        write("fragments.graphql", "fragment Ids on Appointment { id emrAppointmentId }\n");

    assertThatThrownBy(() -> create(route(EventTypes.CANCELLED, document, null, null)))
        .isInstanceOf(GraphqlDocumentException.class)
        .hasMessageContaining("holds 0 operations");
  }

  @Test
  void mutation_with_fragments_beside_it_is_accepted() throws IOException {
    Path document =
        write(
            "cancel.graphql",
            "mutation CancelAppointment($id: ID!) { cancelAppointment(id: $id) { ...Ids } }\n"
                + "fragment Ids on Appointment { id emrAppointmentId }\n");

    GraphqlConnector connector =
        create(
            route(
                EventTypes.CANCELLED,
                document,
                EXAMPLES.resolve("cancel-appointment.jsonata"),
                null));

    assertThat(connector.id()).isEqualTo("registry");
  }

  @Test
  void query_is_refused_because_a_route_sends_a_change() throws IOException {
    Path document = write("read.graphql", "query Appointment { appointment(id: \"1\") { id } }\n");

    assertThatThrownBy(() -> create(route(EventTypes.CREATED, document, null, null)))
        .isInstanceOf(GraphqlDocumentException.class)
        .hasMessageContaining(document.toString())
        .hasMessageContaining("query 'Appointment'")
        .hasMessageContaining("not a mutation");
  }

  @Test
  void schema_given_as_a_document_is_refused() {
    Path schema = EXAMPLES.resolve("schema.graphqls");

    assertThatThrownBy(() -> create(route(EventTypes.CREATED, schema, null, null)))
        .isInstanceOf(GraphqlDocumentException.class)
        .hasMessageContaining(schema.toString())
        .hasMessageContaining("schema definitions")
        .hasMessageContaining("ObjectType");
  }

  @Test
  void missing_document_file_names_the_file() {
    Path document = dir.resolve("nowhere.graphql");

    assertThatThrownBy(() -> create(route(EventTypes.CREATED, document, null, null)))
        .isInstanceOf(GraphqlDocumentException.class)
        .hasMessageContaining(document.toString())
        .hasMessageContaining("cannot read");
  }

  @Test
  void route_without_document_names_the_connector_and_event_type() {
    assertThatThrownBy(() -> create(RouteConfig.subscription(EventTypes.CREATED)))
        .isInstanceOf(GraphqlDocumentException.class)
        .hasMessageContaining("'registry'")
        .hasMessageContaining(EventTypes.CREATED)
        .hasMessageContaining("document:");
  }

  @Test
  void required_variables_without_a_mapping_are_refused() {
    Path document = EXAMPLES.resolve("reschedule-appointment.graphql");

    assertThatThrownBy(() -> create(route(EventTypes.RESCHEDULED, document, null, null)))
        .isInstanceOf(GraphqlDocumentException.class)
        .hasMessageContaining(document.toString())
        .hasMessageContaining("$id (ID!), $start (String!), $end (String!)")
        .hasMessageContaining("mapping:");
  }

  @Test
  void optional_variables_need_no_mapping() throws IOException {
    Path document =
        write(
            "cancel.graphql",
            "mutation CancelAppointment($id: ID = \"reg-1\") { cancelAppointment(id: $id) { id }"
                + " }\n");

    assertThat(create(route(EventTypes.CANCELLED, document, null, null)).id())
        .isEqualTo("registry");
  }

  @Test
  void broken_mapping_names_the_mapping_file() {
    Path mapping = SampleEvents.mappingFile("broken-syntax.jsonata");

    assertThatThrownBy(
            () ->
                create(
                    route(
                        EventTypes.CREATED,
                        EXAMPLES.resolve("create-appointment.graphql"),
                        mapping,
                        null)))
        .isInstanceOf(MappingException.class)
        .hasMessageContaining(mapping.toString());
  }

  @Test
  void external_id_that_is_no_json_pointer_is_refused_with_an_example() {
    assertThatThrownBy(
            () ->
                create(
                    route(
                        EventTypes.CREATED,
                        EXAMPLES.resolve("create-appointment.graphql"),
                        CREATE_MAPPING,
                        "createAppointment.id")))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("createAppointment.id")
        .hasMessageContaining("/createAppointment/id");
  }

  @Test
  void header_the_http_client_refuses_is_reported() {
    ConnectorConfig config =
        config(
            ENDPOINT,
            BEARER,
            Map.of("Connection", "close"),
            null,
            exampleRoute(EventTypes.CREATED));

    assertThatThrownBy(() -> GraphqlConnector.create(config, CLOCK))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("Connection");
  }

  @Test
  void every_example_document_and_mapping_is_accepted() {
    GraphqlConnector connector = create(Fixtures.exampleRoutes());

    assertThat(connector.id()).isEqualTo("registry");
  }

  private GraphqlConnector create(RouteConfig... routes) {
    return GraphqlConnector.create(config(ENDPOINT, routes), CLOCK);
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }
}
