package org.hms.sync.convergence;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.config.SyncConfig;
import org.hms.sync.convergence.Action.DeliverWebhooks;
import org.hms.sync.convergence.Action.EmrBook;
import org.hms.sync.convergence.Action.EmrCancel;
import org.hms.sync.convergence.Action.EmrComplete;
import org.hms.sync.convergence.Action.EmrReschedule;
import org.hms.sync.convergence.Action.Fate;
import org.hms.sync.convergence.Action.IisBackUp;
import org.hms.sync.convergence.Action.IisCancel;
import org.hms.sync.convergence.Action.IisDegraded;
import org.hms.sync.convergence.Action.IisDown;
import org.hms.sync.convergence.Action.IisReschedule;
import org.hms.sync.convergence.Action.PortalBooking;
import org.hms.sync.convergence.Action.Restart;
import org.hms.sync.convergence.Http.Reply;
import org.hms.sync.delivery.DeliveryObserver;
import org.hms.sync.inbound.webhook.WebhookVerifier;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.SimAppointment;
import org.hms.sync.simulator.SimulatorOptions;

/**
 * One try's world: a fresh stand-in IIS (no webhook target: this class sends the IIS's webhooks
 * itself, so it can drop, duplicate and reorder them) and the whole service on a fresh in-memory H2
 * database, with the demo's {@code state-iis} REST connector and its mappings. The service can be
 * restarted on the same database. Everything goes through HTTP, as clients would, except the
 * external-id table read for matching at the end.
 */
final class Harness implements AutoCloseable {
  static final String CONNECTOR = "state-iis";
  private static final String ADMIN_TOKEN = "convergence-admin-token";
  private static final String IIS_TOKEN = "convergence-iis-token";
  /** whsec_ + base64 of 32 bytes. */
  private static final String SECRET = "whsec_Y29udmVyZ2VuY2UtcHJvcGVydHktc2VjcmV0LTMyYg==";
  private static final Path DEMO = Path.of("examples/demo").toAbsolutePath();
  /** Long enough for a restart, a lease and a few retries on a busy 2-core machine. */
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final List<String> CLINICS = List.of("CONV-A", "CONV-B");
  private static final int SLOTS_PER_CLINIC = 3;
  private static final int PATIENTS = 3;

  /** An EMR slot as made at set-up. */
  record SlotInfo(String id, String locationId, String clinicCode, Instant start, Instant end) {
    @Override
    public String toString() {
      return clinicCode + "@" + start;
    }
  }

  /** An EMR patient as made at set-up (test data, not PHI). */
  record PatientInfo(String id, String mrn, String givenName, String familyName, String birthDate) {}

  /**
   * One way the calendars differ: its kind ("differ", "only at the IIS", "only in the EMR",
   * "doubled", "dangling"), the EMR's and the IIS's ids where known, and a description.
   */
  record Difference(String kind, String appointmentId, String externalId, String text) {
    @Override
    public String toString() {
      return kind + ": " + text;
    }
  }

  /** A webhook the IIS would send for one of its own changes; the test decides its fate. */
  record Webhook(String webhookId, String body, String describe) {}

  private final String conflictPolicy;
  private final int capacity;
  private final Path dir;
  private final String databaseUrl;
  private final IisSimulator iis;
  private final Http iisHttp;
  private final List<SlotInfo> slots = new ArrayList<>();
  private final List<PatientInfo> patients = new ArrayList<>();
  private final Map<String, String> clinicOfLocation = new HashMap<>();
  /** EMR appointments booked through the API, in booking order. */
  private final List<String> emrBooked = new ArrayList<>();
  private final List<Webhook> pending = new ArrayList<>();
  private final List<String> journal = new ArrayList<>();
  private SyncConfig config;
  private SyncApp app;
  private Http api;
  private int restarts;
  private int iisChanges;
  private int skipped;

