package org.hms.sync.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.config.SyncConfig;
import org.hms.sync.delivery.AttemptEvent;
import org.hms.sync.delivery.ConnectorStats;
import org.hms.sync.delivery.DeliveryStatus;
import org.hms.sync.reconcile.Reconciliation;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.AppointmentStatus;
import org.hms.sync.scheduling.Immunization;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.scheduling.SchedulingService;
import org.hms.sync.scheduling.Slot;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.LedgerEntry;
import org.hms.sync.simulator.SimAppointment;
import org.hms.sync.simulator.SimulatorOptions;
import org.hms.sync.simulator.Vaccination;
import org.hms.sync.simulator.fhir.FhirPortal;
import org.hms.sync.simulator.fhir.PortalAppointment;

/**
 * The guided demo: a stand-in IIS, the service on a fresh H2 database, and a nurse's morning
 * (three bookings, a cancellation, a reschedule, a ten-second IIS outage with two more bookings),
 * printed as a timeline and checked side by side at the end.
 */
public final class Demo implements AutoCloseable {
  public static final String CONNECTOR = "state-iis";
  static final String SOAP_CONNECTOR = "state-iis-soap";
  static final String PORTAL_CONNECTOR = "county-portal";
  private static final List<String> CONNECTORS = List.of(CONNECTOR, SOAP_CONNECTOR, PORTAL_CONNECTOR);
  private static final String SOAP_USER = "demo-clinic";
  private static final String SOAP_PASSWORD = "demo-soap-password";
  /** The files of examples/demo that the demo (and the benchmark) copy next to their database. */
  public static final List<String> FILES =
      List.of("hms-sync.yaml", "iis-appointment.jsonata", "iis-inbound.jsonata", "iis-list.jsonata");
  /** The demo's Standard Webhooks secret between the stand-in IIS and the service; not a real one. */
  private static final String WEBHOOK_SECRET = "whsec_ZGVtby1paXMtd2ViaG9vay1zZWNyZXQtMzJieXRlcw==";
  /** A key the service does not know: what a forger would sign with. */
  private static final byte[] FORGER_KEY = "not-the-demo-webhook-secret-key!".getBytes(StandardCharsets.UTF_8);
  private static final String IIS_TOKEN = "demo-iis-token";

  private final PrintStream out;
  private final Duration outage;
  private final Instant started = Instant.now();
  private final Map<String, String> labels = new ConcurrentHashMap<>();
  private IisSimulator iis;
  private FhirPortal portal;
  private SyncApp app;
  private String adminToken;

  public Demo(PrintStream out, Duration outage) {
    this.out = out;
    this.outage = outage;
  }

