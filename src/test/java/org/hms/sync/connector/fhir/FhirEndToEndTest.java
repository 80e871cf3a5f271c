package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.delivery.DeliveryObserver;
import org.hms.sync.delivery.DeliveryStatus;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.scheduling.SchedulingService;
import org.hms.sync.scheduling.Slot;
import org.hms.sync.simulator.fhir.FhirPortal;
import org.hms.sync.simulator.fhir.PortalAppointment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path: a YAML config with a fhir connector, the delivery engine, and a HAPI FHIR
 * server (the portal stand-in). One EMR appointment stays one FHIR Appointment through its life.
 */
class FhirEndToEndTest {
  @TempDir Path dir;

  private FhirPortal portal;
  private SyncApp app;

  @BeforeEach
  void start() throws IOException {
    portal = FhirPortal.start(0);
    String yaml =
        """
        database:
          url: "jdbc:h2:mem:fhir-e2e-%s;DB_CLOSE_DELAY=-1"
        engine:
          pollInterval: 200ms
          lease: 10s
        connectors:
          - id: county-portal
            type: fhir
            baseUrl: %s
            timeouts:
              connect: 1s
              request: 5s
            retry:
              maxAttempts: 3
              initialBackoff: 100ms
              maxBackoff: 200ms
            routes:
              appointment.created: {}
              appointment.rescheduled: {}
              appointment.cancelled: {}
            fhir:
              identifierSystem: https://clinic.example.org/appointment
        """
            .formatted(UUID.randomUUID(), portal.baseUrl());
    Path file = Files.writeString(dir.resolve("hms-sync.yaml"), yaml);
    app =
        SyncApp.create(ConfigLoader.load(file, Map.of()), Clock.systemUTC(), DeliveryObserver.NONE)
            .startEngine();
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
    if (portal != null) {
      portal.close();
    }
  }

  @Test
  void one_emr_appointment_stays_one_fhir_appointment_from_booking_to_cancellation() {
    SchedulingService emr = app.scheduling();
    Location clinic = emr.createLocation("CLINIC-12", "County Clinic 12");
    Instant nine = Instant.parse("2027-03-01T09:00:00Z");
    Slot first = emr.createSlot(clinic.id(), nine, nine.plusSeconds(900), 1);
    Slot later = emr.createSlot(clinic.id(), nine.plusSeconds(3600), nine.plusSeconds(4500), 1);
    Patient patient = emr.createPatient("E2E-2", "Test", "Patient", LocalDate.of(1980, 1, 1));

    Appointment booked = emr.book(patient.id(), first.id(), null);
    awaitSucceeded(booked.id(), 1);
    emr.reschedule(booked.id(), later.id(), null, null);
    awaitSucceeded(booked.id(), 2);
    emr.cancel(booked.id(), "patient called", null, null);
    awaitSucceeded(booked.id(), 3);

    assertThat(portal.appointments())
        .singleElement()
        .satisfies(
            remote -> {
              assertThat(remote.identifier()).isEqualTo(booked.id());
              assertThat(remote.status()).isEqualTo("cancelled");
              assertThat(remote.start()).isEqualTo(later.start());
              assertThat(remote.versionId()).isEqualTo("3");
            });
    PortalAppointment remote = portal.appointments().get(0);
    assertThat(app.deliveries().externalIds("county-portal"))
        .as("the stored external id names the last version we saw")
        .containsEntry(booked.id(), "Appointment/" + remote.id() + "/_history/3");
  }

  private void awaitSucceeded(String appointmentId, int count) {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        app.deliveries()
                            .list(DeliveryStatus.SUCCEEDED, "county-portal", appointmentId, 10))
                    .hasSize(count));
  }
}
