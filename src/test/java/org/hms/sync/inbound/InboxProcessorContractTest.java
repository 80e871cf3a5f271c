package org.hms.sync.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.hms.sync.Ids;
import org.hms.sync.config.ConflictPolicy;
import org.hms.sync.delivery.Delivery;
import org.hms.sync.delivery.DeliveryRepository;
import org.hms.sync.delivery.Enqueue;
import org.hms.sync.inbound.change.InboundChange;
import org.hms.sync.inbound.change.InboundChange.Action;
import org.hms.sync.json.Json;
import org.hms.sync.json.JsonSnapshotEncoder;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.Outbox;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.AppointmentStatus;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.scheduling.SchedulingService;
import org.hms.sync.scheduling.Slot;
import org.hms.sync.testing.MutableClock;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Applying inbox items to the EMR, driven by {@link InboxProcessor#runOnce()}, once per database. */
abstract class InboxProcessorContractTest {
  private static final Instant T0 = Instant.parse("2027-02-01T08:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(30);

  TestDb db;
  MutableClock clock;
  Outbox outbox;
  SchedulingService scheduling;
  DeliveryRepository deliveries;
  InboxRepository inbox;
  ReviewRepository reviews;
  Location clinic;
  Patient patient;
  int slotHour;

  abstract TestDb open();

  @BeforeEach
  void setUp() {
    db = open();
    clock = new MutableClock(T0);
    List<String> both = List.of("iis", "portal");
    outbox =
        new Outbox(
            Map.of(
                EventTypes.CREATED, both, EventTypes.RESCHEDULED, both, EventTypes.CANCELLED, both,
                EventTypes.COMPLETED, both), new Enqueue());
    scheduling =
        new SchedulingService(db.database().transactor(), outbox, new JsonSnapshotEncoder(), clock);
    deliveries = new DeliveryRepository(db.database().transactor());
    inbox = new InboxRepository(db.database().transactor());
    reviews = new ReviewRepository(db.database().transactor());
    clinic = scheduling.createLocation("CLINIC-1", "Clinic one");
    patient = scheduling.createPatient("MRN-0042", "Ada", "Lovelace", LocalDate.of(1990, 1, 1));
  }

  @AfterEach
  void tearDown() {
    if (db != null) { // null when the database was skipped
      db.close();
    }
  }

  private InboxProcessor processor(ConflictPolicy policy) {
    return new InboxProcessor(
        inbox, reviews, scheduling, new JsonSnapshotEncoder(), Map.of("portal", policy),
        new InboxProcessor.Settings(Duration.ofSeconds(1), LEASE), clock);
  }

  private Slot slot(int capacity) {
    slotHour++;
    Instant start = Instant.parse("2027-03-01T00:00:00Z").plus(Duration.ofHours(slotHour));
    return scheduling.createSlot(clinic.id(), start, start.plus(Duration.ofMinutes(15)), capacity);
  }

  /** Booked in the EMR, known at the portal as {@code externalId}. */
  private Appointment bookedInEmr(String externalId) {
    Appointment appointment = scheduling.book(patient.id(), slot(5).id(), null);
    db.execute(
        "INSERT INTO external_ref (connector_id, appointment_id, external_id, updated_at) VALUES"
            + " ('portal', '" + appointment.id() + "', '" + externalId + "', TIMESTAMP WITH TIME"
            + " ZONE '2027-02-01 08:00:00+00')");
    return appointment;
  }

  private static InboundChange change(Action action, String externalId) {
    return new InboundChange(action, externalId, null, null, null, null, null, null, null);
  }

  private static InboundChange reschedule(String externalId, String slotId, Long baseVersion) {
    return new InboundChange(
        Action.RESCHEDULE, externalId, null, slotId, null, null, null, null, baseVersion);
  }

  private InboxItem received(String webhookId, InboundChange... changes) {
    InboxItem item =
        InboxItem.received(
            Ids.newId(), "portal", webhookId, clock.instant(), "{}", "{}",
            Json.write(List.of(changes).stream().map(InboundChange::toMap).toList()));
    inbox.insertIfAbsent(item);
    return item;
  }

  private InboxItem item(String webhookId) {
    return inbox.find("portal", webhookId).orElseThrow();
  }

  private List<String> deliveredTo(String appointmentId, String eventType) {
    return deliveries.list(null, null, appointmentId, 100).stream()
        .filter(delivery -> delivery.eventType().equals(eventType))
        .map(Delivery::connectorId)
        .toList();
  }

  @Test
  void a_reschedule_found_by_external_id_is_applied_with_the_connector_as_origin() {
    Appointment appointment = bookedInEmr("p-1");
    Slot target = slot(5);
    received("msg_1", reschedule("p-1", target.id(), 1L));

    assertThat(processor(ConflictPolicy.REVIEW).runOnce()).isEqualTo(1);

    assertThat(item("msg_1").status()).isEqualTo(InboxStatus.APPLIED);
    assertThat(item("msg_1").processedAt()).isEqualTo(T0);
    assertThat(scheduling.findAppointment(appointment.id()).orElseThrow().slotId())
        .isEqualTo(target.id());
    assertThat(db.count("SELECT COUNT(*) FROM outbox_event WHERE origin = 'portal'")).isEqualTo(1);
  }

  @Test
  void a_change_that_came_from_a_connector_is_delivered_to_the_others_but_not_back_to_it() {
    Appointment appointment = bookedInEmr("p-1");
    received("msg_1", reschedule("p-1", slot(5).id(), null));

    processor(ConflictPolicy.REVIEW).runOnce();

    assertThat(deliveredTo(appointment.id(), EventTypes.RESCHEDULED)).containsExactly("iis");
    assertThat(deliveredTo(appointment.id(), EventTypes.CREATED))
        .containsExactlyInAnyOrder("iis", "portal");
  }

  @Test
  void a_cancel_and_a_complete_are_applied() {
    Appointment cancelled = bookedInEmr("p-1");
    Appointment completed = bookedInEmr("p-2");
    received("msg_1", change(Action.CANCEL, "p-1"));
    received("msg_2", change(Action.COMPLETE, "p-2"));

    processor(ConflictPolicy.REVIEW).runOnce();

    assertThat(scheduling.findAppointment(cancelled.id()).orElseThrow().status())
        .isEqualTo(AppointmentStatus.CANCELLED);
    assertThat(scheduling.findAppointment(completed.id()).orElseThrow().status())
        .isEqualTo(AppointmentStatus.COMPLETED);
    assertThat(deliveredTo(cancelled.id(), EventTypes.CANCELLED)).containsExactly("iis");
    assertThat(item("msg_1").status()).isEqualTo(InboxStatus.APPLIED);
    assertThat(item("msg_2").status()).isEqualTo(InboxStatus.APPLIED);
  }

  @Test
  void a_booking_by_mrn_and_slot_time_is_applied_and_later_changes_find_it_by_external_id() {
    Slot slot = slot(2);
    received("msg_1", new InboundChange(Action.BOOK, "p-9", null, null, slot.start(), "CLINIC-1",
        "MRN-0042", null, null));
    processor(ConflictPolicy.REVIEW).runOnce();

    String appointmentId = scheduling.findAppointmentIdByExternalId("portal", "p-9").orElseThrow();
    Appointment booked = scheduling.findAppointment(appointmentId).orElseThrow();
    assertThat(booked.slotId()).isEqualTo(slot.id());
    assertThat(booked.patientId()).isEqualTo(patient.id());
    assertThat(deliveredTo(appointmentId, EventTypes.CREATED)).containsExactly("iis");

    received("msg_2", change(Action.CANCEL, "p-9"));
    processor(ConflictPolicy.REVIEW).runOnce();
    assertThat(scheduling.findAppointment(appointmentId).orElseThrow().status())
        .isEqualTo(AppointmentStatus.CANCELLED);
  }

  @Test
  void an_unknown_appointment_is_rejected_with_a_reason_and_no_phi() {
    received("msg_1", change(Action.CANCEL, "nobody"));
    received("msg_2", new InboundChange(Action.BOOK, "p-3", null, slot(1).id(), null, null,
        "MRN-UNKNOWN", null, null));

    processor(ConflictPolicy.REVIEW).runOnce();

    assertThat(item("msg_1").status()).isEqualTo(InboxStatus.REJECTED);
    assertThat(item("msg_1").reason()).contains("nobody", "portal");
    assertThat(item("msg_2").status()).isEqualTo(InboxStatus.REJECTED);
    assertThat(item("msg_2").reason()).contains("no patient").doesNotContain("MRN-UNKNOWN");
    assertThat(db.count("SELECT COUNT(*) FROM appointment")).isZero();
  }

  @Test
  void a_duplicate_webhook_and_a_repeated_change_are_applied_once() {
    Appointment appointment = bookedInEmr("p-1");
    Slot target = slot(5);
    received("msg_1", reschedule("p-1", target.id(), null));
    received("msg_1", reschedule("p-1", target.id(), null));
    received("msg_2", reschedule("p-1", target.id(), null));

    processor(ConflictPolicy.REVIEW).runOnce();

    assertThat(db.count("SELECT COUNT(*) FROM inbox")).isEqualTo(2);
    assertThat(item("msg_1").status()).isEqualTo(InboxStatus.APPLIED);
    assertThat(item("msg_2").status()).isEqualTo(InboxStatus.DUPLICATE);
    assertThat(scheduling.findAppointment(appointment.id()).orElseThrow().version()).isEqualTo(2);
    assertThat(db.count("SELECT booked FROM slot WHERE id = '" + target.id() + "'")).isEqualTo(1);
  }

  @Test
  void an_item_claimed_by_a_crashed_processor_is_applied_once_by_another_after_the_lease() {
    Appointment appointment = bookedInEmr("p-1");
    received("msg_1", change(Action.CANCEL, "p-1"));
    List<InboxItem> crashed = inbox.claim(clock.instant(), LEASE, 10);
    assertThat(crashed).hasSize(1);

    InboxProcessor survivor = processor(ConflictPolicy.REVIEW);
    assertThat(survivor.runOnce()).isZero();
    clock.advance(LEASE.plusSeconds(1));
    assertThat(survivor.runOnce()).isEqualTo(1);
    assertThat(survivor.runOnce()).isZero();

    assertThat(item("msg_1").status()).isEqualTo(InboxStatus.APPLIED);
    assertThat(item("msg_1").attempts()).isEqualTo(2);
    assertThat(inbox.finish(crashed.get(0).id(), crashed.get(0).nextAttemptAt(),
        InboxStatus.REJECTED, "late", clock.instant(), null)).isFalse();
    assertThat(scheduling.findAppointment(appointment.id()).orElseThrow().version()).isEqualTo(2);
  }

  @Test
  void stopping_lets_the_item_being_applied_finish_and_hands_back_those_claimed_with_it() {
    Appointment first = bookedInEmr("p-1");
    Appointment second = bookedInEmr("p-2");
    Appointment third = bookedInEmr("p-3");
    received("msg_1", change(Action.CANCEL, "p-1"));
    received("msg_2", change(Action.CANCEL, "p-2"));
    received("msg_3", change(Action.CANCEL, "p-3"));
    InboxProcessor processor = processor(ConflictPolicy.REVIEW);
    // The stop arrives while the first item is being applied: right after its change commits.
    outbox.onCommit(processor::stopClaiming);

    processor.start();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(List.of(item("msg_1"), item("msg_2"), item("msg_3")))
                    .anySatisfy(item -> assertThat(item.status()).isEqualTo(InboxStatus.APPLIED)));
    InboxProcessor.Stopped stopped = processor.stop(Duration.ofMinutes(1));

    assertThat(stopped).isEqualTo(new InboxProcessor.Stopped(1, 2));
    List<InboxItem> items = List.of(item("msg_1"), item("msg_2"), item("msg_3"));
    InboxItem applied =
        items.stream()
            .filter(item -> item.status() == InboxStatus.APPLIED)
            .findFirst()
            .orElseThrow();
    assertThat(items)
        .filteredOn(item -> item != applied)
        .as("handed back: due at once, the claim not counted as an attempt")
        .hasSize(2)
        .allSatisfy(
            item -> {
              assertThat(item.status()).isEqualTo(InboxStatus.RECEIVED);
              assertThat(item.attempts()).isZero();
              assertThat(item.nextAttemptAt()).isEqualTo(clock.instant());
            });
    assertThat(
            List.of(first, second, third).stream()
                .filter(
                    appointment ->
                        scheduling.findAppointment(appointment.id()).orElseThrow().status()
                            == AppointmentStatus.CANCELLED)
                .count())
        .isEqualTo(1);

    assertThat(processor(ConflictPolicy.REVIEW).runOnce())
        .as("claimable at once by another processor")
        .isEqualTo(2);
  }

  /** The EMR moves the appointment (version 2) after the portal saw version 1. */
  private Appointment changedInEmrSinceVersionOne(String externalId) {
    Appointment appointment = bookedInEmr(externalId);
    return scheduling.reschedule(appointment.id(), slot(5).id(), 1L, null);
  }

  @Test
  void emr_wins_keeps_the_emr_version_and_marks_the_item_conflict_resolved() {
    Appointment emr = changedInEmrSinceVersionOne("p-1");
    received("msg_1", reschedule("p-1", slot(5).id(), 1L));

    processor(ConflictPolicy.EMR_WINS).runOnce();

    assertThat(item("msg_1").status()).isEqualTo(InboxStatus.CONFLICT);
    assertThat(item("msg_1").reason()).contains("emr-wins", "nothing was applied");
    assertThat(scheduling.findAppointment(emr.id()).orElseThrow().slotId()).isEqualTo(emr.slotId());
    assertThat(reviews.list(null, 10)).isEmpty();
  }

  @Test
  void external_wins_applies_the_change_over_the_newer_emr_version() {
    Appointment emr = changedInEmrSinceVersionOne("p-1");
    Slot target = slot(5);
    received("msg_1", reschedule("p-1", target.id(), 1L));

    processor(ConflictPolicy.EXTERNAL_WINS).runOnce();

    assertThat(item("msg_1").status()).isEqualTo(InboxStatus.APPLIED);
    Appointment now = scheduling.findAppointment(emr.id()).orElseThrow();
    assertThat(now.slotId()).isEqualTo(target.id());
    assertThat(now.version()).isEqualTo(3);
  }

  @Test
  void review_queues_both_versions_and_resolving_for_external_applies_and_syncs() {
    Appointment emr = changedInEmrSinceVersionOne("p-1");
    Slot target = slot(5);
    received("msg_1", reschedule("p-1", target.id(), 1L));
    InboxProcessor processor = processor(ConflictPolicy.REVIEW);

    processor.runOnce();

    assertThat(item("msg_1").status()).isEqualTo(InboxStatus.CONFLICT);
    assertThat(scheduling.findAppointment(emr.id()).orElseThrow().version()).isEqualTo(2);
    Review review = reviews.list(Review.Status.OPEN, 10).get(0);
    assertThat(review.appointmentId()).isEqualTo(emr.id());
    assertThat(review.inboxItemId()).isEqualTo(item("msg_1").id());
    assertThat(Json.read(review.emrSnapshot()).get("version").asLong()).isEqualTo(2);
    assertThat(Json.read(review.externalChange()).get("slotId").asText()).isEqualTo(target.id());

    Review resolved = processor.resolve(review.id(), Review.Choice.EXTERNAL);

    assertThat(resolved.status()).isEqualTo(Review.Status.RESOLVED);
    assertThat(resolved.resolution()).isEqualTo(Review.Choice.EXTERNAL);
    assertThat(item("msg_1").status()).isEqualTo(InboxStatus.APPLIED);
    assertThat(scheduling.findAppointment(emr.id()).orElseThrow().slotId()).isEqualTo(target.id());
    assertThat(deliveredTo(emr.id(), EventTypes.RESCHEDULED))
        .containsExactlyInAnyOrder("iis", "portal", "iis");
    assertThatThrownBy(() -> processor.resolve(review.id(), Review.Choice.EMR))
        .isInstanceOf(ReviewException.AlreadyResolved.class);
  }

  @Test
  void resolving_a_review_for_the_emr_changes_nothing_in_the_emr() {
    Appointment emr = changedInEmrSinceVersionOne("p-1");
    received("msg_1", change(Action.CANCEL, "p-1"));
    // a cancel based on version 1
    db.execute("UPDATE inbox SET changes = REPLACE(changes, '\"baseVersion\":null',"
        + " '\"baseVersion\":1')");
    InboxProcessor processor = processor(ConflictPolicy.REVIEW);
    processor.runOnce();
    Review review = reviews.list(Review.Status.OPEN, 10).get(0);

    processor.resolve(review.id(), Review.Choice.EMR);

    assertThat(scheduling.findAppointment(emr.id()).orElseThrow().status())
        .isEqualTo(AppointmentStatus.BOOKED);
    assertThat(item("msg_1").status()).isEqualTo(InboxStatus.CONFLICT);
    assertThat(item("msg_1").reason()).contains("resolved by review");
    assertThatThrownBy(() -> processor.resolve("no-such-review", Review.Choice.EMR))
        .isInstanceOf(ReviewException.NotFound.class);
  }

  @Test
  void an_inbound_booking_into_a_full_slot_goes_to_review_and_never_overbooks() {
    Slot full = slot(1);
    scheduling.book(patient.id(), full.id(), null);
    received("msg_1", new InboundChange(Action.BOOK, "p-7", null, full.id(), null, null,
        "MRN-0042", null, null));
    InboxProcessor processor = processor(ConflictPolicy.EXTERNAL_WINS);

    processor.runOnce();

    assertThat(item("msg_1").status()).isEqualTo(InboxStatus.CONFLICT);
    assertThat(item("msg_1").reason()).contains("full").doesNotContain("MRN-0042");
    assertThat(db.count("SELECT booked FROM slot WHERE id = '" + full.id() + "'")).isEqualTo(1);
    Review review = reviews.list(Review.Status.OPEN, 10).get(0);
    assertThatThrownBy(() -> processor.resolve(review.id(), Review.Choice.EXTERNAL))
        .isInstanceOf(ReviewException.StillConflicting.class)
        .hasMessageContaining("full");
    assertThat(reviews.find(review.id()).orElseThrow().status()).isEqualTo(Review.Status.OPEN);
    assertThat(db.count("SELECT COUNT(*) FROM appointment")).isEqualTo(1);
  }
  @Test
  void a_database_error_while_applying_leaves_the_item_failed_and_a_later_retry_applies_it() {
    Appointment appointment = bookedInEmr("p-db");
    received("w-db", change(Action.CANCEL, "p-db"));
    InboxProcessor processor = processor(ConflictPolicy.REVIEW);
    // The change cannot be written: its outbox event has nowhere to go.
    db.execute("ALTER TABLE outbox_event RENAME TO outbox_event_away");
    try {
      processor.runOnce();
    } finally {
      db.execute("ALTER TABLE outbox_event_away RENAME TO outbox_event");
    }

    InboxItem failed = item("w-db");
    assertThat(failed.status()).isEqualTo(InboxStatus.FAILED);
    assertThat(failed.attempts()).isEqualTo(1);
    assertThat(failed.nextAttemptAt()).isAfter(clock.instant());
    assertThat(failed.reason()).isNotBlank().doesNotContain("MRN-0042", "Lovelace");
    assertThat(scheduling.findAppointment(appointment.id()).orElseThrow().status())
        .isEqualTo(AppointmentStatus.BOOKED);
    assertThat(processor.runOnce()).as("not due before its retry time").isZero();

    clock.advance(Duration.ofMinutes(1));
    processor.runOnce();

    assertThat(item("w-db").status()).isEqualTo(InboxStatus.APPLIED);
    assertThat(scheduling.findAppointment(appointment.id()).orElseThrow().status())
        .isEqualTo(AppointmentStatus.CANCELLED);
  }

  @Test
  void a_change_naming_location_and_start_takes_the_slot_with_room_when_several_start_then() {
    Instant at = Instant.parse("2027-04-01T09:00:00Z");
    Slot full = scheduling.createSlot(clinic.id(), at, at.plus(Duration.ofMinutes(15)), 1);
    Slot roomy = scheduling.createSlot(clinic.id(), at, at.plus(Duration.ofMinutes(15)), 1);
    Patient other = scheduling.createPatient("MRN-0043", "Grace", "Hopper", LocalDate.of(1991, 1, 1));
    // Whichever the database lists first, fill that one.
    Slot first = scheduling.findSlotsAt("CLINIC-1", at).get(0);
    scheduling.book(other.id(), first.id(), null);
    Slot free = first.id().equals(full.id()) ? roomy : full;
    Appointment appointment = bookedInEmr("p-move");
    received(
        "w-move",
        new InboundChange(
            Action.RESCHEDULE, "p-move", null, null, at, "CLINIC-1", null, null, null));

    processor(ConflictPolicy.REVIEW).runOnce();

    assertThat(item("w-move").status()).isEqualTo(InboxStatus.APPLIED);
    assertThat(scheduling.findAppointment(appointment.id()).orElseThrow().slotId())
        .isEqualTo(free.id());
    assertThat(reviews.list(null, 10)).isEmpty();
  }
}
