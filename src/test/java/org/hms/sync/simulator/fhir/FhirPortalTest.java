package org.hms.sync.simulator.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.hms.sync.SyncException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The FHIR portal stand-in over plain HTTP and FHIR JSON, as any client would see it. */
class FhirPortalTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Instant NOW = Instant.parse("2027-03-01T08:00:00Z");
  private static final String IDENTIFIER = "identifier=urn:hms-sync:appointment|apt-1";

  private static FhirPortal portal;

  /** An HTTP answer: status, ETag and Location headers, body as JSON. */
  record Answer(int status, String etag, String location, JsonNode body) {}

  @BeforeAll
  static void start() {
    portal = FhirPortal.start(0, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterAll
  static void stop() {
    portal.close();
  }

  @BeforeEach
  void empty() {
    portal.reset();
  }

  @Test
  void the_base_url_is_fhir_on_the_loopback_port() {
    assertThat(portal.baseUrl()).hasToString("http://127.0.0.1:" + portal.port() + "/fhir");
    assertThat(portal.port()).isPositive();
  }

  @Test
  void a_conditional_create_makes_one_appointment_per_identifier() throws Exception {
    Answer first =
        send("POST", "/Appointment", appointment("booked", "09:00"), "If-None-Exist", IDENTIFIER);
    Answer second =
        send("POST", "/Appointment", appointment("booked", "09:00"), "If-None-Exist", IDENTIFIER);

    assertThat(first.status()).isEqualTo(201);
    assertThat(second.status()).isEqualTo(200);
    assertThat(first.location()).contains("/fhir/Appointment/1/_history/1");
    assertThat(portal.appointments())
        .containsExactly(
            new PortalAppointment(
                "1",
                "1",
                "apt-1",
                "booked",
                Instant.parse("2027-03-01T09:00:00Z"),
                Instant.parse("2027-03-01T09:15:00Z")));
    assertThat(portal.appointmentStore().get("1").getMeta().getLastUpdated().toInstant())
        .as("stamped by the portal's clock")
        .isEqualTo(NOW);
  }

  @Test
  void an_update_with_the_current_version_in_if_match_makes_version_2() throws Exception {
    send("POST", "/Appointment", appointment("booked", "09:00"), "If-None-Exist", IDENTIFIER);

    Answer updated =
        send(
            "PUT",
            "/Appointment/1",
            withId(appointment("cancelled", "09:00")),
            "If-Match",
            "W/\"1\"");

    assertThat(updated.status()).isEqualTo(200);
    assertThat(updated.etag()).isEqualTo("W/\"2\"");
    assertThat(portal.appointments())
        .extracting(PortalAppointment::status)
        .containsExactly("cancelled");
  }

  @Test
  void an_update_with_a_stale_if_match_is_refused_with_409_as_hapis_jpa_server_does() throws Exception {
    send("POST", "/Appointment", appointment("booked", "09:00"), "If-None-Exist", IDENTIFIER);
    send("PUT", "/Appointment/1", withId(appointment("booked", "10:00")), "If-Match", "W/\"1\"");

    Answer stale =
        send(
            "PUT",
            "/Appointment/1",
            withId(appointment("cancelled", "09:00")),
            "If-Match",
            "W/\"1\"");

    assertThat(stale.status()).isEqualTo(409);
    assertThat(stale.body().path("resourceType").asText()).isEqualTo("OperationOutcome");
    JsonNode issue = stale.body().path("issue").path(0);
    assertThat(issue.path("severity").asText()).isEqualTo("error");
    assertThat(issue.path("code").asText()).isEqualTo("processing");
    assertThat(issue.path("diagnostics").asText())
        .isEqualTo(
            "HAPI-0550: HAPI-0989: Trying to update Appointment/1/_history/1 but this is not the"
                + " current version");
    assertThat(portal.appointments())
        .extracting(PortalAppointment::versionId, PortalAppointment::status)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("2", "booked"));
  }

  @Test
  void asked_to_it_refuses_a_stale_if_match_with_412_as_the_specification_describes()
      throws Exception {
    portal.answerStaleVersionsWith(412);
    send("POST", "/Appointment", appointment("booked", "09:00"), "If-None-Exist", IDENTIFIER);
    send("PUT", "/Appointment/1", withId(appointment("booked", "10:00")), "If-Match", "W/\"1\"");

    Answer stale =
        send(
            "PUT",
            "/Appointment/1",
            withId(appointment("cancelled", "09:00")),
            "If-Match",
            "W/\"1\"");

    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.body().toString()).contains("Appointment/1/_history/1 is not the current");
    assertThat(portal.appointments())
        .extracting(PortalAppointment::versionId, PortalAppointment::status)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("2", "booked"));
  }

  @Test
  void vread_returns_an_earlier_version_and_read_the_current_one() throws Exception {
    send("POST", "/Appointment", appointment("booked", "09:00"), "If-None-Exist", IDENTIFIER);
    send("PUT", "/Appointment/1", withId(appointment("booked", "10:00")), "If-Match", "W/\"1\"");

    Answer first = send("GET", "/Appointment/1/_history/1", null);
    Answer current = send("GET", "/Appointment/1", null);
    Answer missing = send("GET", "/Appointment/1/_history/3", null);

    assertThat(first.body().path("start").asText()).isEqualTo("2027-03-01T09:00:00Z");
    assertThat(first.body().path("meta").path("versionId").asText()).isEqualTo("1");
    assertThat(current.body().path("start").asText()).isEqualTo("2027-03-01T10:00:00Z");
    assertThat(current.body().path("meta").path("versionId").asText()).isEqualTo("2");
    assertThat(missing.status()).isEqualTo(404);
  }

  @Test
  void search_by_identifier_finds_only_that_appointment() throws Exception {
    send("POST", "/Appointment", appointment("booked", "09:00"), "If-None-Exist", IDENTIFIER);
    send(
        "POST",
        "/Appointment",
        appointment("booked", "11:00").replace("apt-1", "apt-2"),
        "If-None-Exist",
        IDENTIFIER.replace("apt-1", "apt-2"));

    Answer found =
        send(
            "GET",
            "/Appointment?identifier="
                + URLEncoder.encode("urn:hms-sync:appointment|apt-2", StandardCharsets.UTF_8),
            null);

    assertThat(found.body().path("total").asInt()).isEqualTo(1);
    assertThat(found.body().path("entry").get(0).path("resource").path("id").asText())
        .isEqualTo("2");
  }

  @Test
  void search_by_date_finds_appointments_whose_start_is_in_the_range() throws Exception {
    send("POST", "/Appointment", appointment("booked", "09:00"), "If-None-Exist", IDENTIFIER);
    send(
        "POST",
        "/Appointment",
        appointment("booked", "11:00").replace("apt-1", "apt-2"),
        "If-None-Exist",
        IDENTIFIER.replace("apt-1", "apt-2"));

    Answer morning =
        send("GET", "/Appointment?date=ge2027-03-01T09:00:00Z&date=lt2027-03-01T11:00:00Z", null);
    Answer day = send("GET", "/Appointment?date=ge2027-03-01&date=lt2027-03-02", null);
    Answer before = send("GET", "/Appointment?date=lt2027-03-01T09:00:00Z", null);

    assertThat(morning.body().path("entry")).hasSize(1);
    assertThat(morning.body().path("entry").get(0).path("resource").path("id").asText())
        .isEqualTo("1");
    assertThat(day.body().path("entry")).as("day precision covers the whole day").hasSize(2);
    assertThat(before.body().path("entry")).as("lt excludes its instant").isEmpty();
  }

  @Test
  void a_removed_appointment_is_neither_read_nor_found() throws Exception {
    send("POST", "/Appointment", appointment("booked", "09:00"), "If-None-Exist", IDENTIFIER);

    assertThat(portal.appointmentStore().remove("1")).isTrue();

    assertThat(send("GET", "/Appointment/1", null).status()).isEqualTo(404);
    assertThat(send("GET", "/Appointment?date=2027-03-01", null).body().path("entry")).isEmpty();
    assertThat(portal.appointmentStore().remove("1")).isFalse();
  }

  @Test
  void starting_on_a_port_in_use_fails_with_a_message_naming_it() {
    int taken = portal.port();

    assertThatThrownBy(() -> FhirPortal.start(taken))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("127.0.0.1:" + taken)
        .hasMessageContaining("pick another port");
  }

  @Test
  void reset_forgets_every_appointment() throws Exception {
    send("POST", "/Appointment", appointment("booked", "09:00"), "If-None-Exist", IDENTIFIER);

    portal.reset();

    assertThat(portal.appointments()).isEmpty();
    assertThat(send("GET", "/Appointment/1", null).status()).isEqualTo(404);
  }

  // ---------------------------------------------------------------------------------------------

  private static String appointment(String status, String startTime) {
    Instant start = Instant.parse("2027-03-01T" + startTime + ":00Z");
    return "{\"resourceType\":\"Appointment\",\"status\":\""
        + status
        + "\",\"identifier\":[{\"system\":\"urn:hms-sync:appointment\",\"value\":\"apt-1\"}],"
        + "\"start\":\""
        + start
        + "\",\"end\":\""
        + start.plusSeconds(15 * 60)
        + "\",\"participant\":[{\"status\":\"accepted\",\"actor\":{\"display\":\"clinic\"}}]}";
  }

  private static String withId(String resource) {
    return resource.replace(
        "{\"resourceType\":\"Appointment\",", "{\"resourceType\":\"Appointment\",\"id\":\"1\",");
  }

  private static Answer send(String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(portal.baseUrl() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Accept", "application/fhir+json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/fhir+json");
    }
    if (headers.length > 0) {
      request.headers(headers);
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    String text = response.body();
    return new Answer(
        response.statusCode(),
        response.headers().firstValue("ETag").orElse(null),
        response.headers().firstValue("Location").orElse(null),
        text == null || text.isBlank() ? JSON.missingNode() : JSON.readTree(text));
  }
}
