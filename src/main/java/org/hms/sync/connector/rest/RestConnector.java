package org.hms.sync.connector.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.TreeMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.RouteConfig;
import java.time.Instant;
import org.hms.sync.Text;
import org.hms.sync.connector.AppointmentLister;
import org.hms.sync.connector.BeforeSending;
import org.hms.sync.connector.OutboundRequest;
import org.hms.sync.connector.Preview;
import org.hms.sync.connector.Previewable;
import org.hms.sync.connector.auth.Credentials;
import org.hms.sync.connector.http.AnswerClass;
import org.hms.sync.connector.http.AnswerTooLargeException;
import org.hms.sync.connector.http.Http;
import org.hms.sync.connector.http.RetryAfter;
import org.hms.sync.delivery.Connector;
import org.hms.sync.delivery.PushRequest;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.json.Json;
import org.hms.sync.json.JsonInputException;
import org.hms.sync.mapping.Mapping;
import org.hms.sync.mapping.MappingException;
import org.hms.sync.mapping.MappingInput;

/**
 * Sends each event as one HTTP request of its route: JSONata-shaped body, {@code Idempotency-Key}
 * header with the delivery's stable key, auth and configured headers. Answers are judged by
 * {@link AnswerClass}: 2xx is success; network errors, timeouts, 408, 425, 429 and 5xx are
 * retryable (Retry-After honoured); anything else is permanent, except a 401 when the credentials
 * can fetch a fresh token for the next attempt (retryable). Redirects are never followed.
 */
public final class RestConnector implements Connector, Previewable, AppointmentLister {

  private final ConnectorConfig config;
  private final Map<String, Mapping> mappings;
  private final HttpClient client;
  private final Clock clock;
  private final Credentials credentials;
  private final RestListing listing;

  private RestConnector(
      ConnectorConfig config, Map<String, Mapping> mappings, HttpClient client, Clock clock) {
    this.config = config;
    this.mappings = mappings;
    this.client = client;
    this.clock = clock;
    this.credentials = Credentials.of(config.auth(), client, clock, config.timeouts().request());
    this.listing =
        config.list() == null ? null : new RestListing(config, config.list(), client, credentials);
  }

  /** Compiles every route's mapping; a broken mapping fails here, at start-up. */
  public static RestConnector create(ConnectorConfig config, Clock clock) {
    Http.checkHeaders(config);
    Map<String, Mapping> mappings = new HashMap<>();
    for (RouteConfig route : config.routes().values()) {
      if (route.mapping() != null) {
        mappings.put(route.eventType(), Mapping.compile(route.mapping()));
      }
    }
    return new RestConnector(config, Map.copyOf(mappings), Http.client(config), clock);
  }

  @Override
  public String id() {
    return config.id();
  }

  /**
   * Lists through {@code routes.list}. Without one, fails with a {@link ListingException} saying
   * so (the connector is then not shown as able to list).
   */
  @Override
  public Listing list(Instant from, Instant to) {
    if (listing == null) {
      throw new ListingException(
          "connector '" + config.id() + "' has no routes.list; add one to reconcile it");
    }
    return listing.list(from, to);
  }

  /** Whether {@code routes.list} is configured. */
  @Override
  public boolean canList() {
    return listing != null;
  }

  @Override
  public Preview preview(String eventType, ObjectNode input, String idempotencyKey) {
    OutboundRequest request = prepare(eventType, input, idempotencyKey, null);
    credentials.preview().ifPresent(value -> request.headers().put("Authorization", value));
    return new Preview(request, null);
  }

