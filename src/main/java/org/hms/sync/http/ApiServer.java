package org.hms.sync.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hms.sync.Failures;
import org.hms.sync.Text;
import org.hms.sync.config.ServerConfig;
import org.hms.sync.db.DataAccessException;
import org.hms.sync.db.Database;
import org.hms.sync.idempotency.ClaimLostException;
import org.hms.sync.idempotency.IdempotencyKeys;
import org.hms.sync.inbound.InboxRepository;
import org.hms.sync.inbound.ReviewDesk;
import org.hms.sync.inbound.poll.Notifications;
import org.hms.sync.inbound.webhook.WebhookIntake;
import org.hms.sync.delivery.DeadLetterException;
import org.hms.sync.delivery.DeadLetters;
import org.hms.sync.delivery.Delivery;
import org.hms.sync.delivery.DeliveryRepository;
import org.hms.sync.delivery.DeliveryStatus;
import org.hms.sync.json.Json;
import org.hms.sync.metrics.SyncMetrics;
import org.hms.sync.operations.ConnectorOverview;
import org.hms.sync.reconcile.Reconciler;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.AppointmentStatus;
import org.hms.sync.scheduling.Immunization;
import org.hms.sync.scheduling.SchedulingException;
import org.hms.sync.scheduling.SchedulingService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: EMR scheduling, deliveries, connectors and the inbox under {@code /api} (bearer
 * admin token), signed webhooks under {@code /webhooks} (see {@link WebhookEndpoint}), FHIR
 * servers' notifications under {@code /fhir/notifications} (a secret header, see {@link
 * NotificationEndpoint}), health and Prometheus metrics open. Errors are RFC 7807 problem+json; a refused request
 * changes nothing.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  private static final String PROBLEM_WRITTEN = "hms.problem";

  /**
   * What the API serves: one application service per feature, plus the database (readiness), the
   * metrics (scrape) and the stored answers of Idempotency-Keys.
   *
   * @param deliveries read only here: lists, one delivery and its attempts
   * @param inbox read only here: {@code GET /api/inbox}
   */
  public record Services(
      Clock clock,
      Database database,
      SyncMetrics metrics,
      IdempotencyKeys idempotencyKeys,
      SchedulingService scheduling,
      DeliveryRepository deliveries,
      DeadLetters deadLetters,
      ConnectorOverview connectors,
      WebhookIntake webhooks,
      InboxRepository inbox,
      Notifications notifications,
      ReviewDesk reviews,
      Reconciler reconciler) {}

  private final Services app;
  private final SchedulingService scheduling;
  private final byte[] adminToken;
  private final Javalin javalin;
  private final RequestBody bodies;
  private volatile int listenPort;

  public ApiServer(Services services, ServerConfig server, String adminToken) {
    if (adminToken == null || adminToken.isBlank()) {
      throw new IllegalArgumentException(
          "no admin token: set server.adminToken in the config or the HMS_ADMIN_TOKEN environment"
              + " variable");
    }
    this.app = services;
    this.scheduling = services.scheduling();
    this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
    this.bodies = new RequestBody(server.requestTimeout());
    this.javalin =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
              config.http.maxRequestSize = RequestBody.MAX_BYTES;
              config.router.ignoreTrailingSlashes = true;
              config.http.prefer405over404 = true;
              config.jetty.modifyServer(jetty -> connect(jetty, server));
              config.jetty.modifyServletContextHandler(
                  context -> context.setErrorHandler(new ProblemErrorHandler()));
            });
    routes();
  }

  /**
   * The one connector, with the request timeout as its idle timeout and the minimum data rate for
   * bodies, and Jetty's own errors answered as problem+json.
   */
  private void connect(Server jetty, ServerConfig server) {
    HttpConfiguration http = new HttpConfiguration();
    http.setUriCompliance(UriCompliance.DEFAULT);
    http.setSendServerVersion(false);
    http.setIdleTimeout(server.requestTimeout().toMillis());
    http.setMinRequestDataRate(server.minRequestDataRate());
    ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
    connector.setPort(listenPort);
    connector.setIdleTimeout(server.requestTimeout().toMillis());
    jetty.addConnector(connector);
    jetty.setErrorHandler(new ProblemErrorHandler());
  }

  public void start(int port) {
    try {
      listenPort = port;
      javalin.start();
    } catch (RuntimeException failure) {
      throw new org.hms.sync.SyncException(
          "cannot listen on port " + port + " (" + Failures.describe(failure)
              + "); is another process using it? set server.port", failure);
    }
    log.info("HTTP API listening on port {}", javalin.port());
  }

  public int port() {
    return javalin.port();
  }

  @Override
  public void close() {
    javalin.stop();
  }

  private void routes() {
    WebhookEndpoint webhooks = new WebhookEndpoint(app.webhooks(), app.inbox());
    javalin.before(
        ctx -> {
          try {
            bodies.readAhead(ctx);
          } catch (Problem refused) {
            webhooks.onRefusedBody(ctx, refused);
            throw refused;
          }
        });
    javalin.before(ApiServer::refuseControlCharacters);
    javalin.before("/api/*", this::authorize);

    javalin.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
    javalin.get("/health/ready", this::ready);
    javalin.get(
        "/metrics",
        ctx ->
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(app.metrics().scrape(app.clock().instant())));

    javalin.post("/api/patients", writing(this::createPatient));
    javalin.get(
        "/api/patients/{id}",
        ctx ->
            ctx.json(
                Views.patient(
                    scheduling
                        .findPatient(ctx.pathParam("id"))
                        .orElseThrow(() -> notFound("patient", ctx.pathParam("id"))))));
    javalin.post("/api/locations", writing(this::createLocation));
    javalin.get(
        "/api/locations/{id}",
        ctx ->
            ctx.json(
                Views.location(
                    scheduling
                        .findLocation(ctx.pathParam("id"))
                        .orElseThrow(() -> notFound("location", ctx.pathParam("id"))))));
    javalin.post("/api/slots", writing(this::createSlot));
    javalin.get(
        "/api/slots/{id}",
        ctx ->
            ctx.json(
                Views.slot(
                    scheduling
                        .findSlot(ctx.pathParam("id"))
                        .orElseThrow(() -> notFound("slot", ctx.pathParam("id"))))));

    javalin.post("/api/appointments", writing(this::book));
    javalin.get("/api/appointments", this::listAppointments);
    javalin.get(
        "/api/appointments/{id}",
        ctx ->
            respond(
                ctx,
                200,
                scheduling
                    .findAppointment(ctx.pathParam("id"))
                    .orElseThrow(() -> notFound("appointment", ctx.pathParam("id")))));
    javalin.post("/api/appointments/{id}/reschedule", writing(this::reschedule));
    javalin.post("/api/appointments/{id}/cancel", writing(this::cancel));
    javalin.post("/api/appointments/{id}/complete", writing(this::complete));

    javalin.get("/api/deliveries", this::listDeliveries);
    javalin.post("/api/deliveries/replay", writing(this::replayAll));
    javalin.get("/api/deliveries/{id}", this::delivery);
    javalin.post("/api/deliveries/{id}/replay", writing(this::replay));
    javalin.post("/api/deliveries/{id}/discard", writing(this::discard));
    javalin.get("/api/connectors", this::connectors);

    javalin.post("/webhooks/{connectorId}", webhooks::receive);
    javalin.post("/fhir/notifications/{connectorId}", new NotificationEndpoint(app.notifications())::receive);
    javalin.get("/api/inbox", webhooks::list);
    ReviewEndpoint reviews = new ReviewEndpoint(app.reviews());
    javalin.get("/api/reviews", reviews::list);
    javalin.post("/api/reviews/{id}/resolve", writing(reviews::resolve));
    ReconciliationEndpoint reconciliations = new ReconciliationEndpoint(app.reconciler());
    javalin.post("/api/reconciliations", writing(reconciliations::run));
    javalin.get("/api/reconciliations", reconciliations::list);
    javalin.get("/api/reconciliations/{id}", reconciliations::find);

    javalin.exception(Problem.class, (problem, ctx) -> problem(ctx, problem));
    javalin.exception(
        SchedulingException.class, (failure, ctx) -> problem(ctx, fromScheduling(failure)));
    javalin.exception(
        DeadLetterException.class,
        (failure, ctx) ->
            problem(
                ctx,
                failure instanceof DeadLetterException.NotDead
                    ? Problem.conflict(failure.getMessage())
                    : Problem.notFound(failure.getMessage())));
    javalin.exception(
        HttpResponseException.class,
        (failure, ctx) ->
            problem(ctx, new Problem(failure.getStatus(), reason(failure.getStatus()),
                failure.getMessage())));
    javalin.exception(
        BadMessageException.class,
        (failure, ctx) ->
            problem(ctx, new Problem(failure.getCode(), reason(failure.getCode()),
                "the request could not be read (" + printable(failure.getReason())
                    + "); send valid HTTP/1.1 with a UTF-8, percent-encoded URI")));
    javalin.exception(DataAccessException.class, this::dataFailure);
    javalin.exception(
        ClaimLostException.class,
        (failure, ctx) -> problem(ctx, Problem.conflict(failure.getMessage())));
    javalin.exception(
        Exception.class,
        (failure, ctx) -> {
          log.error("unexpected failure on {} {}: {}", ctx.method(), ctx.matchedPath(),
              Failures.describe(failure));
          log.debug("unexpected failure detail", failure);
          problem(ctx, new Problem(500, "Internal Server Error",
              "unexpected failure (" + failure.getClass().getSimpleName() + "); see the server log"));
        });
    javalin.error(404, ctx -> {
      if (ctx.attribute(PROBLEM_WRITTEN) == null) {
        problem(ctx, Problem.notFound("no such endpoint: " + ctx.method() + " " + ctx.path()));
      }
    });
    javalin.error(405, ctx -> {
      if (ctx.attribute(PROBLEM_WRITTEN) == null) {
        problem(ctx, new Problem(405, "Method Not Allowed",
            ctx.method() + " is not allowed on " + ctx.path()));
      }
    });
  }

  /**
   * Ids, names and filters in the path or the query are printable text ({@link Text}); a control
   * character there (e.g. {@code %00}) is refused before any lookup, the same on every database.
   */
  private static void refuseControlCharacters(Context ctx) {
    if (!percentDecodesToUtf8(ctx.req().getRequestURI())
        || ctx.queryString() != null && !percentDecodesToUtf8(ctx.queryString())) {
      throw Problem.badRequest(
          "the request URI is not UTF-8 once percent-decoded; percent-encode UTF-8 bytes only");
    }
    String path = ctx.req().getPathInfo();
    if (path != null && Text.problem(path) != null) {
      throw Problem.badRequest(
          "the request path " + Text.problem(path) + "; ids and names never do");
    }
    for (Map.Entry<String, List<String>> parameter : ctx.queryParamMap().entrySet()) {
      String name = parameter.getKey();
      if (Text.problem(name) != null) {
        throw Problem.badRequest("a query parameter name " + Text.problem(name));
      }
      for (String value : parameter.getValue()) {
        if (Text.problem(value) != null) {
          throw Problem.badRequest(
              "query parameter '" + printable(name) + "' " + Text.problem(value));
        }
      }
    }
  }

  /**
   * True when the percent-escapes of a raw URI part make valid UTF-8. Jetty would decode {@code
   * %FF} to U+FFFD and go on; we refuse it, as we refuse invalid UTF-8 in bodies.
   */
  private static boolean percentDecodesToUtf8(String raw) {
    if (raw == null || raw.indexOf('%') < 0) {
      return true;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int index = 0; index < raw.length(); index++) {
      char next = raw.charAt(index);
      if (next == '%' && index + 2 < raw.length()
          && Character.digit(raw.charAt(index + 1), 16) >= 0
          && Character.digit(raw.charAt(index + 2), 16) >= 0) {
        bytes.write(Integer.parseInt(raw, index + 1, index + 3, 16));
        index += 2;
      } else {
        bytes.writeBytes(String.valueOf(next).getBytes(StandardCharsets.UTF_8));
      }
    }
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()));
      return true;
    } catch (CharacterCodingException invalid) {
      return false;
    }
  }

  /** Text from the request made safe to show: printable ASCII, at most 100 characters. */
  private static String printable(String text) {
    if (text == null) {
      return "";
    }
    String safe = text.replaceAll("[^\\x20-\\x7e]", "?");
    return safe.length() > 100 ? safe.substring(0, 100) + "..." : safe;
  }

  private void authorize(Context ctx) {
    String header = ctx.header("Authorization");
    boolean valid =
        header != null
            && header.regionMatches(true, 0, "Bearer ", 0, 7)
            && MessageDigest.isEqual(
                header.substring(7).trim().getBytes(StandardCharsets.UTF_8), adminToken);
    if (!valid) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"hms-sync\"");
      throw new Problem(401, "Unauthorized",
          "send the header Authorization: Bearer <server.adminToken> (HMS_ADMIN_TOKEN)");
    }
  }

  private void ready(Context ctx) {
    boolean reachable = app.database().isReachable();
    org.hms.sync.db.Database.SchemaStatus schema =
        reachable ? app.database().schemaStatus() : null;
    boolean ready = reachable && schema.pending() == 0;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", ready ? "UP" : "DOWN");
    body.put("database", reachable ? "reachable" : "unreachable");
    body.put("schemaVersion", reachable ? schema.version() : null);
    body.put("pendingMigrations", reachable ? schema.pending() : -1);
    ctx.status(ready ? 200 : 503).json(body);
  }

  private void createPatient(Context ctx, IdempotentCall call) {
    Body body = Body.parse(ctx, false, Set.of("mrn", "givenName", "familyName", "birthDate"));
    scheduling.createPatient(
        body.requiredText("mrn"),
        body.requiredText("givenName"),
        body.requiredText("familyName"),
        body.requiredDate("birthDate"),
        call.answer(
            patient ->
                Answer.json(201, Views.patient(patient))
                    .with("Location", "/api/patients/" + patient.id())));
  }

  private void createLocation(Context ctx, IdempotentCall call) {
    Body body = Body.parse(ctx, false, Set.of("code", "name"));
    scheduling.createLocation(
        body.requiredText("code"),
        body.requiredText("name"),
        call.answer(
            location ->
                Answer.json(201, Views.location(location))
                    .with("Location", "/api/locations/" + location.id())));
  }

  private void createSlot(Context ctx, IdempotentCall call) {
    Body body = Body.parse(ctx, false, Set.of("locationId", "start", "end", "capacity"));
    scheduling.createSlot(
        body.requiredText("locationId"),
        body.requiredInstant("start"),
        body.requiredInstant("end"),
        body.has("capacity") ? body.requiredInt("capacity") : 1,
        call.answer(
            slot -> Answer.json(201, Views.slot(slot)).with("Location", "/api/slots/" + slot.id())));
  }

  private void book(Context ctx, IdempotentCall call) {
    Body body = Body.parse(ctx, false, Set.of("patientId", "slotId"));
    scheduling.book(
        body.requiredText("patientId"),
        body.requiredText("slotId"),
        null,
        null,
        call.answer(
            appointment ->
                appointmentAnswer(201, appointment)
                    .with("Location", "/api/appointments/" + appointment.id())));
  }

  private void listAppointments(Context ctx) {
    String status = ctx.queryParam("status");
    AppointmentStatus parsed;
    try {
      parsed = status == null || status.isBlank() ? null : AppointmentStatus.fromWire(status);
    } catch (IllegalArgumentException invalid) {
      throw Problem.badRequest(invalid.getMessage());
    }
    List<Map<String, Object>> items =
        scheduling.listAppointments(blankToNull(ctx.queryParam("patientId")), parsed, limit(ctx))
            .stream()
            .map(Views::appointment)
            .toList();
    ctx.json(Map.of("items", items));
  }

  private void reschedule(Context ctx, IdempotentCall call) {
    Body body = Body.parse(ctx, false, Set.of("slotId"));
    scheduling.reschedule(
        ctx.pathParam("id"), body.requiredText("slotId"), ifMatch(ctx), null,
        call.answer(appointment -> appointmentAnswer(200, appointment)));
  }

  private void cancel(Context ctx, IdempotentCall call) {
    Body body = Body.parse(ctx, true, Set.of("reason"));
    scheduling.cancel(
        ctx.pathParam("id"), body.optionalText("reason"), ifMatch(ctx), null,
        call.answer(appointment -> appointmentAnswer(200, appointment)));
  }

  private void complete(Context ctx, IdempotentCall call) {
    Body body = Body.parse(ctx, true, Set.of("immunization"));
    Body given =
        body.object(
            "immunization",
            Set.of("cvxCode", "lotNumber", "dose", "manufacturer", "route", "site",
                "administeredAt"));
    Immunization immunization =
        given == null
            ? null
            : new Immunization(
                given.requiredText("cvxCode"),
                given.optionalText("lotNumber"),
                given.optionalText("dose"),
                given.optionalText("manufacturer"),
                given.optionalText("route"),
                given.optionalText("site"),
                given.optionalInstant("administeredAt"));
    scheduling.complete(
        ctx.pathParam("id"), immunization, ifMatch(ctx), null,
        call.answer(appointment -> appointmentAnswer(200, appointment)));
  }

  private void listDeliveries(Context ctx) {
    DeliveryStatus status = deliveryStatus(ctx.queryParam("status"));
    List<Map<String, Object>> items =
        app.deliveries()
            .list(status, blankToNull(ctx.queryParam("connector")),
                blankToNull(ctx.queryParam("appointmentId")), limit(ctx))
            .stream()
            .map(Views::delivery)
            .toList();
    ctx.json(Map.of("items", items));
  }

  private void delivery(Context ctx) {
    Delivery delivery = findDelivery(ctx.pathParam("id"));
    ctx.json(Views.deliveryWithAttempts(delivery, app.deliveries().attempts(delivery.id())));
  }

  private void replay(Context ctx, IdempotentCall call) {
    call.answer(Answer.json(200, Views.delivery(app.deadLetters().replay(ctx.pathParam("id")))));
  }

  private void replayAll(Context ctx, IdempotentCall call) {
    DeliveryStatus status = deliveryStatus(ctx.queryParam("status"));
    if (status != null && status != DeliveryStatus.DEAD) {
      throw Problem.badRequest("bulk replay takes status=dead (the default), not " + status.wire());
    }
    int replayed = app.deadLetters().replayAll(blankToNull(ctx.queryParam("connector")));
    call.answer(Answer.json(200, Map.of("replayed", replayed)));
  }

  private void discard(Context ctx, IdempotentCall call) {
    call.answer(Answer.json(200, Views.delivery(app.deadLetters().discard(ctx.pathParam("id")))));
  }

  private void connectors(Context ctx) {
    Instant now = app.clock().instant();
    ctx.json(
        Map.of(
            "items",
            app.connectors().list().stream().map(state -> Views.connector(state, now)).toList()));
  }

  private Delivery findDelivery(String id) {
    return app.deliveries().find(id).orElseThrow(() -> notFound("delivery", id));
  }

  private static void respond(Context ctx, int status, Appointment appointment) {
    appointmentAnswer(status, appointment).send(ctx);
  }

  private static Answer appointmentAnswer(int status, Appointment appointment) {
    return Answer.json(status, Views.appointment(appointment))
        .with("ETag", "\"" + appointment.version() + "\"");
  }

  /** A writing request's handler: it gives its answer to the call (see {@link IdempotentCall}). */
  @FunctionalInterface
  interface Writing {
    void handle(Context ctx, IdempotentCall call) throws Exception;
  }

  /** Runs a writing handler under the request's {@code Idempotency-Key}, if it sent one. */
  private Handler writing(Writing handler) {
    return ctx -> {
      IdempotentCall call = IdempotentCall.begin(ctx, app.idempotencyKeys());
      if (call == null) {
        return;
      }
      try {
        handler.handle(ctx, call);
        call.finish(ctx);
      } catch (Exception | Error failure) {
        call.abandon();
        throw failure;
      }
    };
  }

  /** If-Match: "3", W/"3", 3 or * (any version). */
  private static Long ifMatch(Context ctx) {
    String header = ctx.header("If-Match");
    if (header == null || header.isBlank() || header.trim().equals("*")) {
      return null;
    }
    String value = header.trim();
    if (value.startsWith("W/")) {
      value = value.substring(2);
    }
    value = value.replace("\"", "");
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException invalid) {
      throw Problem.badRequest(
          "If-Match must be the appointment's version as an ETag, e.g. If-Match: \"3\"");
    }
  }

  private static DeliveryStatus deliveryStatus(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return DeliveryStatus.fromWire(text);
    } catch (IllegalArgumentException invalid) {
      throw Problem.badRequest(invalid.getMessage());
    }
  }

  static int limit(Context ctx) {
    String text = ctx.queryParam("limit");
    if (text == null || text.isBlank()) {
      return 100;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit < 1 || limit > 1000) {
        throw new NumberFormatException();
      }
      return limit;
    } catch (NumberFormatException invalid) {
      throw Problem.badRequest("limit must be a whole number from 1 to 1000 (default 100)");
    }
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text;
  }

  private static Problem notFound(String kind, String id) {
    return Problem.notFound(kind + " '" + id + "' not found");
  }

  private static Problem fromScheduling(SchedulingException failure) {
    if (failure instanceof SchedulingException.NotFound) {
      return Problem.notFound(failure.getMessage());
    }
    if (failure instanceof SchedulingException.VersionMismatch) {
      return new Problem(412, "Precondition Failed", failure.getMessage());
    }
    if (failure instanceof SchedulingException.Invalid) {
      return Problem.badRequest(failure.getMessage());
    }
    return Problem.conflict(failure.getMessage());
  }

  private void dataFailure(DataAccessException failure, Context ctx) {
    if (failure.getCause() instanceof SQLException sql
        && sql.getSQLState() != null
        && sql.getSQLState().startsWith("23")) {
      problem(ctx, Problem.conflict("the request conflicts with existing data (a unique value is"
          + " taken or a constraint would break); nothing was changed"));
      return;
    }
    log.error("database failure on {} {}: {}", ctx.method(), ctx.matchedPath(),
        Failures.describe(failure));
    log.debug("database failure detail", failure);
    problem(ctx, new Problem(503, "Service Unavailable",
        failure.outcomeUnknown()
            ? "the database connection failed during commit: the change may or may not have been"
                + " stored; read the current state before retrying"
            : "the database failed; nothing was changed; try again"));
  }

  private static void problem(Context ctx, Problem problem) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", problem.title());
    body.put("status", problem.status());
    body.put("detail", problem.getMessage());
    body.put("instance", ctx.path());
    ctx.attribute(PROBLEM_WRITTEN, Boolean.TRUE);
    ctx.status(problem.status())
        .contentType("application/problem+json")
        .result(Json.write(body));
  }

  private static String reason(int status) {
    switch (status) {
      case 400:
        return "Bad Request";
      case 404:
        return "Not Found";
      case 405:
        return "Method Not Allowed";
      case 408:
        return "Request Timeout";
      case 413:
        return "Content Too Large";
      default:
        return "HTTP " + status;
    }
  }
}
