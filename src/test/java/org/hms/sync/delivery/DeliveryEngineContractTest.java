package org.hms.sync.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hms.sync.json.JsonSnapshotEncoder;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.Outbox;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.scheduling.SchedulingService;
import org.hms.sync.scheduling.Slot;
import org.hms.sync.testing.MutableClock;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The delivery engine driven step by step ({@link DeliveryEngine#runOnce()}) with a settable
 * clock, once per database.
 */
abstract class DeliveryEngineContractTest {
  /** Counts deliveries (fixed part and state joined); append the conditions. */
  private static final String COUNT_DELIVERIES =
      "SELECT COUNT(*) FROM delivery JOIN delivery_state USING (delivery_no) WHERE ";

  private static final Instant T0 = Instant.parse("2027-02-01T08:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration RETENTION = Duration.ofDays(30);
  private static final RetryPolicy POLICY =
      new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0);

  TestDb db;
  MutableClock clock;
  SchedulingService scheduling;
  DeliveryRepository repository;
  ScriptedConnector iis;
  ScriptedConnector portal;
  Location clinic;
  int slotHour;
  BlockingConnector blocked;

  abstract TestDb open();

  @BeforeEach
  void setUp() {
    db = open();
    clock = new MutableClock(T0);
    Outbox outbox =
        new Outbox(
            Map.of(
                EventTypes.CREATED, List.of("iis", "portal"),
                EventTypes.RESCHEDULED, List.of("iis", "portal"),
                EventTypes.CANCELLED, List.of("iis", "portal"),
                EventTypes.COMPLETED, List.of("iis")), new Enqueue());
    scheduling =
        new SchedulingService(db.database().transactor(), outbox, new JsonSnapshotEncoder(), clock);
    repository = new DeliveryRepository(db.database().transactor());
    iis = new ScriptedConnector("iis");
    portal = new ScriptedConnector("portal");
    clinic = scheduling.createLocation("CLINIC-1", "Clinic one");
  }

  @AfterEach
  void tearDown() {
    if (blocked != null) {
      blocked.finishAll();
    }
    if (db != null) { // null when the database was skipped
      db.close();
    }
  }

  private DeliveryEngine engine(String node, Connector... connectors) {
    return engine(node, 64, connectors);
  }

  private DeliveryEngine engine(String node, int maxInFlight, Connector... connectors) {
    return engine(node, maxInFlight, Map.of(), connectors);
  }

  private DeliveryEngine engine(
      String node, int maxInFlight, Map<String, ConnectorLimits> limits, Connector... connectors) {
    Map<String, Connector> byId = new java.util.HashMap<>();
    Map<String, RetryPolicy> policies = new java.util.HashMap<>();
    for (Connector connector : connectors) {
      byId.put(connector.id(), connector);
      policies.put(connector.id(), POLICY);
    }
    return new DeliveryEngine(
        repository,
        byId,
        policies,
        new DeliveryEngine.Settings(
            node, maxInFlight, 128, Duration.ofSeconds(1), LEASE, RETENTION),
        clock,
        () -> 0.5,
        DeliveryObserver.NONE,
        Map.of(),
        limits);
  }

  private Slot slot() {
    Instant start = Instant.parse("2027-03-01T09:00:00Z").plusSeconds(900L * slotHour++);
    return scheduling.createSlot(clinic.id(), start, start.plusSeconds(900), 5);
  }

  private Appointment book() {
    Patient patient =
        scheduling.createPatient("M-" + slotHour, "Given", "Family", LocalDate.of(1990, 1, 1));
    return scheduling.book(patient.id(), slot().id(), null);
  }

  private DeliveryStatus status(String connector, String appointmentId, long sequence) {
    return repository.list(null, connector, appointmentId, 100).stream()
        .filter(delivery -> delivery.sequence() == sequence)
        .findFirst()
        .orElseThrow()
        .status();
  }

  private static List<Long> sequences(List<PushRequest> requests, String appointmentId) {
    return requests.stream()
        .filter(request -> request.event().appointmentId().equals(appointmentId))
        .map(request -> request.event().sequence())
        .toList();
  }

  @Test
  void a_delivery_succeeds_and_its_attempt_is_in_the_sync_log() {
    Appointment appointment = book();
    DeliveryEngine engine = engine("node-a", iis, portal);

    assertThat(engine.runOnce()).isEqualTo(2);

    Delivery delivery = repository.list(null, "iis", appointment.id(), 10).get(0);
    assertThat(delivery.status()).isEqualTo(DeliveryStatus.SUCCEEDED);
    List<Attempt> attempts = repository.attempts(delivery.id());
    assertThat(attempts).hasSize(1);
    assertThat(attempts.get(0).outcome()).isEqualTo("succeeded");
    assertThat(attempts.get(0).httpStatus()).isEqualTo(200);
    assertThat(attempts.get(0).nodeId()).isEqualTo("node-a");
    assertThat(repository.externalIds("iis")).containsEntry(appointment.id(), "ext-" + appointment.id());
    assertThat(iis.received().get(0).idempotencyKey()).isEqualTo(delivery.id());
  }

  @Test
  void an_error_text_with_nul_from_an_external_system_is_recorded_with_the_attempt() {
    Appointment appointment = book();
    // e.g. a registry's fault text carried URL-encoded (%00) or base64 inside its answer
    iis.then(new PushResult.Retryable(500, "Fault", "registry says: bad\u0000segment", null))
        .then(new PushResult.Permanent(400, "Fault\u0000", "registry says: \u0000 refused"));
    DeliveryEngine engine = engine("node-a", iis);

    engine.runOnce();
    Delivery retrying = repository.list(null, "iis", appointment.id(), 10).get(0);
    assertThat(retrying.status()).isEqualTo(DeliveryStatus.RETRYING);
    assertThat(retrying.lastError()).isEqualTo("registry says: bad\uFFFDsegment");

    clock.advance(Duration.ofSeconds(1));
    engine.runOnce();
    Delivery dead = repository.list(null, "iis", appointment.id(), 10).get(0);
    assertThat(dead.status()).isEqualTo(DeliveryStatus.DEAD);
    assertThat(repository.attempts(dead.id()))
        .extracting(Attempt::errorClass, Attempt::errorMessage)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("Fault", "registry says: bad\uFFFDsegment"),
            org.assertj.core.groups.Tuple.tuple("Fault\uFFFD", "registry says: \uFFFD refused"));
  }

  @Test
  void an_external_id_that_cannot_be_stored_is_dropped_and_the_delivery_still_succeeds() {
    Appointment tooLong = book();
    Appointment withControl = book();
    iis.always(
        request ->
            new PushResult.Success(
                201,
                request.event().appointmentId().equals(tooLong.id()) ? "A".repeat(501) : "ext\u00001",
                null));
    DeliveryEngine engine = engine("node-a", iis);

    engine.runOnce();

    assertThat(status("iis", tooLong.id(), 1)).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(status("iis", withControl.id(), 1)).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(repository.externalIds("iis")).isEmpty();
    Delivery first = repository.list(null, "iis", tooLong.id(), 10).get(0);
    assertThat(repository.attempts(first.id()).get(0).errorMessage())
        .isEqualTo("external id not stored: it is 501 characters long; at most 500 are kept");
    Delivery second = repository.list(null, "iis", withControl.id(), 10).get(0);
    assertThat(repository.attempts(second.id()).get(0).errorMessage())
        .isEqualTo("external id not stored: it contains a control character (U+0000)");
  }

  @Test
  void events_of_one_appointment_go_out_in_sequence_order_even_when_all_are_due() {
    Appointment appointment = book();
    Slot other = slot();
    scheduling.reschedule(appointment.id(), other.id(), null, null);
    scheduling.cancel(appointment.id(), "x", null, null);
    DeliveryEngine engine = engine("node-a", iis);

    int rounds = 0;
    while (engine.runOnce() > 0) {
      rounds++;
    }

    assertThat(rounds).isEqualTo(3);
    assertThat(sequences(iis.received(), appointment.id())).containsExactly(1L, 2L, 3L);
    assertThat(iis.received().get(1).externalId()).isEqualTo("ext-" + appointment.id());
  }

  @Test
  void different_appointments_proceed_in_parallel_while_one_waits_for_a_retry() {
    Appointment slow = book();
    Appointment fast = book();
    iis.always(request -> request.event().appointmentId().equals(slow.id())
        ? new PushResult.Retryable(503, "HttpStatus", "HTTP 503", null)
        : new PushResult.Success(200, "x", null));
    scheduling.cancel(fast.id(), null, null, null);
    DeliveryEngine engine = engine("node-a", iis);

    engine.runOnce();
    engine.runOnce();

    assertThat(status("iis", slow.id(), 1)).isEqualTo(DeliveryStatus.RETRYING);
    assertThat(status("iis", fast.id(), 1)).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(status("iis", fast.id(), 2)).isEqualTo(DeliveryStatus.SUCCEEDED);
  }

  @Test
  void a_retryable_failure_waits_for_its_backoff_and_keeps_the_same_idempotency_key() {
    Appointment appointment = book();
    iis.then(new PushResult.Retryable(503, "HttpStatus", "HTTP 503", null));
    DeliveryEngine engine = engine("node-a", iis);

    engine.runOnce();
    assertThat(status("iis", appointment.id(), 1)).isEqualTo(DeliveryStatus.RETRYING);
    assertThat(engine.runOnce()).as("not due before the backoff").isZero();

    clock.advance(Duration.ofMillis(500)); // jitter 0.5 of the 1 s ceiling
    assertThat(engine.runOnce()).isEqualTo(1);

    assertThat(status("iis", appointment.id(), 1)).isEqualTo(DeliveryStatus.SUCCEEDED);
    List<PushRequest> sent = iis.received();
    assertThat(sent).hasSize(2);
    assertThat(sent.get(0).idempotencyKey()).isEqualTo(sent.get(1).idempotencyKey());
    assertThat(sent.get(1).attempt()).isEqualTo(2);
    String deliveryId = sent.get(0).deliveryId();
    assertThat(repository.attempts(deliveryId)).extracting(Attempt::outcome).containsExactly("retry", "succeeded");
  }

  @Test
  void retry_after_from_the_server_sets_the_earliest_next_attempt() {
    Appointment appointment = book();
    iis.then(new PushResult.Retryable(429, "HttpStatus", "HTTP 429", T0.plusSeconds(120)));
    DeliveryEngine engine = engine("node-a", iis);

    engine.runOnce();
    clock.advance(Duration.ofSeconds(60));
    assertThat(engine.runOnce()).isZero();
    clock.advance(Duration.ofSeconds(61));
    assertThat(engine.runOnce()).isEqualTo(1);
    assertThat(status("iis", appointment.id(), 1)).isEqualTo(DeliveryStatus.SUCCEEDED);
  }

  @Test
  void the_last_failed_attempt_dead_letters_with_the_full_history() {
    Appointment appointment = book();
    iis.always(request -> new PushResult.Retryable(503, "HttpStatus", "HTTP 503", null));
    DeliveryEngine engine = engine("node-a", iis);

    for (int i = 0; i < 3; i++) {
      engine.runOnce();
      clock.advance(Duration.ofSeconds(10));
    }

    assertThat(status("iis", appointment.id(), 1)).isEqualTo(DeliveryStatus.DEAD);
    String deliveryId = iis.received().get(0).deliveryId();
    assertThat(repository.attempts(deliveryId))
        .extracting(Attempt::outcome)
        .containsExactly("retry", "retry", "dead");
    assertThat(engine.runOnce()).isZero();
  }

  @Test
  void a_permanent_failure_dead_letters_at_once_and_parks_the_later_events() {
    Appointment appointment = book();
    Slot other = slot();
    iis.then(new PushResult.Permanent(422, "HttpStatus", "HTTP 422: bad clinic code"));
    DeliveryEngine engine = engine("node-a", iis);

    engine.runOnce();
    scheduling.reschedule(appointment.id(), other.id(), null, null);

    assertThat(status("iis", appointment.id(), 1)).isEqualTo(DeliveryStatus.DEAD);
    assertThat(status("iis", appointment.id(), 2)).as("new event behind a dead letter").isEqualTo(DeliveryStatus.PARKED);
    assertThat(engine.runOnce()).isZero();
    assertThat(iis.received()).hasSize(1);
  }

  @Test
  void parked_followers_of_a_pending_delivery_are_parked_when_it_dies() {
    Appointment appointment = book();
    scheduling.cancel(appointment.id(), null, null, null);
    iis.then(new PushResult.Permanent(400, "HttpStatus", "HTTP 400"));
    DeliveryEngine engine = engine("node-a", iis);

    engine.runOnce();

    assertThat(status("iis", appointment.id(), 1)).isEqualTo(DeliveryStatus.DEAD);
    assertThat(status("iis", appointment.id(), 2)).isEqualTo(DeliveryStatus.PARKED);
  }

  @Test
  void replaying_a_dead_letter_resends_it_first_then_its_followers_in_order() {
    Appointment appointment = book();
    scheduling.cancel(appointment.id(), null, null, null);
    iis.then(new PushResult.Permanent(400, "HttpStatus", "HTTP 400"));
    DeliveryEngine engine = engine("node-a", iis);
    engine.runOnce();
    String dead = iis.received().get(0).deliveryId();

    assertThat(repository.replay(dead, clock.instant())).isTrue();
    while (engine.runOnce() > 0) {
      // drain
    }

    assertThat(sequences(iis.received(), appointment.id())).containsExactly(1L, 1L, 2L);
    assertThat(iis.received().get(1).idempotencyKey()).isEqualTo(dead);
    assertThat(status("iis", appointment.id(), 2)).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(repository.replay(dead, clock.instant())).as("only dead letters replay").isFalse();
  }

  @Test
  void discarding_a_dead_letter_releases_its_followers() {
    Appointment appointment = book();
    scheduling.cancel(appointment.id(), null, null, null);
    iis.then(new PushResult.Permanent(400, "HttpStatus", "HTTP 400"));
    DeliveryEngine engine = engine("node-a", iis);
    engine.runOnce();
    String dead = iis.received().get(0).deliveryId();

    assertThat(repository.discard(dead, clock.instant())).isTrue();
    engine.runOnce();

    assertThat(status("iis", appointment.id(), 1)).isEqualTo(DeliveryStatus.DISCARDED);
    assertThat(status("iis", appointment.id(), 2)).isEqualTo(DeliveryStatus.SUCCEEDED);
  }

  @Test
  void bulk_replay_counts_the_dead_letters_of_one_connector() {
    book();
    book();
    iis.always(request -> new PushResult.Permanent(400, "HttpStatus", "HTTP 400"));
    portal.always(request -> new PushResult.Permanent(400, "HttpStatus", "HTTP 400"));
    engine("node-a", iis, portal).runOnce();

    assertThat(repository.replayAll("iis", clock.instant())).isEqualTo(2);
    assertThat(repository.list(DeliveryStatus.DEAD, null, null, 10)).hasSize(2)
        .allMatch(delivery -> delivery.connectorId().equals("portal"));
  }

  @Test
  void a_crashed_nodes_claim_is_taken_over_once_its_lease_ends_with_the_same_key() {
    Appointment appointment = book();
    // Node A claims and then "dies": its attempt is never recorded.
    List<ClaimedDelivery> lost = repository.claim(List.of("iis"), "node-a", clock.instant(), LEASE, 10);
    assertThat(lost).hasSize(1);
    DeliveryEngine nodeB = engine("node-b", iis);

    assertThat(nodeB.runOnce()).as("lease still held").isZero();
    clock.advance(LEASE.plusSeconds(1));
    assertThat(nodeB.runOnce()).isEqualTo(1);

    assertThat(status("iis", appointment.id(), 1)).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(iis.received().get(0).idempotencyKey()).isEqualTo(lost.get(0).deliveryId());
    assertThat(iis.received().get(0).attempt()).as("the lost attempt counts").isEqualTo(2);
  }

  @Test
  void a_result_arriving_after_the_lease_was_taken_over_changes_nothing() {
    Appointment appointment = book();
    List<ClaimedDelivery> lost = repository.claim(List.of("iis"), "node-a", clock.instant(), LEASE, 10);
    clock.advance(LEASE.plusSeconds(1));
    iis.then(new PushResult.Retryable(503, "HttpStatus", "HTTP 503", null));
    engine("node-b", iis).runOnce();
    DeliveryEngine nodeA = engine("node-a", iis);

    AttemptResult late =
        nodeA.decide(lost.get(0), new PushResult.Success(200, "x", null), T0, clock.instant(), 5);
    int held = repository.record(List.of(late), "node-a", clock.instant());

    assertThat(held).isZero();
    assertThat(status("iis", appointment.id(), 1)).isEqualTo(DeliveryStatus.RETRYING);
  }

  @Test
  void deliveries_of_connectors_not_configured_are_left_alone() {
    Appointment appointment = book();
    engine("node-a", iis).runOnce();

    assertThat(status("portal", appointment.id(), 1)).isEqualTo(DeliveryStatus.PENDING);
    assertThat(portal.received()).isEmpty();
  }

  @Test
  void a_change_that_came_from_a_connector_is_not_delivered_back_to_it() {
    Patient patient = scheduling.createPatient("ECHO-1", "Given", "Family", LocalDate.of(1990, 1, 1));
    Appointment appointment = scheduling.book(patient.id(), slot().id(), "portal");

    assertThat(repository.list(null, null, appointment.id(), 10))
        .extracting(Delivery::connectorId)
        .containsExactly("iis");
  }

  @Test
  void connector_stats_show_backlog_dead_letters_and_last_error() {
    book();
    book();
    iis.then(new PushResult.Permanent(400, "HttpStatus", "HTTP 400: nope"));
    engine("node-a", iis).runOnce();

    ConnectorStats stats = repository.stats(List.of("iis", "portal")).get("iis");
    assertThat(stats.dead()).isEqualTo(1);
    assertThat(stats.backlog()).isZero();
    assertThat(stats.lastError()).contains("HTTP 400");
    assertThat(stats.lastSuccessAt()).isNotNull();
    assertThat(repository.stats(List.of("iis", "portal")).get("portal").pending()).isEqualTo(2);
  }

  @Test
  void finished_deliveries_are_purged_after_the_retention_but_dead_letters_stay() {
    Appointment kept = book();
    Appointment done = book();
    iis.always(request -> request.event().appointmentId().equals(kept.id())
        ? new PushResult.Permanent(400, "HttpStatus", "HTTP 400")
        : new PushResult.Success(201, "x", null));
    DeliveryEngine engine = engine("node-a", iis);
    engine.runOnce();
    String succeeded = repository.list(DeliveryStatus.SUCCEEDED, "iis", done.id(), 10).get(0).id();

    clock.advance(Duration.ofDays(29));
    engine.purgeWhenDue();
    assertThat(repository.find(succeeded)).as("younger than the retention").isPresent();

    clock.advance(Duration.ofDays(2));
    engine.purgeWhenDue();

    assertThat(repository.find(succeeded)).isEmpty();
    assertThat(repository.attempts(succeeded)).isEmpty();
    assertThat(repository.list(DeliveryStatus.DEAD, "iis", kept.id(), 10)).hasSize(1);
    assertThat(db.count("SELECT COUNT(*) FROM outbox_event WHERE appointment_id = '" + done.id() + "'"))
        .as("the event still has its pending portal delivery").isEqualTo(1);
    assertThat(db.count("SELECT COUNT(*) FROM outbox_event WHERE appointment_id = '" + kept.id() + "'"))
        .isEqualTo(1);
  }

  @Test
  void an_event_whose_deliveries_are_all_purged_is_purged_too() {
    Appointment done = book();
    engine("node-a", iis, portal).runOnce();

    clock.advance(Duration.ofDays(31));
    engine("node-a", iis, portal).purgeWhenDue();

    assertThat(repository.list(null, null, done.id(), 10)).isEmpty();
    assertThat(db.count("SELECT COUNT(*) FROM outbox_event WHERE appointment_id = '" + done.id() + "'"))
        .isZero();
  }

  @Test
  void a_delivery_whose_attempts_never_finish_is_dead_lettered_after_its_budget() {
    Appointment appointment = book();
    // Three claims whose process "died" each time: no result was ever recorded.
    for (int i = 0; i < 3; i++) {
      assertThat(repository.claim(List.of("iis"), "node-x", clock.instant(), LEASE, 10)).hasSize(1);
      clock.advance(LEASE.plusSeconds(1));
    }
    DeliveryEngine engine = engine("node-a", iis);

    engine.runOnce();

    assertThat(iis.received()).as("not sent a fourth time").isEmpty();
    Delivery dead = repository.list(DeliveryStatus.DEAD, "iis", appointment.id(), 10).get(0);
    assertThat(repository.attempts(dead.id()))
        .singleElement()
        .satisfies(attempt -> assertThat(attempt.errorClass()).isEqualTo("AttemptsExhausted"));
  }

  @Test
  void a_released_claim_is_claimable_at_once_and_does_not_count_as_an_attempt() {
    book();
    List<ClaimedDelivery> claimed = repository.claim(List.of("iis"), "node-a", clock.instant(), LEASE, 10);

    repository.release(claimed);

    List<ClaimedDelivery> again = repository.claim(List.of("iis"), "node-b", clock.instant(), LEASE, 10);
    assertThat(again).singleElement().satisfies(delivery -> {
      assertThat(delivery.deliveryId()).isEqualTo(claimed.get(0).deliveryId());
      assertThat(delivery.attempt()).isEqualTo(1);
    });
  }

  @Test
  void a_running_engine_keeps_at_most_max_in_flight_attempts_and_hands_back_unstarted_claims_on_stop()
      throws InterruptedException {
    for (int i = 0; i < 8; i++) {
      book();
    }
    BlockingConnector blocked = new BlockingConnector("iis");
    DeliveryEngine engine = engine("node-a", 2, blocked);
    engine.start();
    try {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(blocked.started()).isEqualTo(2));
      // Claimed ahead (up to twice maxInFlight), but only maxInFlight started.
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(engine.inFlight()).isEqualTo(4));
      assertThat(blocked.started()).isEqualTo(2);
      // Stopping hands back the unstarted claims at once, while the two attempts still run.
      Thread stopper = new Thread(() -> engine.stop(Duration.ofSeconds(10)));
      stopper.start();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          db.count(
                              COUNT_DELIVERIES + "connector_id = 'iis'"
                                  + " AND status = 'pending' AND locked_until IS NULL"
                                  + " AND attempts = 0"))
                      .as("the unstarted claims were handed back")
                      .isEqualTo(6));
      blocked.finishAll();
      stopper.join(Duration.ofSeconds(15).toMillis());
    } finally {
      blocked.finishAll();
      engine.stop(Duration.ofSeconds(10));
    }

    assertThat(engine.inFlight()).isZero();
    assertThat(db.count(COUNT_DELIVERIES + "connector_id = 'iis' AND status = 'succeeded'"))
        .isEqualTo(2);
  }

  @Test
  void stop_waits_for_attempts_in_flight_and_records_them_while_unstarted_claims_go_back_at_once()
      throws Exception {
    DeliveryEngine engine = engineWithFourClaimsAndTwoAttemptsBlocked();

    CompletableFuture<DeliveryEngine.Stopped> stopped =
        CompletableFuture.supplyAsync(() -> engine.stop(Duration.ofMinutes(1)));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(iisDeliveries("locked_until IS NULL AND attempts = 0"))
                    .as("the unstarted claims were handed back")
                    .isEqualTo(2));
    blocked.finishAll();

    assertThat(stopped.get(30, TimeUnit.SECONDS)).isEqualTo(new DeliveryEngine.Stopped(2, 2));
    assertThat(engine.inFlight()).isZero();
    assertThat(iisDeliveries("status = 'succeeded'")).isEqualTo(2);
    assertThat(iisDeliveries("locked_until IS NOT NULL")).isZero();
  }

  @Test
  void attempts_still_running_when_the_grace_ends_are_handed_back_and_late_answers_not_recorded() {
    DeliveryEngine engine = engineWithFourClaimsAndTwoAttemptsBlocked();

    DeliveryEngine.Stopped stopped = engine.stop(Duration.ofMillis(200));
    blocked.finishAll(); // too late: the engine has stopped

    assertThat(stopped).isEqualTo(new DeliveryEngine.Stopped(0, 4));
    assertThat(engine.inFlight()).isZero();
    assertThat(
            iisDeliveries(
                "status = 'pending' AND locked_by IS NULL AND locked_until IS NULL"
                    + " AND claim_token IS NULL AND attempts = 0"))
        .as("free at once, and no attempt spent")
        .isEqualTo(4);
    assertThat(db.count("SELECT COUNT(*) FROM delivery_attempt"))
        .as("no late answer recorded")
        .isZero();

    assertThat(engine("node-b", new ScriptedConnector("iis")).runOnce())
        .as("another node takes them at once")
        .isEqualTo(4);
    assertThat(iisDeliveries("status = 'succeeded'")).isEqualTo(4);
    assertThat(db.count("SELECT COUNT(*) FROM delivery_attempt WHERE attempt = 1"))
        .as("sent again as the same attempt, with the same idempotency key")
        .isEqualTo(4);
  }

  @Test
  void an_attempt_that_finished_before_a_zero_grace_ended_is_recorded_and_the_rest_handed_back() {
    DeliveryEngine engine = engineWithFourClaimsAndTwoAttemptsBlocked();

    blocked.finishFirst();
    DeliveryEngine.Stopped stopped = engine.stop(Duration.ZERO);

    assertThat(stopped.handedBack()).isEqualTo(3);
    assertThat(engine.inFlight()).isZero();
    assertThat(iisDeliveries("status = 'succeeded'")).isEqualTo(1);
    assertThat(iisDeliveries("status = 'pending' AND locked_until IS NULL AND attempts = 0"))
        .isEqualTo(3);
    assertThat(db.count("SELECT COUNT(*) FROM delivery_attempt")).isEqualTo(1);
  }

  /** Four bookings, an engine with two places: two attempts block, two claims wait. */
  private DeliveryEngine engineWithFourClaimsAndTwoAttemptsBlocked() {
    for (int i = 0; i < 4; i++) {
      book();
    }
    blocked = new BlockingConnector("iis");
    DeliveryEngine engine = engine("node-a", 2, blocked);
    engine.start();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(engine.inFlight()).isEqualTo(4);
              assertThat(blocked.started()).isEqualTo(2);
            });
    return engine;
  }

  private long iisDeliveries(String condition) {
    return db.count(COUNT_DELIVERIES + "connector_id = 'iis' AND " + condition);
  }

  @Test
  void a_claim_that_waits_longer_than_half_its_lease_is_handed_back_and_claimed_afresh() {
    Appointment first = book();
    Appointment second = book();
    BlockingConnector blocked = new BlockingConnector("iis");
    DeliveryEngine engine = engine("node-a", 1, blocked);
    engine.start();
    try {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(engine.inFlight()).isEqualTo(2));
      assertThat(blocked.started()).as("one place, one attempt").isEqualTo(1);
      Instant firstLeaseEnd = T0.plus(LEASE);

      clock.advance(LEASE.dividedBy(2).plusSeconds(1));
      engine.wakeUp();

      // The waiting claim is handed back and claimed again with a fresh lease, before the old
      // lease could end during its attempt.
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          db.count(
                              COUNT_DELIVERIES + "connector_id = 'iis'"
                                  + " AND attempts = 1 AND locked_until > TIMESTAMP WITH TIME ZONE '"
                                  + firstLeaseEnd.toString().replace('T', ' ').replace("Z", "+00")
                                  + "'"))
                      .isEqualTo(1));
      blocked.finishAll();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(blocked.started()).isEqualTo(2));
    } finally {
      blocked.finishAll();
      engine.stop(Duration.ofSeconds(10));
    }
    assertThat(status("iis", first.id(), 1)).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(status("iis", second.id(), 1)).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(db.count("SELECT COUNT(*) FROM delivery_attempt WHERE attempt = 1")).isEqualTo(2);
  }

  @Test
  void retryable_version_conflicts_leave_the_circuit_closed_where_outages_open_it() {
    io.github.resilience4j.circuitbreaker.CircuitBreaker breaker =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.of(
            "iis",
            io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                .failureRateThreshold(50)
                .slidingWindow(
                    4, 4,
                    io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(Duration.ofSeconds(30))
                .clock(clock)
                .build());
    book();
    book();
    iis.then(new PushResult.Retryable(409, "VersionConflict", "moved on each time", null))
        .then(new PushResult.Retryable(412, "VersionConflict", "moved on each time", null));
    DeliveryEngine engine =
        new DeliveryEngine(
            repository,
            Map.of("iis", iis),
            Map.of("iis", POLICY),
            new DeliveryEngine.Settings(
                "node-a", 64, 128, Duration.ofSeconds(1), LEASE, RETENTION),
            clock,
            () -> 0.5,
            DeliveryObserver.NONE,
            Map.of("iis", breaker));

    assertThat(engine.runOnce()).isEqualTo(2);

    assertThat(breaker.getState())
        .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED);
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
    assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(2);

    iis.then(new PushResult.Retryable(503, "HttpStatus", "HTTP 503", null))
        .then(new PushResult.Retryable(null, "ConnectException", "cannot connect", null));
    clock.advance(Duration.ofSeconds(10));
    assertThat(engine.runOnce()).isEqualTo(2);
    assertThat(breaker.getState())
        .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);
  }

  @Test
  void an_open_circuit_holds_deliveries_back_without_spending_attempts_then_probes_and_closes() {
    io.github.resilience4j.circuitbreaker.CircuitBreaker breaker =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.of(
            "iis",
            io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                .failureRateThreshold(50)
                .slidingWindow(
                    2, 2,
                    io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(Duration.ofSeconds(30))
                .permittedNumberOfCallsInHalfOpenState(1)
                .clock(clock)
                .build());
    Appointment first = book();
    Appointment second = book();
    iis.then(new PushResult.Retryable(503, "HttpStatus", "HTTP 503", null))
        .then(new PushResult.Retryable(503, "HttpStatus", "HTTP 503", null));
    DeliveryEngine engine =
        new DeliveryEngine(
            repository,
            Map.of("iis", iis),
            Map.of("iis", POLICY),
            new DeliveryEngine.Settings(
                "node-a", 64, 128, Duration.ofSeconds(1), LEASE, RETENTION),
            clock,
            () -> 0.5,
            DeliveryObserver.NONE,
            Map.of("iis", breaker));

    assertThat(engine.runOnce()).isEqualTo(2);
    assertThat(breaker.getState())
        .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);

    Appointment third = book();
    clock.advance(Duration.ofSeconds(10)); // the two retries are due; the circuit is still open
    assertThat(engine.runOnce()).as("nothing attempted while open").isZero();
    assertThat(iis.received()).hasSize(2);
    assertThat(db.count(COUNT_DELIVERIES + "connector_id = 'iis'"
            + " AND appointment_id = '" + third.id() + "' AND attempts = 0 AND locked_until IS NULL"))
        .as("waiting without spending an attempt")
        .isEqualTo(1);

    clock.advance(Duration.ofSeconds(21)); // openFor has passed: one probe
    assertThat(engine.runOnce()).as("half-open: one probe").isEqualTo(1);
    assertThat(breaker.getState())
        .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED);

    engine.runOnce();
    assertThat(status("iis", first.id(), 1)).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(status("iis", second.id(), 1)).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(status("iis", third.id(), 1)).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(repository.attempts(repository.list(null, "iis", third.id(), 10).get(0).id()))
        .as("the held-back delivery went out on its first attempt")
        .singleElement()
        .satisfies(attempt -> assertThat(attempt.attempt()).isEqualTo(1));
  }

  @Test
  void a_connectors_concurrency_limit_caps_its_attempts_while_others_use_the_free_places() {
    for (int i = 0; i < 10; i++) {
      book();
    }
    TimedConnector limited = new TimedConnector("iis", Duration.ofMillis(200));
    TimedConnector free = new TimedConnector("portal", Duration.ofMillis(200));
    DeliveryEngine engine =
        engine("node-a", 8, Map.of("iis", new ConnectorLimits("iis", 2, null)), limited, free);
    engine.start();
    try {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(db.count(COUNT_DELIVERIES + "status = 'succeeded'"))
                      .isEqualTo(20));
    } finally {
      engine.stop(Duration.ofSeconds(10));
    }

    assertThat(limited.maxConcurrent()).as("iis never had more than 2 at once").isEqualTo(2);
    assertThat(free.maxConcurrent()).as("portal used the places iis could not").isGreaterThan(2);
    assertThat(db.count("SELECT COUNT(*) FROM delivery_attempt")).as("no attempt spent twice")
        .isEqualTo(20);
  }

  @Test
  void a_connectors_rate_limit_spreads_its_attempts_over_time_without_spending_attempts() {
    for (int i = 0; i < 11; i++) {
      book();
    }
    TimedConnector limited = new TimedConnector("iis", Duration.ZERO);
    DeliveryEngine engine =
        engine("node-a", 64, Map.of("iis", new ConnectorLimits("iis", Integer.MAX_VALUE, 5.0)),
            limited);
    engine.start();
    try {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(
                          db.count(
                              COUNT_DELIVERIES + "connector_id = 'iis'"
                                  + " AND status = 'succeeded'"))
                      .isEqualTo(11));
      assertThat(engine.load("iis").rateLimited()).as("held back by the limit").isPositive();
    } finally {
      engine.stop(Duration.ofSeconds(10));
    }

    // 5 per one-second window: the 11th attempt is at least two windows after the limiter's
    // start, the first at most one window after it.
    List<Long> starts = limited.starts();
    assertThat(starts).hasSize(11);
    assertThat(Duration.ofNanos(starts.get(10) - starts.get(0)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(990));
    assertThat(db.count("SELECT COUNT(*) FROM delivery_attempt WHERE attempt > 1"))
        .as("waiting for a permit spends no attempt")
        .isZero();
  }

  /** Answers each push with success after a delay; records start times and peak concurrency. */
  private static final class TimedConnector implements Connector {
    private final String id;
    private final Duration delay;
    private final java.util.concurrent.atomic.AtomicInteger current =
        new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger peak =
        new java.util.concurrent.atomic.AtomicInteger();
    private final List<Long> starts = new java.util.concurrent.CopyOnWriteArrayList<>();

    TimedConnector(String id, Duration delay) {
      this.id = id;
      this.delay = delay;
    }

    int maxConcurrent() {
      return peak.get();
    }

    List<Long> starts() {
      return starts.stream().sorted().toList();
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public java.util.concurrent.CompletableFuture<PushResult> push(PushRequest request) {
      starts.add(System.nanoTime());
      peak.accumulateAndGet(current.incrementAndGet(), Math::max);
      return java.util.concurrent.CompletableFuture.supplyAsync(
          () -> {
            current.decrementAndGet();
            return new PushResult.Success(200, null, null);
          },
          java.util.concurrent.CompletableFuture.delayedExecutor(
              delay.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
    }
  }

  /** Holds every push until {@link #finishAll()}. */
  private static final class BlockingConnector implements Connector {
    private final String id;
    private final List<java.util.concurrent.CompletableFuture<PushResult>> pending =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean open;

    BlockingConnector(String id) {
      this.id = id;
    }

    int started() {
      return pending.size();
    }

    /** Answers the first attempt that started (the others keep waiting). */
    void finishFirst() {
      pending.get(0).complete(new PushResult.Success(200, null, null));
    }

    void finishAll() {
      open = true;
      pending.forEach(future -> future.complete(new PushResult.Success(200, null, null)));
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public java.util.concurrent.CompletableFuture<PushResult> push(PushRequest request) {
      java.util.concurrent.CompletableFuture<PushResult> future = new java.util.concurrent.CompletableFuture<>();
      pending.add(future);
      if (open) {
        future.complete(new PushResult.Success(200, null, null));
      }
      return future;
    }
  }
}
