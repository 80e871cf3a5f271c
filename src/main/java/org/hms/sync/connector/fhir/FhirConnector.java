package org.hms.sync.connector.fhir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.r4.model.Appointment;
import org.hms.sync.SyncException;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.FhirConfig;
import org.hms.sync.config.RouteConfig;
import org.hms.sync.connector.AppointmentLister;
import org.hms.sync.connector.ChangeFeed;
import org.hms.sync.connector.ChangeNotifications;
import org.hms.sync.connector.ListedAppointment;
import org.hms.sync.connector.OutboundRequest;
import org.hms.sync.connector.Preview;
import org.hms.sync.connector.Previewable;
import org.hms.sync.connector.auth.Credentials;
import org.hms.sync.connector.http.Http;
import org.hms.sync.connector.http.RetryAfter;
import org.hms.sync.delivery.Connector;
import org.hms.sync.delivery.PushRequest;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.json.Json;
import org.hms.sync.mapping.Mapping;
import org.hms.sync.mapping.MappingInput;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;

/**
 * Keeps FHIR R4 Appointments (and, on request, Slots) at a FHIR server in step with the EMR, with
 * the HAPI FHIR client.
 *
 * <ul>
 *   <li>{@code appointment.created}: conditional create with {@code If-None-Exist:
 *       identifier=<identifierSystem>|<appointment id>}, so a retry after a lost answer finds the
 *       Appointment instead of making a second one;
 *   <li>{@code rescheduled}, {@code cancelled}, {@code completed}: read the Appointment, then
 *       update it with our elements over its others and {@code If-Match} of the version read;
 *       status {@code booked}, {@code cancelled} (with a cancelation reason) or {@code
 *       fulfilled}. A version conflict (a version read other than the stored one, or a 412 or
 *       409 to the PUT, as the HAPI FHIR JPA server answers) is settled per {@code
 *       onVersionConflict}; a 409 that is not one is permanent: see {@link AppointmentPush};
 *   <li>with {@code slotEvents}, the Slot with identifier {@code urn:hms-sync:slot|<slot id>} is
 *       marked {@code busy} on created and rescheduled and {@code free} on cancelled; the slot a
 *       rescheduled appointment leaves is freed.
 * </ul>
 *
 * For reconciliation it lists the Appointments starting in a range by a {@code date} search (see
 * {@link AppointmentListing}); for polling it reads what changed by a {@code _lastUpdated} search
 * ({@link FhirChangeFeed}), and with {@code inbound.subscription} it keeps a rest-hook
 * Subscription at the server ({@link FhirSubscription}). The external id stored per appointment
 * is {@link FhirExternalId}: {@code Appointment/<id>/_history/<version>}. Success is 2xx; 408,
 * 425, 429, 5xx, network errors and timeouts are retryable; other 4xx permanent, with the
 * OperationOutcome's issues in the reason; a 409 or 412 to an update is a version conflict only
 * after a fresh read (see {@link Outcomes}).
 * The HAPI client blocks, so calls run on the connector's own threads (as many as {@code
 * limits.maxConcurrency}, default {@value #DEFAULT_THREADS}); each call is bounded by the
 * connector's connect and request timeouts.
 */
