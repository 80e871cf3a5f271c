package org.hms.sync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.delivery.DeliveryObserver;
import org.hms.sync.delivery.DeliveryStatus;
import org.hms.sync.delivery.SyncRecords;
import org.hms.sync.inbound.InboxStatus;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.AppointmentStatus;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.scheduling.Slot;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.SimAppointment;
import org.hms.sync.simulator.SimulatorOptions;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reconciliation against the stand-in IIS through the demo's list route and mappings: drift of
 * every kind is found, judged three-way, repaired, and a second run finds none. Run on H2 and on
 * PostgreSQL.
 */
abstract class ReconcileContractTest {
  static final Path DEMO = Path.of("examples/demo").toAbsolutePath();
  static final Instant DAY = Instant.parse("2027-03-01T00:00:00Z");
  static final Instant NINE = Instant.parse("2027-03-01T09:00:00Z");

  @TempDir Path dir;

  TestDb db;
  IisSimulator iis;
  SyncApp app;
  Location clinic;
  Slot nine;
  Slot ten;
  Slot eleven;
  Slot twelve;
  Patient ada;
  Patient grace;
  Patient alan;

  abstract TestDb database();

  void start(String conflictPolicy) throws IOException {
    db = database();
    iis = IisSimulator.start(SimulatorOptions.defaults().withRequiredToken("iis-token"));
    String yaml =
        """
        database:
          url: "%s"
          user: "%s"
        engine:
          pollInterval: 200ms
        connectors:
          - id: state-iis
            type: rest
            baseUrl: %s
            auth: { type: bearer, token: iis-token }
            retry: { maxAttempts: 1 }
            circuitBreaker: { enabled: false }
            inbound:
              conflictPolicy: %s
            routes:
              appointment.created:
                method: POST
                path: /appointments
                mapping: %s/iis-appointment.jsonata
                externalId: /id
              appointment.rescheduled:
                method: PUT
                path: /appointments/{externalId}
                mapping: %s/iis-appointment.jsonata
              appointment.cancelled:
                method: DELETE
                path: /appointments/{externalId}
              appointment.completed:
                method: PUT
                path: /appointments/{externalId}
                mapping: %s/iis-appointment.jsonata
              list:
                path: /appointments?from={from}&to={to}
                items: /items
                mapping: %s/iis-list.jsonata
        """
            .formatted(
                db.url(), db.user(), iis.baseUrl(), conflictPolicy, DEMO, DEMO, DEMO, DEMO);
    Path config = Files.writeString(dir.resolve("hms-sync.yaml"), yaml);
    app = SyncApp.create(ConfigLoader.load(config, Map.of()), Clock.systemUTC(),
        DeliveryObserver.NONE);
    app.startEngine();
    clinic = app.scheduling().createLocation("CLINIC-A", "Clinic A");
    nine = slot(NINE);
    ten = slot(NINE.plusSeconds(3600));
    eleven = slot(NINE.plusSeconds(7200));
    twelve = slot(NINE.plusSeconds(10800));
    ada = app.scheduling().createPatient("MRN-1", "Ada", "Lovelace", LocalDate.of(1990, 1, 1));
    grace = app.scheduling().createPatient("MRN-2", "Grace", "Hopper", LocalDate.of(1991, 2, 2));
    alan = app.scheduling().createPatient("MRN-3", "Alan", "Turing", LocalDate.of(1992, 3, 3));
  }