  /** Runs the scenario; returns true when EMR and IIS end in sync with nothing doubled. */
  public boolean run() throws IOException, InterruptedException {
    Path folder = freshFolder();
    iis =
        IisSimulator.start(
            SimulatorOptions.defaults()
                .withRequiredToken(IIS_TOKEN)
                .withRequiredCredentials(SOAP_USER, SOAP_PASSWORD));
    portal = FhirPortal.start(0);
    adminToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("HMS_DEMO_IIS_URL", iis.baseUrl().toString());
    env.put("HMS_DEMO_IIS_TOKEN", IIS_TOKEN);
    env.put("HMS_DEMO_IIS_SOAP_URL", iis.soapUrl().toString());
    env.put("HMS_DEMO_IIS_SOAP_PASSWORD", SOAP_PASSWORD);
    env.put("HMS_DEMO_PORTAL_URL", portal.baseUrl().toString());
    env.put("HMS_DEMO_DB_URL", "jdbc:h2:file:" + folder.resolve("db/hms-sync").toAbsolutePath());
    env.put("HMS_DEMO_PORT", String.valueOf(apiPort()));
    env.put("HMS_ADMIN_TOKEN", adminToken);
    env.put("HMS_DEMO_WEBHOOK_SECRET", WEBHOOK_SECRET);
    SyncConfig config = ConfigLoader.load(folder.resolve("hms-sync.yaml"), env);
    app = SyncApp.create(config, Clock.systemUTC(), this::onAttempt).startServer(adminToken).startEngine();
    iis.setWebhookTarget(webhookUrl(), WEBHOOK_SECRET);

    out.println();
    out.println("HMS-EMR Sync demo");
    out.println("  data folder   " + folder.toAbsolutePath());
    out.println("  stand-in IIS  " + iis.baseUrl() + "  (ledger: http://127.0.0.1:" + iis.port() + "/sim/ledger)");
    out.println("  SOAP IIS      " + iis.soapUrl() + "  (doses: http://127.0.0.1:" + iis.port() + "/sim/vaccinations)");
    out.println("  IIS changes   http://127.0.0.1:" + iis.port() + "/api/changes  (signed webhooks to " + webhookUrl() + ")");
    out.println("  FHIR portal   " + portal.baseUrl() + "  (try: curl " + portal.baseUrl() + "/Appointment)");
    out.println("  HTTP API      http://127.0.0.1:" + app.port() + "/api   admin token: " + adminToken);
    out.println("  try: curl -H 'Authorization: Bearer " + adminToken + "' http://127.0.0.1:" + app.port() + "/api/connectors");
    out.println();

    SchedulingService emr = app.scheduling();
    Location clinic = emr.createLocation("CLINIC-12", "County Clinic 12");
    Instant morning = LocalDate.now().plusDays(7).atTime(9, 0).toInstant(java.time.ZoneOffset.UTC);
    List<Slot> slots = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Instant start = morning.plus(Duration.ofMinutes(15L * i));
      slots.add(emr.createSlot(clinic.id(), start, start.plus(Duration.ofMinutes(15)), 1));
    }
    List<Patient> patients = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      patients.add(emr.createPatient("DEMO-" + (1000 + i), "Test" + i, "Patient", LocalDate.of(1980 + i, 1, 1)));
    }
    say("EMR", "clinic CLINIC-12 with 6 slots of 15 minutes from " + morning + "; 5 test patients");

    section("A nurse books three appointments");
    Appointment a1 = book(emr, patients.get(0), slots.get(0), "A1");
    Appointment a2 = book(emr, patients.get(1), slots.get(1), "A2");
    Appointment a3 = book(emr, patients.get(2), slots.get(2), "A3");
    settle(Duration.ofSeconds(10));

    section("She cancels A2 and moves A3 to a later slot");
    emr.cancel(a2.id(), "patient called in sick", null, null);
    say("EMR", "cancelled A2 (event appointment.cancelled, seq 2)");
    emr.reschedule(a3.id(), slots.get(5).id(), null, null);
    say("EMR", "rescheduled A3 to " + slots.get(5).start() + " (event appointment.rescheduled, seq 2)");
    settle(Duration.ofSeconds(10));

    section("The IIS goes down for " + outage.toSeconds() + " seconds; two more bookings meanwhile");
    iis.goDown(outage);
    say("IIS", "DOWN (answers 503 Service Unavailable)");
    Appointment a4 = book(emr, patients.get(3), slots.get(1), "A4");
    book(emr, patients.get(4), slots.get(3), "A5");
    Instant back = Instant.now().plus(outage);
    while (Instant.now().isBefore(back)) {
      Thread.sleep(100);
    }
    say("IIS", "back up");
    settle(Duration.ofSeconds(60));

    section("A1's patient gets the dose: the registry hears of it over SOAP (HL7 VXU)");
    emr.complete(
        a1.id(), new Immunization("208", "EK5730", "0.3 mL", "PFR", "IM", "LD", null), null, null);
    say("EMR", "completed A1 with CVX 208 lot EK5730 (event appointment.completed, seq 2)");
    settle(Duration.ofSeconds(60));

    section("The IIS reschedules A4 on its side");
    Instant newStart = morning.plus(Duration.ofHours(2));
    Slot iisSlot = emr.createSlot(clinic.id(), newStart, newStart.plus(Duration.ofMinutes(15)), 1);
    say("EMR", "a free slot at " + iisSlot.start() + " (the time the IIS will pick)");
    boolean inbound = inboundReschedule(a4, iisSlot);

    section("A forged webhook (signed with the wrong key) for A4");
    boolean forgedRejected = forgedWebhook(a4, slots.get(4), newStart);

    section("Reconciliation: the EMR against what the IIS lists for the day");
    Reconciliation check =
        app.reconciler()
            .run(CONNECTOR, morning.minus(Duration.ofHours(12)), morning.plus(Duration.ofHours(12)),
                false, "cli");
    boolean reconciled =
        check.status().equals(Reconciliation.COMPLETED) && check.summary().drift() == 0;
    say("EMR", check.status().equals(Reconciliation.COMPLETED)
        ? check.summary().emr() + " appointments in the EMR, " + check.summary().external()
            + " at the IIS: " + check.summary().inSync() + " in sync, " + check.summary().drift()
            + " drift (report: GET /api/reconciliations/" + check.id() + ")"
        : "reconciliation failed: " + check.error());

    boolean inSync = compare(a1, inbound && forgedRejected && reconciled);
    return inSync;
  }

  /**
   * Has the IIS move A4 on its side and follows the signed webhook: true when the EMR took the
   * IIS's time, sent nothing back to the IIS (echo suppression) and told the portal.
   */
  private boolean inboundReschedule(Appointment a4, Slot iisSlot) throws InterruptedException {
    SchedulingService emr = app.scheduling();
    String externalId = app.deliveries().externalIds(CONNECTOR).get(a4.id());
    if (externalId == null) {
      say("IIS", "A4 never reached the IIS; cannot reschedule it there");
      return false;
    }
    int iisDeliveriesBefore = app.deliveries().list(null, CONNECTOR, a4.id(), 1000).size();
    int ledgerBefore = iis.ledger().size();
    iis.reschedule(externalId, iisSlot.start(), iisSlot.end());
    say("IIS", "a clinician at the IIS moved " + externalId + " (A4) to " + iisSlot.start()
        + "; signed webhook -> POST /webhooks/" + CONNECTOR);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    Instant emrStart = emr.findAppointment(a4.id()).orElseThrow().start();
    while (!emrStart.equals(iisSlot.start()) && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
      emrStart = emr.findAppointment(a4.id()).orElseThrow().start();
    }
    boolean arrived = emrStart.equals(iisSlot.start());
    say("EMR", arrived
        ? "A4 now starts at " + emrStart + " (applied from the IIS's webhook, event appointment.rescheduled)"
        : "A4 still starts at " + emrStart + " after 20 s: the webhook was not applied (see GET /api/inbox)");
    settle(Duration.ofSeconds(30));
    int iisDeliveriesAfter = app.deliveries().list(null, CONNECTOR, a4.id(), 1000).size();
    boolean noEcho = iisDeliveriesAfter == iisDeliveriesBefore && iis.ledger().size() == ledgerBefore;
    say("sync", noEcho
        ? "no delivery back to " + CONNECTOR + " for it: the change came from there (echo suppression)"
        : "ECHO: " + (iisDeliveriesAfter - iisDeliveriesBefore) + " new delivery(ies) to " + CONNECTOR);
    Optional<PortalAppointment> atPortal =
        portal.appointments().stream().filter(remote -> a4.id().equals(remote.identifier())).findFirst();
    boolean portalTold = atPortal.map(remote -> iisSlot.start().equals(remote.start())).orElse(false);
    say("FHIR", "A4 starts at " + atPortal.map(remote -> String.valueOf(remote.start())).orElse("-")
        + (portalTold ? " (heard of the IIS's change through the EMR)" : " (NOT the IIS's new time)"));
    return arrived && noEcho && portalTold;
  }

  /**
   * Sends what a forger would: a well-formed reschedule of A4 signed with a key the service does
   * not know. Returns true when it is refused with 401 and A4 has not moved.
   */
  private boolean forgedWebhook(Appointment a4, Slot target, Instant expectedStart)
      throws IOException, InterruptedException {
    String externalId = app.deliveries().externalIds(CONNECTOR).get(a4.id());
    String body = "{\"changeId\":\"chg-forged\",\"externalId\":\"" + externalId
        + "\",\"appointmentId\":\"" + a4.id() + "\",\"type\":\"rescheduled\",\"slotTime\":\""
        + target.start() + "\",\"slotEnd\":\"" + target.end()
        + "\",\"clinicCode\":\"CLINIC-12\",\"status\":\"booked\"}";
    String id = "msg_forged_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
    long timestamp = Instant.now().getEpochSecond();
    String signature;
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(FORGER_KEY, "HmacSHA256"));
      signature = "v1," + Base64.getEncoder().encodeToString(
          mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException impossible) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", impossible);
    }
    HttpResponse<Void> answer = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(webhookUrl())
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", Long.toString(timestamp))
            .header("webhook-signature", signature)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.discarding());
    say("demo", "POST /webhooks/" + CONNECTOR + " moving A4 to " + target.start()
        + ", signed with a key the service does not know");
    say("EMR", answer.statusCode() == 401 ? "rejected: HTTP 401" : "ACCEPTED: HTTP " + answer.statusCode());
    settle(Duration.ofSeconds(5));
    Instant start = app.scheduling().findAppointment(a4.id()).orElseThrow().start();
    boolean unchanged = start.equals(expectedStart);
    say("EMR", unchanged ? "A4 still starts at " + start + ": nothing changed" : "A4 MOVED to " + start);
    return answer.statusCode() == 401 && unchanged;
  }

  private URI webhookUrl() {
    return URI.create("http://127.0.0.1:" + app.port() + "/webhooks/" + CONNECTOR);
  }

  /** Serves the API until the process is stopped. */
  public void serveForever() throws InterruptedException {
    out.println();
    out.println("The API keeps serving on http://127.0.0.1:" + app.port()
        + "/api (admin token " + adminToken + "); Ctrl-C to stop.");
    Thread.currentThread().join();
  }

  private Appointment book(SchedulingService emr, Patient patient, Slot slot, String label) {
    Appointment appointment = emr.book(patient.id(), slot.id(), null);
    labels.put(appointment.id(), label);
    say("EMR", "booked " + label + " for patient " + patient.mrn() + " at " + slot.start()
        + " (event appointment.created, seq 1)");
    return appointment;
  }

  private void onAttempt(AttemptEvent event) {
    String label = labels.getOrDefault(event.appointmentId(), event.appointmentId().substring(0, 8));
    String verdict;
    if (event.outcome().equals("succeeded")) {
      verdict = "acknowledged " + (event.httpStatus() == null ? "" : "HTTP " + event.httpStatus());
    } else if (event.outcome().equals("retry")) {
      verdict = "failed (" + (event.httpStatus() == null ? "network" : "HTTP " + event.httpStatus())
          + ") -> retry in " + Math.max(0, Duration.between(event.respondedAt(), event.nextAttemptAt()).toMillis()) + " ms";
    } else {
      verdict = "DEAD LETTER (" + (event.httpStatus() == null ? "no answer" : "HTTP " + event.httpStatus())
          + "; see GET /api/deliveries/" + event.deliveryId() + ")";
    }
    say("sync", String.format("%-24s %s seq %d -> %s  attempt %d  %s  (%d ms)",
        event.eventType(), label, event.sequence(), event.connectorId(), event.attempt(), verdict,
        event.durationMs()));
  }

  private void settle(Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      Map<String, ConnectorStats> stats = app.deliveries().stats(CONNECTORS);
      boolean idle = stats.values().stream().allMatch(connector -> connector.backlog() == 0);
      if (idle && app.engine().inFlight() == 0) {
        return;
      }
      Thread.sleep(50);
    }
  }

  private boolean compare(Appointment vaccinated, boolean inboundOk) {
    section("EMR, IIS and portal side by side");
    SchedulingService emr = app.scheduling();
    Map<String, String> externalIds = app.deliveries().externalIds(CONNECTOR);
    Map<String, PortalAppointment> atPortal = new HashMap<>();
    for (PortalAppointment remote : portal.appointments()) {
      atPortal.put(remote.identifier(), remote);
    }
    List<Appointment> appointments = new ArrayList<>(emr.listAppointments(null, null, 1000));
    appointments.sort((x, y) -> labels.getOrDefault(x.id(), "").compareTo(labels.getOrDefault(y.id(), "")));
    String row = "  %-4s %-10s %-21s | %-7s %-10s %-21s | %-10s %-21s | %s%n";
    out.printf(row, "", "EMR", "start", "IIS id", "IIS", "slotTime", "portal", "start", "");
    boolean allMatch = true;
    for (Appointment appointment : appointments) {
      String externalId = externalIds.get(appointment.id());
      Optional<SimAppointment> remote = externalId == null ? Optional.empty() : iis.appointment(externalId);
      String remoteStatus = remote.map(SimAppointment::status).orElse("-");
      String remoteStart = remote.map(r -> String.valueOf(r.fields().get("slotTime"))).orElse("-");
      boolean cancelled = appointment.status() == AppointmentStatus.CANCELLED;
      boolean iisMatch =
          remote.isPresent()
              && remoteStatus.equals(appointment.status().wire())
              && (cancelled || remoteStart.equals(appointment.start().toString()));
      PortalAppointment fhir = atPortal.get(appointment.id());
      String fhirStatus = fhir == null ? "-" : fhir.status();
      String fhirStart = fhir == null || fhir.start() == null ? "-" : fhir.start().toString();
      boolean portalMatch =
          fhir != null
              && fhirStatus.equals(fhirStatus(appointment.status()))
              && (cancelled || fhirStart.equals(appointment.start().toString()));
      allMatch &= iisMatch && portalMatch;
      out.printf(row,
          labels.getOrDefault(appointment.id(), "?"), appointment.status().wire(), appointment.start(),
          externalId == null ? "-" : externalId, remoteStatus, remoteStart, fhirStatus, fhirStart,
          iisMatch && portalMatch ? "in sync" : "DIFFERENT");
    }
    List<LedgerEntry> ledger = iis.ledger();
    long applied = ledger.stream().filter(LedgerEntry::applied).count();
    long refused = ledger.stream().filter(entry -> entry.status() == 503).count();
    long distinctKeys = ledger.stream().filter(LedgerEntry::applied).map(LedgerEntry::idempotencyKey).distinct().count();
    long succeeded = app.deliveries().list(DeliveryStatus.SUCCEEDED, CONNECTOR, null, 1000).size();
    Map<String, ConnectorStats> stats = app.deliveries().stats(CONNECTORS);
    long waiting = stats.values().stream().mapToLong(ConnectorStats::backlog).sum();
    out.println();
    out.println("  IIS ledger: " + ledger.size() + " requests, " + applied + " applied, " + refused
        + " refused during the outage; " + succeeded + " deliveries succeeded, " + waiting
        + " waiting (all connectors)");
    boolean once = applied == succeeded && distinctKeys == applied && waiting == 0;
    boolean portalOnce = portal.appointments().size() == appointments.size();
    out.println("  FHIR portal: " + portal.appointments().size() + " Appointments for "
        + appointments.size() + " EMR appointments (conditional create: never two for one)");

    List<Vaccination> doses = iis.vaccinations();
    out.println("  State registry over SOAP (HL7 VXU): " + doses.size() + " vaccination(s)");
    for (Vaccination dose : doses) {
      out.println("    " + labels.getOrDefault(dose.vaccinationId(), dose.vaccinationId())
          + "  CVX " + dose.cvxCode() + "  lot " + dose.lotNumber() + "  action " + dose.lastAction()
          + "  " + dose.messages() + " message(s)" + (dose.deleted() ? "  (deleted)" : ""));
    }
    Immunization given = emr.findAppointment(vaccinated.id()).orElseThrow().immunization();
    boolean doseMatch =
        doses.size() == 1
            && doses.get(0).vaccinationId().equals(vaccinated.id())
            && doses.get(0).cvxCode().equals(given.cvxCode())
            && doses.get(0).lotNumber().equals(given.lotNumber())
            && doses.get(0).lastAction().equals("A")
            && !doses.get(0).deleted();
    out.println("  From the IIS: " + iis.changes().size() + " change(s) made there, applied in the EMR without"
        + " echo; forged webhook refused: " + (inboundOk ? "yes" : "NO (see above)"));
    boolean ok = allMatch && once && portalOnce && doseMatch && inboundOk && appointments.size() == 5;
    out.println();
    out.println(ok
        ? "VERDICT: IN SYNC - every change reached the IIS and the portal exactly once, in order,"
            + " through the outage; the dose reached the registry as one VXU; the IIS's own"
            + " reschedule came back, signed, and a forged one did not; reconciliation finds no"
            + " drift."
        : "VERDICT: OUT OF SYNC - see the rows marked DIFFERENT above (and GET /api/deliveries).");
    return ok;
  }

  /** The FHIR Appointment status the portal should show for an EMR status. */
  private static String fhirStatus(AppointmentStatus status) {
    return switch (status) {
      case BOOKED -> "booked";
      case CANCELLED -> "cancelled";
      case COMPLETED -> "fulfilled";
    };
  }

  private void section(String title) {
    out.println();
    out.println("== " + title);
  }

  private void say(String who, String what) {
    long millis = Duration.between(started, Instant.now()).toMillis();
    synchronized (out) {
      out.printf("  %6.2fs  %-4s  %s%n", millis / 1000.0, who, what);
    }
  }

  private static int apiPort() {
    try (ServerSocket socket = new ServerSocket(8080)) {
      socket.setReuseAddress(true);
      return 8080;
    } catch (IOException taken) {
      return 0;
    }
  }

  private static Path freshFolder() throws IOException {
    String stamp = LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS)
        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path folder = Path.of("data", "demo-" + stamp);
    for (int i = 2; Files.exists(folder); i++) {
      folder = Path.of("data", "demo-" + stamp + "-" + i);
    }
    Files.createDirectories(folder);
    for (String name : FILES) {
      try (InputStream resource = Demo.class.getResourceAsStream("/examples/demo/" + name)) {
        if (resource == null) {
          throw new IOException("demo resource examples/demo/" + name + " missing from the jar");
        }
        Files.copy(resource, folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return folder;
  }

  @Override
  public void close() {
    if (app != null) {
      app.close();
    }
    if (iis != null) {
      iis.close();
    }
    if (portal != null) {
      portal.close();
    }
  }

}
