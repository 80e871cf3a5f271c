package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.CacheControlDirective;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.gclient.TokenClientParam;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Resource;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.delivery.Attempt;
import org.hms.sync.delivery.Delivery;
import org.hms.sync.delivery.DeliveryObserver;
import org.hms.sync.delivery.DeliveryStatus;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.reconcile.Difference;
import org.hms.sync.reconcile.Reconciliation;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.Immunization;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.scheduling.Slot;
import org.hms.sync.testing.JpaFhirServer;
import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Version conflicts end to end: the EMR, the delivery engine, a fhir connector (behind a proxy
 * that can lose an answer) and a FHIR server where another client changes our Appointments and
 * Slots. Written once, run against each server: the portal stand-in ({@link
 * FhirConflictStandInTest}) and the HAPI FHIR JPA server ({@code HapiJpaConflictTest}). Every
 * scenario books on a day of its own ({@link JpaFhirServer#uniqueDay}), so reconciliation sees
 * only its own Appointments on a shared server.
 */
abstract class FhirConflictScenarios {
  static final String CONNECTOR = "county-portal";
  private static final Immunization DOSE =
      new Immunization("208", "LOT-1", "0.3 mL", "PFR", "IM", "LA", null);
  private static final Immunization CORRECTED =
      new Immunization("208", "LOT-2", "0.3 mL", "PFR", "IM", "LA", null);

  @TempDir Path dir;

  /** Registered with the server by the subclass before any scenario runs. */
  final ServerActivity activity = new ServerActivity();

  private final Instant day = JpaFhirServer.uniqueDay();
  private final AtomicInteger hours = new AtomicInteger(8);
  private TestDb db;
  private SyncApp app;
  private DroppingProxy proxy;
  private IGenericClient other;
  private Location clinic;
  private Patient patient;
  private boolean slotEvents;

  /** The FHIR base URL of the server, with {@link #activity} registered there. */
  abstract URI server();

  @AfterEach
  void stopApp() {
    if (app != null) {
      app.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (db != null) {
      db.close();
    }
  }

  // ---- a third party's change, then the EMR's ----

  @Test
  void under_reapply_changes_after_other_clients_changes_end_in_sync_keeping_theirs() {
    start("reapply", false);
    Appointment booked = book();
    Slot later = slot();
    quiet();
    String path = appointmentPath(remote(booked.id()));
    editAtServer(booked.id(), remote -> remote.setComment("wheelchair access"));

    app.scheduling().reschedule(booked.id(), later.id(), null, null);
    quiet();
    // Another client writes between our read and our PUT: the server refuses the PUT.
    activity.beforeNextPut(
        path, () -> editAtServer(booked.id(), remote -> remote.setDescription("booster")));
    app.scheduling().complete(booked.id(), DOSE, null, null);
    quiet();

    org.hl7.fhir.r4.model.Appointment remote = remote(booked.id());
    assertThat(remote.getStatus())
        .isEqualTo(org.hl7.fhir.r4.model.Appointment.AppointmentStatus.FULFILLED);
    assertThat(remote.getStart().toInstant()).isEqualTo(later.start());
    assertThat(remote.getComment()).as("their elements are kept").isEqualTo("wheelchair access");
    assertThat(remote.getDescription()).isEqualTo("booster");
    assertThat(remote.getMeta().getVersionId()).isEqualTo("5");
    Delivery reschedule = delivery(booked.id(), EventTypes.RESCHEDULED);
    assertThat(reschedule.status()).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(lastAttempt(reschedule).errorMessage())
        .isEqualTo(
            path + " changed at the server since version 1 (now 2): applied our change over it");
    Delivery completion = delivery(booked.id(), EventTypes.COMPLETED);
    assertThat(completion.status()).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(completion.attempts()).as("settled within the attempt").isEqualTo(1);
    assertThat(lastAttempt(completion).errorMessage())
        .isEqualTo(
            path + " changed at the server since version 3 (now 4): re-read and applied our change"
                + " on top");
    assertThat(activity.ifMatches("PUT", path))
        .as("each PUT carries the version just read")
        .containsExactly("W/\"2\"", "W/\"3\"", "W/\"4\"");
    assertThat(app.deliveries().externalIds(CONNECTOR))
        .containsEntry(booked.id(), path + "/_history/5");
    assertThat(reconcile(false).summary().drift()).isZero();
  }

  @Test
  void under_fail_a_completion_refused_for_another_clients_change_is_dead_with_a_clear_reason_and_later_changes_park() {
    start("fail", false);
    Appointment booked = book();
    quiet();
    String path = appointmentPath(remote(booked.id()));
    activity.beforeNextPut(path, () -> editAtServer(booked.id(), remote -> remote.setComment("wheelchair access")));

    app.scheduling().complete(booked.id(), DOSE, null, null);
    awaitStatus(booked.id(), 2, DeliveryStatus.DEAD);
    app.scheduling().complete(booked.id(), CORRECTED, null, null);
    awaitStatus(booked.id(), 3, DeliveryStatus.PARKED);

    Delivery dead = delivery(booked.id(), 2);
    assertThat(dead.attempts()).as("not retried").isEqualTo(1);
    assertThat(dead.lastHttpStatus()).isEqualTo(409);
    assertThat(dead.lastError())
        .startsWith(path + " changed at the server since version 1 (now 2) (HTTP 409 from PUT " + path)
        .contains("HAPI-0989")
        .contains("onVersionConflict is fail")
        .contains("replay the delivery");
    assertThat(lastAttempt(dead).errorClass()).isEqualTo("VersionConflict");
    org.hl7.fhir.r4.model.Appointment remote = remote(booked.id());
    assertThat(remote.getStatus()).isEqualTo(org.hl7.fhir.r4.model.Appointment.AppointmentStatus.BOOKED);
    assertThat(remote.getMeta().getVersionId()).as("their version left alone").isEqualTo("2");
    assertThat(activity.ifMatches("PUT", path))
        .as("one PUT, not a stale version again and again")
        .containsExactly("W/\"1\"");
  }

  @Test
  void a_replay_of_the_dead_completion_applies_it_over_their_change_and_releases_the_parked_one() {
    start("fail", false);
    Appointment booked = book();
    quiet();
    String path = appointmentPath(remote(booked.id()));
    activity.beforeNextPut(path, () -> editAtServer(booked.id(), remote -> remote.setComment("wheelchair access")));
    app.scheduling().complete(booked.id(), DOSE, null, null);
    awaitStatus(booked.id(), 2, DeliveryStatus.DEAD);
    app.scheduling().complete(booked.id(), CORRECTED, null, null);
    awaitStatus(booked.id(), 3, DeliveryStatus.PARKED);

    assertThat(app.deliveries().replay(delivery(booked.id(), 2).id(), Instant.now())).isTrue();
    awaitStatus(booked.id(), 3, DeliveryStatus.SUCCEEDED);

    assertThat(delivery(booked.id(), 2).status()).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(lastAttempt(delivery(booked.id(), 2)).errorMessage())
        .contains("the delivery was replayed");
    org.hl7.fhir.r4.model.Appointment remote = remote(booked.id());
    assertThat(remote.getStatus()).isEqualTo(org.hl7.fhir.r4.model.Appointment.AppointmentStatus.FULFILLED);
    assertThat(remote.getComment()).isEqualTo("wheelchair access");
    assertThat(activity.ifMatches("PUT", path))
        .as("the replay reads first and sends the version it read")
        .containsExactly("W/\"1\"", "W/\"2\"", "W/\"3\"");
    assertThat(reconcile(false).summary().drift()).isZero();
  }

  @Test
  void a_repair_of_a_completion_dead_for_a_conflict_applies_the_emr_state_and_a_second_run_finds_no_drift() {
    start("fail", false);
    Appointment booked = book();
    quiet();
    editAtServer(booked.id(), remote -> remote.setComment("wheelchair access"));
    app.scheduling().complete(booked.id(), DOSE, null, null);
    awaitStatus(booked.id(), 2, DeliveryStatus.DEAD);

    Reconciliation first = reconcile(true);

    assertThat(first.differences())
        .singleElement()
        .satisfies(
            difference -> {
              assertThat(difference.appointmentId()).isEqualTo(booked.id());
              assertThat(difference.fields())
                  .containsExactly(new Difference.Field("status", "completed", "booked"));
              assertThat(difference.truth()).isEqualTo(Difference.TRUTH_EMR);
              assertThat(difference.repair().action()).isEqualTo(Difference.Repair.DELIVERY);
              assertThat(difference.repair().eventType()).isEqualTo(EventTypes.COMPLETED);
            });
    quiet();
    org.hl7.fhir.r4.model.Appointment remote = remote(booked.id());
    assertThat(remote.getStatus()).isEqualTo(org.hl7.fhir.r4.model.Appointment.AppointmentStatus.FULFILLED);
    assertThat(remote.getComment()).as("their element is kept").isEqualTo("wheelchair access");
    assertThat(delivery(booked.id(), 2).status())
        .as("superseded by the corrective delivery")
        .isEqualTo(DeliveryStatus.DISCARDED);
    assertThat(delivery(booked.id(), 3).status()).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(activity.ifMatches("PUT", appointmentPath(remote)))
        .as("the dead completion found the conflict by reading; the repair sends the version read")
        .containsExactly("W/\"2\"");

    Reconciliation second = reconcile(false);

    assertThat(second.summary().drift()).isZero();
    assertThat(second.summary().inSync()).isEqualTo(1);
  }

  // ---- a lost answer ----

  @Test
  void a_lost_answer_then_another_clients_change_is_settled_by_reading_without_writing_again() {
    start("fail", false);
    Appointment booked = book();
    Slot later = slot();
    quiet();
    String path = appointmentPath(remote(booked.id()));
    // The PUT is applied, then its answer is lost; meanwhile another client changes the result.
    activity.beforeNextPut(
        path,
        () ->
            proxy.dropNextResponse(
                () -> editAtServer(booked.id(), remote -> remote.setComment("wheelchair access"))));

    app.scheduling().reschedule(booked.id(), later.id(), null, null);
    quiet();

    Delivery reschedule = delivery(booked.id(), EventTypes.RESCHEDULED);
    assertThat(reschedule.status()).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(reschedule.attempts()).isEqualTo(2);
    assertThat(lastAttempt(reschedule).errorMessage())
        .contains("already shows this change at version 3");
    app.scheduling().complete(booked.id(), DOSE, null, null);
    quiet();
    org.hl7.fhir.r4.model.Appointment remote = remote(booked.id());
    assertThat(remote.getStatus()).isEqualTo(org.hl7.fhir.r4.model.Appointment.AppointmentStatus.FULFILLED);
    assertThat(remote.getStart().toInstant()).isEqualTo(later.start());
    assertThat(remote.getComment()).isEqualTo("wheelchair access");
    assertThat(remote.getMeta().getVersionId())
        .as("create, our reschedule, their change, our completion: nothing written twice")
        .isEqualTo("4");
    assertThat(activity.ifMatches("PUT", path))
        .as("the retry read and found our change: no second PUT")
        .containsExactly("W/\"1\"", "W/\"3\"");
  }

  // ---- the circuit breaker ----

  @Test
  void a_run_of_version_conflicts_leaves_the_circuit_closed() {
    start("reapply", false, "circuitBreaker: { failureRatePercent: 50, minimumCalls: 2, window: 4, openFor: 10m }");
    List<Appointment> booked = List.of(book(), book(), book());
    quiet();
    AtomicInteger edits = new AtomicInteger();
    for (Appointment appointment : booked) {
      activity.beforeEveryPut(
          appointmentPath(remote(appointment.id())),
          () ->
              editAtServer(
                  appointment.id(),
                  remote -> remote.setComment("edited " + edits.incrementAndGet())));
    }

    for (Appointment appointment : booked) {
      app.scheduling().complete(appointment.id(), null, null, null);
    }
    for (Appointment appointment : booked) {
      awaitStatus(appointment.id(), 2, DeliveryStatus.DEAD);
    }

    CircuitBreaker breaker = app.breakers().get(CONNECTOR);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
    for (Appointment appointment : booked) {
      Delivery dead = delivery(appointment.id(), 2);
      assertThat(dead.attempts()).as("every attempt was let through").isEqualTo(3);
      assertThat(dead.lastHttpStatus()).isEqualTo(409);
      assertThat(lastAttempt(dead).errorClass()).isEqualTo("VersionConflict");
    }

    activity.calm();
    for (Appointment appointment : booked) {
      app.deliveries().replay(delivery(appointment.id(), 2).id(), Instant.now());
    }
    quiet();
    for (Appointment appointment : booked) {
      assertThat(remote(appointment.id()).getStatus())
          .isEqualTo(org.hl7.fhir.r4.model.Appointment.AppointmentStatus.FULFILLED);
    }
  }

  // ---- Slots ----

  @Test
  void slot_conflicts_are_settled_on_the_version_read_keeping_their_elements() {
    start("fail", true);
    Slot nine = slot();
    String slotPath = "Slot/" + slotAtServer(nine).getIdElement().getIdPart();
    activity.beforeNextPut(slotPath, () -> editSlotAtServer(nine, "checked by the front desk"));

    Appointment booked = app.scheduling().book(patient.id(), nine.id(), null);
    quiet();

    org.hl7.fhir.r4.model.Slot busy = slotAtServer(nine);
    assertThat(busy.getStatus()).isEqualTo(org.hl7.fhir.r4.model.Slot.SlotStatus.BUSY);
    assertThat(busy.getComment()).isEqualTo("checked by the front desk");
    assertThat(remote(booked.id()).getSlotFirstRep().getReference()).isEqualTo(slotPath);
    assertThat(lastAttempt(delivery(booked.id(), EventTypes.CREATED)).errorMessage())
        .contains(slotPath + " changed at the server since version 1 (now 2)");

    activity.beforeNextPut(slotPath, () -> editSlotAtServer(nine, "rechecked"));
    app.scheduling().cancel(booked.id(), "patient called", null, null);
    quiet();

    org.hl7.fhir.r4.model.Slot free = slotAtServer(nine);
    assertThat(free.getStatus()).isEqualTo(org.hl7.fhir.r4.model.Slot.SlotStatus.FREE);
    assertThat(free.getComment()).isEqualTo("rechecked");
    assertThat(delivery(booked.id(), EventTypes.CANCELLED).status())
        .isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(activity.ifMatches("PUT", slotPath))
        .as("each retry carries the version just read")
        .containsExactly("W/\"1\"", "W/\"2\"", "W/\"3\"", "W/\"4\"");
  }

  // ---- set-up and helpers ----

  private void start(String onVersionConflict, boolean slotEvents) {
    start(onVersionConflict, slotEvents, "circuitBreaker: { enabled: false }");
  }

  private void start(String onVersionConflict, boolean slotEvents, String breaker) {
    this.slotEvents = slotEvents;
    db = TestDatabases.h2();
    proxy = DroppingProxy.to(server().getPort());
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
            baseUrl: http://127.0.0.1:%d/fhir
            timeouts: { connect: 1s, request: 10s }
            retry: { maxAttempts: 3, initialBackoff: 50ms, maxBackoff: 100ms }
            %s
            routes:
              appointment.created: {}
              appointment.rescheduled: {}
              appointment.cancelled: {}
              appointment.completed: {}
            fhir:
              onVersionConflict: %s
              slotEvents: %s
        """
            .formatted(
                db.url(), db.user(), CONNECTOR, proxy.port(), breaker, onVersionConflict,
                slotEvents);
    try {
      Path config = Files.writeString(dir.resolve("hms-sync.yaml"), yaml);
      app =
          SyncApp.create(
                  ConfigLoader.load(config, Map.of()), Clock.systemUTC(), DeliveryObserver.NONE)
              .startEngine();
    } catch (IOException failure) {
      throw new IllegalStateException("cannot write the test config: " + failure, failure);
    }
    FhirContext context = FhirContext.forR4Cached();
    context.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
    other = context.newRestfulGenericClient(server().toString());
    clinic = app.scheduling().createLocation("CLINIC-A", "Clinic A");
    patient =
        app.scheduling().createPatient("MRN-7", "Ada", "Lovelace", LocalDate.of(1990, 1, 1));
  }

  /**
   * A slot of its own hour on this scenario's day, with room for three; with slot events, a free
   * FHIR Slot for it at the server too.
   */
  private Slot slot() {
    Instant start = day.plus(Duration.ofHours(hours.getAndIncrement()));
    Slot slot = app.scheduling().createSlot(clinic.id(), start, start.plusSeconds(900), 3);
    if (slotEvents) {
      org.hl7.fhir.r4.model.Slot resource = new org.hl7.fhir.r4.model.Slot();
      resource.addIdentifier().setSystem("urn:hms-sync:slot").setValue(slot.id());
      resource.setStatus(org.hl7.fhir.r4.model.Slot.SlotStatus.FREE);
      resource
          .getSchedule()
          .setIdentifier(new Identifier().setSystem("urn:example:schedule").setValue("clinic-a"));
      resource.setStart(java.util.Date.from(slot.start()));
      resource.setEnd(java.util.Date.from(slot.end()));
      other.create().resource(resource).execute();
    }
    return slot;
  }

  private Appointment book() {
    return app.scheduling().book(patient.id(), slot().id(), null);
  }

  /** Our Appointment at the server, found by our identifier. */
  org.hl7.fhir.r4.model.Appointment remote(String appointmentId) {
    return (org.hl7.fhir.r4.model.Appointment)
        only(search("Appointment", "urn:hms-sync:appointment", appointmentId));
  }

  /** Another client's change: read, change, update with If-Match of the version read. */
  void editAtServer(String appointmentId, Consumer<org.hl7.fhir.r4.model.Appointment> change) {
    org.hl7.fhir.r4.model.Appointment remote = remote(appointmentId);
    String version = remote.getMeta().getVersionId();
    change.accept(remote);
    other
        .update()
        .resource(remote)
        .withAdditionalHeader("If-Match", "W/\"" + version + "\"")
        .execute();
  }

  /** The FHIR Slot of an EMR slot, found by its identifier. */
  private org.hl7.fhir.r4.model.Slot slotAtServer(Slot slot) {
    return (org.hl7.fhir.r4.model.Slot) only(search("Slot", "urn:hms-sync:slot", slot.id()));
  }

  private void editSlotAtServer(Slot slot, String comment) {
    org.hl7.fhir.r4.model.Slot found = slotAtServer(slot);
    String version = found.getMeta().getVersionId();
    found.setComment(comment);
    other
        .update()
        .resource(found)
        .withAdditionalHeader("If-Match", "W/\"" + version + "\"")
        .execute();
  }

  private List<Resource> search(String type, String system, String value) {
    Bundle bundle =
        other
            .search()
            .forResource(type)
            .where(new TokenClientParam("identifier").exactly().systemAndCode(system, value))
            .cacheControl(new CacheControlDirective().setNoCache(true))
            .returnBundle(Bundle.class)
            .execute();
    List<Resource> found = new ArrayList<>();
    bundle.getEntry().forEach(entry -> found.add(entry.getResource()));
    return found;
  }

  private static Resource only(List<Resource> found) {
    assertThat(found).as("exactly one resource with our identifier").hasSize(1);
    return found.get(0);
  }

  private static String appointmentPath(org.hl7.fhir.r4.model.Appointment remote) {
    return "Appointment/" + remote.getIdElement().getIdPart();
  }

  private Reconciliation reconcile(boolean repair) {
    return app.reconciler().run(CONNECTOR, day, day.plus(Duration.ofDays(1)), repair, "test");
  }

  private Delivery delivery(String appointmentId, long sequence) {
    return app.deliveries().list(null, CONNECTOR, appointmentId, 20).stream()
        .filter(delivery -> delivery.sequence() == sequence)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no delivery of sequence " + sequence));
  }

  private Delivery delivery(String appointmentId, String eventType) {
    return app.deliveries().list(null, CONNECTOR, appointmentId, 20).stream()
        .filter(delivery -> delivery.eventType().equals(eventType))
        .reduce((first, last) -> last)
        .orElseThrow(() -> new AssertionError("no " + eventType + " delivery"));
  }

  private Attempt lastAttempt(Delivery delivery) {
    List<Attempt> attempts = app.deliveries().attempts(delivery.id());
    return attempts.get(attempts.size() - 1);
  }

  private void awaitStatus(String appointmentId, long sequence, DeliveryStatus status) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(delivery(appointmentId, sequence).status()).isEqualTo(status));
  }

  /** No delivery of the connector waits for an attempt. */
  private void quiet() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                app.deliveries().list(DeliveryStatus.PENDING, CONNECTOR, null, 1).isEmpty()
                    && app.deliveries().list(DeliveryStatus.RETRYING, CONNECTOR, null, 1).isEmpty());
  }

  /**
   * Records the connector's requests (method, resource, If-Match) and plays another client that
   * changes a resource just before the connector's PUT of it arrives. Acts on requests with our
   * User-Agent only, and only on the resources a scenario names.
   */
  @Interceptor
  public static final class ServerActivity {
    private record Request(String method, String resource, String ifMatch) {}

    private record Change(Runnable change, AtomicInteger times) {}

    private final List<Request> ours = new CopyOnWriteArrayList<>();
    private final Map<String, Change> beforePut = new ConcurrentHashMap<>();

    /** Before the connector's next PUT of {@code resource} (e.g. {@code Slot/12}), runs it. */
    void beforeNextPut(String resource, Runnable change) {
      beforePut.put(resource, new Change(change, new AtomicInteger(1)));
    }

    /** Before each of the connector's PUTs of {@code resource}, runs it. */
    void beforeEveryPut(String resource, Runnable change) {
      beforePut.put(resource, new Change(change, new AtomicInteger(Integer.MAX_VALUE)));
    }

    /** No more changes by the other client. */
    void calm() {
      beforePut.clear();
    }

    /** The If-Match headers of the connector's requests of this method and resource, in order. */
    List<String> ifMatches(String method, String resource) {
      return ours.stream()
          .filter(request -> request.method().equals(method) && request.resource().equals(resource))
          .map(Request::ifMatch)
          .toList();
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public boolean arrived(RequestDetails details) {
      String agent = details.getHeader("User-Agent");
      if (agent == null || !agent.startsWith("hms-sync/")) {
        return true;
      }
      String resource =
          details.getResourceName()
              + (details.getId() == null || !details.getId().hasIdPart()
                  ? ""
                  : "/" + details.getId().getIdPart());
      ours.add(new Request(details.getRequestType().name(), resource, details.getHeader("If-Match")));
      Change change = beforePut.get(resource);
      if (details.getRequestType() == RequestTypeEnum.PUT
          && change != null
          && change.times().getAndDecrement() > 0) {
        change.change().run();
      }
      return true;
    }
  }
}
