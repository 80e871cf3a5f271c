package org.hms.sync.mapping;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import org.hms.sync.json.JsonSnapshotEncoder;
import org.hms.sync.outbox.OutboxEvent;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.AppointmentSnapshot;
import org.hms.sync.scheduling.AppointmentStatus;
import org.hms.sync.scheduling.Immunization;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;

/**
 * Outbox events as the EMR writes them (payload made by {@link JsonSnapshotEncoder}), and the
 * mapping files under {@code src/test/resources/mapping}. Shared by the mapping, connector and CLI
 * tests.
 */
public final class SampleEvents {
  public static final String APPOINTMENT_ID = "0f6c2a4e-1b7d-4e8a-b3c5-9d2e7f1a6b80";
  public static final String PATIENT_GIVEN_NAME = "Adaeze";
  public static final String PATIENT_FAMILY_NAME = "Okonkwo";
  public static final String PATIENT_MRN = "MRN-0042";
  public static final String CLINIC_CODE = "CLINIC-12";
  public static final Instant OCCURRED_AT = Instant.parse("2027-02-20T14:05:00Z");

  private static final Patient PATIENT =
      new Patient(
          "a9b8c7d6-0000-4000-8000-000000000002",
          PATIENT_MRN,
          PATIENT_GIVEN_NAME,
          PATIENT_FAMILY_NAME,
          LocalDate.parse("1980-01-01"));
  private static final Location LOCATION =
      new Location("e5f6a7b8-0000-4000-8000-000000000003", CLINIC_CODE, "County Clinic 12");

  private SampleEvents() {}

  /** A booked appointment on 2027-03-01 09:00-09:15 UTC at CLINIC-12, no dose given yet. */
  public static AppointmentSnapshot booked() {
    return snapshot(APPOINTMENT_ID, AppointmentStatus.BOOKED, null);
  }

  /** The same appointment completed with a dose of CVX 208, lot EK5730. */
  public static AppointmentSnapshot completed() {
    Immunization dose =
        new Immunization(
            "208",
            "EK5730",
            "0.3 mL",
            "Pfizer",
            "IM",
            "LA",
            Instant.parse("2027-03-01T09:07:00Z"));
    return snapshot(APPOINTMENT_ID, AppointmentStatus.COMPLETED, dose);
  }

  public static AppointmentSnapshot snapshot(
      String appointmentId, AppointmentStatus status, Immunization immunization) {
    Appointment appointment =
        new Appointment(
            appointmentId,
            PATIENT.id(),
            "c1d2e3f4-0000-4000-8000-000000000001",
            LOCATION.id(),
            Instant.parse("2027-03-01T09:00:00Z"),
            Instant.parse("2027-03-01T09:15:00Z"),
            status,
            1,
            OCCURRED_AT,
            null,
            immunization);
    return new AppointmentSnapshot(appointment, PATIENT, LOCATION);
  }

  /** An event of this type about the booked appointment. */
  public static OutboxEvent event(String type, long sequence) {
    return event(type, sequence, booked());
  }

  public static OutboxEvent event(String type, long sequence, AppointmentSnapshot snapshot) {
    return new OutboxEvent(
        "event-" + sequence,
        snapshot.appointment().id(),
        sequence,
        type,
        OCCURRED_AT,
        null,
        new JsonSnapshotEncoder().encode(snapshot));
  }

  /** A file under {@code src/test/resources/mapping/}. */
  public static Path mappingFile(String name) {
    URL resource = SampleEvents.class.getResource("/mapping/" + name);
    if (resource == null) {
      throw new IllegalArgumentException(
          "no test resource mapping/" + name + "; add it under src/test/resources/mapping/");
    }
    try {
      return Path.of(resource.toURI());
    } catch (URISyntaxException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
