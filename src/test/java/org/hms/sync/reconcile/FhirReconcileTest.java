package org.hms.sync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.delivery.DeliveryObserver;
import org.hms.sync.delivery.DeliveryStatus;
import org.hms.sync.inbound.InboxStatus;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.AppointmentStatus;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.scheduling.Slot;
import org.hms.sync.simulator.fhir.FhirPortal;
import org.hms.sync.simulator.fhir.PortalAppointment;
import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reconciliation of a {@code type: fhir} connector against the FHIR portal stand-in (a HAPI
 * RestfulServer), on H2: the connector lists by a date search, drift of every kind is found and
 * judged three-way, repaired (external-wins), and a second run finds none.
 */
class FhirReconcileTest {
  private static final Instant DAY = Instant.parse("2027-03-01T00:00:00Z");
  private static final Instant NINE = Instant.parse("2027-03-01T09:00:00Z");
  private static final String CONNECTOR = "county-portal";

  @TempDir Path dir;

  private final Refusals refusals = new Refusals();
  private TestDb db;
  private FhirPortal portal;
  private SyncApp app;
  private Slot nine;
  private Slot ten;
  private Slot eleven;
  private Slot twelve;
  private Patient ada;
  private Patient grace;
  private Patient alan;

  @BeforeEach
  void start() throws IOException {
    db = TestDatabases.h2();
    portal = FhirPortal.start(0, Clock.systemUTC(), refusals);
    String yaml =
        """
        database:
          url: "%s"
          user: "%s"
        engine:
          pollInterval: 200ms
        connectors:
          - id: %s
            type: fhir
            baseUrl: %s
            timeouts: { connect: 1s, request: 5s }
            retry: { maxAttempts: 1 }
            circuitBreaker: { enabled: false }
            inbound:
              conflictPolicy: external-wins
            routes:
              appointment.created: {}
              appointment.rescheduled: {}
              appointment.cancelled: {}
              appointment.completed: {}
        """
            .formatted(db.url(), db.user(), CONNECTOR, portal.baseUrl());
    Path config = Files.writeString(dir.resolve("hms-sync.yaml"), yaml);
    app =
        SyncApp.create(
                ConfigLoader.load(config, Map.of()), Clock.systemUTC(), DeliveryObserver.NONE)
            .startEngine();
    Location clinic = app.scheduling().createLocation("CLINIC-A", "Clinic A");
    nine = slot(clinic, NINE);
    ten = slot(clinic, NINE.plusSeconds(3600));
    eleven = slot(clinic, NINE.plusSeconds(7200));
    twelve = slot(clinic, NINE.plusSeconds(10800));
    ada = app.scheduling().createPatient("MRN-1", "Ada", "Lovelace", LocalDate.of(1990, 1, 1));
    grace = app.scheduling().createPatient("MRN-2", "Grace", "Hopper", LocalDate.of(1991, 2, 2));
    alan = app.scheduling().createPatient("MRN-3", "Alan", "Turing", LocalDate.of(1992, 3, 3));
  }

