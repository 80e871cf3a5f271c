package org.hms.sync.connector.iis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hms.sync.connector.iis.IisConnectors.CLOCK;
import static org.hms.sync.connector.iis.IisConnectors.PASSWORD;
import static org.hms.sync.connector.iis.IisConnectors.SETTINGS;
import static org.hms.sync.connector.iis.IisConnectors.TIMEOUTS;
import static org.hms.sync.connector.iis.IisConnectors.completedEvent;
import static org.hms.sync.connector.iis.IisConnectors.config;
import static org.hms.sync.connector.iis.IisConnectors.push;
import static org.hms.sync.connector.iis.IisConnectors.request;
import static org.hms.sync.connector.iis.IisConnectors.subscriptions;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.hms.sync.SyncException;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.config.IisConfig;
import org.hms.sync.config.RouteConfig;
import org.hms.sync.connector.Capability;
import org.hms.sync.connector.HealthCheck.Health;
import org.hms.sync.connector.Preview;
import org.hms.sync.connector.types.ConnectorTypes;
import org.hms.sync.mapping.MappingInput;
import org.hms.sync.outbox.EventTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Start-up checks, the preview of {@code mapping test}, and the connectivityTest health check. */
class IisSoapConnectorSetupTest {
  private IisTestServer registry;

  @BeforeEach
  void start() {
    registry = IisTestServer.start();
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void the_connector_types_build_an_iis_soap_connector_that_pushes_previews_and_checks_health() {
    var connector = ConnectorTypes.create(config(registry.uri()), CLOCK);

    assertThat(connector).isInstanceOf(IisSoapConnector.class);
    assertThat(connector.id()).isEqualTo("state-iis");
    assertThat(Capability.of(connector))
        .contains(Capability.PUSH, Capability.PREVIEW, Capability.HEALTH_CHECK);
  }

  @Test
  void the_test_registry_publishes_the_cdc_wsdl_it_was_generated_from() throws Exception {
    HttpResponse<String> wsdl =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(registry.wsdlUri()).build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(wsdl.body())
        .contains("urn:cdc:iisb:2011", "submitSingleMessage", "SecurityFault", "soap12");
  }

  @Test
  void the_preview_is_the_envelope_as_sent_with_the_password_masked() throws Exception {
    IisSoapConnector connector =
        IisSoapConnector.create(
            config(
                registry.rawUri(),
                TIMEOUTS,
                new AuthConfig("basic", null, "gateway", "gateway-secret"),
                SETTINGS,
                subscriptions()),
            CLOCK);
    registry.rawAnswer(200, "text/plain", "OK");
    push(connector, request(completedEvent(), null));

    Preview preview =
        connector.preview(
            EventTypes.COMPLETED,
            MappingInput.of(completedEvent(), null),
            "delivery-" + completedEvent().id());

    IisTestServer.RawRequest sent = registry.rawRequests().get(0);
    assertThat(preview.request().method()).isEqualTo("POST");
    assertThat(preview.request().uri()).isEqualTo(registry.rawUri());
    assertThat(preview.request().body())
        .doesNotContain(PASSWORD)
        .contains("<iis:password>***</iis:password>");
    assertThat(preview.request().body().replace("***", PASSWORD)).isEqualTo(sent.body());
    assertThat(preview.request().headers())
        .containsEntry(
            "Content-Type",
            "application/soap+xml; charset=utf-8; action=\"urn:cdc:iisb:2011:submitSingleMessage\"")
        .containsEntry("Authorization", "Basic ***");
    assertThat(sent.contentType()).isEqualTo(preview.request().headers().get("Content-Type"));
    assertThat(sent.authorization()).startsWith("Basic ").isNotEqualTo("Basic ***");
  }

  @Test
  void the_preview_detail_is_the_hl7_message_one_segment_a_line() {
    IisSoapConnector connector = IisConnectors.connector(registry.uri());

    Preview preview =
        connector.preview(
            EventTypes.COMPLETED, MappingInput.of(completedEvent(), null), "delivery-x");

    assertThat(preview.detail().lines().map(line -> line.substring(0, 3)))
        .containsExactly("MSH", "PID", "ORC", "RXA", "RXR");
    assertThat(preview.detail()).contains("|VXU^V04^VXU_V04|", "|Z22^CDCPHINVS");
    assertThat(preview.request().body())
        .startsWith("<?xml")
        .contains("http://www.w3.org/2003/05/soap-envelope", "<iis:submitSingleMessage")
        .contains("&#13;PID|1|");
    assertThat(registry.received()).isEmpty();
  }

  @Test
  void the_preview_of_a_cancellation_before_any_report_says_nothing_would_be_sent() {
    IisSoapConnector connector = IisConnectors.connector(registry.uri());

    assertThatThrownBy(
            () ->
                connector.preview(
                    EventTypes.CANCELLED,
                    MappingInput.of(IisConnectors.cancelledEvent(), null),
                    "delivery-x"))
        .isInstanceOf(NothingToSendException.class)
        .hasMessageContaining("nothing would be sent")
        .hasMessageContaining("externalId");
  }

  @Test
  void the_health_check_is_healthy_when_connectivity_test_echoes() throws Exception {
    Health health =
        IisConnectors.connector(registry.uri()).checkHealth().get(15, TimeUnit.SECONDS);

    assertThat(health).isEqualTo(new Health(true, "connectivityTest echoed 'hms-sync'"));
    assertThat(registry.connectivityTests()).containsExactly("hms-sync");
  }

  @Test
  void the_health_check_is_unhealthy_when_the_registry_cannot_be_reached() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    Health health =
        IisConnectors.connector(URI.create("http://127.0.0.1:" + closedPort + "/IISService"))
            .checkHealth()
            .get(15, TimeUnit.SECONDS);

    assertThat(health.healthy()).isFalse();
    assertThat(health.detail()).contains("cannot connect", "connectivityTest");
  }

