package org.hms.sync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.connector.AppointmentLister;
import org.hms.sync.connector.ListedAppointment;
import org.hms.sync.delivery.Connector;
import org.hms.sync.delivery.Enqueue;
import org.hms.sync.delivery.SyncRecords;
import org.hms.sync.delivery.PushRequest;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.inbound.InboxRepository;
import org.hms.sync.json.JsonSnapshotEncoder;
import org.hms.sync.outbox.Outbox;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.scheduling.SchedulingService;
import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a listing is judged, with a listing written by the test (the seam {@link AppointmentLister}),
 * so that cases a real system rarely shows are covered: items listed twice, items outside the
 * range, unreadable items, cancelled on both sides.
 */
class ReconcilerListingTest {
  static final Instant FROM = Instant.parse("2027-03-01T00:00:00Z");
  static final Instant TO = Instant.parse("2027-03-02T00:00:00Z");
  static final Instant NINE = Instant.parse("2027-03-01T09:00:00Z");

  TestDb db;
  SchedulingService scheduling;
  Reconciler reconciler;
  final List<ListedAppointment> listed = new ArrayList<>();
  final List<String> unreadable = new ArrayList<>();
  Location clinic;
  Patient patient;

  /** A connector whose system lists what the test put in {@code listed}. */
  final class Listing implements Connector, AppointmentLister {
    @Override
    public String id() {
      return "registry";
    }

    @Override
    public CompletableFuture<PushResult> push(PushRequest request) {
      return CompletableFuture.completedFuture(new PushResult.Success(200, null, null));
    }

    @Override
    public AppointmentLister.Listing list(Instant from, Instant to) {
      return new AppointmentLister.Listing(listed, unreadable);
    }
  }

  @BeforeEach
  void start() {
    db = TestDatabases.h2();
    scheduling =
        new SchedulingService(
            db.database().transactor(), new Outbox(Map.of(), new Enqueue()), new JsonSnapshotEncoder(),
            Clock.systemUTC());
    ConnectorConfig config =
        new ConnectorConfig(
            "registry", "rest", URI.create("http://127.0.0.1:9/"), null, null, null, null,
            Map.of(), Map.of());
    reconciler =
        new Reconciler(
            List.of(config), Map.of("registry", new Listing()),
            new ReconcileRepository(db.database().transactor(), new SyncRecords(db.database().transactor())), scheduling,
            new InboxRepository(db.database().transactor()), () -> {}, Clock.systemUTC());
    clinic = scheduling.createLocation("CLINIC-A", "Clinic A");
    patient = scheduling.createPatient("MRN-1", "Ada", "Lovelace", LocalDate.of(1990, 1, 1));
  }

  @AfterEach
  void stop() {
    db.close();
  }

  private Appointment book(Instant start) {
    return scheduling.book(
        patient.id(), scheduling.createSlot(clinic.id(), start, start.plusSeconds(900), 5).id(),
        null);
  }

  @Test
  void an_item_listed_twice_is_judged_once() {
    Appointment appointment = book(NINE);
    ListedAppointment same =
        new ListedAppointment("r-1", appointment.id(), "booked", NINE, "CLINIC-A", null);
    listed.addAll(List.of(same, same));

    Reconciliation run = reconciler.run("registry", FROM, TO, false, "test");

    assertThat(run.summary().external()).isEqualTo(1);
    assertThat(run.summary().inSync()).isEqualTo(1);
    assertThat(run.summary().drift()).isZero();
  }

  @Test
  void an_item_outside_the_range_counts_only_when_its_emr_appointment_is_inside() {
    Appointment inside = book(NINE);
    listed.add(
        new ListedAppointment(
            "r-1", inside.id(), "booked", Instant.parse("2027-03-05T09:00:00Z"), "CLINIC-A",
            null));
    listed.add(
        new ListedAppointment(
            "r-2", null, "booked", Instant.parse("2027-03-07T09:00:00Z"), "CLINIC-A", "MRN-9"));

    Reconciliation run = reconciler.run("registry", FROM, TO, false, "test");

    assertThat(run.summary().external()).isEqualTo(1);
    assertThat(run.summary().missingInEmr()).isZero();
    assertThat(run.differences()).singleElement().satisfies(difference -> {
      assertThat(difference.kind()).isEqualTo("mismatch");
      assertThat(difference.fields()).extracting(Difference.Field::name).containsExactly("start");
    });
  }

  @Test
  void cancelled_on_both_sides_agrees_whatever_the_time_and_cancelled_only_there_is_no_drift() {
    Appointment appointment = book(NINE);
    scheduling.cancel(appointment.id(), null, null, null);
    listed.add(
        new ListedAppointment(
            "r-1", appointment.id(), "cancelled", NINE.plusSeconds(3600), "CLINIC-B", null));
    listed.add(new ListedAppointment("r-2", null, "cancelled", NINE, "CLINIC-A", null));

    Reconciliation run = reconciler.run("registry", FROM, TO, true, "test");

    assertThat(run.summary().inSync()).isEqualTo(2);
    assertThat(run.summary().drift()).isZero();
    assertThat(run.summary().repairs()).isZero();
  }

  @Test
  void unreadable_items_are_counted_and_listed_but_not_called_missing() {
    unreadable.add("item 3: status 'postponed' is not booked, cancelled or completed");

    Reconciliation run = reconciler.run("registry", FROM, TO, false, "test");

    assertThat(run.summary().unreadable()).isEqualTo(1);
    assertThat(run.unreadable()).containsExactly(
        "item 3: status 'postponed' is not booked, cancelled or completed");
    assertThat(run.summary().drift()).isZero();
  }

  @Test
  void without_a_route_for_the_needed_event_the_emr_state_cannot_be_sent_and_the_report_says_so() {
    Appointment appointment = book(NINE);

    Reconciliation run = reconciler.run("registry", FROM, TO, true, "test");

    assertThat(run.differences()).singleElement().satisfies(difference -> {
      assertThat(difference.appointmentId()).isEqualTo(appointment.id());
      assertThat(difference.repair().action()).isEqualTo("none");
      assertThat(difference.repair().note()).contains("no route for appointment.created");
    });
    assertThat(run.summary().repairs()).isZero();
  }

  @Test
  void a_listing_without_patient_mrn_cannot_book_into_the_emr() {
    listed.add(new ListedAppointment("r-1", null, "booked", NINE, "CLINIC-A", null));

    Reconciliation run = reconciler.run("registry", FROM, TO, true, "test");

    assertThat(run.differences()).singleElement().satisfies(difference -> {
      assertThat(difference.kind()).isEqualTo("missingInEmr");
      assertThat(difference.repair().note()).contains("patientMrn");
    });
  }
}