  private Slot slot(Location clinic, Instant start) {
    return app.scheduling().createSlot(clinic.id(), start, start.plusSeconds(900), 2);
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
    if (portal != null) {
      portal.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  void drift_of_every_kind_is_found_repaired_and_gone_on_the_second_run() {
    Appointment inSync = book(ada, nine);
    Appointment cancelledThere = book(grace, nine);
    Appointment movedThere = book(alan, ten);
    Appointment movedHere = book(grace, ten);
    quiet();
    // At the portal, one appointment is cancelled and one moved; nobody tells the EMR.
    String cancelledId = portalId(cancelledThere);
    portal
        .appointmentStore()
        .change(
            cancelledId,
            appointment ->
                appointment.setStatus(
                    org.hl7.fhir.r4.model.Appointment.AppointmentStatus.CANCELLED));
    portal
        .appointmentStore()
        .change(
            portalId(movedThere),
            appointment -> {
              appointment.setStart(Date.from(eleven.start()));
              appointment.setEnd(Date.from(eleven.end()));
            });
    // A citizen books at the portal: the EMR never hears of it.
    String portalBooking = bookAtPortal(grace, twelve);
    // The portal refuses writes while the EMR books one and moves another: both deliveries die.
    refusals.refuse("POST");
    Appointment neverArrived = book(ada, twelve);
    await().atMost(Duration.ofSeconds(20)).until(() -> dead() == 1);
    refusals.refuse("PUT");
    app.scheduling().reschedule(movedHere.id(), eleven.id(), null, null);
    await().atMost(Duration.ofSeconds(20)).until(() -> dead() == 2);
    refusals.refuse(null);

    Reconciliation first = reconcile(true);

    assertThat(first.status()).isEqualTo(Reconciliation.COMPLETED);
    assertThat(first.unreadable()).isEmpty();
    assertThat(first.summary().emr()).isEqualTo(5);
    assertThat(first.summary().external()).isEqualTo(5);
    assertThat(first.summary().inSync()).isEqualTo(1);
    assertThat(first.summary().missingAtExternal()).isEqualTo(1);
    assertThat(first.summary().missingInEmr()).isEqualTo(1);
    assertThat(first.summary().mismatched()).isEqualTo(3);
    assertThat(first.summary().drift()).isEqualTo(5);
    assertThat(first.summary().repairs()).isEqualTo(5);
    assertThat(difference(first, cancelledThere.id()))
        .satisfies(difference -> {
          assertThat(difference.kind()).isEqualTo(Difference.MISMATCH);
          assertThat(difference.externalId()).isEqualTo("Appointment/" + cancelledId);
          assertThat(difference.fields())
              .containsExactly(new Difference.Field("status", "booked", "cancelled"));
          assertThat(difference.truth()).isEqualTo(Difference.TRUTH_EXTERNAL);
          assertThat(difference.repair().action()).isEqualTo(Difference.Repair.INBOUND);
        });
    assertThat(difference(first, movedThere.id()))
        .satisfies(difference -> {
          assertThat(difference.fields())
              .containsExactly(
                  new Difference.Field(
                      "start", ten.start().toString(), eleven.start().toString()));
          assertThat(difference.truth()).isEqualTo(Difference.TRUTH_EXTERNAL);
          assertThat(difference.repair().action()).isEqualTo(Difference.Repair.INBOUND);
        });
    assertThat(difference(first, movedHere.id()))
        .satisfies(difference -> {
          assertThat(difference.fields())
              .extracting(Difference.Field::name)
              .containsExactly("start");
          assertThat(difference.truth()).isEqualTo(Difference.TRUTH_EMR);
          assertThat(difference.repair().action()).isEqualTo(Difference.Repair.DELIVERY);
          assertThat(difference.repair().eventType()).isEqualTo("appointment.rescheduled");
        });
    assertThat(difference(first, neverArrived.id()))
        .satisfies(difference -> {
          assertThat(difference.kind()).isEqualTo(Difference.MISSING_AT_EXTERNAL);
          assertThat(difference.truth()).isEqualTo(Difference.TRUTH_EMR);
          assertThat(difference.repair().eventType()).isEqualTo("appointment.created");
        });
    assertThat(first.differences())
        .filteredOn(difference -> difference.kind().equals(Difference.MISSING_IN_EMR))
        .singleElement()
        .satisfies(difference -> {
          assertThat(difference.externalId()).isEqualTo(portalBooking);
          assertThat(difference.truth()).isEqualTo(Difference.TRUTH_EXTERNAL);
          assertThat(difference.repair().action()).isEqualTo(Difference.Repair.INBOUND);
        });
    assertThat(first.differences())
        .extracting(Difference::appointmentId)
        .doesNotContain(inSync.id());

    quiet();
    assertThat(app.inbox().list(CONNECTOR, null, 10))
        .extracting(item -> item.status())
        .containsOnly(InboxStatus.APPLIED);
    assertThat(status(cancelledThere)).isEqualTo(AppointmentStatus.CANCELLED);
    assertThat(slotOf(movedThere)).isEqualTo(eleven.id());
    String booked =
        app.scheduling().findAppointmentIdByExternalId(CONNECTOR, portalBooking).orElseThrow();
    Appointment bookedHere = app.scheduling().findAppointment(booked).orElseThrow();
    assertThat(bookedHere.patientId()).isEqualTo(grace.id());
    assertThat(bookedHere.slotId()).isEqualTo(twelve.id());
    assertThat(onPortal(movedHere).start()).isEqualTo(eleven.start());
    assertThat(onPortal(neverArrived).status()).isEqualTo("booked");
    assertThat(portal.appointments())
        .as("nothing made twice, nothing echoed back as a new Appointment")
        .hasSize(6);
    assertThat(dead()).as("the corrective deliveries superseded the dead ones").isZero();

    Reconciliation second = reconcile(false);

    assertThat(second.status()).isEqualTo(Reconciliation.COMPLETED);
    assertThat(second.summary().drift()).isZero();
    assertThat(second.differences()).isEmpty();
    assertThat(second.summary().emr()).isEqualTo(6);
    assertThat(second.summary().inSync()).isEqualTo(second.summary().external()).isEqualTo(6);
  }

  @Test
  void a_booking_made_at_the_portal_stays_matched_through_changes_on_either_side() {
    String portalBooking = bookAtPortal(grace, nine);
    reconcile(true);
    quiet();
    String booked =
        app.scheduling().findAppointmentIdByExternalId(CONNECTOR, portalBooking).orElseThrow();
    // The citizen moves it at the portal: a new version, the same Appointment.
    portal
        .appointmentStore()
        .change(
            portalBooking.substring("Appointment/".length()),
            appointment -> {
              appointment.setStart(Date.from(ten.start()));
              appointment.setEnd(Date.from(ten.end()));
            });

    Reconciliation afterPortalChange = reconcile(false);

    assertThat(afterPortalChange.differences())
        .singleElement()
        .satisfies(difference -> {
          assertThat(difference.kind()).isEqualTo(Difference.MISMATCH);
          assertThat(difference.appointmentId()).isEqualTo(booked);
          assertThat(difference.externalId()).isEqualTo(portalBooking);
          assertThat(difference.truth()).isEqualTo(Difference.TRUTH_EXTERNAL);
        });

    // The EMR moves it: the push re-reads the Appointment, writes over it and adds our identifier.
    app.scheduling().reschedule(booked, eleven.id(), null, null);
    quiet();

    assertThat(portal.appointments())
        .singleElement()
        .satisfies(remote -> {
          assertThat(remote.identifier()).isEqualTo(booked);
          assertThat(remote.start()).isEqualTo(eleven.start());
        });
    Reconciliation afterEmrChange = reconcile(false);
    assertThat(afterEmrChange.summary().drift()).isZero();
    assertThat(afterEmrChange.summary().inSync()).isEqualTo(1);
  }

  @Test
  void an_appointment_lost_at_the_portal_is_created_again_there_because_the_create_is_conditional() {
    Appointment appointment = book(ada, nine);
    quiet();
    String lost = portalId(appointment);
    portal.appointmentStore().remove(lost);

    Reconciliation run = reconcile(true);

    assertThat(run.summary().missingAtExternal()).isEqualTo(1);
    assertThat(difference(run, appointment.id()))
        .satisfies(difference -> {
          assertThat(difference.kind()).isEqualTo(Difference.MISSING_AT_EXTERNAL);
          assertThat(difference.externalId()).isEqualTo("Appointment/" + lost + "/_history/1");
          assertThat(difference.truth()).isEqualTo(Difference.TRUTH_EMR);
          // A fhir create is conditional on our identifier: sending it again cannot double it.
          assertThat(difference.repair().action()).isEqualTo(Difference.Repair.DELIVERY);
          assertThat(difference.repair().eventType()).isEqualTo("appointment.created");
        });
    quiet();
    assertThat(portalId(appointment)).isNotEqualTo(lost);
    Reconciliation second = reconcile(false);
    assertThat(second.summary().drift()).isZero();
    assertThat(second.summary().inSync()).isEqualTo(1);
  }

  @Test
  void a_portal_that_cannot_be_reached_gives_a_failed_report_and_repairs_nothing() {
    book(ada, nine);
    quiet();
    portal.close();

    Reconciliation run = reconcile(true);

    assertThat(run.status()).isEqualTo(Reconciliation.FAILED);
    // A pooled connection may find the port closed (cannot connect) or be cut (no response).
    assertThat(run.error())
        .containsPattern("cannot list Appointments: (cannot connect|no response to) GET"
            + " Appointment\\?date");
    assertThat(run.summary()).isNull();
  }

  private Appointment book(Patient patient, Slot slot) {
    return app.scheduling().book(patient.id(), slot.id(), null);
  }

  /** A booking made at the portal by another client: no identifier of ours. */
  private String bookAtPortal(Patient patient, Slot slot) {
    org.hl7.fhir.r4.model.Appointment booking = new org.hl7.fhir.r4.model.Appointment();
    booking.setStatus(org.hl7.fhir.r4.model.Appointment.AppointmentStatus.BOOKED);
    booking.setStart(Date.from(slot.start()));
    booking.setEnd(Date.from(slot.end()));
    booking
        .addParticipant()
        .setActor(
            new Reference()
                .setType("Patient")
                .setIdentifier(
                    new Identifier().setSystem("urn:hms-sync:mrn").setValue(patient.mrn())));
    booking
        .addParticipant()
        .setActor(
            new Reference()
                .setType("Location")
                .setIdentifier(
                    new Identifier().setSystem("urn:hms-sync:location").setValue("CLINIC-A")));
    return "Appointment/" + portal.appointmentStore().seed(booking).getIdElement().getIdPart();
  }

  private Reconciliation reconcile(boolean repair) {
    return app.reconciler().run(CONNECTOR, DAY, DAY.plus(Duration.ofDays(1)), repair, "test");
  }

  private static Difference difference(Reconciliation run, String appointmentId) {
    return run.differences().stream()
        .filter(difference -> appointmentId.equals(difference.appointmentId()))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no difference for " + appointmentId + " in "
                + run.differences()));
  }

