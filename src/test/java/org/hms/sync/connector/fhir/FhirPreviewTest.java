package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hms.sync.connector.fhir.FhirFixtures.config;
import static org.hms.sync.connector.fhir.FhirFixtures.connector;
import static org.hms.sync.connector.fhir.FhirFixtures.settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.Map;
import org.hms.sync.config.RouteConfig;
import org.hms.sync.connector.OutboundRequest;
import org.hms.sync.connector.Preview;
import org.hms.sync.json.Json;
import org.hms.sync.mapping.MappingInput;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.junit.jupiter.api.Test;

/** What {@code hms-sync mapping test} shows for a fhir connector: the FHIR request it would send. */
class FhirPreviewTest {
  private static final URI BASE = URI.create("http://127.0.0.1:9/fhir/");

  private final FhirConnector connector = connector(config(BASE, null));

  @Test
  void created_shows_the_conditional_post_with_the_appointment_resource_and_masked_credentials() {
    Preview preview = connector.preview(EventTypes.CREATED, input(EventTypes.CREATED, null), "key");

    OutboundRequest request = preview.request().redacted();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.uri()).isEqualTo(URI.create("http://127.0.0.1:9/fhir/Appointment"));
    assertThat(request.headers())
        .containsEntry(
            "If-None-Exist", "identifier=urn:hms-sync:appointment|" + SampleEvents.APPOINTMENT_ID)
        .containsEntry("Authorization", "Bearer ***")
        .containsEntry("X-Tenant", "county-12")
        .containsKey("User-Agent");
    assertThat(request.headers().get("Content-Type")).startsWith("application/fhir+json");
    assertThat(preview.request().headers().get("Authorization")).doesNotContain("s3cret");
    JsonNode body = Json.read(request.body());
    assertThat(body.path("resourceType").asText()).isEqualTo("Appointment");
    assertThat(body.has("id")).isFalse();
    assertThat(body.path("status").asText()).isEqualTo("booked");
    assertThat(body.path("start").asText()).isEqualTo("2027-03-01T09:00:00Z");
    assertThat(body.path("identifier").path(0).path("value").asText())
        .isEqualTo(SampleEvents.APPOINTMENT_ID);
    assertThat(body.path("participant").path(0).path("actor").path("identifier").path("value").asText())
        .isEqualTo(SampleEvents.PATIENT_MRN);
    assertThat(preview.detail()).startsWith("Conditional create");
  }

  @Test
  void a_change_with_a_stored_version_shows_the_put_with_if_match() {
    Preview preview =
        connector.preview(
            EventTypes.CANCELLED,
            input(EventTypes.CANCELLED, "Appointment/7/_history/3"),
            "key");

    OutboundRequest request = preview.request();
    assertThat(request.method()).isEqualTo("PUT");
    assertThat(request.uri()).isEqualTo(URI.create("http://127.0.0.1:9/fhir/Appointment/7"));
    assertThat(request.headers()).containsEntry("If-Match", "W/\"3\"");
    JsonNode body = Json.read(request.body());
    assertThat(body.path("id").asText()).isEqualTo("7");
    assertThat(body.path("status").asText()).isEqualTo("cancelled");
    assertThat(body.path("cancelationReason").path("text").asText())
        .isEqualTo("Cancelled in the EMR");
    assertThat(preview.detail())
        .startsWith("GET Appointment/7 comes first")
        .contains("the version we last saw, 3")
        .contains("If the version read is not 3, the Appointment changed at the server")
        .contains("this change goes over it (onVersionConflict: reapply)")
        .contains("On 409 or 412")
        .contains("still the one sent, the server refuses the change");
  }

  @Test
  void a_change_without_an_external_id_shows_the_identifier_search_and_the_resource() {
    Preview preview =
        connector.preview(EventTypes.COMPLETED, input(EventTypes.COMPLETED, null), "key");

    OutboundRequest request = preview.request();
    assertThat(request.method()).isEqualTo("GET");
    assertThat(request.uri().toString())
        .isEqualTo(
            "http://127.0.0.1:9/fhir/Appointment?identifier=urn%3Ahms-sync%3Aappointment%7C"
                + SampleEvents.APPOINTMENT_ID);
    assertThat(request.body()).isNull();
    assertThat(preview.detail()).contains("\"status\" : \"fulfilled\"");
  }

  @Test
  void with_slot_events_the_detail_says_what_happens_to_the_slot() {
    FhirConnector slots = connector(config(BASE, settings(null, "fail", true)));

    Preview preview = slots.preview(EventTypes.CANCELLED, input(EventTypes.CANCELLED, "9"), "key");

    assertThat(preview.detail())
        .contains("GET Appointment/9 comes first")
        .doesNotContain("If the version read is not")
        .contains("marked free")
        .contains("onVersionConflict: fail");
  }

  @Test
  void an_event_type_without_a_route_is_refused() {
    FhirConnector createsOnly =
        connector(
            new org.hms.sync.config.ConnectorConfig(
                "county-portal",
                "fhir",
                BASE,
                null,
                null,
                null,
                Map.of(),
                Map.of(EventTypes.CREATED, RouteConfig.subscription(EventTypes.CREATED))));

    assertThatThrownBy(
            () -> createsOnly.preview(EventTypes.CANCELLED, input(EventTypes.CANCELLED, "9"), "k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no route for appointment.cancelled");
  }

  private static ObjectNode input(String eventType, String externalId) {
    return MappingInput.of(SampleEvents.event(eventType, 1), externalId);
  }
}
