package org.hms.sync.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hms.sync.json.JsonSnapshotEncoder;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.Outbox;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.scheduling.SchedulingService;
import org.hms.sync.testing.MutableClock;
import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The table of status transitions, and the operator's actions walked through it on a real
 * database: from every status, replay and discard change exactly what the table allows.
 */
class TransitionTest {
  private static final Instant T0 = Instant.parse("2027-02-01T08:00:00Z");

  @Test
  void succeeded_and_discarded_are_final_and_nothing_else_is() {
    assertThat(Transition.finals())
        .containsExactlyInAnyOrder(DeliveryStatus.SUCCEEDED, DeliveryStatus.DISCARDED);
  }

  @Test
  void every_status_is_reachable_from_a_new_delivery_and_every_one_can_end() {
    Set<DeliveryStatus> reached = reachable(Transition.ENQUEUE.to());
    assertThat(reached).containsExactlyInAnyOrder(DeliveryStatus.values());
    for (DeliveryStatus status : DeliveryStatus.values()) {
      assertThat(reachable(Set.of(status)))
          .as("a final status is reachable from %s", status)
          .containsAnyElementsOf(Transition.finals());
    }
  }

  @Test
  void guards_admit_exactly_the_statuses_a_transition_leaves() {
    assertThat(Transition.REPLAY.guard()).isEqualTo("status = 'dead'");
    assertThat(Transition.CLAIM.guard("s.status")).isEqualTo("s.status IN ('pending', 'retrying')");
    assertThat(Transition.SUPERSEDE.guard()).isEqualTo("status IN ('dead', 'parked')");
    assertThatThrownBy(Transition.ENQUEUE::guard).isInstanceOf(IllegalStateException.class);
  }

  private static Set<DeliveryStatus> reachable(Set<DeliveryStatus> start) {
    Set<DeliveryStatus> seen = EnumSet.copyOf(start);
    ArrayDeque<DeliveryStatus> queue = new ArrayDeque<>(start);
    while (!queue.isEmpty()) {
      DeliveryStatus status = queue.poll();
      for (Transition transition : Transition.values()) {
        if (transition.from().contains(status)) {
          for (DeliveryStatus next : transition.to()) {
            if (seen.add(next)) {
              queue.add(next);
            }
          }
        }
      }
    }
    return seen;
  }

  TestDb db;
  DeliveryRepository deliveries;
  DeadLetters deadLetters;
  SchedulingService scheduling;

  @BeforeEach
  void open() {
    db = TestDatabases.h2();
    MutableClock clock = new MutableClock(T0);
    scheduling =
        new SchedulingService(
            db.database().transactor(),
            new Outbox(Map.of(EventTypes.CREATED, List.of("iis")), new Enqueue()),
            new JsonSnapshotEncoder(),
            clock);
    deliveries = new DeliveryRepository(db.database().transactor());
    deadLetters = new DeadLetters(deliveries, List.of("iis"), () -> {}, clock);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @ParameterizedTest
  @EnumSource(DeliveryStatus.class)
  void replay_moves_a_delivery_only_as_the_table_says(DeliveryStatus status) {
    String id = deliveryIn(status);
    if (Transition.REPLAY.from().contains(status)) {
      assertThat(deadLetters.replay(id).status()).isEqualTo(Transition.REPLAY.target());
    } else {
      assertThatThrownBy(() -> deadLetters.replay(id))
          .isInstanceOf(DeadLetterException.NotDead.class);
      assertThat(deliveries.find(id).orElseThrow().status()).isEqualTo(status);
    }
  }

  @ParameterizedTest
  @EnumSource(DeliveryStatus.class)
  void discard_moves_a_delivery_only_as_the_table_says(DeliveryStatus status) {
    String id = deliveryIn(status);
    if (Transition.DISCARD.from().contains(status)) {
      assertThat(deadLetters.discard(id).status()).isEqualTo(Transition.DISCARD.target());
    } else {
      assertThatThrownBy(() -> deadLetters.discard(id))
          .isInstanceOf(DeadLetterException.NotDead.class);
      assertThat(deliveries.find(id).orElseThrow().status()).isEqualTo(status);
    }
  }

  @Test
  void an_unknown_delivery_or_connector_is_named_and_nothing_changes() {
    assertThatThrownBy(() -> deadLetters.replay("no-such-delivery"))
        .isInstanceOf(DeadLetterException.NotFound.class)
        .hasMessageContaining("no-such-delivery");
    assertThatThrownBy(() -> deadLetters.replayAll("fax"))
        .isInstanceOf(DeadLetterException.UnknownConnector.class)
        .hasMessageContaining("'fax'")
        .hasMessageContaining("[iis]");
  }

  /** A new appointment's delivery to the connector, put in {@code status} by hand. */
  private String deliveryIn(DeliveryStatus status) {
    Location clinic = scheduling.createLocation("CLINIC-" + status, "Clinic");
    Patient patient =
        scheduling.createPatient("MRN-" + status, "Given", "Family", LocalDate.of(1990, 1, 1));
    Appointment appointment =
        scheduling.book(
            patient.id(),
            scheduling.createSlot(clinic.id(), T0.plusSeconds(3600), T0.plusSeconds(4500), 1).id(),
            null);
    String id =
        deliveries.list(null, "iis", appointment.id(), 10).stream().findFirst().orElseThrow().id();
    // As the engine leaves it: a dead, succeeded or discarded delivery has its completion time.
    boolean completed =
        EnumSet.of(DeliveryStatus.SUCCEEDED, DeliveryStatus.DEAD, DeliveryStatus.DISCARDED)
            .contains(status);
    db.execute(
        "UPDATE delivery_state SET status = '" + status.wire() + "', completed_at = "
            + (completed ? "updated_at" : "NULL") + " WHERE delivery_no ="
            + " (SELECT delivery_no FROM delivery WHERE id = '" + id + "')");
    assertThat(deliveries.find(id).orElseThrow().status()).isEqualTo(status);
    return id;
  }
}