  private Harness(String conflictPolicy, int capacity, Path dir, IisSimulator iis) {
    this.conflictPolicy = conflictPolicy;
    this.capacity = capacity;
    this.dir = dir;
    this.databaseUrl = "jdbc:h2:mem:convergence-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    this.iis = iis;
    this.iisHttp = new Http(URI.create("http://127.0.0.1:" + iis.port() + "/"), IIS_TOKEN);
  }

  /**
   * Starts the IIS and the service, and makes two clinics with three slots each (each of
   * {@code capacity}) and three patients.
   */
  static Harness start(String conflictPolicy, int capacity) {
    Path dir;
    try {
      dir = Files.createTempDirectory("convergence-");
    } catch (IOException failure) {
      throw new UncheckedIOException(failure);
    }
    Harness harness =
        new Harness(
            conflictPolicy,
            capacity,
            dir,
            IisSimulator.start(SimulatorOptions.defaults().withRequiredToken(IIS_TOKEN)));
    try {
      harness.config = ConfigLoader.load(harness.writeConfig(), Map.of());
      harness.startService();
      harness.setUp();
      return harness;
    } catch (IOException failure) {
      harness.close();
      throw new UncheckedIOException(failure);
    } catch (RuntimeException failure) {
      harness.close();
      throw failure;
    }
  }

  /** Whether this build has reconciliation: the demo ships the list route's mapping with it. */
  static boolean reconciliationShipped() {
    return Files.exists(DEMO.resolve("iis-list.jsonata"));
  }

  private Path writeConfig() throws IOException {
    String listRoute =
        reconciliationShipped()
            ? """
                  list:
                    method: GET
                    path: /appointments?from={from}&to={to}
                    items: /items
                    mapping: "%s"
            """
                .formatted(DEMO.resolve("iis-list.jsonata"))
            : "";
    String reconcile =
        reconciliationShipped()
            ? """
                reconcile:
                  lookBack: 1d
                  lookAhead: 30d
            """
            : "";
    String yaml =
        """
        server:
          port: 0
        database:
          url: "%s"
        engine:
          pollInterval: 200ms
          lease: 5s
        connectors:
          - id: %s
            type: rest
            baseUrl: %s
            auth:
              type: bearer
              token: %s
            timeouts:
              connect: 1s
              request: 3s
            retry:
              maxAttempts: 12
              initialBackoff: 200ms
              maxBackoff: 2s
            headers:
              X-Facility-Id: county-clinic-12
            inbound:
              conflictPolicy: %s
              webhook:
                secrets: [ "%s" ]
                mapping: "%s"
            routes:
              appointment.created:
                method: POST
                path: /appointments
                mapping: "%s"
                externalId: /id
              appointment.rescheduled:
                method: PUT
                path: /appointments/{externalId}
                mapping: "%s"
              appointment.cancelled:
                method: DELETE
                path: /appointments/{externalId}
              appointment.completed:
                method: PUT
                path: /appointments/{externalId}
                mapping: "%s"
        %s%s"""
            .formatted(
                databaseUrl,
                CONNECTOR,
                iis.baseUrl(),
                IIS_TOKEN,
                conflictPolicy,
                SECRET,
                DEMO.resolve("iis-inbound.jsonata"),
                DEMO.resolve("iis-appointment.jsonata"),
                DEMO.resolve("iis-appointment.jsonata"),
                DEMO.resolve("iis-appointment.jsonata"),
                listRoute,
                reconcile);
    return Files.writeString(dir.resolve("hms-sync.yaml"), yaml);
  }

  private void startService() {
    app = SyncApp.create(config, Clock.systemUTC(), DeliveryObserver.NONE);
    app.startEngine();
    app.startServer(ADMIN_TOKEN);
    api = new Http(URI.create("http://127.0.0.1:" + app.port() + "/"), ADMIN_TOKEN);
  }

