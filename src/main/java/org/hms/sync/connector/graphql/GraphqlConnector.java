package org.hms.sync.connector.graphql;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hms.sync.SyncException;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.GraphqlConfig;
import org.hms.sync.config.RouteConfig;
import org.hms.sync.connector.BeforeSending;
import org.hms.sync.connector.OutboundRequest;
import org.hms.sync.connector.Preview;
import org.hms.sync.connector.Previewable;
import org.hms.sync.connector.auth.Credentials;
import org.hms.sync.connector.http.AnswerTooLargeException;
import org.hms.sync.connector.http.Http;
import org.hms.sync.delivery.Connector;
import org.hms.sync.delivery.PushRequest;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.json.Json;
import org.hms.sync.mapping.Mapping;
import org.hms.sync.mapping.MappingException;
import org.hms.sync.mapping.MappingInput;

/**
 * Sends each event as the mutation of its route: {@code POST} to the connector's {@code baseUrl}
 * with {@code {"query", "operationName", "variables"}}, the variables shaped by the route's JSONata
 * mapping, the delivery's stable key as {@code Idempotency-Key}, auth and configured headers.
 *
 * <p>Outcomes: network errors, timeouts, 408, 425, 429 and 5xx are retryable (Retry-After
 * honoured), other non-2xx permanent. A 2xx answer is judged by its {@code errors}: none is success
 * (external id read at the route's JSON pointer into {@code data}); otherwise each error's {@code
 * extensions.code} is judged by {@code graphql.errorCodes} and the built-in defaults, and any
 * permanent error makes the attempt permanent. See {@code docs/connectors/graphql.md}.
 *
 * <p>Documents and mappings are read and checked in {@link #create}: a broken one stops start-up.
 */
public final class GraphqlConnector implements Connector, Previewable {

  /** One subscribed event type, ready to send. */
  private record Route(
      String eventType, GraphqlDocument document, Mapping mapping, String externalIdPointer) {}

  /** A request ready to go, and what it was made of. */
  private record Prepared(OutboundRequest request, Route route, JsonNode variables) {}

  private final ConnectorConfig config;
  private final Map<String, Route> routes;
  private final HttpClient client;
  private final Credentials credentials;
  private final ResponseJudge judge;

  private GraphqlConnector(
      ConnectorConfig config, Map<String, Route> routes, HttpClient client, Clock clock) {
    this.config = config;
    this.routes = routes;
    this.client = client;
    this.credentials = Credentials.of(config.auth(), client, clock, config.timeouts().request());
    this.judge =
        new ResponseJudge(
            ErrorCodes.of(
                config.id(), config.settings(GraphqlConfig.class, GraphqlConfig.defaults())),
            clock,
            credentials::invalidate);
  }

  /**
   * Reads and checks every route's document, compiles its mapping and checks its external id
   * pointer and the configured headers.
   *
   * @throws GraphqlDocumentException when a document is missing, unreadable, invalid or not one
   *     mutation (naming the file, and line and column of a syntax error)
   * @throws MappingException when a mapping does not compile (naming the file)
   * @throws SyncException when a route or header cannot be used
   */
  public static GraphqlConnector create(ConnectorConfig config, Clock clock) {
    Http.checkHeaders(config);
    Map<String, Route> routes = new HashMap<>();
    for (RouteConfig route : config.routes().values()) {
      routes.put(route.eventType(), route(config.id(), route));
    }
    return new GraphqlConnector(config, Map.copyOf(routes), Http.client(config), clock);
  }

