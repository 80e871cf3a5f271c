package org.hms.sync.connector.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Sort;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.FifoMemoryPagingProvider;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Slot;

/**
 * A real FHIR R4 server for the connector tests: HAPI's {@link RestfulServer} with in-memory
 * Appointment and Slot providers (conditional create by identifier, versioned update with If-Match,
 * read, search by identifier and {@code _lastUpdated}, paging), in a Jetty 11 servlet container on
 * a loopback port, behind a {@link DroppingProxy} that can lose a response. It records every
 * request's method, URI and headers and can fail the next matching request with any HTTP status.
 */
final class FhirTestServer implements AutoCloseable {

  /** One request as it arrived: method, path with query, headers (names ignore case). */
  record Received(String method, String uri, Map<String, List<String>> headers) {
    String header(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }

  private record Failure(String method, String resourceType, BaseServerResponseException error) {}

  static final Instant START = Instant.parse("2027-03-01T08:00:00Z");

  final VersionedStore<Appointment> appointments;
  final VersionedStore<Slot> slots;
  private final AtomicReference<Instant> now = new AtomicReference<>(START);
  private volatile Duration tick = Duration.ofSeconds(1);
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Queue<Failure> failures = new ConcurrentLinkedQueue<>();
  private final Server jetty;
  private final DroppingProxy proxy;

  private FhirTestServer() throws Exception {
    appointments = new VersionedStore<>("Appointment", Appointment::getIdentifier, this::nextInstant);
    slots = new VersionedStore<>("Slot", Slot::getIdentifier, this::nextInstant);
    RestfulServer restful = new RestfulServer(FhirContext.forR4Cached());
    restful.setDefaultResponseEncoding(EncodingEnum.JSON);
    FifoMemoryPagingProvider paging = new FifoMemoryPagingProvider(20);
    paging.setMaximumPageSize(100);
    restful.setPagingProvider(paging);
    restful.registerProviders(new AppointmentProvider(), new SlotProvider());
    restful.registerInterceptor(new Hooks());
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setDaemon(true);
    jetty = new Server(threads);
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(restful), "/fhir/*");
    jetty.setHandler(context);
    jetty.start();
    proxy = DroppingProxy.to(connector.getLocalPort());
  }

  static FhirTestServer start() {
    try {
      return new FhirTestServer();
    } catch (Exception failure) {
      throw new IllegalStateException("the test FHIR server did not start: " + failure, failure);
    }
  }

  /** Empties the stores and the request log, drops pending failures, sets the time back. */
  void reset() {
    appointments.clear();
    slots.clear();
    received.clear();
    failures.clear();
    now.set(START);
    tick = Duration.ofSeconds(1);
    proxy.dropNone();
  }

  /** The FHIR base URL, through the proxy. */
  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + proxy.port() + "/fhir");
  }

  /** The next response is lost after the server has done its work. */
  void loseNextResponse() {
    proxy.dropNextResponse();
  }

  int lostResponses() {
    return proxy.dropped();
  }

  /** The next request of this method on this resource type fails with this error. */
  void failNext(String method, String resourceType, BaseServerResponseException error) {
    failures.add(new Failure(method, resourceType, error));
  }

  /**
   * From now on every write gets the same lastUpdated, one second after the last write's (ties),
   * or writes move on by a second each again.
   */
  void freezeTime(boolean frozen) {
    if (frozen) {
      now.updateAndGet(instant -> instant.plus(tick));
    }
    tick = frozen ? Duration.ZERO : Duration.ofSeconds(1);
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  List<Received> received(String method) {
    return received.stream().filter(request -> request.method().equals(method)).toList();
  }

  private Instant nextInstant() {
    return now.updateAndGet(instant -> instant.plus(tick));
  }

  @Override
  public void close() {
    proxy.close();
    try {
      jetty.stop();
    } catch (Exception ignored) {
      // the test is over
    }
  }

  @Interceptor
  public final class Hooks {
    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
    public boolean record(HttpServletRequest request) {
      Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (String name : Collections.list(request.getHeaderNames())) {
        headers
            .computeIfAbsent(name, ignored -> new ArrayList<>())
            .addAll(Collections.list(request.getHeaders(name)));
      }
      String query = request.getQueryString();
      received.add(
          new Received(
              request.getMethod(),
              request.getRequestURI() + (query == null ? "" : "?" + query),
              headers));
      return true;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public boolean fail(RequestDetails details) {
      for (Failure failure : failures) {
        if (failure.method().equals(details.getRequestType().name())
            && failure.resourceType().equals(details.getResourceName())
            && failures.remove(failure)) {
          throw failure.error();
        }
      }
      return true;
    }
  }

  public final class AppointmentProvider implements IResourceProvider {
    @Override
    public Class<Appointment> getResourceType() {
      return Appointment.class;
    }

    @Create
    public MethodOutcome create(
        @ResourceParam Appointment resource, @ConditionalUrlParam String ifNoneExist) {
      return appointments.create(resource, ifNoneExist);
    }

    @Read
    public Appointment read(@IdParam IdType id) {
      return appointments.read(id);
    }

    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam Appointment resource) {
      return appointments.update(id, resource);
    }

    @Search
    public List<Appointment> search(
        @OptionalParam(name = "identifier") TokenParam identifier,
        @OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated,
        @Sort SortSpec sort,
        @Count Integer count) {
      return appointments.search(identifier, lastUpdated);
    }
  }

  public final class SlotProvider implements IResourceProvider {
    @Override
    public Class<Slot> getResourceType() {
      return Slot.class;
    }

    @Create
    public MethodOutcome create(
        @ResourceParam Slot resource, @ConditionalUrlParam String ifNoneExist) {
      return slots.create(resource, ifNoneExist);
    }

    @Read
    public Slot read(@IdParam IdType id) {
      return slots.read(id);
    }

    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam Slot resource) {
      return slots.update(id, resource);
    }

    @Search
    public List<Slot> search(@OptionalParam(name = "identifier") TokenParam identifier) {
      return slots.search(identifier, null);
    }
  }
}