  private void setUp() {
    // Slots a couple of days ahead: inside any default reconciliation window.
    Instant first = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofDays(2));
    for (String code : CLINICS) {
      String locationId =
          created(api.post("api/locations", Http.json("code", code, "name", "Clinic " + code)));
      clinicOfLocation.put(locationId, code);
      for (int index = 0; index < SLOTS_PER_CLINIC; index++) {
        Instant start = first.plus(Duration.ofHours(index));
        Instant end = start.plus(Duration.ofMinutes(15));
        String slotId =
            created(
                api.post(
                    "api/slots",
                    Http.json(
                        "locationId", locationId, "start", start.toString(), "end", end.toString(),
                        "capacity", capacity)));
        slots.add(new SlotInfo(slotId, locationId, code, start, end));
      }
    }
    for (int index = 1; index <= PATIENTS; index++) {
      String mrn = "CONV-" + index;
      String given = "Test" + index;
      String family = "Patient";
      String birthDate = "1980-01-0" + index;
      String patientId =
          created(
              api.post(
                  "api/patients",
                  Http.json(
                      "mrn", mrn, "givenName", given, "familyName", family, "birthDate",
                      birthDate)));
      patients.add(new PatientInfo(patientId, mrn, given, family, birthDate));
    }
  }

  private static String created(Reply reply) {
    if (reply.status() != 201) {
      throw new AssertionError("set-up request failed: " + reply);
    }
    return reply.json().path("id").asText();
  }

  // ---------------------------------------------------------------------------------------------
  // Steps

  /** Runs one step; in {@code sequential} mode every IIS change is delivered at once, exactly once. */
  void run(Action action, boolean sequential) {
    if (action instanceof EmrBook book) {
      PatientInfo patient = patients.get(book.patient() % patients.size());
      SlotInfo slot = slots.get(book.slot() % slots.size());
      Reply reply =
          api.post("api/appointments", Http.json("patientId", patient.id(), "slotId", slot.id()));
      if (reply.status() == 201) {
        emrBooked.add(reply.json().path("id").asText());
      }
      note(action, "EMR book " + patient.mrn() + " into " + slot, reply);
    } else if (action instanceof EmrReschedule move) {
      if (emrBooked.isEmpty()) {
        skip(action, "no EMR appointment yet");
        return;
      }
      String appointment = emrBooked.get(move.appointment() % emrBooked.size());
      SlotInfo slot = slots.get(move.slot() % slots.size());
      Reply reply =
          api.post(
              "api/appointments/" + appointment + "/reschedule", Http.json("slotId", slot.id()));
      note(action, "EMR reschedule " + shortId(appointment) + " to " + slot, reply);
    } else if (action instanceof EmrCancel cancel) {
      if (emrBooked.isEmpty()) {
        skip(action, "no EMR appointment yet");
        return;
      }
      String appointment = emrBooked.get(cancel.appointment() % emrBooked.size());
      Reply reply =
          api.post(
              "api/appointments/" + appointment + "/cancel", Http.json("reason", "nurse cancelled"));
      note(action, "EMR cancel " + shortId(appointment), reply);
    } else if (action instanceof EmrComplete complete) {
      if (emrBooked.isEmpty()) {
        skip(action, "no EMR appointment yet");
        return;
      }
      String appointment = emrBooked.get(complete.appointment() % emrBooked.size());
      Reply reply = api.post("api/appointments/" + appointment + "/complete", Http.json());
      note(action, "EMR complete " + shortId(appointment), reply);
    } else if (action instanceof IisReschedule move) {
      List<SimAppointment> booked = bookedAtIis();
      if (booked.isEmpty()) {
        skip(action, "no booked appointment at the IIS yet");
        return;
      }
      SimAppointment appointment = booked.get(move.appointment() % booked.size());
      String clinic = String.valueOf(appointment.fields().get("clinicCode"));
      List<SlotInfo> there = slots.stream().filter(slot -> slot.clinicCode().equals(clinic)).toList();
      SlotInfo slot = there.get(move.slot() % there.size());
      Reply reply =
          iisHttp.post(
              "sim/appointments/" + appointment.externalId() + "/reschedule",
              Http.json("slotTime", slot.start().toString(), "slotEnd", slot.end().toString()));
      String what = "IIS reschedule " + appointment.externalId() + " to " + slot;
      journal.add(what + " -> " + reply.status());
      if (reply.status() == 400 && reply.text().contains("only a booked appointment")) {
        // The EMR's cancel or completion reached the IIS between the look and the move: the IIS
        // does not reopen an appointment by moving it.
        skip(action, "no longer booked at the IIS");
        return;
      }
      queueWebhook(reply, what, sequential);
    } else if (action instanceof IisCancel cancel) {
      List<SimAppointment> booked = bookedAtIis();
      if (booked.isEmpty()) {
        skip(action, "no booked appointment at the IIS yet");
        return;
      }
      SimAppointment appointment = booked.get(cancel.appointment() % booked.size());
      Reply reply =
          iisHttp.post(
              "sim/appointments/" + appointment.externalId() + "/cancel",
              Http.json("reason", "cancelled at the IIS"));
      String what = "IIS cancel " + appointment.externalId();
      journal.add(what + " -> " + reply.status());
      queueWebhook(reply, what, sequential);
    } else if (action instanceof PortalBooking booking) {
      if (iis.isDown()) {
        skip(action, "the IIS is down");
        return;
      }
      PatientInfo patient = patients.get(booking.patient() % patients.size());
      SlotInfo slot = slots.get(booking.slot() % slots.size());
      // The body the EMR's own pushes have (examples/demo/iis-appointment.jsonata), without the
      // EMR's appointmentId: the EMR has never heard of this one.
      Reply reply =
          iisHttp.post(
              "api/appointments",
              Http.json(
                  "patient",
                  Map.of(
                      "mrn", patient.mrn(),
                      "givenName", patient.givenName(),
                      "familyName", patient.familyName(),
                      "birthDate", patient.birthDate()),
                  "slotTime", slot.start().toString(),
                  "slotEnd", slot.end().toString(),
                  "clinicCode", slot.clinicCode(),
                  "status", "booked"));
      journal.add("portal books " + patient.mrn() + " at the IIS into " + slot + " -> " + reply.status());
      // 503: the IIS is degraded and the citizen's booking failed; that is all.
      if (reply.status() != 201 && reply.status() != 503) {
        throw new AssertionError("the IIS refused a portal booking: " + reply);
      }
    } else if (action instanceof DeliverWebhooks delivery) {
      deliver(delivery.fates(), delivery.reversed());
    } else if (action instanceof Restart) {
      restart();
    } else if (action instanceof IisDown) {
      iis.goDown(Duration.ofHours(1));
      journal.add("IIS down");
    } else if (action instanceof IisBackUp) {
      iis.comeBack();
      journal.add("IIS back up");
    } else if (action instanceof IisDegraded degraded) {
      iis.setLatency(Duration.ofMillis(degraded.latencyMillis()));
      iis.setFailRate(degraded.failPercent() / 100.0);
      journal.add(
          "IIS degraded: latency " + degraded.latencyMillis() + " ms, "
              + degraded.failPercent() + "% answered 503");
    } else {
      throw new IllegalArgumentException("unknown action " + action);
    }
    if (sequential) {
      awaitQuiescence(Duration.ofMillis(100));
    }
  }

  /**
   * The IIS's booked appointments. Right after a booking its push may still be on the way: when
   * the IIS has none yet while pushes are on the way, wait briefly for one, so that IIS steps act
   * instead of being skipped.
   */
  private List<SimAppointment> bookedAtIis() {
    if (currentlyBookedAtIis().isEmpty() && !emrBooked.isEmpty() && !iis.isDown()) {
      try {
        await("a booked appointment at the IIS")
            .atMost(Duration.ofSeconds(3))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> !currentlyBookedAtIis().isEmpty() || nothingOnTheWay());
      } catch (ConditionTimeoutException none) {
        // their pushes still retrying: the step is skipped
      }
    }
    return currentlyBookedAtIis();
  }

  /** Whether deliveries of the connector are dead or parked: they wait for a person. */
  String stuckDeliveries() {
    JsonNode connector = connectorStatus();
    int dead = connector.path("dead").asInt();
    int parked = connector.path("parked").asInt();
    return dead + parked == 0 ? "none" : "dead " + bucket(dead) + ", parked " + bucket(parked);
  }

  private boolean nothingOnTheWay() {
    JsonNode connector = connectorStatus();
    return connector.path("pending").asInt() == 0 && connector.path("retrying").asInt() == 0;
  }

  private List<SimAppointment> currentlyBookedAtIis() {
    return iis.appointments().stream().filter(found -> found.status().equals("booked")).toList();
  }

  private void queueWebhook(Reply change, String what, boolean sequential) {
    if (change.status() != 200) {
      throw new AssertionError("the IIS refused its own change (" + what + "): " + change);
    }
    iisChanges++;
    JsonNode body = change.json();
    Webhook webhook = new Webhook("msg_" + body.path("changeId").asText(), change.text(), what);
    pending.add(webhook);
    if (sequential) {
      deliver(List.of(Fate.DELIVER), false);
    }
  }

  /** Sends the pending webhooks, each meeting the next of {@code fates}, cycled. */
  private void deliver(List<Fate> fates, boolean reversed) {
    List<Webhook> batch = new ArrayList<>(pending);
    if (reversed) {
      Collections.reverse(batch);
    }
    pending.clear();
    List<String> fatesMet = new ArrayList<>();
    for (int index = 0; index < batch.size(); index++) {
      Webhook webhook = batch.get(index);
      Fate fate = fates.get(index % fates.size());
      fatesMet.add(webhook.webhookId() + " " + fate);
      switch (fate) {
        case DELIVER -> send(webhook);
        case DUPLICATE -> {
          send(webhook);
          send(webhook);
        }
        case RESEND_AS_NEW -> {
          send(webhook);
          send(new Webhook(webhook.webhookId() + "-again", webhook.body(), webhook.describe()));
        }
        case DROP -> { }
        case HOLD -> pending.add(webhook);
        default -> throw new IllegalStateException("unexpected fate " + fate);
      }
    }
    journal.add("webhooks " + (reversed ? "reversed " : "") + fatesMet);
  }

  private void send(Webhook webhook) {
    byte[] body = webhook.body().getBytes(StandardCharsets.UTF_8);
    long timestamp = Instant.now().getEpochSecond();
    Reply reply =
        api.postSigned(
            "webhooks/" + CONNECTOR,
            body,
            "webhook-id", webhook.webhookId(),
            "webhook-timestamp", Long.toString(timestamp),
            "webhook-signature",
                WebhookVerifier.sign(SECRET, webhook.webhookId(), timestamp, body));
    // 202: stored; 200: a duplicate webhook-id, nothing stored. Anything else means the harness
    // signed or shaped it wrong, or the service refused a webhook the IIS really sends.
    if (reply.status() != 202 && reply.status() != 200) {
      throw new AssertionError(
          "webhook " + webhook.webhookId() + " (" + webhook.describe() + ") refused: " + reply);
    }
  }

  /** Stops the whole service (server, engine, inbox processor) and starts it on the same database. */
  void restart() {
    app.close();
    restarts++;
    startService();
    journal.add("restart #" + restarts);
  }

  /** Counts of what the scenario did, for the property's statistics. */
  String profile() {
    return "IIS changes " + bucket(iisChanges) + ", restarts " + bucket(restarts) + ", skipped "
        + bucket(skipped);
  }

  private static String bucket(int count) {
    return count == 0 ? "0" : count <= 2 ? "1-2" : "3+";
  }

  /** Records an EMR API answer; a 5xx is a failure of the service, whatever the step. */
  private void note(Action action, String what, Reply reply) {
    journal.add(what + " -> " + reply.status());
    if (reply.status() >= 500) {
      throw new AssertionError(what + " answered " + reply + " (" + action + ")");
    }
  }

  private void skip(Action action, String why) {
    skipped++;
    journal.add("skipped " + action + ": " + why);
  }

  /** The last 8 characters: ids are UUIDv7, whose first ones are the time of creation. */
  private static String shortId(String id) {
    return id.length() > 8 ? id.substring(id.length() - 8) : id;
  }

  // ---------------------------------------------------------------------------------------------
  // Quiescence and reconciliation

  /**
   * Waits until nothing is left to do: no delivery of the connector pending or retrying, and no
   * inbox item received or failed with a retry to come; true for {@code steady} without a break.
   * Dead and parked deliveries, and failed items with no retry left, wait for a person: they do
   * not count as work in progress.
   */
  void awaitQuiescence(Duration steady) {
    if (iis.isDown()) {
      iis.comeBack();
      journal.add("IIS back up (to settle)");
    }
    iis.setLatency(Duration.ZERO);
    iis.setFailRate(0);
    try {
      await("quiescence")
          .atMost(PATIENCE)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .during(steady)
          .until(this::quiet);
    } catch (ConditionTimeoutException stuck) {
      throw new AssertionError(
          "no quiescence within " + PATIENCE + ": " + workInProgress() + "\n" + diagnostics(),
          stuck);
    }
  }

  private boolean quiet() {
    return workInProgress().isEmpty();
  }

  private String workInProgress() {
    List<String> busy = new ArrayList<>();
    JsonNode connector = connectorStatus();
    if (connector.path("pending").asInt() > 0 || connector.path("retrying").asInt() > 0) {
      busy.add(
          "deliveries pending " + connector.path("pending").asInt() + ", retrying "
              + connector.path("retrying").asInt());
    }
    int received = inbox("received").size();
    if (received > 0) {
      busy.add(received + " inbox items received");
    }
    long retrying =
        inbox("failed").stream().filter(item -> !item.path("nextAttemptAt").isNull()).count();
    if (retrying > 0) {
      busy.add(retrying + " inbox items failed, to be retried");
    }
    return String.join(", ", busy);
  }

  private JsonNode connectorStatus() {
    for (JsonNode item : ok(api.get("api/connectors")).path("items")) {
      if (item.path("id").asText().equals(CONNECTOR)) {
        return item;
      }
    }
    throw new AssertionError("GET /api/connectors does not list " + CONNECTOR);
  }

  private List<JsonNode> inbox(String status) {
    return list(
        ok(api.get("api/inbox?connector=" + CONNECTOR + "&status=" + status + "&limit=1000"))
            .path("items"));
  }

  /** The window that holds every slot, with an hour to spare each side. */
  Instant windowFrom() {
    return slots.stream().map(SlotInfo::start).min(Comparator.naturalOrder()).orElseThrow()
        .minus(Duration.ofHours(1));
  }

  Instant windowTo() {
    return slots.stream().map(SlotInfo::end).max(Comparator.naturalOrder()).orElseThrow()
        .plus(Duration.ofHours(1));
  }

  /** {@code POST /api/reconciliations} over every slot; returns the report (status 201). */
  JsonNode reconcile(boolean repair) {
    Reply reply =
        api.post(
            "api/reconciliations",
            Http.json(
                "connector", CONNECTOR,
                "from", windowFrom().toString(),
                "to", windowTo().toString(),
                "repair", repair));
    journal.add("reconcile repair=" + repair + " -> " + reply.status());
    if (reply.status() == 404 && !reconciliationShipped()) {
      throw new AssertionError(
          "reconciliation is not in this build yet (POST /api/reconciliations answered 404 and"
              + " examples/demo/iis-list.jsonata is missing): merge main once it lands.\n"
              + diagnostics());
    }
    if (reply.status() != 201) {
      throw new AssertionError("reconciliation refused: " + reply + "\n" + diagnostics());
    }
    JsonNode report = reply.json();
    journal.add("  report " + report.path("status").asText() + " " + report.path("summary"));
    if (!report.path("status").asText().equals("completed")) {
      throw new AssertionError("reconciliation did not complete: " + report + "\n" + diagnostics());
    }
    return report;
  }

  // ---------------------------------------------------------------------------------------------
  // The end state

  /**
   * Where the two calendars differ, one line each; empty when they agree. Appointments are matched
   * by the EMR's external id for the connector, else by the {@code appointmentId} the EMR pushed.
   * Matched appointments must agree on status and, unless both are cancelled, on start and clinic
   * (the time of a cancelled appointment no longer matters). An appointment on one side only is a
   * difference unless it is cancelled there.
   */
  List<Difference> differences() {
    List<Difference> differences = new ArrayList<>();
    List<JsonNode> emr = emrAppointments();
    Map<String, String> externalIds = externalIds();
    List<SimAppointment> external = iis.appointments();
    Map<String, SimAppointment> externalById = new LinkedHashMap<>();
    external.forEach(found -> externalById.put(found.externalId(), found));
    Set<String> matched = new HashSet<>();
    for (JsonNode appointment : emr) {
      String id = appointment.path("id").asText();
      List<SimAppointment> pushed =
          external.stream().filter(found -> id.equals(found.fields().get("appointmentId"))).toList();
      if (pushed.size() > 1) {
        differences.add(
            new Difference(
                "doubled", id, null,
                "EMR " + id + " is at the IIS " + pushed.size() + " times: "
                    + pushed.stream().map(SimAppointment::externalId).toList()));
      }
      String externalId = externalIds.get(id);
      SimAppointment twin =
          externalId != null
              ? externalById.get(externalId)
              : pushed.isEmpty() ? null : pushed.get(0);
      if (externalId != null && twin == null) {
        differences.add(
            new Difference(
                "dangling", id, externalId,
                "EMR " + id + " has external id " + externalId + ", unknown at the IIS"));
      }
      String status = appointment.path("status").asText();
      if (twin == null) {
        if (!status.equals("cancelled")) {
          differences.add(new Difference("only in the EMR", id, null, describe(appointment)));
        }
        continue;
      }
      matched.add(twin.externalId());
      String externalStatus = twin.status();
      String start = appointment.path("start").asText();
      String clinic = clinicOfLocation.get(appointment.path("locationId").asText());
      String externalStart = String.valueOf(twin.fields().get("slotTime"));
      String externalClinic = String.valueOf(twin.fields().get("clinicCode"));
      boolean bothCancelled = status.equals("cancelled") && externalStatus.equals("cancelled");
      if (!status.equals(externalStatus)
          || (!bothCancelled
              && (!sameInstant(start, externalStart) || !Objects.equals(clinic, externalClinic)))) {
        differences.add(
            new Difference(
                "differ", id, twin.externalId(), describe(appointment) + " vs " + describe(twin)));
      }
    }
    for (SimAppointment appointment : external) {
      if (!matched.contains(appointment.externalId())
          && !appointment.status().equals("cancelled")) {
        differences.add(
            new Difference(
                "only at the IIS", null, appointment.externalId(), describe(appointment)));
      }
    }
    return differences;
  }

  /**
   * Slots whose occupancy breaks a rule: booked above capacity, or a booked count that is not the
   * number of booked appointments in the slot.
   */
  List<String> slotProblems() {
    List<String> problems = new ArrayList<>();
    List<JsonNode> emr = emrAppointments();
    for (SlotInfo slot : slots) {
      JsonNode view = ok(api.get("api/slots/" + slot.id()));
      int booked = view.path("booked").asInt();
      long holding =
          emr.stream()
              .filter(appointment -> appointment.path("slotId").asText().equals(slot.id()))
              .filter(appointment -> !appointment.path("status").asText().equals("cancelled"))
              .count();
      if (booked > view.path("capacity").asInt()) {
        problems.add("slot " + slot + " over capacity: " + view);
      }
      if (booked != holding) {
        problems.add(
            "slot " + slot + " counts " + booked + " booked but holds " + holding
                + " appointments");
      }
    }
    return problems;
  }

  /** Open reviews: conflicts waiting for a person. */
  List<JsonNode> openReviews() {
    return list(ok(api.get("api/reviews?status=open&limit=1000")).path("reviews"));
  }

  int emrAppointmentCount() {
    return emrAppointments().size();
  }

  private List<JsonNode> emrAppointments() {
    return list(ok(api.get("api/appointments?limit=1000")).path("items"));
  }

  /** EMR appointment id to the IIS's id, from the service's external_ref table. */
  private Map<String, String> externalIds() {
    Map<String, String> ids = new HashMap<>();
    try (Connection connection = app.database().dataSource().getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT appointment_id, external_id FROM external_ref WHERE connector_id = ?")) {
      select.setString(1, CONNECTOR);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          ids.put(rows.getString(1), rows.getString(2));
        }
      }
    } catch (SQLException failure) {
      throw new IllegalStateException("cannot read external_ref", failure);
    }
    return ids;
  }

  private String describe(JsonNode appointment) {
    return "EMR " + shortId(appointment.path("id").asText()) + " "
        + appointment.path("status").asText() + " "
        + clinicOfLocation.get(appointment.path("locationId").asText()) + "@"
        + appointment.path("start").asText() + " v" + appointment.path("version").asText();
  }

  private static String describe(SimAppointment appointment) {
    Object emrId = appointment.fields().get("appointmentId");
    return "IIS " + appointment.externalId() + " " + appointment.status() + " "
        + appointment.fields().get("clinicCode") + "@" + appointment.fields().get("slotTime")
        + (emrId == null ? " (portal)" : " (EMR " + shortId(String.valueOf(emrId)) + ")");
  }

  private static boolean sameInstant(String left, String right) {
    try {
      return Instant.parse(left).equals(Instant.parse(right));
    } catch (RuntimeException notInstant) {
      return false;
    }
  }

  /** What happened, for a failure message: the steps, and what the service holds back. */
  String diagnostics() {
    StringBuilder text = new StringBuilder("journal:\n");
    journal.forEach(line -> text.append("  ").append(line).append('\n'));
    text.append("webhooks never sent: ").append(pending.size()).append('\n');
    try {
      for (String status : List.of("dead", "parked")) {
        for (JsonNode delivery :
            list(ok(api.get("api/deliveries?connector=" + CONNECTOR + "&status=" + status))
                .path("items"))) {
          text.append("delivery ").append(status).append(": ")
              .append(delivery.path("eventType").asText()).append(' ')
              .append(shortId(delivery.path("appointmentId").asText())).append(' ')
              .append(delivery.path("lastError").asText()).append('\n');
        }
      }
      for (String status : List.of("rejected", "conflict", "failed")) {
        for (JsonNode item : inbox(status)) {
          text.append("inbox ").append(status).append(": ").append(item.path("webhookId").asText())
              .append(' ').append(item.path("reason").asText()).append('\n');
        }
      }
      text.append("open reviews: ").append(openReviews().size()).append('\n');
      text.append("EMR:\n");
      emrAppointments().forEach(found -> text.append("  ").append(describe(found)).append('\n'));
      text.append("IIS:\n");
      iis.appointments().forEach(found -> text.append("  ").append(describe(found)).append('\n'));
    } catch (RuntimeException | AssertionError unreadable) {
      text.append("(could not read the service's state: ").append(unreadable).append(")\n");
    }
    return text.toString();
  }

  private static JsonNode ok(Reply reply) {
    if (reply.status() != 200) {
      throw new AssertionError("expected 200, got " + reply);
    }
    return reply.json();
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> items = new ArrayList<>();
    array.forEach(items::add);
    return items;
  }

  @Override
  public void close() {
    try {
      if (app != null) {
        app.close();
      }
    } finally {
      iis.close();
      try (Connection connection = DriverManager.getConnection(databaseUrl);
          Statement statement = connection.createStatement()) {
        statement.execute("SHUTDOWN");
      } catch (SQLException ignored) {
        // the in-memory database is gone already
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException ignored) {
        // a temp directory left behind is harmless
      }
    }
  }
}