  private static Route route(String connectorId, RouteConfig route) {
    String where = "connector '" + connectorId + "', route " + route.eventType();
    if (route.document() == null) {
      throw new GraphqlDocumentException(
          where + " has no document; set document: to the .graphql file holding its mutation");
    }
    GraphqlDocument document;
    try {
      document = GraphqlDocument.read(route.document());
    } catch (GraphqlDocumentException unusable) {
      throw new GraphqlDocumentException(where + ": " + unusable.getMessage(), unusable.getCause());
    }
    Mapping mapping = route.mapping() == null ? null : Mapping.compile(route.mapping());
    if (mapping == null && !document.required().isEmpty()) {
      throw new GraphqlDocumentException(
          where
              + ": "
              + document.describe()
              + " in "
              + document.file()
              + " requires "
              + variables(document.required())
              + " but the route has no mapping; set mapping: to"
              + " a JSONata file that yields the variables object");
    }
    String pointer = route.externalId();
    if (pointer != null) {
      try {
        JsonPointer.compile(pointer);
      } catch (IllegalArgumentException invalid) {
        throw new SyncException(
            where
                + ": externalId '"
                + pointer
                + "' is no JSON pointer; write it from the root of"
                + " data, starting with /, e.g. /createAppointment/id");
      }
    }
    return new Route(route.eventType(), document, mapping, pointer);
  }

  @Override
  public String id() {
    return config.id();
  }

  /**
   * The request for this event and, as detail, the document and the variables laid out for a
   * reader. A required variable that is missing is reported in the detail, not thrown, so that
   * {@code mapping test} still shows what would be sent.
   */
  @Override
  public Preview preview(String eventType, ObjectNode input, String idempotencyKey) {
    Prepared prepared = prepare(eventType, input, idempotencyKey, null);
    credentials
        .preview()
        .ifPresent(value -> prepared.request().headers().put("Authorization", value));
    GraphqlDocument document = prepared.route().document();
    StringBuilder detail =
        new StringBuilder("# GraphQL document ")
            .append(document.file())
            .append(" (")
            .append(document.describe())
            .append(")\n")
            .append(document.text().stripTrailing())
            .append("\n\n# variables")
            .append(
                prepared.route().mapping() == null
                    ? ""
                    : " from " + prepared.route().mapping().file())
            .append('\n')
            .append(prepared.variables() == null ? "(none)" : Json.pretty(prepared.variables()));
    List<GraphqlDocument.Variable> missing = missing(document, prepared.variables());
    if (!missing.isEmpty()) {
      detail
          .append("\n\n# warning: ")
          .append(variables(missing))
          .append(missing.size() == 1 ? " is" : " are")
          .append(" missing or null; the delivery would fail without sending");
    }
    return new Preview(prepared.request(), detail.toString());
  }

  @Override
  public CompletableFuture<PushResult> push(PushRequest request) {
    return credentials
        .authorization()
        .thenCompose(authorization -> send(request, authorization.orElse(null)))
        .exceptionally(BeforeSending::judge);
  }

  private CompletableFuture<PushResult> send(PushRequest request, String authorization) {
    String eventType = request.event().type();
    if (!routes.containsKey(eventType)) {
      return CompletableFuture.completedFuture(
          new PushResult.Permanent(
              null, "NoRoute", "connector '" + config.id() + "' has no route for " + eventType));
    }
    Prepared prepared;
    try {
      prepared =
          prepare(
              eventType,
              MappingInput.of(request.event(), request.externalId()),
              request.idempotencyKey(),
              authorization);
    } catch (MappingException failure) {
      return CompletableFuture.completedFuture(
          new PushResult.Permanent(null, "MappingException", failure.getMessage()));
    }
    GraphqlDocument document = prepared.route().document();
    List<GraphqlDocument.Variable> missing = missing(document, prepared.variables());
    if (!missing.isEmpty()) {
      return CompletableFuture.completedFuture(
          new PushResult.Permanent(
              null,
              "MissingVariable",
              document.describe()
                  + " requires "
                  + variables(missing)
                  + ", missing or null in what"
                  + " its mapping yields for appointment "
                  + request.event().appointmentId()
                  + "; nothing sent. If it comes from externalId: no external id is known yet (the"
                  + " create was not delivered, or its answer had none at the route's pointer);"
                  + " replay the create first"));
    }
    OutboundRequest outbound = prepared.request();
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(outbound.uri())
            .timeout(config.timeouts().request())
            .POST(HttpRequest.BodyPublishers.ofString(outbound.body()));
    outbound.headers().forEach(builder::header);
    Duration ceiling = config.timeouts().request().plus(config.timeouts().connect()).plusSeconds(1);
    String what =
        document.describe()
            + " (POST "
            + (outbound.uri().getPath().isEmpty() ? "/" : outbound.uri().getPath())
            + ")";
    String pointer = prepared.route().externalIdPointer();
    return client
        .sendAsync(builder.build(), Http.bounded(Http.MAX_PUSH_ANSWER_BYTES))
        .orTimeout(ceiling.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (response, failure) ->
                failure == null
                    ? judge.judge(
                        response.statusCode(),
                        response.headers().firstValue("Retry-After").orElse(null),
                        response.body(),
                        what,
                        pointer)
                    : failed(failure, what));
  }

