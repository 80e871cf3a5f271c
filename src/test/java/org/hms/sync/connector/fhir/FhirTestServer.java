package org.hms.sync.connector.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Slot;
import org.hms.sync.simulator.fhir.FhirPortal;
import org.hms.sync.simulator.fhir.VersionedStore;

/**
 * A real FHIR R4 server for the connector tests: the project's {@link FhirPortal} (HAPI's
 * RestfulServer with in-memory Appointment and Slot resources: conditional create by identifier,
 * versioned update with If-Match, read, search by identifier and {@code _lastUpdated}, paging),
 * with a clock that moves on a second per write, behind a {@link DroppingProxy} that can lose a
 * response. It records every request's method, URI and headers and can fail the next matching
 * request with any HTTP status.
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

  private record Change(String method, String resourceType, Runnable change) {}

  static final Instant START = Instant.parse("2027-03-01T08:00:00Z");

  final VersionedStore<Appointment> appointments;
  final VersionedStore<Slot> slots;
  private final TickingClock clock = new TickingClock(START);
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Queue<Failure> failures = new ConcurrentLinkedQueue<>();
  private final Queue<Change> changes = new ConcurrentLinkedQueue<>();
  private final FhirPortal portal;
  private final DroppingProxy proxy;

  private FhirTestServer() {
    portal = FhirPortal.start(0, clock, new Hooks());
    appointments = portal.appointmentStore();
    slots = portal.slotStore();
    proxy = DroppingProxy.to(portal.port());
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
    portal.reset();
    received.clear();
    failures.clear();
    changes.clear();
    clock.restart(START);
    proxy.dropNone();
    proxy.forgetDropped();
  }

  /** The FHIR base URL, through the proxy. */
  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + proxy.port() + "/fhir");
  }

  /** The next response is lost after the server has done its work. */
  void loseNextResponse() {
    proxy.dropNextResponse();
  }

  /**
   * The answer to the next request of this method on this resource type is lost, after the
   * server has done its work.
   */
  void loseNextResponseTo(String method, String resourceType) {
    changeBeforeNext(method, resourceType, proxy::dropNextResponse);
  }

  int lostResponses() {
    return proxy.dropped();
  }

  /** The next request of this method on this resource type fails with this error. */
  void failNext(String method, String resourceType, BaseServerResponseException error) {
    failures.add(new Failure(method, resourceType, error));
  }

  /**
   * Just before the next request of this method on this resource type is handled, runs {@code
   * change}: another client's write that lands between our read and our write.
   */
  void changeBeforeNext(String method, String resourceType, Runnable change) {
    changes.add(new Change(method, resourceType, change));
  }

  /** Answers a stale If-Match with 409 (the default, as HAPI's JPA server) or 412. */
  void answerStaleVersionsWith(int status) {
    portal.answerStaleVersionsWith(status);
  }

  /**
   * From now on every write gets the same lastUpdated, one second after the last write's (ties),
   * or writes move on by a second each again.
   */
  void freezeTime(boolean frozen) {
    clock.freeze(frozen);
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  List<Received> received(String method) {
    return received.stream().filter(request -> request.method().equals(method)).toList();
  }

  @Override
  public void close() {
    proxy.close();
    portal.close();
  }

  /**
   * Each reading is one tick (a second) after the last, so every write gets its own lastUpdated;
   * frozen, the readings stay at one instant (ties). The portal reads it once per write.
   */
  private static final class TickingClock extends Clock {
    private final AtomicReference<Instant> now;
    private volatile Duration tick = Duration.ofSeconds(1);

    TickingClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void restart(Instant start) {
      now.set(start);
      tick = Duration.ofSeconds(1);
    }

    /** Frozen at one tick after the last reading, or moving on again. */
    void freeze(boolean frozen) {
      if (frozen) {
        now.updateAndGet(instant -> instant.plus(tick));
      }
      tick = frozen ? Duration.ZERO : Duration.ofSeconds(1);
    }

    @Override
    public Instant instant() {
      return now.updateAndGet(instant -> instant.plus(tick));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the test FHIR server's clock stays in UTC");
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
      for (Change change : changes) {
        if (change.method().equals(details.getRequestType().name())
            && change.resourceType().equals(details.getResourceName())
            && changes.remove(change)) {
          change.change().run();
          break;
        }
      }
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
}