  /**
   * The request this connector sends for an event of this type, given the mapping input. Throws
   * {@link MappingException} when the mapping fails and {@link MissingExternalIdException} when the
   * path needs an external id that is not known yet.
   *
   * @param authorization the Authorization header value, or {@code null} for none
   */
  public OutboundRequest prepare(
      String eventType, ObjectNode input, String idempotencyKey, String authorization) {
    RouteConfig route =
        config
            .route(eventType)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "connector '" + config.id() + "' has no route for " + eventType));
    Mapping mapping = mappings.get(eventType);
    String body = mapping == null ? null : mapping.evaluateToText(input);
    JsonNode externalId = input.get("externalId");
    String path =
        fill(
            route.path(),
            input.path("appointment").path("id").asText(),
            externalId == null || externalId.isNull() ? null : externalId.asText());
    String base = config.baseUrl().toString();
    URI uri = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("User-Agent", Http.USER_AGENT);
    headers.put("Accept", "application/json");
    if (body != null) {
      headers.put("Content-Type", "application/json");
    }
    headers.putAll(config.headers());
    if (authorization != null) {
      headers.put("Authorization", authorization);
    }
    headers.put("Idempotency-Key", idempotencyKey);
    return new OutboundRequest(route.method(), uri, headers, body);
  }

  @Override
  public CompletableFuture<PushResult> push(PushRequest request) {
    return credentials
        .authorization()
        .thenCompose(authorization -> send(request, authorization.orElse(null)))
        .exceptionally(BeforeSending::judge);
  }

  private CompletableFuture<PushResult> send(PushRequest request, String authorization) {
    OutboundRequest outbound;
    try {
      outbound =
          prepare(
              request.event().type(),
              MappingInput.of(request.event(), request.externalId()),
              request.idempotencyKey(),
              authorization);
    } catch (MappingException failure) {
      return CompletableFuture.completedFuture(
          new PushResult.Permanent(null, "MappingException", failure.getMessage()));
    } catch (MissingExternalIdException failure) {
      return CompletableFuture.completedFuture(
          new PushResult.Permanent(null, "MissingExternalIdException", failure.getMessage()));
    }
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(outbound.uri())
            .timeout(config.timeouts().request())
            .method(
                outbound.method(),
                outbound.body() == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(outbound.body()));
    outbound.headers().forEach(builder::header);
    Duration ceiling = config.timeouts().request().plus(config.timeouts().connect()).plusSeconds(1);
    String what = outbound.method() + " " + outbound.uri().getPath();
    String pointer = config.route(request.event().type()).map(RouteConfig::externalId).orElse(null);
    return client
        .sendAsync(builder.build(), Http.bounded(Http.MAX_PUSH_ANSWER_BYTES))
        .orTimeout(ceiling.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (response, failure) ->
                failure == null
                    ? classify(
                        response.statusCode(),
                        response.headers().firstValue("Retry-After").orElse(null),
                        response.body(),
                        null,
                        what,
                        pointer)
                    : classifyFailure(failure, what, pointer));
  }

  /**
   * @param body the answer's bytes, or {@code null} when they were not read
   * @param unread why the body was not read (it was too large), or {@code null}
   */
  private PushResult classify(
      int status, String retryAfter, byte[] body, String unread, String what, String pointer) {
    AnswerClass answer = AnswerClass.of(status);
    if (answer == AnswerClass.SUCCESS) {
      return success(status, body, unread, pointer);
    }
    String detail =
        "HTTP " + status + " from " + what
            + (unread == null ? bodyExcerpt(body) : " (" + unread + ")");
    if (status == 401 && credentials.invalidate()) {
      // The token was refused (revoked or expired early): the next attempt fetches a new one.
      return new PushResult.Retryable(
          status, "HttpStatus", detail + " (the access token is renewed for the next attempt)",
          null);
    }
    if (answer == AnswerClass.RETRYABLE) {
      return new PushResult.Retryable(
          status,
          "HttpStatus",
          detail,
          RetryAfter.parse(retryAfter, clock.instant()).orElse(null));
    }
    return new PushResult.Permanent(status, "HttpStatus", detail);
  }

  /**
   * A 2xx: the change was applied. Only the external id depends on the answer, so an answer that
   * cannot be read (too large, not UTF-8, not JSON, past the JSON limits, no scalar at the
   * pointer) still makes a success, with a note saying why no id was stored.
   */
  private static PushResult success(int status, byte[] body, String unread, String pointer) {
    if (pointer == null) {
      return new PushResult.Success(status, null, null);
    }
    if (unread != null) {
      return new PushResult.Success(
          status, null, "response not read (" + unread + "); external id at " + pointer
              + " not stored");
    }
    JsonNode value;
    try {
      value = Json.read(body).at(pointer);
    } catch (JsonInputException unreadable) {
      return new PushResult.Success(
          status, null, "response is not JSON (" + unreadable.problem() + "); external id at "
              + pointer + " not stored");
    }
    if (value.isMissingNode() || value.isNull() || value.isContainerNode()) {
      return new PushResult.Success(
          status, null, "response has no scalar at " + pointer + "; external id not stored");
    }
    return new PushResult.Success(status, value.asText(), null);
  }

  private PushResult classifyFailure(Throwable failure, String what, String pointer) {
    AnswerTooLargeException tooLarge = AnswerTooLargeException.in(failure);
    if (tooLarge != null) {
      return classify(
          tooLarge.statusCode(), tooLarge.retryAfter(), null, tooLarge.getMessage(), what,
          pointer);
    }
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
    String kind = cause.getClass().getSimpleName();
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      return new PushResult.Retryable(null, kind, "timed out: " + what, null);
    }
    if (cause instanceof ConnectException) {
      return new PushResult.Retryable(null, kind, "cannot connect: " + what, null);
    }
    return new PushResult.Retryable(
        null, kind, "network error on " + what + ": " + cause.getMessage(), null);
  }

  /**
   * ": <the start of the body>" as one printable line of at most 300 characters (bytes that are
   * not UTF-8 and control characters shown as U+FFFD), or "" for an empty body.
   */
  private static String bodyExcerpt(byte[] body) {
    if (body == null || body.length == 0) {
      return "";
    }
    String start = new String(body, 0, Math.min(body.length, 4096), StandardCharsets.UTF_8);
    String line = Text.excerpt(start, 300);
    return line.isEmpty() ? "" : ": " + line;
  }

  private static String fill(String template, String appointmentId, String externalId) {
    String path = template;
    if (path.contains("{externalId}")) {
      if (externalId == null) {
        throw new MissingExternalIdException(
            "no external id is known for appointment "
                + appointmentId
                + " (the create was not delivered, or its response had no id); replay the"
                + " create first");
      }
      path = path.replace("{externalId}", encode(externalId));
    }
    return path.replace("{appointmentId}", encode(appointmentId));
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A route's path needs {externalId} but none is stored for the appointment. */
  public static final class MissingExternalIdException extends org.hms.sync.SyncException {
    MissingExternalIdException(String message) {
      super(message);
    }
  }
}