  /** The portal's Appointment carrying our appointment id. */
  private PortalAppointment onPortal(Appointment appointment) {
    return portal.appointments().stream()
        .filter(remote -> appointment.id().equals(remote.identifier()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the portal does not hold " + appointment.id()));
  }

  private String portalId(Appointment appointment) {
    return onPortal(appointment).id();
  }

  private AppointmentStatus status(Appointment appointment) {
    return app.scheduling().findAppointment(appointment.id()).orElseThrow().status();
  }

  private String slotOf(Appointment appointment) {
    return app.scheduling().findAppointment(appointment.id()).orElseThrow().slotId();
  }

  private long dead() {
    return app.deliveries().list(DeliveryStatus.DEAD, CONNECTOR, null, 100).size();
  }

  /** Every delivery finished and every inbound item applied. */
  private void quiet() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                app.deliveries().list(DeliveryStatus.PENDING, null, null, 1).isEmpty()
                    && app.deliveries().list(DeliveryStatus.RETRYING, null, null, 1).isEmpty()
                    && app.inbox().list(CONNECTOR, InboxStatus.RECEIVED, 1).isEmpty());
  }

  /** Makes the portal answer 503 to every Appointment request of one HTTP method. */
  @Interceptor
  public static final class Refusals {
    private final AtomicReference<String> method = new AtomicReference<>();

    void refuse(String httpMethod) {
      method.set(httpMethod);
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public boolean answer(RequestDetails details) {
      if (details.getRequestType().name().equals(method.get())
          && "Appointment".equals(details.getResourceName())) {
        throw BaseServerResponseException.newInstance(503, "the portal is down for maintenance");
      }
      return true;
    }
  }
}