  private Slot slot(Instant start) {
    return app.scheduling().createSlot(clinic.id(), start, start.plusSeconds(900), 2);
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
    if (iis != null) {
      iis.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  void drift_of_every_kind_is_found_repaired_and_gone_on_the_second_run() throws IOException {
    start("review");
    Appointment movedThere = book(ada, nine);
    Appointment cancelledThere = book(grace, nine);
    Appointment movedHere = book(alan, ten);
    quiet();
    // The IIS changes two appointments on its own side; their webhooks never arrive.
    iis.reschedule(externalId(movedThere), eleven.start(), eleven.end());
    iis.cancel(externalId(cancelledThere), "patient called the registry");
    // A citizen books at the IIS directly: the EMR never hears of it.
    String portalBooking = bookAtIis(grace, twelve);
    // The IIS is down while the EMR books one and moves another: both deliveries die.
    iis.goDown(Duration.ofMinutes(5));
    Appointment neverArrived = book(ada, twelve);
    app.scheduling().reschedule(movedHere.id(), eleven.id(), null, null);
    await().atMost(Duration.ofSeconds(20)).until(() -> dead() == 2);
    iis.comeBack();

    Reconciliation first = reconcile(true);

    assertThat(first.status()).isEqualTo(Reconciliation.COMPLETED);
    assertThat(first.summary().missingAtExternal()).isEqualTo(1);
    assertThat(first.summary().missingInEmr()).isEqualTo(1);
    assertThat(first.summary().mismatched()).isEqualTo(3);
    assertThat(first.summary().drift()).isEqualTo(5);
    assertThat(first.summary().repairs()).isEqualTo(5);
    assertThat(difference(first, movedThere.id()).truth()).isEqualTo("external");
    assertThat(difference(first, movedThere.id()).fields())
        .extracting(Difference.Field::name)
        .containsExactly("start");
    assertThat(difference(first, cancelledThere.id()).truth()).isEqualTo("external");
    assertThat(difference(first, movedHere.id()).truth()).isEqualTo("emr");
    assertThat(difference(first, movedHere.id()).repair().action()).isEqualTo("delivery");
    assertThat(difference(first, neverArrived.id()).kind()).isEqualTo("missingAtExternal");
    assertThat(difference(first, neverArrived.id()).repair().eventType())
        .isEqualTo("appointment.created");
    assertThat(first.differences())
        .filteredOn(difference -> difference.kind().equals("missingInEmr"))
        .singleElement()
        .satisfies(difference -> {
          assertThat(difference.externalId()).isEqualTo(portalBooking);
          assertThat(difference.repair().action()).isEqualTo("inbound");
        });

    quiet();
    assertThat(status(movedThere)).isEqualTo(AppointmentStatus.BOOKED);
    assertThat(app.scheduling().findAppointment(movedThere.id()).orElseThrow().slotId())
        .isEqualTo(eleven.id());
    assertThat(status(cancelledThere)).isEqualTo(AppointmentStatus.CANCELLED);
    assertThat(iis.appointment(externalId(movedHere)).orElseThrow().fields().get("slotTime"))
        .isEqualTo(eleven.start().toString());
    assertThat(app.scheduling().findAppointmentIdByExternalId("state-iis", portalBooking))
        .isPresent();
    assertThat(iis.appointments())
        .filteredOn(stored -> neverArrived.id().equals(stored.fields().get("appointmentId")))
        .hasSize(1);
    // The corrective delivery superseded the dead ones; none are left to replay.
    assertThat(dead()).isZero();

    Reconciliation second = reconcile(false);
    assertThat(second.summary().drift()).isZero();
    assertThat(second.summary().inSync()).isEqualTo(second.summary().external());
    assertThat(app.reconciler().find(first.id()).orElseThrow().differences()).hasSize(5);
    assertThat(app.reconciler().list("state-iis", 10)).extracting(Reconciliation::id)
        .containsExactly(second.id(), first.id());
  }

  @Test
  void when_both_sides_changed_the_review_policy_puts_the_difference_in_review() throws IOException {
    start("review");
    Appointment appointment = bothSidesMoved();

    Reconciliation run = reconcile(true);

    assertThat(difference(run, appointment.id()).truth()).isEqualTo("both");
    assertThat(difference(run, appointment.id()).repair().action()).isEqualTo("inbound");
    await().atMost(Duration.ofSeconds(20)).until(() -> !app.reviews().list(null, 10).isEmpty());
    assertThat(app.reviews().list(null, 10)).singleElement()
        .satisfies(review -> assertThat(review.appointmentId()).isEqualTo(appointment.id()));
    assertThat(app.scheduling().findAppointment(appointment.id()).orElseThrow().slotId())
        .isEqualTo(ten.id());
  }

  @Test
  void when_both_sides_changed_emr_wins_sends_the_emr_state_out() throws IOException {
    start("emr-wins");
    Appointment appointment = bothSidesMoved();

    Reconciliation run = reconcile(true);

    assertThat(difference(run, appointment.id()).truth()).isEqualTo("both");
    assertThat(difference(run, appointment.id()).repair().action()).isEqualTo("delivery");
    quiet();
    assertThat(iis.appointment(externalId(appointment)).orElseThrow().fields().get("slotTime"))
        .isEqualTo(ten.start().toString());
    assertThat(reconcile(false).summary().drift()).isZero();
  }

  @Test
  void a_run_without_repair_changes_nothing() throws IOException {
    start("review");
    Appointment appointment = book(ada, nine);
    quiet();
    iis.cancel(externalId(appointment), null);

    Reconciliation run = reconcile(false);

    assertThat(run.summary().drift()).isEqualTo(1);
    assertThat(run.summary().repairs()).isZero();
    assertThat(difference(run, appointment.id()).repair()).isNull();
    assertThat(app.inbox().list("state-iis", null, 10)).isEmpty();
    assertThat(status(appointment)).isEqualTo(AppointmentStatus.BOOKED);
  }

  @Test
  void a_listing_that_fails_gives_a_failed_report_and_repairs_nothing() throws IOException {
    start("review");
    book(ada, nine);
    quiet();
    iis.goDown(Duration.ofMinutes(5));

    Reconciliation run = reconcile(true);

    assertThat(run.status()).isEqualTo(Reconciliation.FAILED);
    assertThat(run.error()).contains("503");
    assertThat(run.summary()).isNull();
    assertThat(app.reconciler().find(run.id()).orElseThrow().status()).isEqualTo("failed");
  }

  @Test
  void a_scheduled_run_is_claimed_once_per_interval() throws IOException {
    start("review");
    ReconcileRepository repository = new ReconcileRepository(app.database().transactor(), new SyncRecords(app.database().transactor()));
    Instant now = Instant.parse("2027-02-01T00:00:00Z");

    assertThat(repository.claimScheduled("state-iis", "node-a", now, now.plusSeconds(3600)))
        .isTrue();
    assertThat(repository.claimScheduled("state-iis", "node-b", now, now.plusSeconds(3600)))
        .isFalse();
    assertThat(repository.claimScheduled(
            "state-iis", "node-b", now.plusSeconds(3600), now.plusSeconds(7200)))
        .isTrue();
  }

  /**
   * Delivered at nine; then the EMR moves it to ten while the IIS is down (the delivery dies) and
   * the IIS moves it to eleven on its own side (no webhook).
   */
  private Appointment bothSidesMoved() {
    Appointment appointment = book(ada, nine);
    quiet();
    iis.goDown(Duration.ofMinutes(5));
    app.scheduling().reschedule(appointment.id(), ten.id(), null, null);
    await().atMost(Duration.ofSeconds(20)).until(() -> dead() == 1);
    iis.comeBack();
    iis.reschedule(externalId(appointment), eleven.start(), eleven.end());
    return appointment;
  }

  private Appointment book(Patient patient, Slot slot) {
    return app.scheduling().book(patient.id(), slot.id(), null);
  }

  private String bookAtIis(Patient patient, Slot slot) {
    var client = java.net.http.HttpClient.newHttpClient();
    String body =
        """
        {"patient": {"mrn": "%s"}, "slotTime": "%s", "slotEnd": "%s", "clinicCode": "CLINIC-A",
         "status": "booked"}
        """.formatted(patient.mrn(), slot.start(), slot.end());
    try {
      var response =
          client.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(iis.baseUrl() + "/appointments"))
                  .header("Authorization", "Bearer iis-token")
                  .header("Content-Type", "application/json")
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(201);
      return org.hms.sync.json.Json.read(response.body()).path("id").asText();
    } catch (IOException | InterruptedException failure) {
      throw new AssertionError(failure);
    }
  }

  private Reconciliation reconcile(boolean repair) {
    return app.reconciler().run("state-iis", DAY, DAY.plus(Duration.ofDays(1)), repair, "test");
  }

  private static Difference difference(Reconciliation run, String appointmentId) {
    return run.differences().stream()
        .filter(difference -> appointmentId.equals(difference.appointmentId()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no difference for " + appointmentId + " in "
            + run.differences()));
  }

  /** The IIS's id of the appointment, as the IIS holds it (our id is in its fields). */
  private String externalId(Appointment appointment) {
    return iis.appointments().stream()
        .filter(stored -> appointment.id().equals(stored.fields().get("appointmentId")))
        .map(SimAppointment::externalId)
        .findFirst()
        .orElseThrow(() -> new AssertionError("the IIS does not hold " + appointment.id()));
  }

  private AppointmentStatus status(Appointment appointment) {
    return app.scheduling().findAppointment(appointment.id()).orElseThrow().status();
  }

  private long dead() {
    return app.deliveries().list(DeliveryStatus.DEAD, "state-iis", null, 100).size();
  }

  /** Every delivery finished and every inbound item applied. */
  private void quiet() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                app.deliveries().list(DeliveryStatus.PENDING, null, null, 1).isEmpty()
                    && app.deliveries().list(DeliveryStatus.RETRYING, null, null, 1).isEmpty()
                    && app.inbox().list("state-iis", InboxStatus.RECEIVED, 1).isEmpty());
  }
}