public final class FhirConnector
    implements Connector, Previewable, ChangeFeed, AppointmentLister, ChangeNotifications {

  /** Threads and connections when {@code limits.maxConcurrency} is not set. */
  static final int DEFAULT_THREADS = 8;

  /** Appointments per change-feed page ({@code _count}). */
  static final int PAGE_SIZE = 100;

  /** Pages a listing follows at most; a range with more fails (reconcile a shorter one). */
  static final int MAX_LIST_PAGES = 100;

  private static final List<String> VERSION_CONFLICT_POLICIES = List.of("reapply", "fail");
  private static final List<String> REFERENCE_KINDS = List.of("identifier", "reference");

  private final ConnectorConfig config;
  private final FhirConfig settings;
  private final FhirEndpoint endpoint;
  private final AppointmentResource resources;
  private final Credentials credentials;
  private final ExecutorService calls;
  private final Clock clock;
  private final FhirChangeFeed feed;
  private final FhirSubscription subscription; // null without inbound.subscription

  private FhirConnector(
      ConnectorConfig config,
      FhirConfig settings,
      Map<String, Mapping> mappings,
      Clock clock) {
    this.config = config;
    this.settings = settings;
    this.clock = clock;
    this.credentials = Credentials.of(config.auth(), Http.client(config), clock);
    int threads =
        config.limits().maxConcurrency() == null
            ? DEFAULT_THREADS
            : config.limits().maxConcurrency();
    this.endpoint = new FhirEndpoint(config, credentials, threads);
    this.resources = new AppointmentResource(settings, endpoint.context(), mappings);
    this.calls = Executors.newFixedThreadPool(threads, threadsNamed("fhir-" + config.id()));
    this.feed = new FhirChangeFeed(endpoint, resources, config, clock, PAGE_SIZE);
    this.subscription =
        config.inbound().hasSubscription()
            ? new FhirSubscription(endpoint, config.inbound().subscription(), config.id())
            : null;
  }

  /**
   * Checks the {@code fhir} settings and the routes and compiles every route's mapping: a broken
   * configuration fails here, at start-up.
   */
  public static FhirConnector create(ConnectorConfig config, Clock clock) {
    FhirConfig settings = config.settings(FhirConfig.class, FhirConfig.defaults());
    String prefix = "connector '" + config.id() + "': ";
    if (!VERSION_CONFLICT_POLICIES.contains(settings.onVersionConflict())) {
      throw new SyncException(
          prefix + "fhir.onVersionConflict is '" + settings.onVersionConflict()
              + "'; set reapply (the default) or fail");
    }
    if (!REFERENCE_KINDS.contains(settings.references())) {
      throw new SyncException(
          prefix + "fhir.references is '" + settings.references()
              + "'; set identifier (the default) or reference");
    }
    Map<String, Mapping> mappings = new HashMap<>();
    for (RouteConfig route : config.routes().values()) {
      if (!EventTypes.ALL.contains(route.eventType())) {
        throw new SyncException(
            prefix + "the fhir type sends " + EventTypes.ALL + "; remove the route for "
                + route.eventType());
      }
      if (route.mapping() != null) {
        mappings.put(route.eventType(), Mapping.compile(route.mapping()));
      }
    }
    return new FhirConnector(config, settings, mappings, clock);
  }

  @Override
  public String id() {
    return config.id();
  }

  /**
   * Sends the event's change. Safe to call again for the same delivery: see {@link
   * AppointmentPush}. Never completes exceptionally.
   */
  @Override
  public CompletableFuture<PushResult> push(PushRequest request) {
    try {
      // One push may make several calls (a conflict re-read, slot updates), and may wait for a
      // thread: the whole of it is bounded by connect + request, as engine.lease assumes.
      Duration ceiling = config.timeouts().connect().plus(config.timeouts().request());
      return CompletableFuture.supplyAsync(() -> run(request), calls)
          .completeOnTimeout(
              new PushResult.Retryable(
                  null,
                  "Timeout",
                  "push of " + request.event().type() + " took longer than connect + request ("
                      + ceiling.toMillis() + " ms); it is tried again (conditional create and"
                      + " If-Match make a repeat safe)",
                  null),
              ceiling.toMillis(),
              java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      return CompletableFuture.completedFuture(
          new PushResult.Retryable(
              null, "ConnectorClosed", "connector '" + config.id() + "' is closed", null));
    }
  }

  private PushResult run(PushRequest request) {
    OutboxEvent event = request.event();
    if (config.route(event.type()).isEmpty() || !EventTypes.ALL.contains(event.type())) {
      return new PushResult.Permanent(
          null,
          "NoRoute",
          "connector '" + config.id() + "' has no route for " + event.type()
              + "; add one, or do not subscribe it");
    }
    ObjectNode input;
    try {
      input = inputOf(event, request.externalId());
    } catch (SyncException unreadable) {
      return new PushResult.Permanent(
          null, "UnreadableEvent", "event " + event.id() + ": " + unreadable.getMessage());
    }
    AppointmentPush attempt =
        new AppointmentPush(
            endpoint,
            resources,
            settings,
            event.type(),
            input,
            request.externalId(),
            request.attempt() > request.attemptInRun());
    try {
      return attempt.run();
    } catch (RuntimeException failure) {
      PushResult result =
          Outcomes.classify(
              failure,
              attempt.step(),
              Redactor.of(input),
              clock.instant(),
              endpoint.lastRetryAfter().orElse(null));
      if (result.httpStatus() != null && result.httpStatus() == 401) {
        endpoint.invalidateCredentials();
      }
      return result;
    }
  }

  /**
   * The mapping input, with the snapshot's {@code cancelReason} (which {@link MappingInput} leaves
   * out) under {@code appointment}.
   */
  static ObjectNode inputOf(OutboxEvent event, String externalId) {
    ObjectNode input = MappingInput.of(event, externalId);
    JsonNode reason = Json.read(event.payload()).get("cancelReason");
    if (reason != null && input.get("appointment") instanceof ObjectNode appointment) {
      appointment.set("cancelReason", reason);
    }
    return input;
  }

  /**
   * What the push would send, credentials masked. For a create: the conditional POST. For a
   * change with a known external id: the PUT with If-Match (the GET of the Appointment that comes
   * first, and slot calls, are in the detail). Without an external id: the identifier search that
   * finds the Appointment, with the resource in the detail.
   */
  @Override
  public Preview preview(String eventType, ObjectNode input, String idempotencyKey) {
    if (config.route(eventType).isEmpty()) {
      throw new IllegalArgumentException(
          "connector '" + config.id() + "' has no route for " + eventType);
    }
    String appointmentId = input.path("appointment").path("id").asText();
    Appointment resource = resources.build(eventType, input, null);
    List<String> detail = new ArrayList<>();
    if (settings.slotEvents()) {
      detail.add(slotDetail(eventType, input));
    }
    String base = trimmed(config.baseUrl().toString());
    Map<String, String> headers = headers();
    if (eventType.equals(EventTypes.CREATED)) {
      headers.put("Content-Type", FhirEndpoint.CONTENT_TYPE);
      headers.put("If-None-Exist", resources.ifNoneExist(appointmentId));
      detail.add(
          0,
          "Conditional create: the server makes the Appointment only if none has this"
              + " identifier; otherwise it answers 200 with the one it has.");
      return new Preview(
          new OutboundRequest(
              "POST", URI.create(base + "/Appointment"), headers, resources.encode(resource)),
          String.join("\n", detail));
    }
    JsonNode stored = input.get("externalId");
    if (stored == null || stored.isNull() || stored.asText().isBlank()) {
      String query =
          "identifier="
              + URLEncoder.encode(settings.identifierSystem(), StandardCharsets.UTF_8)
              + "%7C"
              + URLEncoder.encode(appointmentId, StandardCharsets.UTF_8);
      detail.add(
          0,
          "No external id is stored: this search finds the Appointment by our identifier; then"
              + " PUT Appointment/<its id> with If-Match of its version and, over its other"
              + " elements, this resource:\n"
              + Json.pretty(Json.read(resources.encode(resource))));
      return new Preview(
          new OutboundRequest("GET", URI.create(base + "/Appointment?" + query), headers, null),
          String.join("\n", detail));
    }
    FhirExternalId id = FhirExternalId.parse(stored.asText());
    resource.setId(id.logicalId());
    headers.put("Content-Type", FhirEndpoint.CONTENT_TYPE);
    if (id.versionId() != null) {
      headers.put("If-Match", FhirEndpoint.ifMatch(id.versionId()));
    }
    String policy =
        settings.onVersionConflict().equals("fail")
            ? "dead letter for review (onVersionConflict: fail; a replay applies this change over"
                + " the current version)"
            : "this change goes over it (onVersionConflict: reapply)";
    List<String> steps = new ArrayList<>();
    steps.add(
        "GET Appointment/" + id.logicalId() + " comes first: this resource goes over the other"
            + " elements the server has, and If-Match carries the version read"
            + (id.versionId() == null
                ? "."
                : " (shown: the version we last saw, " + id.versionId() + ")."));
    if (id.versionId() != null) {
      steps.add(
          "If the version read is not " + id.versionId() + ", the Appointment changed at the"
              + " server: nothing is sent when it already shows this change, else " + policy
              + ".");
    }
    steps.add(
        "On 409 or 412 (a write between the GET and the PUT): GET it again; if its version is"
            + " still the one sent, the server refuses the change (dead letter with its"
            + " OperationOutcome); else it changed at the server: " + policy + ", "
            + AppointmentPush.MAX_REAPPLY + " PUTs at most.");
    detail.addAll(0, steps);
    return new Preview(
        new OutboundRequest(
            "PUT",
            URI.create(base + "/Appointment/" + id.logicalId()),
            headers,
            resources.encode(resource)),
        String.join("\n", detail));
  }

  /**
   * The next page of Appointments changed at the server after {@code cursor}, oldest first (see
   * {@link FhirChangeFeed}). Completes exceptionally with a {@link SyncException} when the server
   * cannot be read.
   */
  @Override
  public CompletableFuture<ChangePage> fetchChanges(String cursor) {
    try {
      return CompletableFuture.supplyAsync(() -> feed.fetch(cursor), calls);
    } catch (RejectedExecutionException closed) {
      return CompletableFuture.failedFuture(
          new SyncException("connector '" + config.id() + "' is closed"));
    }
  }

  /** {@code Appointment/<id>/_history/<versionId>}: each version is stored in the inbox once. */
  @Override
  public String itemId(JsonNode item) {
    return FhirChangeFeed.itemId(item);
  }

  /**
   * Creates or repairs the rest-hook Subscription of {@code inbound.subscription} (see {@link
   * FhirSubscription}); blocks on the caller's thread.
   *
   * @throws IllegalStateException when the connector has no {@code inbound.subscription}
   */
  @Override
  public String subscribe() {
    FhirSubscription subscription = subscription();
    try {
      return subscription.subscribe();
    } catch (RuntimeException failure) {
      throw notSubscribed("cannot create or verify its Subscription", "POST Subscription", failure);
    }
  }

  /** Deletes that Subscription; blocks on the caller's thread. */
  @Override
  public String unsubscribe() {
    FhirSubscription subscription = subscription();
    try {
      return subscription.unsubscribe();
    } catch (RuntimeException failure) {
      throw notSubscribed("cannot delete its Subscription", "DELETE Subscription", failure);
    }
  }

  private FhirSubscription subscription() {
    if (subscription == null) {
      throw new IllegalStateException(
          "connector '" + config.id() + "' has no inbound.subscription");
    }
    return subscription;
  }

  private SyncException notSubscribed(String what, String step, RuntimeException failure) {
    PushResult verdict = Outcomes.classify(failure, step, Redactor.none(), clock.instant(), null);
    if (verdict.httpStatus() != null && verdict.httpStatus() == 401) {
      endpoint.invalidateCredentials();
    }
    String reason =
        verdict instanceof PushResult.Retryable retryable
            ? retryable.reason()
            : ((PushResult.Permanent) verdict).reason();
    return new SyncException(
        "connector '" + config.id() + "' " + what + ": " + subscription.masked(reason));
  }

  /**
   * The Appointments starting in {@code [from, to)}: {@code GET
   * Appointment?date=ge<from>&date=lt<to>&_count=100} and its next pages, {@value
   * #MAX_LIST_PAGES} at most. Blocks on the caller's thread; each call is bounded by the
   * connector's timeouts. Reads only.
   *
   * @throws ListingException when a call fails (network, HTTP status, unreadable FHIR, credentials)
   *     or there are more pages
   */
  /** A create is conditional on our identifier ({@code If-None-Exist}): sending it again is safe. */
  @Override
  public boolean createsConditionally() {
    return true;
  }

  /**
   * The listed {@code Appointment/<id>}, without the version the stored id pins: a corrective
   * delivery reads the current version first and applies the EMR's state over it (its other
   * elements kept), whatever {@code onVersionConflict} says, as reconciliation has judged the EMR
   * right. The stored id's version may be one the server has moved past, and would only meet a
   * version conflict again.
   */
  @Override
  public String repairExternalId(String stored, ListedAppointment listed) {
    return listed.externalId();
  }

  @Override
  public Listing list(Instant from, Instant to) {
    return list(from, to, PAGE_SIZE, MAX_LIST_PAGES);
  }

  /** The same, with another page size and page limit (tests). */
  Listing list(Instant from, Instant to, int pageSize, int maxPages) {
    AppointmentListing listing =
        new AppointmentListing(endpoint, settings, config, pageSize, maxPages);
    try {
      return listing.list(from, to);
    } catch (ListingException failed) {
      throw failed;
    } catch (RuntimeException failure) {
      PushResult verdict =
          Outcomes.classify(
              failure, "GET Appointment?date", Redactor.none(), clock.instant(), null);
      if (verdict.httpStatus() != null && verdict.httpStatus() == 401) {
        endpoint.invalidateCredentials();
      }
      String reason =
          verdict instanceof PushResult.Retryable retryable
              ? retryable.reason()
              : ((PushResult.Permanent) verdict).reason();
      throw new ListingException(
          "connector '" + config.id() + "' cannot list Appointments: " + reason, failure);
    }
  }

  private Map<String, String> headers() {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("User-Agent", Http.USER_AGENT);
    headers.put("Accept", FhirEndpoint.ACCEPT);
    headers.put("Accept-Charset", "utf-8");
    headers.put("Accept-Encoding", "gzip");
    headers.putAll(config.headers());
    credentials.preview().ifPresent(value -> headers.put("Authorization", value));
    return headers;
  }

  private String slotDetail(String eventType, JsonNode input) {
    String identifier =
        AppointmentPush.SLOT_IDENTIFIER_SYSTEM + "|" + input.path("appointment").path("slotId").asText();
    switch (eventType) {
      case EventTypes.CREATED:
        return "Slot events: the Slot with identifier " + identifier
            + " is marked busy first and referenced from the Appointment.";
      case EventTypes.RESCHEDULED:
        return "Slot events: the Slot with identifier " + identifier
            + " is marked busy; the slot the Appointment held before is freed after the update.";
      case EventTypes.CANCELLED:
        return "Slot events: after the update, the Slot with identifier " + identifier
            + " is marked free.";
      default:
        return "Slot events: the Slot with identifier " + identifier + " stays referenced.";
    }
  }

  private static String trimmed(String base) {
    return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  private static ThreadFactory threadsNamed(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Lets calls under way finish (bounded by their timeouts), then closes the connections. */
  @Override
  public void close() {
    calls.shutdown();
    try {
      long wait =
          config.timeouts().connect().plus(config.timeouts().request()).toMillis();
      if (!calls.awaitTermination(wait, TimeUnit.MILLISECONDS)) {
        calls.shutdownNow();
      }
    } catch (InterruptedException interrupted) {
      calls.shutdownNow();
      Thread.currentThread().interrupt();
    }
    endpoint.close();
  }
}
