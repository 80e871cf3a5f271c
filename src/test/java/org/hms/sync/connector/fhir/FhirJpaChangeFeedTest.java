package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.hms.sync.config.ConflictPolicy;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.InboundConfig;
import org.hms.sync.config.PollConfig;
import org.hms.sync.config.TimeoutsConfig;
import org.hms.sync.connector.AppointmentLister.Listing;
import org.hms.sync.connector.ChangeFeed.ChangePage;
import org.hms.sync.connector.ListedAppointment;
import org.hms.sync.inbound.InboxItem;
import org.hms.sync.inbound.InboxRepository;
import org.hms.sync.inbound.poll.PollStateRepository;
import org.hms.sync.inbound.poll.Poller;
import org.hms.sync.testing.JpaFhirServer;
import org.hms.sync.testing.MutableClock;
import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change feed and the listing against the HAPI FHIR JPA server, which keeps search results
 * for 60 seconds, dates a write when it starts (not when it commits) and pages long searches by
 * {@code next} links. Each test works on Appointments with a tag of its own.
 */
@Tag("hapi-jpa")
class FhirJpaChangeFeedTest {
  private static final String TAGS = "urn:test:feed";
  private static final JpaFhirServer SERVER = JpaFhirServer.shared();
  private static final FhirConnector CONNECTOR = FhirConnector.create(config(null), Clock.systemUTC());

  private final IGenericClient client = SERVER.client();

  @TempDir Path dir;

  @AfterAll
  static void closeConnector() {
    CONNECTOR.close();
  }

  /** The JPA server, a minute per request (a busy server pages 250 Appointments slowly). */
  private static ConnectorConfig config(PollConfig poll) {
    ConnectorConfig fixture = FhirFixtures.config(SERVER.baseUrl(), null);
    return new ConnectorConfig(
        fixture.id(), fixture.type(), fixture.baseUrl(), fixture.auth(), fixture.tls(),
        new TimeoutsConfig(Duration.ofSeconds(5), Duration.ofMinutes(1)), fixture.retry(),
        fixture.circuitBreaker(), fixture.limits(), fixture.headers(), fixture.routes(),
        fixture.settings(),
        poll == null ? null : new InboundConfig(null, ConflictPolicy.REVIEW, poll), null, null);
  }

  @Test
  void a_change_dated_before_the_cursor_but_committed_after_it_is_found_and_passed_on_once()
      throws Exception {
    String tag = JpaFhirServer.uniqueId("late");
    String cursor = Instant.now().minusSeconds(1).toString();
    String late = create(tag).getIdPart();
    String early = create(tag).getIdPart();
    cursor = drain(cursor, tag).cursor();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HoldCommit hold = new HoldCommit(late, holding, release);
    SERVER.register(hold);
    CompletableFuture<Void> lateUpdate;
    Drained whileHeld;
    try {
      // The late write is dated now, but commits only when released.
      lateUpdate = CompletableFuture.runAsync(() -> change(late, "the late one"));
      assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
      change(early, "the early one");

      whileHeld = drain(cursor, tag);
    } finally {
      release.countDown();
      SERVER.unregister(hold);
    }
    lateUpdate.get(30, TimeUnit.SECONDS);
    Drained afterCommit = drain(whileHeld.cursor(), tag);
    Drained again = drain(afterCommit.cursor(), tag);

    assertThat(lastUpdated(late)).isBefore(lastUpdated(early));
    assertThat(whileHeld.versions()).containsExactly(early + "/2");
    assertThat(afterCommit.versions()).containsExactly(late + "/2");
    assertThat(again.versions()).isEmpty();
  }