  /** A network failure, or an answer too large to read (then judged by its status alone). */
  private PushResult failed(Throwable failure, String what) {
    AnswerTooLargeException tooLarge = AnswerTooLargeException.in(failure);
    return tooLarge == null ? networkFailure(failure, what) : judge.tooLarge(tooLarge, what);
  }

  /**
   * The request for an event of this type: the route's document, the variables its mapping yields,
   * headers.
   *
   * @param authorization the Authorization header value, or {@code null} for none
   * @throws MappingException when the mapping fails or yields something other than an object
   */
  private Prepared prepare(
      String eventType, ObjectNode input, String idempotencyKey, String authorization) {
    Route route = routes.get(eventType);
    if (route == null) {
      throw new IllegalArgumentException(
          "connector '" + config.id() + "' has no route for " + eventType);
    }
    JsonNode variables = null;
    if (route.mapping() != null) {
      variables = route.mapping().evaluate(input);
      if (variables != null && !variables.isObject()) {
        throw new MappingException(
            "mapping "
                + route.mapping().file()
                + " yields "
                + kind(variables)
                + "; GraphQL"
                + " variables must be an object such as {\"id\": externalId}",
            null);
      }
    }
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("query", route.document().text());
    if (route.document().operationName() != null) {
      body.put("operationName", route.document().operationName());
    }
    if (variables != null) {
      body.set("variables", variables);
    }
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("User-Agent", Http.USER_AGENT);
    headers.put("Accept", "application/graphql-response+json, application/json;q=0.9");
    headers.put("Content-Type", "application/json");
    headers.putAll(config.headers());
    if (authorization != null) {
      headers.put("Authorization", authorization);
    }
    headers.put("Idempotency-Key", idempotencyKey);
    return new Prepared(
        new OutboundRequest("POST", config.baseUrl(), headers, Json.write(body)), route, variables);
  }

  private static List<GraphqlDocument.Variable> missing(
      GraphqlDocument document, JsonNode variables) {
    List<GraphqlDocument.Variable> missing = new ArrayList<>();
    for (GraphqlDocument.Variable variable : document.required()) {
      JsonNode value = variables == null ? null : variables.get(variable.name());
      if (value == null || value.isNull()) {
        missing.add(variable);
      }
    }
    return missing;
  }

  /** {@code $id (ID!)} or {@code variables $id (ID!), $start (String!)}. */
  private static String variables(List<GraphqlDocument.Variable> variables) {
    List<String> named = new ArrayList<>();
    for (GraphqlDocument.Variable variable : variables) {
      named.add("$" + variable.name() + " (" + variable.type() + ")");
    }
    return (variables.size() == 1 ? "variable " : "variables ") + String.join(", ", named);
  }

  private static String kind(JsonNode value) {
    if (value.isArray()) {
      return "an array";
    }
    if (value.isTextual()) {
      return "a string";
    }
    if (value.isNumber()) {
      return "a number";
    }
    return value.isBoolean()
        ? "a boolean"
        : "a " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static PushResult networkFailure(Throwable failure, String what) {
    Throwable cause = unwrap(failure);
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

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }
}