  @Test
  void the_health_check_is_unhealthy_when_the_answer_is_not_soap() throws Exception {
    registry.rawAnswer(503, "text/html", "<h1>down</h1>");

    Health health =
        IisConnectors.connector(registry.rawUri()).checkHealth().get(15, TimeUnit.SECONDS);

    assertThat(health.healthy()).isFalse();
    assertThat(health.detail()).contains("HTTP 503");
  }

  @Test
  void create_without_an_iis_section_says_what_to_add() {
    assertThatThrownBy(
            () ->
                IisSoapConnector.create(
                    config(registry.uri(), TIMEOUTS, AuthConfig.none(), null, subscriptions()),
                    CLOCK))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("'state-iis'")
        .hasMessageContaining("no iis section")
        .hasMessageContaining("sendingFacility");
  }

  @Test
  void create_refuses_event_types_a_registry_does_not_take() {
    assertThatThrownBy(
            () ->
                IisSoapConnector.create(
                    config(
                        registry.uri(),
                        TIMEOUTS,
                        AuthConfig.none(),
                        SETTINGS,
                        RouteConfig.subscription(EventTypes.COMPLETED),
                        RouteConfig.subscription(EventTypes.CREATED)),
                    CLOCK))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("cannot send appointment.created")
        .hasMessageContaining("appointment.completed and appointment.cancelled");
  }

  @Test
  void create_refuses_a_route_with_rest_keys() {
    assertThatThrownBy(
            () ->
                IisSoapConnector.create(
                    config(
                        registry.uri(),
                        TIMEOUTS,
                        AuthConfig.none(),
                        SETTINGS,
                        new RouteConfig(EventTypes.COMPLETED, "POST", "/vxu", null, null)),
                    CLOCK))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("takes no method, path, mapping or document");
  }

  @Test
  void create_refuses_an_unknown_processing_id_naming_the_key() {
    IisConfig wrong =
        new IisConfig(null, null, null, null, "CLINIC-0042", null, null, "X", null);

    assertThatThrownBy(
            () ->
                IisSoapConnector.create(
                    config(registry.uri(), TIMEOUTS, AuthConfig.none(), wrong, subscriptions()),
                    CLOCK))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("iis.processingId must be P (production), T (training) or D");
  }

  @Test
  void a_registry_without_credentials_gets_none_in_the_envelope() throws Exception {
    IisConfig open =
        new IisConfig(null, null, null, null, "CLINIC-0042", null, null, null, null);
    IisSoapConnector connector =
        IisSoapConnector.create(
            config(registry.uri(), TIMEOUTS, AuthConfig.none(), open, subscriptions()), CLOCK);

    push(connector, request(completedEvent(), null));

    IisTestServer.Received received = registry.lastReceived();
    assertThat(received.username()).isNull();
    assertThat(received.password()).isNull();
    assertThat(received.facilityId()).isNull();
    assertThat(received.vxu().get("/MSH-3")).isEqualTo("HMS-SYNC");
    assertThat(received.vxu().get("/MSH-11")).isEqualTo("T");
  }
}
