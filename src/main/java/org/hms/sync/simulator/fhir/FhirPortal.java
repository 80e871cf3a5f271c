package org.hms.sync.simulator.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.FifoMemoryPagingProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Slot;
import org.hms.sync.SyncException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in citizen scheduling portal: a FHIR R4 server (HAPI's {@link RestfulServer}) with
 * in-memory Appointment and Slot resources, in a Jetty 11 servlet container (the one Javalin
 * brings) on a loopback port, under {@code /fhir}. Used by the demo and the fhir connector tests.
 *
 * <p>What it does, per resource type: conditional create by identifier ({@code If-None-Exist:
 * identifier=system|value}: 201 with a new resource, or 200 with the one that matches), read, vread
 * ({@code _history/n}), update with {@code If-Match} (409 with {@code HAPI-0989} diagnostics when
 * the version is not the current one, as the HAPI FHIR JPA server answers; 412 on request, see
 * {@link #answerStaleVersionsWith}),
 * search by {@code identifier} and, for Appointment, by {@code _lastUpdated} and by {@code date}
 * (its start), oldest change first, paged. No delete over HTTP (tests remove resources through
 * {@link VersionedStore#remove}), no history search, no authentication: any {@code Authorization}
 * header is accepted.
 * Errors are OperationOutcomes, JSON by default.
 *
 * <p>Thread-safe; nothing is logged per request.
 */
public final class FhirPortal implements AutoCloseable {

  /** The identifier system the fhir connector gives our appointment ids, by default. */
  public static final String OUR_IDENTIFIER_SYSTEM = "urn:hms-sync:appointment";

  private static final Logger log = LoggerFactory.getLogger(FhirPortal.class);
  private static final String HOST = "127.0.0.1";

  private final VersionedStore<Appointment> appointments;
  private final VersionedStore<Slot> slots;
  private final Server jetty;
  private final ServerConnector connector;
  private final AtomicBoolean closed = new AtomicBoolean();

  private FhirPortal(int port, Clock clock, Object... interceptors) {
    this.appointments = new VersionedStore<>("Appointment", Appointment::getIdentifier, clock);
    this.slots = new VersionedStore<>("Slot", Slot::getIdentifier, clock);
    RestfulServer restful = new RestfulServer(FhirContext.forR4Cached());
    restful.setDefaultResponseEncoding(EncodingEnum.JSON);
    FifoMemoryPagingProvider paging = new FifoMemoryPagingProvider(20);
    paging.setMaximumPageSize(100);
    restful.setPagingProvider(paging);
    restful.registerProviders(new AppointmentProvider(appointments), new SlotProvider(slots));
    for (Object interceptor : interceptors) {
      restful.registerInterceptor(interceptor);
    }
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("fhir-portal");
    threads.setDaemon(true);
    this.jetty = new Server(threads);
    this.connector = new ServerConnector(jetty);
    connector.setHost(HOST);
    connector.setPort(port);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(restful), "/fhir/*");
    jetty.setHandler(context);
  }

  /**
   * Starts a portal on {@code 127.0.0.1:port} and returns once it accepts connections.
   *
   * @param port TCP port, {@code 0} for a free one (read it back with {@link #port()})
   * @throws SyncException when it cannot listen there
   */
  public static FhirPortal start(int port) {
    return start(port, Clock.systemUTC());
  }

  /**
   * The same, with the clock that stamps {@code meta.lastUpdated} (read once per write) and HAPI
   * server interceptors (objects annotated {@code @Interceptor}), e.g. for a test that records or
   * fails requests.
   */
  public static FhirPortal start(int port, Clock clock, Object... interceptors) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(
          "FHIR portal port must be between 0 and 65535 (0 picks a free port), got " + port);
    }
    Objects.requireNonNull(clock, "clock must not be null; use Clock.systemUTC()");
    FhirPortal portal = new FhirPortal(port, clock, interceptors);
    portal.listen(port);
    return portal;
  }

  private void listen(int port) {
    try {
      jetty.start();
    } catch (Exception bindFailure) {
      close();
      throw new SyncException(
          "FHIR portal could not listen on "
              + HOST
              + ":"
              + port
              + " ("
              + bindFailure.getMessage()
              + "); pick another port, or 0 for a free one",
          bindFailure);
    }
    log.info("FHIR portal listening on {}", baseUrl());
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** {@code http://127.0.0.1:<port>/fhir}: a fhir connector's {@code baseUrl}. */
  public URI baseUrl() {
    return URI.create("http://" + HOST + ":" + port() + "/fhir");
  }

  /** The current version of every Appointment, in the order they were created; a copy. */
  public List<PortalAppointment> appointments() {
    return appointments.all().stream().map(FhirPortal::summary).toList();
  }

  /** The Appointment resources themselves, for tests that look deeper or change them. */
  public VersionedStore<Appointment> appointmentStore() {
    return appointments;
  }

  /** The Slot resources. */
  public VersionedStore<Slot> slotStore() {
    return slots;
  }

  /**
   * How an update with a stale {@code If-Match} is refused, for Appointments and Slots: {@code
   * 409} (the default, as the HAPI FHIR JPA server) or {@code 412} (as the FHIR specification
   * describes). {@link #reset} sets it back to 409.
   */
  public void answerStaleVersionsWith(int status) {
    appointments.answerStaleVersionsWith(status);
    slots.answerStaleVersionsWith(status);
  }

  /** Forgets every resource; logical ids start at 1 again. */
  public void reset() {
    appointments.clear();
    slots.clear();
  }

  /** Stops listening. Safe to call twice. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    int boundPort = connector.getLocalPort();
    try {
      jetty.stop();
    } catch (Exception stopFailure) {
      log.warn(
          "FHIR portal on port {} did not stop cleanly; its threads are daemons",
          boundPort,
          stopFailure);
      return;
    }
    log.info("FHIR portal on {}:{} stopped", HOST, boundPort);
  }

  private static PortalAppointment summary(Appointment appointment) {
    return new PortalAppointment(
        appointment.getIdElement().getIdPart(),
        appointment.getMeta().getVersionId(),
        identifier(appointment.getIdentifier()),
        appointment.getStatus() == null ? null : appointment.getStatus().toCode(),
        appointment.getStart() == null ? null : appointment.getStart().toInstant(),
        appointment.getEnd() == null ? null : appointment.getEnd().toInstant());
  }

  private static String identifier(List<Identifier> identifiers) {
    for (Identifier identifier : identifiers) {
      if (OUR_IDENTIFIER_SYSTEM.equals(identifier.getSystem())) {
        return identifier.getValue();
      }
    }
    return identifiers.isEmpty() ? null : identifiers.get(0).getValue();
  }
}
