package org.hms.sync.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.hms.sync.SyncException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for a State Immunization Information System: its appointment REST API, with a ledger
 * of every request, and its CDC IIS 2011 SOAP service taking HL7 v2.5.1 VXUs, with the
 * immunization records they made; both with switchable faults (outage, random failures, latency).
 * Used by the demo, the integration and crash tests and the throughput benchmark.
 *
 * <p>{@code /api/appointments} takes POST (create), PUT and PATCH (merge), DELETE (cancel, the
 * record is kept) and GET. Requests that change state honour {@code Idempotency-Key} the way Stripe
 * does: the first finished answer is replayed to the same request with {@code Idempotent-Replayed:
 * true} and not applied again; another request under the key gets 422, and 409 while the first is
 * still running (a key is taken on arrival, so that includes its injected latency). Answers of 503
 * are never stored, so a retry after a fault is applied. Authentication, outage and fail rate are
 * decided on arrival; every answer, refusals included, waits out the latency. {@code /sim}
 * endpoints inspect and steer the simulator.
 *
 * <p>The IIS also changes appointments on its own side, on request ({@link #reschedule}, {@link
 * #cancel}, or {@code POST /sim/appointments/{externalId}/reschedule|cancel}): each change goes
 * into the change feed {@code GET /api/changes?updatedSince=<instant>&limit=N} and, with a webhook
 * target ({@link SimulatorOptions#webhookUrl()}, {@link #setWebhookTarget}), out as a Standard
 * Webhooks v1 POST signed with HMAC-SHA256, retried a few times on non-2xx.
 *
 * <p>{@code POST /iis-soap} ({@link #soapUrl()}) is the SOAP 1.2 service ({@code
 * urn:cdc:iisb:2011}): {@code submitSingleMessage} reads the VXU^V04 in {@code hl7Message}, keeps
 * one {@link Vaccination} per ORC-3 (RXA-21 {@code A} adds it, a repeated {@code A} is taken
 * idempotently, {@code U} updates, {@code D} marks it deleted) and returns an HL7 ACK: {@code AA},
 * or {@code AE} with ERR segments for a VXU it cannot take (no ORC-3 or CVX code, another action
 * code, {@code U} or {@code D} for an ORC-3 it never got an {@code A} for), which then changes
 * nothing. With {@link SimulatorOptions#requiredUsername()} set, wrong credentials get a {@code
 * SecurityFault}. {@code connectivityTest} echoes. The outage and fail rate answer HTTP 503 here
 * too, and latency delays every SOAP answer. SOAP requests are not in the ledger.
 *
 * <p>Thread-safe. Nothing is logged per request.
 */
public final class IisSimulator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(IisSimulator.class);

  private final SimulatorOptions options;
  private final SimJson json;
  private final AppointmentStore appointments;
  private final IdempotencyStore idempotency;
  private final Ledger ledger;
  private final Vaccinations vaccinations;
  private final Faults faults;
  private final ChangeFeed changes;
  private final WebhookSender webhooks;
  private final ScheduledExecutorService delays;
  private final Javalin server;
  private final AtomicBoolean closed;

  private IisSimulator(SimulatorOptions options, Clock clock) {
    this.options = options;
    this.json = new SimJson();
    this.appointments = new AppointmentStore(clock);
    this.idempotency = new IdempotencyStore();
    this.ledger = new Ledger();
    this.vaccinations = new Vaccinations();
    this.faults = new Faults(clock, options.failRate(), options.latency());
    this.delays =
        Executors.newScheduledThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), daemonThreads());
    this.changes = new ChangeFeed(clock);
    this.webhooks = new WebhookSender(clock, delays);
    if (options.webhookUrl() != null) {
      webhooks.setTarget(options.webhookUrl(), options.webhookSecret());
    }
    this.closed = new AtomicBoolean();
    this.server =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.startupWatcherEnabled = false;
              config.http.disableCompression();
            });
    new ApiRoutes(
            new AppointmentApi(appointments, idempotency, ledger, faults, json),
            ledger,
            faults,
            new BearerAuth(options.requiredToken()),
            clock,
            delays)
        .register(server);
    new SoapRoutes(
            new SoapService(
                new VxuReceiver(vaccinations, clock),
                options.requiredUsername(),
                options.requiredPassword()),
            faults,
            delays)
        .register(server);
    new ChangeRoutes(changes, faults, new BearerAuth(options.requiredToken()), json)
        .register(server);
    new ControlRoutes(this, json).register(server);
    server.exception(
        Exception.class,
        (failure, context) -> {
          log.error(
              "IIS simulator failed to answer {} {}; answered 500 and keeps serving",
              context.method(),
              context.path(),
              failure);
          context
              .status(500)
              .contentType("application/json")
              .result(json.write(json.error(500, "IIS simulator failed: " + failure)));
        });
  }

  /**
   * Starts a simulator and returns once it accepts connections.
   *
   * @throws SyncException when it cannot listen on {@code options.host():options.port()}
   */
  public static IisSimulator start(SimulatorOptions options) {
    return start(options, Clock.systemUTC());
  }

  static IisSimulator start(SimulatorOptions options, Clock clock) {
    Objects.requireNonNull(options, "options must not be null; use SimulatorOptions.defaults()");
    IisSimulator simulator = new IisSimulator(options, clock);
    simulator.listen();
    return simulator;
  }

  private void listen() {
    if (!options.downFor().isZero()) {
      faults.goDown(options.downFor());
    }
    try {
      server.start(options.host(), options.port());
    } catch (RuntimeException bindFailure) {
      close();
      throw new SyncException(
          "IIS simulator could not listen on "
              + options.host()
              + ":"
              + options.port()
              + " ("
              + bindFailure.getMessage()
              + "); pick another port, or 0 for a free one",
          bindFailure);
    }
    log.info(
        "IIS simulator listening on {} (SOAP on {}) with {}", baseUrl(), soapUrl(), options);
  }

  public int port() {
    return server.port();
  }

  /** {@code http://<host>:<port>/api}. */
  public URI baseUrl() {
    String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
    return URI.create("http://" + host + ":" + port() + "/api");
  }

  /**
   * {@code http://<host>:<port>/iis-soap}: the CDC IIS SOAP 1.2 endpoint, an {@code iis-soap}
   * connector's {@code baseUrl}.
   */
  public URI soapUrl() {
    return baseUrl().resolve(SoapRoutes.PATH);
  }

  /** The immunization records the SOAP service holds, oldest first; a copy. */
  public List<Vaccination> vaccinations() {
    return vaccinations.all();
  }

  /** Answered {@code /api} requests in arrival order; a copy. */
  public List<LedgerEntry> ledger() {
    return ledger.snapshot();
  }

  /** Every appointment, oldest first; a copy. */
  public List<SimAppointment> appointments() {
    return appointments.all().stream().map(stored -> stored.toSimAppointment(json)).toList();
  }

  public Optional<SimAppointment> appointment(String externalId) {
    return appointments.find(externalId).map(stored -> stored.toSimAppointment(json));
  }

  /**
   * The IIS moves an appointment on its own side (a clinician there rescheduled it): sets its
   * {@code slotTime} and {@code slotEnd}, appends a {@code rescheduled} change to {@code GET
   * /api/changes} and, with a webhook target, sends it as a signed webhook in the background.
   *
   * @throws java.util.NoSuchElementException when the IIS has no appointment {@code externalId}
   * @throws IllegalArgumentException when {@code slotEnd} is not after {@code slotTime}, or the
   *     appointment is not booked (an IIS does not reopen a cancelled or completed appointment by
   *     moving it)
   */
  public SimChange reschedule(String externalId, Instant slotTime, Instant slotEnd) {
    Objects.requireNonNull(slotTime, "slotTime must not be null");
    Objects.requireNonNull(slotEnd, "slotEnd must not be null");
    if (!slotEnd.isAfter(slotTime)) {
      throw new IllegalArgumentException(
          "slotEnd (" + slotEnd + ") must be after slotTime (" + slotTime + ")");
    }
    appointments
        .find(externalId)
        .filter(stored -> !StoredAppointment.BOOKED.equals(stored.status()))
        .ifPresent(
            closed -> {
              throw new IllegalArgumentException(
                  "appointment '" + externalId + "' is " + closed.status() + "; only a booked"
                      + " appointment can be rescheduled");
            });
    ObjectNode changed = json.object();
    changed.put("slotTime", slotTime.toString());
    changed.put("slotEnd", slotEnd.toString());
    return changeHere(externalId, SimChange.RESCHEDULED, changed, StoredAppointment.BOOKED, null);
  }

  /**
   * The IIS cancels an appointment on its own side: status {@code cancelled}, a {@code cancelled}
   * change in the feed and, with a webhook target, a signed webhook.
   *
   * @param reason why, in words; may be null; never put patient data in it
   * @throws java.util.NoSuchElementException when the IIS has no appointment {@code externalId}
   */
  public SimChange cancel(String externalId, String reason) {
    return changeHere(
        externalId, SimChange.CANCELLED, json.object(), StoredAppointment.CANCELLED, reason);
  }

  private SimChange changeHere(
      String externalId, String type, ObjectNode changed, String status, String reason) {
    StoredAppointment stored =
        appointments
            .changeHere(externalId, changed, status)
            .orElseThrow(
                () ->
                    new NoSuchElementException(
                        "The IIS simulator has no appointment '"
                            + externalId
                            + "'; ids come from POST /api/appointments (see GET /api/appointments)"));
    SimChange change =
        changes.append(
            stamp ->
                new SimChange(
                    stamp.changeId(),
                    externalId,
                    stored.text("appointmentId"),
                    type,
                    stored.text("slotTime"),
                    stored.text("slotEnd"),
                    stored.text("clinicCode"),
                    stored.status(),
                    reason,
                    stamp.at()));
    webhooks.send(change.changeId(), json.write(ChangeRoutes.render(change, json)));
    return change;
  }

  /** The changes the IIS made on its own side, oldest first; a copy. */
  public List<SimChange> changes() {
    return changes.all();
  }

  /**
   * Sends the IIS's own changes from now on to {@code url} as Standard Webhooks signed with {@code
   * secret} ({@code whsec_<base64>}); {@code null} for both stops sending.
   *
   * @throws IllegalArgumentException when only one is set, the URL is not absolute http(s) or the
   *     secret is not {@code whsec_} and base64
   */
  public void setWebhookTarget(URI url, String secret) {
    webhooks.setTarget(url, secret);
  }

  /**
   * Answers 503 with {@code Retry-After: 1} to every {@code /api} and SOAP request for {@code
   * duration}.
   */
  public void goDown(Duration duration) {
    faults.goDown(duration);
    log.info("IIS simulator on port {} is down until {}", port(), faults.downUntil());
  }

  public void comeBack() {
    faults.comeBack();
    log.info("IIS simulator on port {} is back up", port());
  }

  public boolean isDown() {
    return faults.isDown();
  }

  /**
   * That share (0 to 1) of {@code /api} and SOAP requests is answered 503 before anything is
   * applied.
   */
  public void setFailRate(double rate) {
    faults.setFailRate(rate);
  }

  /**
   * Every {@code /api} and SOAP request waits this long before it is handled; {@code /sim}
   * requests do not wait.
   */
  public void setLatency(Duration latency) {
    faults.setLatency(latency);
  }

  /**
   * Forgets appointments, their changes, vaccinations, the ledger and idempotency keys. Faults stay as set; ids
   * and ledger positions keep counting. Requests in flight during a reset may still land
   * afterwards.
   */
  public void reset() {
    appointments.clear();
    changes.clear();
    vaccinations.clear();
    idempotency.clear();
    ledger.clear();
  }

  SimStats stats() {
    return SimStats.of(
        ledger.view(), appointments.size(), vaccinations.size(), faults.isDown());
  }

  /** Stops listening; requests still waiting out their latency are dropped. Safe to call twice. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    int boundPort = server.port();
    server.stop();
    delays.shutdownNow();
    log.info("IIS simulator on {}:{} stopped", options.host(), boundPort);
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "iis-simulator-latency-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
