package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ca.uhn.fhir.rest.api.CacheControlDirective;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Subscription;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.delivery.DeliveryObserver;
import org.hms.sync.json.Json;
import org.hms.sync.scheduling.AppointmentStatus;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.testing.JpaFhirServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inbound sync from the HAPI FHIR JPA server through the running service: an appointment booked
 * in the EMR is pushed there, cancelled at the server by another client, and the cancellation comes
 * back by polling (fresh searches) or at once through the server's rest-hook notification. Each
 * test gives its connector an identifier system of its own, so its poll mapping and Subscription
 * criteria see its own Appointments only.
 */
@Tag("hapi-jpa")
class FhirJpaInboundTest {
  private static final String ADMIN_TOKEN = "admin-token-for-tests";
  private static final String SECRET = "c3b1f0e2d4a6978856a4b2c0d1e3f5a7";
  private static final JpaFhirServer SERVER = JpaFhirServer.shared();

  @TempDir Path dir;

  private final IGenericClient fhir = SERVER.client();
  private final HttpClient http = HttpClient.newHttpClient();
  private final String system = JpaFhirServer.uniqueId("urn:test:inbound");
  private final List<String> endpoints = new ArrayList<>();
  private SyncApp app;

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
    for (String endpoint : endpoints) { // removeOnStop did it; in case a test failed before
      for (Subscription left : subscriptionsTo(endpoint)) {
        fhir.delete().resourceById(left.getIdElement().toUnqualifiedVersionless()).execute();
      }
    }
  }

  @Test
  void with_a_two_second_interval_a_change_at_the_server_reaches_the_emr_within_four_seconds()
      throws Exception {
    app = start("2s", null, 0);
    String appointmentId = bookedAndPushed();

    cancelAtServer(appointmentId);

    await().atMost(Duration.ofSeconds(4)).until(() -> cancelledInEmr(appointmentId));
  }

  @Test
  void with_a_one_minute_interval_a_notification_brings_the_change_within_seconds()
      throws Exception {
    int port = freePort();
    String endpoint = "http://127.0.0.1:" + port + "/fhir/notifications/portal";
    app = start("60s", subscription(endpoint, "Appointment?identifier=" + system + "%7C"), port);
    awaitActive(endpoint);
    String appointmentId = bookedAndPushed();

    cancelAtServer(appointmentId);

    await().atMost(Duration.ofSeconds(10)).until(() -> cancelledInEmr(appointmentId));
    app.close();
    assertThat(subscriptionsTo(endpoint)).as("removeOnStop").isEmpty();
  }

  @Test
  void a_notification_with_a_wrong_secret_is_refused_and_wakes_nothing() throws Exception {
    int port = freePort();
    // The server's own notifications go nowhere here: criteria that match nothing.
    String endpoint = "http://127.0.0.1:" + port + "/fhir/notifications/portal";
    app = start("60s", subscription(endpoint, "Appointment?identifier=urn:test:none%7C"), port);
    String appointmentId = bookedAndPushed();
    await().atMost(Duration.ofSeconds(20)).until(() -> lastPolledAt() != null);
    Instant polled = lastPolledAt();
    cancelAtServer(appointmentId);

    HttpResponse<String> forged = notify(port, "portal", "d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f");
    HttpResponse<String> unsigned = notify(port, "portal", null);
    HttpResponse<String> unknown = notify(port, "nobody", SECRET);

    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(Json.read(forged.body()).path("detail").asText())
        .isEqualTo(
            "send the connector's inbound.subscription.secret in the X-HMS-Subscription-Secret"
                + " header (the Subscription at the server carries it in channel.header)");
    assertThat(unsigned.statusCode()).isEqualTo(401);
    assertThat(unknown.statusCode()).isEqualTo(404);
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !cancelledInEmr(appointmentId) && polled.equals(lastPolledAt()));

    HttpResponse<String> genuine = notify(port, "portal", SECRET);

    assertThat(genuine.statusCode()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> cancelledInEmr(appointmentId));
  }

  @Test
  void when_the_notifications_cannot_reach_the_service_polling_still_brings_the_change()
      throws Exception {
    String endpoint = "http://127.0.0.1:" + freePort() + "/fhir/notifications/portal";
    app = start("2s", subscription(endpoint, "Appointment?identifier=" + system + "%7C"), 0);
    awaitActive(endpoint);
    String appointmentId = bookedAndPushed();

    cancelAtServer(appointmentId);

    await().atMost(Duration.ofSeconds(4)).until(() -> cancelledInEmr(appointmentId));
  }

  // ---- the service ----

  private String subscription(String endpoint, String criteria) {
    endpoints.add(endpoint);
    return String.join(
        "\n",
        "      subscription:",
        "        endpoint: " + endpoint,
        "        secret: ${PORTAL_SUBSCRIPTION_SECRET}",
        "        criteria: \"" + criteria + "\"",
        "        removeOnStop: true",
        "");
  }

  private SyncApp start(String interval, String subscription, int port) throws IOException {
    Files.writeString(
        dir.resolve("poll.jsonata"),
        """
        payload.status = "cancelled" ? {
          "action": "cancel",
          "externalId": "Appointment/" & payload.id,
          "appointmentId": payload.identifier[system = "%s"].value,
          "reason": "cancelled at the portal"
        } : null
        """
            .formatted(system));
    String yaml =
        """
        server:
          port: %d
        database:
          url: "jdbc:h2:mem:fhir-inbound-%s;DB_CLOSE_DELAY=-1"
        connectors:
          - id: portal
            type: fhir
            baseUrl: %s
            timeouts: { connect: 5s, request: 20s }
            routes:
              appointment.created: {}
            fhir:
              identifierSystem: %s
            inbound:
              poll:
                interval: %s
                initialCursor: "%s"
                mapping: poll.jsonata
        %s"""
            .formatted(
                port, UUID.randomUUID(), SERVER.baseUrl(), system, interval,
                Instant.now().minusSeconds(1), subscription == null ? "" : subscription);
    Path config = Files.writeString(dir.resolve("hms-sync.yaml"), yaml);
    SyncApp started =
        SyncApp.create(
            ConfigLoader.load(config, Map.of("PORTAL_SUBSCRIPTION_SECRET", SECRET)),
            Clock.systemUTC(), DeliveryObserver.NONE);
    if (port != 0) {
      started.startServer(ADMIN_TOKEN);
    }
    return started.startEngine();
  }

  /** Booked in the EMR, and the Appointment the push made is at the server. */
  private String bookedAndPushed() {
    Location clinic = app.scheduling().createLocation("CLINIC-" + UUID.randomUUID(), "Clinic");
    Patient patient =
        app.scheduling()
            .createPatient("MRN-" + UUID.randomUUID(), "Ada", "Lovelace", LocalDate.of(1990, 1, 1));
    Instant start = Instant.parse("2031-03-01T09:00:00Z");
    String slotId =
        app.scheduling().createSlot(clinic.id(), start, start.plusSeconds(900), 2).id();
    String appointmentId = app.scheduling().book(patient.id(), slotId, null).id();
    await().atMost(Duration.ofSeconds(30)).until(() -> atServer(appointmentId) != null);
    return appointmentId;
  }

  private boolean cancelledInEmr(String appointmentId) {
    return app.scheduling().findAppointment(appointmentId).orElseThrow().status()
        == AppointmentStatus.CANCELLED;
  }

  private Instant lastPolledAt() {
    return app.pollStates().find("portal").map(state -> state.lastPolledAt()).orElse(null);
  }

  private HttpResponse<String> notify(int port, String connectorId, String secret)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/fhir/notifications/" + connectorId))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (secret != null) {
      request.header("X-HMS-Subscription-Secret", secret);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  // ---- the FHIR server, as another client ----

  private void cancelAtServer(String appointmentId) {
    Appointment appointment = atServer(appointmentId);
    appointment.setStatus(Appointment.AppointmentStatus.CANCELLED);
    fhir.update().resource(appointment).execute();
  }

  private Appointment atServer(String appointmentId) {
    Bundle found =
        fhir.search()
            .forResource(Appointment.class)
            .where(Appointment.IDENTIFIER.exactly().systemAndCode(system, appointmentId))
            .returnBundle(Bundle.class)
            .cacheControl(new CacheControlDirective().setNoCache(true))
            .execute();
    return found.getEntry().isEmpty() ? null : (Appointment) found.getEntryFirstRep().getResource();
  }

  private void awaitActive(String endpoint) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                subscriptionsTo(endpoint).stream()
                    .anyMatch(
                        subscription ->
                            subscription.getStatus() == Subscription.SubscriptionStatus.ACTIVE));
  }

  private List<Subscription> subscriptionsTo(String endpoint) {
    Bundle found =
        fhir.search()
            .forResource(Subscription.class)
            .where(Subscription.URL.matches().value(endpoint))
            .returnBundle(Bundle.class)
            .cacheControl(new CacheControlDirective().setNoCache(true))
            .execute();
    List<Subscription> subscriptions = new ArrayList<>();
    found.getEntry().forEach(entry -> subscriptions.add((Subscription) entry.getResource()));
    return subscriptions;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