  @Test
  void a_long_feed_is_followed_across_next_pages_into_the_inbox_and_stored_once() throws Exception {
    String tag = JpaFhirServer.uniqueId("long");
    Files.writeString(dir.resolve("poll.jsonata"), "null");
    Instant before = Instant.now().minusSeconds(1);
    Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
    for (int index = 0; index < 250; index++) {
      transaction
          .addEntry()
          .setResource(appointment(tag))
          .getRequest()
          .setMethod(Bundle.HTTPVerb.POST)
          .setUrl("Appointment");
    }
    client.transaction().withBundle(transaction).execute(); // one lastUpdated for all 250
    List<String> searches = new CopyOnWriteArrayList<>();
    RecordSearches record = new RecordSearches(searches);
    MutableClock clock = new MutableClock(Instant.now());
    ConnectorConfig polled =
        config(
            new PollConfig(
                null, Duration.ofSeconds(30), PollConfig.DEFAULT_CURSOR_PARAM, "", null, null,
                null, dir.resolve("poll.jsonata"), before.toString(), 10));
    try (TestDb db = TestDatabases.h2();
        FhirConnector connector = FhirConnector.create(polled, Clock.systemUTC())) {
      InboxRepository inbox = new InboxRepository(db.database().transactor());
      Poller poller =
          Poller.create(
              List.of(polled), Map.of(polled.id(), connector),
              new PollStateRepository(db.database().transactor()), () -> {}, "node-1",
              new Poller.Settings(Duration.ofSeconds(1), Duration.ofMinutes(5)), clock);
      SERVER.register(record);
      int first;
      int second;
      try {
        first = poller.runOnce();
        clock.advance(Duration.ofSeconds(31));
        second = poller.runOnce();
      } finally {
        SERVER.unregister(record);
      }

      List<InboxItem> ours =
          inbox.list(polled.id(), null, 1000).stream()
              .filter(item -> item.payload().contains(tag))
              .toList();
      assertThat(ours).hasSize(250);
      assertThat(ours)
          .extracting(InboxItem::webhookId)
          .allMatch(id -> id.matches("poll:Appointment/[^/]+/_history/1"))
          .doesNotHaveDuplicates();
      assertThat(second).as("the second poll finds them again in its overlap: stored once").isZero();
      assertThat(first).isGreaterThanOrEqualTo(250);
    }
    assertThat(searches).as("every page asked for fresh results").allMatch(line -> line.endsWith("no-cache"));
    assertThat(searches.stream().filter(line -> line.contains("_getpages"))).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void a_listing_right_after_a_booking_at_the_server_lists_it_not_a_cached_search() {
    String tag = JpaFhirServer.uniqueId("list");
    Instant start = Instant.parse("2031-01-01T00:00:00Z").plusSeconds((long) (Math.random() * 1e8));
    client.create().resource(starting(appointment(tag), start)).execute();

    Listing before = CONNECTOR.list(start, start.plusSeconds(60));
    client.create().resource(starting(appointment(tag), start.plusSeconds(30))).execute();
    Listing after = CONNECTOR.list(start, start.plusSeconds(60));

    // HAPI would answer the same search from its cache for 60 s: with the first Appointment only
    assertThat(before.appointments()).hasSize(1);
    assertThat(after.appointments())
        .extracting(ListedAppointment::start)
        .containsExactlyInAnyOrder(start, start.plusSeconds(30));
  }

  // ---- helpers ----

  /** What a run of polls passed on for this tag, as {@code id/version}, and the cursor after it. */
  private record Drained(List<String> versions, String cursor) {}

  /** Reads every page from {@code cursor} on, as one poll does. */
  private static Drained drain(String cursor, String tag) {
    List<String> versions = new ArrayList<>();
    String at = cursor;
    for (int pages = 0; pages < 20; pages++) {
      ChangePage page;
      try {
        page = CONNECTOR.fetchChanges(at).get(60, TimeUnit.SECONDS);
      } catch (Exception failure) {
        throw new AssertionError("fetchChanges failed: " + failure, failure);
      }
      for (JsonNode item : page.items()) {
        if (item.toString().contains(tag)) {
          versions.add(item.path("id").asText() + "/" + item.path("meta").path("versionId").asText());
        }
      }
      at = page.nextCursor();
      if (!page.more()) {
        return new Drained(versions, at);
      }
    }
    throw new AssertionError("the feed did not end within 20 pages");
  }

  private org.hl7.fhir.instance.model.api.IIdType create(String tag) {
    return client.create().resource(appointment(tag)).execute().getId();
  }

  private void change(String id, String comment) {
    Appointment appointment = client.read().resource(Appointment.class).withId(id).execute();
    appointment.setComment(comment);
    client.update().resource(appointment).execute();
  }

  private Instant lastUpdated(String id) {
    return client.read().resource(Appointment.class).withId(id).execute()
        .getMeta().getLastUpdated().toInstant();
  }

  private static Appointment starting(Appointment appointment, Instant start) {
    appointment.setStart(Date.from(start));
    appointment.setEnd(Date.from(start.plusSeconds(900)));
    return appointment;
  }

  private static Appointment appointment(String tag) {
    Appointment appointment = new Appointment();
    appointment.getMeta().addTag(TAGS, tag, null);
    appointment.setStatus(Appointment.AppointmentStatus.BOOKED);
    appointment.addIdentifier().setSystem("urn:hms-sync:appointment").setValue(JpaFhirServer.uniqueId("a"));
    appointment
        .addParticipant()
        .setStatus(Appointment.ParticipationStatus.ACCEPTED)
        .getActor()
        .setDisplay("Clinic A");
    return appointment;
  }

  /** Holds the commit of one Appointment's update until released; its lastUpdated is set already. */
  @Interceptor
  public static final class HoldCommit {
    private final String id;
    private final CountDownLatch holding;
    private final CountDownLatch release;

    HoldCommit(String id, CountDownLatch holding, CountDownLatch release) {
      this.id = id;
      this.holding = holding;
      this.release = release;
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
    public void beforeCommit(IBaseResource previous, IBaseResource current) throws InterruptedException {
      if (current instanceof Resource resource && id.equals(resource.getIdElement().getIdPart())) {
        holding.countDown();
        release.await(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Records each Appointment search (and page) with its Cache-Control header. */
  @Interceptor
  public static final class RecordSearches {
    private final List<String> searches;

    RecordSearches(List<String> searches) {
      this.searches = searches;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public void received(RequestDetails request) {
      String query = request.getCompleteUrl();
      if (query.contains("_getpages") || "Appointment".equals(request.getResourceName())
          && request.getRestOperationType() != null
          && request.getRestOperationType().name().startsWith("SEARCH")) {
        searches.add(query + " " + request.getHeader("Cache-Control"));
      }
    }
  }
}
