package org.hms.sync.http;

import static org.awaitility.Awaitility.await;

import ca.uhn.fhir.rest.api.CacheControlDirective;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.delivery.DeliveryObserver;
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
 * back by polling (fresh searches). Each test gives its connector an identifier system of its own,
 * so its poll mapping sees its own Appointments only.
 */
@Tag("hapi-jpa")
class FhirJpaInboundTest {
  private static final JpaFhirServer SERVER = JpaFhirServer.shared();

  @TempDir Path dir;

  private final IGenericClient fhir = SERVER.client();
  private final String system = JpaFhirServer.uniqueId("urn:test:inbound");
  private SyncApp app;

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void with_a_two_second_interval_a_change_at_the_server_reaches_the_emr_within_four_seconds()
      throws Exception {
    app = start("2s");
    String appointmentId = bookedAndPushed();

    cancelAtServer(appointmentId);

    await().atMost(Duration.ofSeconds(4)).until(() -> cancelledInEmr(appointmentId));
  }

  // ---- the service ----

  private SyncApp start(String interval) throws IOException {
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
        """
            .formatted(
                UUID.randomUUID(), SERVER.baseUrl(), system, interval,
                Instant.now().minusSeconds(1));
    Path config = Files.writeString(dir.resolve("hms-sync.yaml"), yaml);
    return SyncApp.create(
            ConfigLoader.load(config, Map.of()), Clock.systemUTC(), DeliveryObserver.NONE)
        .startEngine();
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


}
