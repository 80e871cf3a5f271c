package org.hms.sync.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hms.sync.delivery.Enqueue;
import org.hms.sync.json.Json;
import org.hms.sync.json.JsonSnapshotEncoder;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.Outbox;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scheduling and outbox contract, run once per database (see the subclasses). */
abstract class SchedulingContractTest {
  private static final Instant NINE = Instant.parse("2027-03-01T09:00:00Z");

  TestDb db;
  SchedulingService scheduling;
  Location clinic;

  abstract TestDb open();

  @BeforeEach
  void setUp() {
    db = open();
    Outbox outbox =
        new Outbox(Map.of(EventTypes.CREATED, List.of("iis", "portal"), EventTypes.CANCELLED, List.of("iis"),
            EventTypes.RESCHEDULED, List.of("iis"), EventTypes.COMPLETED, List.of("iis")), new Enqueue());
    scheduling =
        new SchedulingService(
            db.database().transactor(),
            outbox,
            new JsonSnapshotEncoder(),
            Clock.fixed(Instant.parse("2027-02-01T08:00:00Z"), ZoneOffset.UTC));
    clinic = scheduling.createLocation("CLINIC-1", "Clinic one");
  }

  @AfterEach
  void tearDown() {
    if (db != null) { // null when the database was skipped
      db.close();
    }
  }

  private Slot slot(int hour, int capacity) {
    Instant start = NINE.plusSeconds(3600L * hour);
    return scheduling.createSlot(clinic.id(), start, start.plusSeconds(900), capacity);
  }

  private Patient patient(String mrn) {
    return scheduling.createPatient(mrn, "Given", "Family", LocalDate.of(1990, 1, 1));
  }

  @Test
  void booking_writes_the_appointment_its_event_and_one_delivery_per_subscriber() {
    Slot slot = slot(0, 2);
    Patient patient = patient("M-1");

    Appointment booked = scheduling.book(patient.id(), slot.id(), null);

    assertThat(booked.status()).isEqualTo(AppointmentStatus.BOOKED);
    assertThat(booked.version()).isEqualTo(1);
    assertThat(booked.start()).isEqualTo(slot.start());
    assertThat(scheduling.findSlot(slot.id()).orElseThrow().booked()).isEqualTo(1);
    assertThat(db.count("SELECT COUNT(*) FROM outbox_event WHERE appointment_id = '" + booked.id()
        + "' AND sequence = 1 AND type = 'appointment.created'")).isEqualTo(1);
    assertThat(db.count("SELECT COUNT(*) FROM delivery JOIN delivery_state USING (delivery_no) WHERE appointment_id = '" + booked.id()
        + "' AND status = 'pending'")).isEqualTo(2);
  }

  @Test
  void the_event_payload_is_a_snapshot_with_patient_and_location() {
    Appointment booked = scheduling.book(patient("M-2").id(), slot(0, 1).id(), null);
    String payload =
        db.database().transactor().inTransaction("read", connection -> {
          try (var select = connection.prepareStatement(
              "SELECT payload FROM outbox_event WHERE appointment_id = ?")) {
            select.setString(1, booked.id());
            try (var rows = select.executeQuery()) {
              rows.next();
              return rows.getString(1);
            }
          }
        });
    var snapshot = Json.read(payload);
    assertThat(snapshot.path("id").asText()).isEqualTo(booked.id());
    assertThat(snapshot.path("status").asText()).isEqualTo("booked");
    assertThat(snapshot.path("patient").path("mrn").asText()).isEqualTo("M-2");
    assertThat(snapshot.path("location").path("code").asText()).isEqualTo("CLINIC-1");
    assertThat(snapshot.path("start").asText()).isEqualTo("2027-03-01T09:00:00Z");
  }

  @Test
  void sequence_numbers_follow_each_change_of_one_appointment() {
    Slot first = slot(0, 1);
    Slot second = slot(1, 1);
    Appointment booked = scheduling.book(patient("M-3").id(), first.id(), null);
    scheduling.reschedule(booked.id(), second.id(), 1L, null);
    Appointment done = scheduling.complete(booked.id(), new Immunization("208", "EK5730", "0.3 mL", "PFR", null, null, null), 2L, null);

    assertThat(done.version()).isEqualTo(3);
    assertThat(done.immunization().cvxCode()).isEqualTo("208");
    assertThat(db.count("SELECT COUNT(*) FROM outbox_event WHERE appointment_id = '" + booked.id() + "'")).isEqualTo(3);
    assertThat(db.count("SELECT MAX(sequence) FROM outbox_event WHERE appointment_id = '" + booked.id() + "'")).isEqualTo(3);
  }

