package org.hms.sync.inbound.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.javalin.Javalin;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.hms.sync.config.ConflictPolicy;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.InboundConfig;
import org.hms.sync.config.PollConfig;
import org.hms.sync.connector.ChangeFeed;
import org.hms.sync.delivery.Enqueue;
import org.hms.sync.inbound.InboxItem;
import org.hms.sync.inbound.InboxProcessor;
import org.hms.sync.inbound.InboxRepository;
import org.hms.sync.inbound.InboxStatus;
import org.hms.sync.inbound.ReviewRepository;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * Polling a real HTTP change feed (Javalin, paged, inclusive {@code updatedSince}) into the inbox,
 * driven by {@link Poller#runOnce()}, once per database.
 */
abstract class PollerContractTest {
  private static final Instant T0 = Instant.parse("2027-02-01T08:00:00Z");
  private static final Duration INTERVAL = Duration.ofSeconds(30);
  private static final Duration LEASE = Duration.ofSeconds(60);
  private static final int PAGE_SIZE = 2;

  @TempDir Path dir;

  TestDb db;
  MutableClock clock;
  SchedulingService scheduling;
  InboxRepository inbox;
  ReviewRepository reviews;
  PollStateRepository states;
  Location clinic;
  Patient patient;
  int slotHour;

  Javalin feed;
  final List<Map<String, String>> changes = new CopyOnWriteArrayList<>();
  final List<String> requests = new CopyOnWriteArrayList<>();
  final AtomicInteger failWith = new AtomicInteger();
  final AtomicInteger wakeUps = new AtomicInteger();

  abstract TestDb open();

  @BeforeEach
  void setUp() throws Exception {
    db = open();
    clock = new MutableClock(T0);
    List<String> iis = List.of("iis");
    Outbox outbox =
        new Outbox(
            Map.of(
                EventTypes.CREATED, iis, EventTypes.RESCHEDULED, iis, EventTypes.CANCELLED, iis,
                EventTypes.COMPLETED, iis), new Enqueue());
    scheduling =
        new SchedulingService(db.database().transactor(), outbox, new JsonSnapshotEncoder(), clock);
    inbox = new InboxRepository(db.database().transactor());
    reviews = new ReviewRepository(db.database().transactor());
    states = new PollStateRepository(db.database().transactor());
    clinic = scheduling.createLocation("CLINIC-1", "Clinic one");
    patient = scheduling.createPatient("MRN-0042", "Ada", "Lovelace", LocalDate.of(1990, 1, 1));
    Files.writeString(
        dir.resolve("poll.jsonata"),
        "{\"action\": payload.action, \"externalId\": payload.appointment}");
    feed =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.startupWatcherEnabled = false;
            });
    // The feed: changes with updatedAt >= updatedSince (inclusive), PAGE_SIZE per page.
    feed.get(
        "/api/changes",
        context -> {
          requests.add(context.fullUrl().replaceFirst("^http://[^/]+", ""));
          if (failWith.get() != 0) {
            context.status(failWith.get()).result("{\"error\":\"down for Ada Lovelace\"}");
            return;
          }
          String since = context.queryParam("updatedSince");
          int page = Integer.parseInt(java.util.Objects.requireNonNullElse(context.queryParam("page"), "1"));
          List<Map<String, String>> matching =
              changes.stream()
                  .filter(change -> since == null || change.get("updatedAt").compareTo(since) >= 0)
                  .toList();
          int from = (page - 1) * PAGE_SIZE;
          List<Map<String, String>> items =
              matching.subList(Math.min(from, matching.size()), Math.min(from + PAGE_SIZE, matching.size()));
          Map<String, Object> body = new java.util.LinkedHashMap<>();
          body.put("items", items);
          if (from + PAGE_SIZE < matching.size()) {
            body.put(
                "links",
                Map.of(
                    "next",
                    "changes?page=" + (page + 1)
                        + (since == null ? "" : "&updatedSince=" + java.net.URLEncoder.encode(since, java.nio.charset.StandardCharsets.UTF_8))));
          }
          context.contentType("application/json").result(Json.write(body));
        });
    feed.start("127.0.0.1", 0);
  }

  @AfterEach
  void tearDown() {
    if (feed != null) {
      feed.stop();
    }
    if (db != null) { // null when the database was skipped
      db.close();
    }
  }

  private ConnectorConfig connector(String idField) {
    PollConfig poll =
        new PollConfig(
            "/changes", INTERVAL, "updatedSince", "/items", "/links/next", "/updatedAt", idField,
            dir.resolve("poll.jsonata"), null, 10);
    return new ConnectorConfig(
        "portal", "rest", URI.create("http://127.0.0.1:" + feed.port() + "/api"), null, null, null,
        null, null, null, null, null, null,
        new InboundConfig(null, ConflictPolicy.REVIEW, poll), null, null);
  }

  private Poller poller(String node, String idField) {
    return poller(node, idField, states::saveBatch);
  }

  private Poller poller(String node, String idField, Poller.BatchStore store) {
    return Poller.create(
        List.of(connector(idField)), Map.of(), states, store, wakeUps::incrementAndGet, node,
        new Poller.Settings(Duration.ofSeconds(1), LEASE), clock);
  }

  private InboxProcessor processor() {
    return new InboxProcessor(
        inbox, reviews, scheduling, new JsonSnapshotEncoder(),
        Map.of("portal", ConflictPolicy.REVIEW),
        new InboxProcessor.Settings(Duration.ofSeconds(1), LEASE), clock);
  }

  /** Booked in the EMR, known at the portal as {@code externalId}. */
  private Appointment bookedInEmr(String externalId) {
    slotHour++;
    Instant start = Instant.parse("2027-03-01T00:00:00Z").plus(Duration.ofHours(slotHour));
    Slot slot =
        scheduling.createSlot(clinic.id(), start, start.plus(Duration.ofMinutes(15)), 5);
    Appointment appointment = scheduling.book(patient.id(), slot.id(), null);
    db.execute(
        "INSERT INTO external_ref (connector_id, appointment_id, external_id, updated_at) VALUES"
            + " ('portal', '" + appointment.id() + "', '" + externalId + "', TIMESTAMP WITH TIME"
            + " ZONE '2027-02-01 08:00:00+00')");
    return appointment;
  }

  private void changed(String changeId, String action, String externalId, String updatedAt) {
    changes.add(
        Map.of(
            "changeId", changeId, "action", action, "appointment", externalId, "updatedAt",
            updatedAt));
  }

  private List<InboxItem> stored() {
    return inbox.list("portal", null, 100);
  }

  private AppointmentStatus status(Appointment appointment) {
    return scheduling.findAppointment(appointment.id()).orElseThrow().status();
  }

  @Test
  void items_of_every_page_land_in_the_inbox_are_applied_and_the_cursor_is_saved() {
    Appointment first = bookedInEmr("p-1");
    Appointment second = bookedInEmr("p-2");
    Appointment third = bookedInEmr("p-3");
    changed("c1", "cancel", "p-1", "2027-02-01T08:00:01Z");
    changed("c2", "complete", "p-2", "2027-02-01T08:00:02Z");
    changed("c3", "cancel", "p-3", "2027-02-01T08:00:03Z");

    assertThat(poller("node-a", "/changeId").runOnce()).isEqualTo(3);

    assertThat(requests)
        .containsExactly(
            "/api/changes", "/api/changes?page=2");
    assertThat(stored())
        .extracting(InboxItem::webhookId)
        .containsExactlyInAnyOrder("poll:c1", "poll:c2", "poll:c3");
    assertThat(stored()).extracting(InboxItem::status).containsOnly(InboxStatus.RECEIVED);
    assertThat(wakeUps).hasValue(1);
    PollState state = states.find("portal").orElseThrow();
    assertThat(state.cursor()).isEqualTo("2027-02-01T08:00:03Z");
    assertThat(state.lockedBy()).isNull();
    assertThat(state.failures()).isZero();
    assertThat(state.nextPollAt()).isEqualTo(T0.plus(INTERVAL));

    assertThat(processor().runOnce()).isEqualTo(3);
    assertThat(status(first)).isEqualTo(AppointmentStatus.CANCELLED);
    assertThat(status(second)).isEqualTo(AppointmentStatus.COMPLETED);
    assertThat(status(third)).isEqualTo(AppointmentStatus.CANCELLED);
    assertThat(stored()).extracting(InboxItem::status).containsOnly(InboxStatus.APPLIED);
  }

  @Test
  void the_next_poll_waits_for_the_interval_sends_the_cursor_and_stores_only_new_items() {
    bookedInEmr("p-1");
    bookedInEmr("p-2");
    changed("c1", "cancel", "p-1", "2027-02-01T08:00:01Z");
    Poller poller = poller("node-a", "/changeId");
    poller.runOnce();
    requests.clear();

    assertThat(poller.runOnce()).isZero();
    assertThat(requests).isEmpty();

    changed("c2", "cancel", "p-2", "2027-02-01T08:00:40Z");
    clock.advance(INTERVAL);
    assertThat(poller.runOnce()).isEqualTo(1);

    assertThat(requests).containsExactly("/api/changes?updatedSince=2027-02-01T08%3A00%3A01Z");
    assertThat(stored()).extracting(InboxItem::webhookId).containsExactlyInAnyOrder("poll:c1", "poll:c2");
    assertThat(states.find("portal").orElseThrow().cursor()).isEqualTo("2027-02-01T08:00:40Z");
  }

  @Test
  void a_woken_connector_is_polled_before_its_interval_has_passed_once_per_wake_up() {
    bookedInEmr("p-1");
    bookedInEmr("p-2");
    changed("c1", "cancel", "p-1", "2027-02-01T08:00:01Z");
    Poller poller = poller("node-a", "/changeId");
    poller.runOnce();
    changed("c2", "cancel", "p-2", "2027-02-01T08:00:02Z");
    requests.clear();

    assertThat(poller.runOnce()).as("not due").isZero();
    assertThat(poller.wakeUp("portal")).isTrue();
    assertThat(poller.runOnce()).isEqualTo(1);
    assertThat(poller.runOnce()).as("the wake-up was used up").isZero();

    assertThat(requests).hasSize(1);
    assertThat(poller.wakeUp("elsewhere")).as("not polled here").isFalse();
    assertThat(states.find("portal").orElseThrow().nextPollAt()).isEqualTo(T0.plus(INTERVAL));
  }

  @Test
  void a_wake_up_while_another_node_polls_is_kept_until_this_node_gets_the_lease() {
    bookedInEmr("p-1");
    changed("c1", "cancel", "p-1", "2027-02-01T08:00:01Z");
    Poller poller = poller("node-a", "/changeId");
    poller.runOnce();
    assertThat(states.tryLease("portal", "node-b", clock.instant(), LEASE, true)).isPresent();
    requests.clear();

    poller.wakeUp("portal");
    assertThat(poller.runOnce()).isZero();
    states.saveBatch("portal", "node-b", null, List.of(), clock.instant(), T0.plus(INTERVAL));
    changed("c2", "cancel", "p-1", "2027-02-01T08:00:02Z");
    assertThat(poller.runOnce()).isEqualTo(1);

    assertThat(requests).hasSize(1);
  }

  @Test
  void a_started_poller_polls_a_woken_connector_at_once() {
    bookedInEmr("p-1");
    bookedInEmr("p-2");
    changed("c1", "cancel", "p-1", "2027-02-01T08:00:01Z");
    Poller poller = poller("node-a", "/changeId");
    poller.start();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> stored().size() == 1);
      changed("c2", "cancel", "p-2", "2027-02-01T08:00:02Z");

      poller.wakeUp("portal");

      await().atMost(Duration.ofSeconds(10)).until(() -> stored().size() == 2);
    } finally {
      poller.close();
      poller.awaitStop(Duration.ofSeconds(10));
    }
  }

  @Test
  void a_failing_feed_backs_off_exponentially_keeps_the_cursor_and_recovers() {
    bookedInEmr("p-1");
    changed("c1", "cancel", "p-1", "2027-02-01T08:00:01Z");
    Poller poller = poller("node-a", "/changeId");
    poller.runOnce();
    failWith.set(503);

    clock.advance(INTERVAL);
    assertThat(poller.runOnce()).isZero();
    PollState failed = states.find("portal").orElseThrow();
    assertThat(failed.failures()).isEqualTo(1);
    assertThat(failed.cursor()).isEqualTo("2027-02-01T08:00:01Z");
    assertThat(failed.lastError()).contains("GET /api/changes answered 503").doesNotContain("Ada");
    assertThat(failed.nextPollAt()).isEqualTo(clock.instant().plus(INTERVAL.multipliedBy(2)));
    assertThat(failed.lockedBy()).isNull();

    int asked = requests.size();
    clock.advance(INTERVAL);
    poller.runOnce();
    assertThat(requests).hasSize(asked);

    clock.advance(INTERVAL);
    poller.runOnce();
    PollState twice = states.find("portal").orElseThrow();
    assertThat(twice.failures()).isEqualTo(2);
    assertThat(twice.nextPollAt()).isEqualTo(clock.instant().plus(INTERVAL.multipliedBy(4)));

    failWith.set(0);
    clock.advance(INTERVAL.multipliedBy(4));
    poller.runOnce();
    PollState recovered = states.find("portal").orElseThrow();
    assertThat(recovered.failures()).isZero();
    assertThat(recovered.lastError()).isNull();
    assertThat(recovered.lastPolledAt()).isEqualTo(clock.instant());
    assertThat(stored()).hasSize(1);
  }

  @Test
  void the_backoff_doubles_up_to_ten_minutes() {
    assertThat(Poller.backoff(INTERVAL, 1)).isEqualTo(Duration.ofSeconds(60));
    assertThat(Poller.backoff(INTERVAL, 3)).isEqualTo(Duration.ofSeconds(240));
    assertThat(Poller.backoff(INTERVAL, 5)).isEqualTo(Duration.ofMinutes(10));
    assertThat(Poller.backoff(INTERVAL, 60)).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void a_crash_between_fetch_and_save_keeps_the_cursor_and_a_second_poll_stores_each_item_once() {
    bookedInEmr("p-1");
    bookedInEmr("p-2");
    bookedInEmr("p-3");
    changed("c1", "cancel", "p-1", "2027-02-01T08:00:01Z");
    changed("c2", "cancel", "p-2", "2027-02-01T08:00:02Z");
    changed("c3", "cancel", "p-3", "2027-02-01T08:00:03Z");
    // The items reach the inbox but the process dies before the cursor is saved.
    Poller crashing =
        poller(
            "node-a", null,
            (connectorId, node, cursor, items, now, nextPollAt) -> {
              items.forEach(inbox::insertIfAbsent);
              throw new IllegalStateException("simulated crash before the cursor was saved");
            });

    assertThat(crashing.runOnce()).isZero();
    assertThat(states.find("portal").orElseThrow().cursor()).isNull();
    assertThat(stored()).hasSize(3);

    clock.advance(Poller.MAX_BACKOFF);
    assertThat(poller("node-b", null).runOnce()).isZero();

    assertThat(stored()).hasSize(3);
    assertThat(stored())
        .extracting(InboxItem::webhookId)
        .doesNotHaveDuplicates()
        .allSatisfy(id -> assertThat(id).startsWith("poll:sha256:"));
    assertThat(states.find("portal").orElseThrow().cursor()).isEqualTo("2027-02-01T08:00:03Z");
    assertThat(processor().runOnce()).isEqualTo(3);
  }

  @Test
  void a_failed_store_moves_neither_cursor_nor_inbox() {
    changed("c1", "cancel", "p-1", "2027-02-01T08:00:01Z");
    Poller crashing =
        poller(
            "node-a", "/changeId",
            (connectorId, node, cursor, items, now, nextPollAt) -> {
              throw new IllegalStateException("database went away");
            });

    crashing.runOnce();

    PollState state = states.find("portal").orElseThrow();
    assertThat(state.cursor()).isNull();
    assertThat(state.failures()).isEqualTo(1);
    assertThat(stored()).isEmpty();
  }

  @Test
  void an_item_the_mapping_cannot_read_is_stored_rejected_and_the_feed_moves_on() {
    changes.add(Map.of("changeId", "c1", "action", "explode", "appointment", "p-1", "updatedAt", "2027-02-01T08:00:01Z"));

    assertThat(poller("node-a", "/changeId").runOnce()).isEqualTo(1);

    InboxItem item = stored().get(0);
    assertThat(item.status()).isEqualTo(InboxStatus.REJECTED);
    assertThat(item.reason()).startsWith("invalid_change: ").contains("unknown action");
    assertThat(states.find("portal").orElseThrow().cursor()).isEqualTo("2027-02-01T08:00:01Z");
  }

  @Test
  void one_node_holds_the_lease_until_it_ends_and_a_late_save_is_refused() {
    PollStateRepository other = new PollStateRepository(db.database().transactor());

    assertThat(states.tryLease("portal", "node-a", T0, LEASE)).isPresent();
    assertThat(other.tryLease("portal", "node-b", T0.plusSeconds(59), LEASE)).isEmpty();
    assertThat(other.tryLease("portal", "node-b", T0.plus(LEASE), LEASE)).isPresent();

    assertThatThrownBy(
            () ->
                states.saveBatch(
                    "portal", "node-a", "late", List.of(item("late-1")), T0.plus(LEASE),
                    T0.plus(LEASE)))
        .isInstanceOf(LeaseLostException.class)
        .hasMessageContaining("node 'node-a' no longer holds the poll lease of connector 'portal'");
    assertThat(stored()).isEmpty();
    assertThat(states.find("portal").orElseThrow().cursor()).isNull();
    assertThat(states.find("portal").orElseThrow().lockedBy()).isEqualTo("node-b");
  }

  @Test
  void of_many_nodes_racing_for_a_lease_exactly_one_gets_it() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Boolean>> racers = new ArrayList<>();
      for (int node = 0; node < 8; node++) {
        String name = "node-" + node;
        PollStateRepository repository = new PollStateRepository(db.database().transactor());
        racers.add(() -> repository.tryLease("portal", name, T0, LEASE).isPresent());
      }
      int winners = 0;
      for (Future<Boolean> result : pool.invokeAll(racers)) {
        winners += result.get() ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void two_pollers_never_poll_one_connector_at_once() {
    changed("c1", "cancel", "p-1", "2027-02-01T08:00:01Z");
    states.tryLease("portal", "node-a", T0, LEASE);

    assertThat(poller("node-b", "/changeId").runOnce()).isZero();

    assertThat(requests).isEmpty();
  }

  private InboxItem item(String id) {
    return InboxItem.received(
        org.hms.sync.Ids.newId(), "portal", "poll:" + id, T0, "{}", "{}", "[]");
  }

  @Test
  void a_poll_without_a_path_reads_the_connectors_own_change_feed_page_by_page() {
    bookedInEmr("p-1");
    bookedInEmr("p-2");
    List<String> cursors = new CopyOnWriteArrayList<>();
    ChangeFeed feedOfConnector =
        cursor -> {
          cursors.add(String.valueOf(cursor));
          ChangeFeed.ChangePage page =
              cursor == null
                  ? new ChangeFeed.ChangePage(
                      List.of(Json.read("{\"changeId\":\"c1\",\"action\":\"cancel\",\"appointment\":\"p-1\"}")),
                      "cursor-1", true)
                  : new ChangeFeed.ChangePage(
                      List.of(Json.read("{\"changeId\":\"c2\",\"action\":\"cancel\",\"appointment\":\"p-2\"}")),
                      "cursor-2", false);
          return java.util.concurrent.CompletableFuture.completedFuture(page);
        };
    PollConfig poll =
        new PollConfig(
            null, INTERVAL, "updatedSince", "", null, null, "/changeId",
            dir.resolve("poll.jsonata"), null, 10);
    ConnectorConfig fhir =
        new ConnectorConfig(
            "portal", "fhir", URI.create("http://127.0.0.1:9/fhir"), null, null, null, null, null,
            null, null, null, null, new InboundConfig(null, ConflictPolicy.REVIEW, poll), null, null);
    Poller poller =
        Poller.create(
            List.of(fhir), Map.of("portal", feedOfConnector), states, wakeUps::incrementAndGet,
            "node-a", new Poller.Settings(Duration.ofSeconds(1), LEASE), clock);

    assertThat(poller.runOnce()).isEqualTo(2);

    assertThat(cursors).containsExactly("null", "cursor-1");
    assertThat(stored()).extracting(InboxItem::webhookId).containsExactlyInAnyOrder("poll:c1", "poll:c2");
    assertThat(states.find("portal").orElseThrow().cursor()).isEqualTo("cursor-2");
    assertThat(processor().runOnce()).isEqualTo(2);
  }

  @Test
  void a_poll_without_a_path_on_a_connector_without_a_change_feed_is_refused_at_start() {
    PollConfig poll =
        new PollConfig(
            null, INTERVAL, "updatedSince", "", null, null, null, dir.resolve("poll.jsonata"),
            null, 10);
    ConnectorConfig rest =
        new ConnectorConfig(
            "portal", "rest", URI.create("http://127.0.0.1:9/api"), null, null, null, null, null,
            null, null, null, null, new InboundConfig(null, ConflictPolicy.REVIEW, poll), null, null);

    assertThatThrownBy(
            () ->
                Poller.create(
                    List.of(rest), Map.of("portal", new Object()), states, () -> {}, "node-a",
                    new Poller.Settings(Duration.ofSeconds(1), LEASE), clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "connector 'portal' (type rest) has inbound.poll without a path, but its type has no"
                + " change feed of its own; set inbound.poll.path");
  }
}