  @Test
  void a_full_slot_refuses_the_booking_and_changes_nothing() {
    Slot slot = slot(0, 1);
    scheduling.book(patient("M-4").id(), slot.id(), null);
    Patient late = patient("M-5");

    assertThatThrownBy(() -> scheduling.book(late.id(), slot.id(), null))
        .isInstanceOf(SchedulingException.SlotFull.class)
        .hasMessageContaining(slot.id());
    assertThat(db.count("SELECT COUNT(*) FROM appointment")).isEqualTo(1);
    assertThat(db.count("SELECT COUNT(*) FROM outbox_event")).isEqualTo(1);
    assertThat(scheduling.findSlot(slot.id()).orElseThrow().booked()).isEqualTo(1);
  }

  @Test
  void many_threads_booking_the_last_place_exactly_one_wins() throws Exception {
    Slot slot = slot(0, 1);
    int threads = 16;
    List<Patient> patients = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      patients.add(patient("C-" + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> outcomes = new ArrayList<>();
    for (Patient patient : patients) {
      Callable<Boolean> attempt = () -> {
        start.await();
        try {
          scheduling.book(patient.id(), slot.id(), null);
          return true;
        } catch (SchedulingException.SlotFull full) {
          return false;
        }
      };
      outcomes.add(pool.submit(attempt));
    }
    start.countDown();
    int winners = 0;
    for (Future<Boolean> outcome : outcomes) {
      winners += outcome.get(60, TimeUnit.SECONDS) ? 1 : 0;
    }
    pool.shutdown();

    assertThat(winners).isEqualTo(1);
    assertThat(db.count("SELECT COUNT(*) FROM appointment WHERE slot_id = '" + slot.id() + "'")).isEqualTo(1);
    assertThat(scheduling.findSlot(slot.id()).orElseThrow().booked()).isEqualTo(1);
    assertThat(db.count("SELECT COUNT(*) FROM outbox_event")).isEqualTo(1);
  }

  @Test
  void opposite_reschedules_between_two_slots_never_overbook() throws Exception {
    Slot left = slot(0, 2);
    Slot right = slot(1, 2);
    List<Appointment> onLeft = List.of(scheduling.book(patient("L-1").id(), left.id(), null),
        scheduling.book(patient("L-2").id(), left.id(), null));
    List<Appointment> onRight = List.of(scheduling.book(patient("R-1").id(), right.id(), null));
    ExecutorService pool = Executors.newFixedThreadPool(3);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> moves = new ArrayList<>();
    for (Appointment appointment : onLeft) {
      moves.add(pool.submit(() -> move(start, appointment, right)));
    }
    moves.add(pool.submit(() -> move(start, onRight.get(0), left)));
    start.countDown();
    for (Future<?> move : moves) {
      move.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    int leftBooked = scheduling.findSlot(left.id()).orElseThrow().booked();
    int rightBooked = scheduling.findSlot(right.id()).orElseThrow().booked();
    assertThat(leftBooked + rightBooked).isEqualTo(3);
    assertThat(leftBooked).isLessThanOrEqualTo(2);
    assertThat(rightBooked).isLessThanOrEqualTo(2);
    assertThat(db.count("SELECT COUNT(*) FROM appointment WHERE slot_id = '" + left.id() + "'")).isEqualTo(leftBooked);
  }

  private Object move(CountDownLatch start, Appointment appointment, Slot target) throws InterruptedException {
    start.await();
    try {
      return scheduling.reschedule(appointment.id(), target.id(), null, null);
    } catch (SchedulingException.SlotFull full) {
      return null;
    }
  }

  @Test
  void a_stale_version_is_refused_and_changes_nothing() {
    Slot first = slot(0, 1);
    Slot second = slot(1, 1);
    Appointment booked = scheduling.book(patient("M-6").id(), first.id(), null);

    assertThatThrownBy(() -> scheduling.reschedule(booked.id(), second.id(), 7L, null))
        .isInstanceOf(SchedulingException.VersionMismatch.class)
        .hasMessageContaining("version 1");
    assertThat(scheduling.findAppointment(booked.id()).orElseThrow().slotId()).isEqualTo(first.id());
    assertThat(scheduling.findSlot(second.id()).orElseThrow().booked()).isZero();
    assertThat(db.count("SELECT COUNT(*) FROM outbox_event")).isEqualTo(1);
  }

  @Test
  void rescheduling_into_a_full_slot_keeps_the_old_place() {
    Slot first = slot(0, 1);
    Slot full = slot(1, 1);
    scheduling.book(patient("M-7").id(), full.id(), null);
    Appointment booked = scheduling.book(patient("M-8").id(), first.id(), null);

    assertThatThrownBy(() -> scheduling.reschedule(booked.id(), full.id(), null, null))
        .isInstanceOf(SchedulingException.SlotFull.class);
    assertThat(scheduling.findSlot(first.id()).orElseThrow().booked()).isEqualTo(1);
    assertThat(scheduling.findAppointment(booked.id()).orElseThrow().version()).isEqualTo(1);
  }

  @Test
  void cancelling_frees_the_place_and_a_cancelled_appointment_cannot_change_again() {
    Slot slot = slot(0, 1);
    Appointment booked = scheduling.book(patient("M-9").id(), slot.id(), null);
    Appointment cancelled = scheduling.cancel(booked.id(), "sick", 1L, null);

    assertThat(cancelled.status()).isEqualTo(AppointmentStatus.CANCELLED);
    assertThat(cancelled.cancelReason()).isEqualTo("sick");
    assertThat(scheduling.findSlot(slot.id()).orElseThrow().booked()).isZero();
    assertThat(scheduling.book(patient("M-10").id(), slot.id(), null).status()).isEqualTo(AppointmentStatus.BOOKED);
    assertThatThrownBy(() -> scheduling.cancel(booked.id(), null, null, null))
        .isInstanceOf(SchedulingException.Conflict.class)
        .hasMessageContaining("cancelled");
  }

  @Test
  void a_completed_appointment_can_be_corrected_then_undone_but_not_moved() {
    Slot slot = slot(0, 1);
    Appointment booked = scheduling.book(patient("M-11").id(), slot.id(), null);
    Appointment done =
        scheduling.complete(
            booked.id(), new Immunization("208", "EK5730", "0.3 mL", "PFR", null, null, null), 1L,
            null);

    Appointment corrected =
        scheduling.complete(
            booked.id(), new Immunization("208", "EK5731", "0.3 mL", "PFR", null, null, null), 2L,
            null);

    assertThat(corrected.status()).isEqualTo(AppointmentStatus.COMPLETED);
    assertThat(corrected.immunization().lotNumber()).isEqualTo("EK5731");
    assertThat(corrected.immunization().administeredAt())
        .as("a correction keeps the administration time")
        .isEqualTo(done.immunization().administeredAt());
    assertThatThrownBy(() -> scheduling.complete(booked.id(), null, null, null))
        .isInstanceOf(SchedulingException.Conflict.class)
        .hasMessageContaining("corrected immunization details");
    assertThatThrownBy(() -> scheduling.reschedule(booked.id(), slot(1, 1).id(), null, null))
        .isInstanceOf(SchedulingException.Conflict.class)
        .hasMessageContaining("only booked appointments can be rescheduled");
    assertThat(scheduling.findSlot(slot.id()).orElseThrow().booked()).isEqualTo(1);

    Appointment undone = scheduling.cancel(booked.id(), "recorded in error", 3L, null);

    assertThat(undone.status()).isEqualTo(AppointmentStatus.CANCELLED);
    assertThat(undone.immunization().lotNumber())
        .as("the undone dose stays in the snapshot for the withdrawal")
        .isEqualTo("EK5731");
    assertThat(scheduling.findSlot(slot.id()).orElseThrow().booked()).isZero();
    assertThat(
            db.count(
                "SELECT COUNT(*) FROM outbox_event WHERE appointment_id = '" + booked.id()
                    + "' AND type = 'appointment.completed'"))
        .isEqualTo(2);
    assertThat(db.count("SELECT MAX(sequence) FROM outbox_event WHERE appointment_id = '"
            + booked.id() + "'"))
        .isEqualTo(4);
  }

  @Test
  void unknown_ids_are_not_found() {
    Slot slot = slot(0, 1);
    assertThatThrownBy(() -> scheduling.book("no-such-patient", slot.id(), null))
        .isInstanceOf(SchedulingException.NotFound.class);
    assertThatThrownBy(() -> scheduling.cancel("no-such-appointment", null, null, null))
        .isInstanceOf(SchedulingException.NotFound.class);
    assertThatThrownBy(() -> scheduling.createSlot("no-such-location", NINE, NINE.plusSeconds(60), 1))
        .isInstanceOf(SchedulingException.NotFound.class);
  }

  @Test
  void a_failing_outbox_write_rolls_back_the_state_change() {
    Slot slot = slot(0, 1);
    Appointment booked = scheduling.book(patient("M-11").id(), slot.id(), null);
    // Fault injection in the database itself: the outbox refuses cancellation events.
    db.execute("ALTER TABLE outbox_event ADD CONSTRAINT no_cancel_events CHECK (type <> 'appointment.cancelled')");

    assertThatThrownBy(() -> scheduling.cancel(booked.id(), "x", null, null))
        .isInstanceOf(org.hms.sync.db.DataAccessException.class);

    Appointment after = scheduling.findAppointment(booked.id()).orElseThrow();
    assertThat(after.status()).isEqualTo(AppointmentStatus.BOOKED);
    assertThat(after.version()).isEqualTo(1);
    assertThat(scheduling.findSlot(slot.id()).orElseThrow().booked()).isEqualTo(1);
    assertThat(db.count("SELECT COUNT(*) FROM outbox_event")).isEqualTo(1);
    assertThat(db.count("SELECT COUNT(*) FROM delivery")).isEqualTo(2);
  }

  @Test
  void a_failing_delivery_fan_out_rolls_back_the_booking_too() {
    Slot slot = slot(0, 1);
    db.execute("ALTER TABLE delivery ADD CONSTRAINT no_portal CHECK (connector_id <> 'portal')");

    assertThatThrownBy(() -> scheduling.book(patient("M-12").id(), slot.id(), null))
        .isInstanceOf(org.hms.sync.db.DataAccessException.class);

    assertThat(db.count("SELECT COUNT(*) FROM appointment")).isZero();
    assertThat(db.count("SELECT COUNT(*) FROM outbox_event")).isZero();
    assertThat(scheduling.findSlot(slot.id()).orElseThrow().booked()).isZero();
  }

  @Test
  void invalid_input_is_refused_with_a_message_naming_the_field() {
    assertThatThrownBy(() -> scheduling.createSlot(clinic.id(), NINE, NINE, 1))
        .isInstanceOf(SchedulingException.Invalid.class).hasMessageContaining("end");
    assertThatThrownBy(() -> scheduling.createSlot(clinic.id(), NINE, NINE.plusSeconds(60), 0))
        .isInstanceOf(SchedulingException.Invalid.class).hasMessageContaining("capacity");
    assertThatThrownBy(() -> scheduling.createPatient(" ", "a", "b", LocalDate.of(1990, 1, 1)))
        .isInstanceOf(SchedulingException.Invalid.class).hasMessageContaining("mrn");
  }

  @Test
  void a_duplicate_mrn_is_a_conflict_that_does_not_echo_the_mrn() {
    patient("SECRET-MRN-1");
    assertThatThrownBy(() -> patient("SECRET-MRN-1"))
        .isInstanceOf(SchedulingException.Conflict.class)
        .satisfies(failure -> assertThat(failure.getMessage()).doesNotContain("SECRET-MRN-1"));
  }

  @Test
  void appointments_can_be_listed_by_patient_and_status() {
    Patient patient = patient("M-13");
    Appointment first = scheduling.book(patient.id(), slot(0, 1).id(), null);
    scheduling.book(patient.id(), slot(1, 1).id(), null);
    scheduling.cancel(first.id(), null, null, null);

    assertThat(scheduling.listAppointments(patient.id(), null, 100)).hasSize(2);
    assertThat(scheduling.listAppointments(patient.id(), AppointmentStatus.CANCELLED, 100))
        .extracting(Appointment::id).containsExactly(first.id());
  }
}
