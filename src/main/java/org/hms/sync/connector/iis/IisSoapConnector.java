package org.hms.sync.connector.iis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hms.sync.SyncException;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.IisConfig;
import org.hms.sync.config.RouteConfig;
import org.hms.sync.connector.HealthCheck;
import org.hms.sync.connector.BeforeSending;
import org.hms.sync.connector.OutboundRequest;
import org.hms.sync.connector.Preview;
import org.hms.sync.connector.Previewable;
import org.hms.sync.connector.auth.AuthException;
import org.hms.sync.connector.auth.Credentials;
import org.hms.sync.connector.http.AnswerClass;
import org.hms.sync.connector.http.AnswerTooLargeException;
import org.hms.sync.connector.http.Http;
import org.hms.sync.connector.iis.IisSoap.Fault;
import org.hms.sync.connector.iis.IisSoap.Reply;
import org.hms.sync.delivery.Connector;
import org.hms.sync.delivery.PushRequest;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.MappingInput;
import org.hms.sync.outbox.EventTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports doses to a state immunization registry: an HL7 v2.5.1 VXU^V04 in the CDC IIS 2011 SOAP
 * web service's {@code submitSingleMessage}, judged by the HL7 ACK in its {@code return}.
 *
 * <p>What is sent: {@code appointment.completed} with a dose reports it (RXA-21 {@code A}; {@code
 * U} when the appointment was reported before and is being corrected); {@code
 * appointment.cancelled} after a report deletes it ({@code D}), and before any report sends
 * nothing. The vaccination id in ORC-3 is the appointment id, so the add, its retries, corrections
 * and the delete all name the same record.
 *
 * <p>How outcomes are judged: MSA-1 {@code AA} is success (ERR warnings go into the note), {@code
 * AE} is permanent (ERR segments in the reason), {@code AR} is retryable. An HTTP 2xx answer
 * without a usable ACK (empty, unreadable, not SOAP, or MSA-2 not our MSH-10) may still mean the
 * registry recorded the dose: it is retried at most {@code iis.unreadableAckRetries} times, then
 * dead-lettered with the answer, patient data masked, for a person to decide. SecurityFault,
 * MessageTooLargeFault and UnsupportedOperationFault are permanent; UnknownFault, timeouts and
 * network errors are retryable. A non-2xx answer without a SOAP fault is judged by its status as
 * {@link AnswerClass} says (408, 425, 429 and 5xx retryable, any other permanent).
 *
 * <p>Idempotency: a retry of one delivery sends the same ORC-3 and action code; its MSH-10 is new
 * per attempt (see {@link #controlId}).
 */
public final class IisSoapConnector implements Connector, Previewable, HealthCheck {
  /** The connector type's name in the configuration. */
  public static final String TYPE = "iis-soap";

  /** What {@link #checkHealth()} asks connectivityTest to echo. */
  static final String ECHO = "hms-sync";

  private static final Logger LOG = LoggerFactory.getLogger(IisSoapConnector.class);
  private static final Set<String> EVENT_TYPES = Set.of(EventTypes.COMPLETED, EventTypes.CANCELLED);
  private static final String MASK = "***";
  private static final String ACK_UNREADABLE = "AckUnreadable";

  private final ConnectorConfig config;
  private final IisConfig settings;
  private final MessageHeader header;
  private final HttpClient client;
  private final Clock clock;
  private final Credentials credentials;
  /** True from a SecurityFault until the next accepted message: one alert per episode. */
  private final AtomicBoolean credentialsRefused = new AtomicBoolean();

  private IisSoapConnector(
      ConnectorConfig config,
      IisConfig settings,
      MessageHeader header,
      HttpClient client,
      Clock clock) {
    this.config = config;
    this.settings = settings;
    this.header = header;
    this.client = client;
    this.clock = clock;
    this.credentials = Credentials.of(config.auth(), client, clock);
  }

  /**
   * Checks the {@code iis} section and the routes; fails with a message that says what to change.
   */
  public static IisSoapConnector create(ConnectorConfig config, Clock clock) {
    IisConfig settings;
    try {
      settings = config.settings(IisConfig.class, null);
    } catch (IllegalStateException wrongKind) {
      throw new SyncException(
          wrongKind.getMessage() + "; an iis-soap connector takes an iis section");
    }
    if (settings == null) {
      throw new SyncException(
          "connector '"
              + config.id()
              + "' (type iis-soap) has no iis section; add one with at least sendingFacility"
              + " (the registry's id of the clinic), and username, password and facilityId as the"
              + " registry assigned them, e.g. password: ${IIS_PASSWORD}");
    }
    if (config.routes().isEmpty()) {
      throw new SyncException(
          "connector '"
              + config.id()
              + "' (type iis-soap) has no routes; subscribe it to appointment.completed and"
              + " appointment.cancelled");
    }
    for (RouteConfig route : config.routes().values()) {
      checkRoute(config.id(), route);
    }
    MessageHeader header;
    try {
      header =
          new MessageHeader(
              settings.sendingApplication(),
              settings.sendingFacility(),
              settings.receivingApplication(),
              settings.receivingFacility(),
              settings.processingId(),
              settings.mrnAuthority());
    } catch (IllegalArgumentException invalid) {
      throw new SyncException(
          "connector '" + config.id() + "': iis." + invalid.getMessage() + "; fix the iis section");
    }
    return new IisSoapConnector(config, settings, header, Http.client(config), clock);
  }

  private static void checkRoute(String connectorId, RouteConfig route) {
    if (!EVENT_TYPES.contains(route.eventType())) {
      throw new SyncException(
          "connector '"
              + connectorId
              + "' (type iis-soap) cannot send "
              + route.eventType()
              + ": a registry takes the dose once it is given, not appointments; subscribe it to"
              + " appointment.completed and appointment.cancelled only");
    }
    if (route.method() != null
        || route.path() != null
        || route.mapping() != null
        || route.document() != null) {
      throw new SyncException(
          "connector '"
              + connectorId
              + "' (type iis-soap): route "
              + route.eventType()
              + " takes no method, path, mapping or document (the VXU is built from the"
              + " appointment); remove them");
    }
  }

  @Override
  public String id() {
    return config.id();
  }

  // ---------------------------------------------------------------------------------------------
  // push

  @Override
  public CompletableFuture<PushResult> push(PushRequest request) {
    Plan plan;
    try {
      plan =
          plan(
              request.event().type(),
              MappingInput.of(request.event(), request.externalId()),
              controlId(request.idempotencyKey(), request.attempt()));
    } catch (NothingToSendException refused) {
      return CompletableFuture.completedFuture(
          new PushResult.Permanent(null, "NothingToSend", refused.getMessage()));
    }
    if (plan instanceof Plan.Skip skip) {
      return CompletableFuture.completedFuture(new PushResult.Success(null, null, skip.note()));
    }
    Plan.Send send = (Plan.Send) plan;
    return credentials
        .authorization()
        .thenCompose(
            authorization -> submit(send, authorization.orElse(null), request.attemptInRun()))
        .exceptionally(BeforeSending::judge);
  }

  /**
   * MSH-10 of one attempt: 14 hex digits of the SHA-256 of the delivery's idempotency key, then
   * the attempt number ({@code 3F9A0C21B7D4E6-2}), at most 20 characters as HL7 v2.5.1 allows.
   *
   * <p>Why per attempt and not per delivery: each attempt is its own transmission whose ACK must
   * answer it and no other (MSA-2 is checked against it), and registries that keep control ids
   * reject a resent one as a duplicate (AE), which would turn a harmless retry after a lost
   * response into a dead letter. The registry recognises the dose itself by ORC-3, which never
   * changes. The same delivery and attempt always give the same id, so a rebuilt message is the
   * same message.
   */
  static String controlId(String idempotencyKey, int attempt) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(idempotencyKey.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().withUpperCase().formatHex(digest, 0, 7) + "-" + attempt;
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("every Java runtime has SHA-256", impossible);
    }
  }

  /** What to do for one event; throws {@link NothingToSendException} when it cannot be sent. */
  private Plan plan(String eventType, JsonNode input, String controlId) {
    JsonNode known = input.path("externalId");
    String externalId = known.isMissingNode() || known.isNull() || known.asText().isBlank()
        ? null
        : known.asText();
    VaccinationRecord vaccination;
    switch (eventType) {
      case EventTypes.COMPLETED -> {
        String vaccinationId =
            externalId == null ? VaccinationInput.appointmentId(input) : externalId;
        ActionCode action = externalId == null ? ActionCode.ADD : ActionCode.UPDATE;
        vaccination = VaccinationInput.dose(input, vaccinationId, action);
      }
      case EventTypes.CANCELLED -> {
        if (externalId == null) {
          return new Plan.Skip(
              "no vaccination was reported; nothing to delete (appointment "
                  + VaccinationInput.appointmentId(input)
                  + ")");
        }
        vaccination =
            VaccinationInput.hasDose(input)
                ? VaccinationInput.dose(input, externalId, ActionCode.DELETE)
                : VaccinationInput.deleteWithoutDose(input, externalId);
      }
      default -> throw new NothingToSendException(
          "connector '"
              + config.id()
              + "' (type iis-soap) does not send "
              + eventType
              + "; only appointment.completed and appointment.cancelled");
    }
    String note =
        VaccinationInput.doseUnreadable(input)
            ? "; the dose text is not a number with a unit (such as 0.3 mL), so RXA-6 says 999"
                + " (amount unknown)"
            : "";
    String er7 = Vxu.build(header, vaccination, controlId, clock);
    return new Plan.Send(vaccination, er7, controlId, note);
  }

  /** The outcome of planning one event. */
  private sealed interface Plan {
    /** Send this VXU; {@code note} is appended to a success note. */
    record Send(VaccinationRecord vaccination, String er7, String controlId, String note)
        implements Plan {
      /** {@code vaccination <id>, RXA-21 A, MSH-10 <control id>}: no PHI. */
      String describe() {
        return "vaccination "
            + vaccination.vaccinationId()
            + ", RXA-21 "
            + vaccination.action().code()
            + ", MSH-10 "
            + controlId;
      }
    }

    /** Nothing needs sending: success with this note. */
    record Skip(String note) implements Plan {}
  }

  private CompletableFuture<PushResult> submit(
      Plan.Send send, String authorization, int attemptInRun) {
    String envelope =
        IisSoap.submitSingleMessage(
            settings.username(), settings.password(), settings.facilityId(), send.er7());
    return client
        .sendAsync(
            httpRequest(IisSoap.SUBMIT_SINGLE_MESSAGE, envelope, authorization), boundedText())
        .orTimeout(ceiling().toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (response, failure) ->
                failure == null
                    ? judge(response, send, envelope.length(), attemptInRun)
                    : failed(failure, send, attemptInRun));
  }

  /**
   * The answer as UTF-8 text, read up to {@link Http#MAX_PUSH_ANSWER_BYTES}: a longer one fails
   * with {@link AnswerTooLargeException} as soon as it passes the limit.
   */
  private static HttpResponse.BodyHandler<String> boundedText() {
    HttpResponse.BodyHandler<byte[]> bounded = Http.bounded(Http.MAX_PUSH_ANSWER_BYTES);
    return info ->
        HttpResponse.BodySubscribers.mapping(
            bounded.apply(info), bytes -> new String(bytes, StandardCharsets.UTF_8));
  }

  /**
   * No answer to judge: a network failure, or an answer too large to read. After a 2xx a too-large
   * answer may still mean the dose was recorded, so it counts as an unreadable answer. After any
   * other status it is retryable whatever the status: the SOAP fault that would decide (see {@link
   * #fault}) could not be read.
   */
  private PushResult failed(Throwable failure, Plan.Send send, int attemptInRun) {
    AnswerTooLargeException tooLarge = AnswerTooLargeException.in(failure);
    if (tooLarge != null && AnswerClass.of(tooLarge.statusCode()) == AnswerClass.SUCCESS) {
      return unreadableAnswer(
          tooLarge.statusCode(),
          "no usable ACK for the VXU (" + send.describe() + "): " + tooLarge.getMessage(),
          "",
          send,
          attemptInRun);
    }
    if (tooLarge != null) {
      return new PushResult.Retryable(
          tooLarge.statusCode(),
          "HttpStatus",
          "HTTP " + tooLarge.statusCode() + " from submitSingleMessage (" + send.describe()
              + "): " + tooLarge.getMessage(),
          null);
    }
    return networkFailure(failure, "submitSingleMessage (" + send.describe() + ")");
  }

  private PushResult judge(
      HttpResponse<String> response, Plan.Send send, int sentLength, int attemptInRun) {
    int status = response.statusCode();
    if (status == 401) {
      credentials.invalidate();
    }
    Reply reply =
        IisSoap.read(
            response.headers().firstValue("Content-Type").orElse(null),
            response.body(),
            IisSoap.SUBMIT_SINGLE_MESSAGE);
    if (reply instanceof Reply.Faulted faulted) {
      return fault(status, faulted.fault(), send, sentLength);
    }
    AnswerClass answer = AnswerClass.of(status);
    if (reply instanceof Reply.Returned returned && answer == AnswerClass.SUCCESS) {
      AckResult ack = AckReader.read(returned.value(), send.controlId());
      if (ack instanceof AckResult.Unreadable unreadable) {
        return unreadableAnswer(
            status,
            "no usable ACK for the VXU (" + send.describe() + "): " + unreadable.reason(),
            AckReader.decoded(returned.value()),
            send,
            attemptInRun);
      }
      return acknowledged(status, ack, send);
    }
    String problem =
        reply instanceof Reply.NotSoap notSoap
            ? notSoap.reason()
            : "a submitSingleMessageResponse came with HTTP " + status;
    String detail =
        "HTTP " + status + " to submitSingleMessage (" + send.describe() + "): " + problem;
    if (answer == AnswerClass.SUCCESS) {
      return unreadableAnswer(status, detail, response.body(), send, attemptInRun);
    }
    if (answer == AnswerClass.RETRYABLE) {
      return new PushResult.Retryable(status, "HttpStatus", detail, null);
    }
    return new PushResult.Permanent(
        status,
        "HttpStatus",
        detail + "; check the connector's baseUrl (the registry's submitSingleMessage endpoint)"
            + (status == 401 || status == 403 ? " and its auth" : ""));
  }

  /** The verdict of a readable ACK: accepted, rejected or refused (never unreadable). */
  private PushResult acknowledged(int status, AckResult ack, Plan.Send send) {
    String what = send.describe();
    if (ack instanceof AckResult.Accepted accepted) {
      credentialsAccepted();
      String warnings =
          accepted.warnings().isEmpty()
              ? ""
              : "; " + count(accepted.warnings().size(), "ERR warning") + ": "
                  + summaries(accepted.warnings());
      return new PushResult.Success(
          status,
          send.vaccination().vaccinationId(),
          "registry accepted the VXU (MSA-1 AA; " + what + ")" + warnings
              + msa3(accepted.text()) + send.note());
    }
    if (ack instanceof AckResult.Rejected rejected) {
      return new PushResult.Permanent(
          status,
          "AckRejected",
          "registry rejected the VXU (MSA-1 AE; "
              + what
              + "): "
              + (rejected.errors().isEmpty()
                  ? "no ERR segment given"
                  : summaries(rejected.errors()))
              + msa3(rejected.text())
              + ". Correct the data in the EMR, then replay this dead letter");
    }
    AckResult.Refused refused = (AckResult.Refused) ack;
    return new PushResult.Retryable(
        status,
        "AckRefused",
        "registry could not process the VXU now (MSA-1 AR; "
            + what
            + ")"
            + (refused.errors().isEmpty() ? "" : ": " + summaries(refused.errors()))
            + msa3(refused.text()),
        null);
  }

  /**
   * An HTTP 2xx answer without a readable ACK. The registry may well have recorded the dose, so
   * the VXU is sent again only when this was one of the first {@code iis.unreadableAckRetries}
   * attempts of the delivery's run (since it was created or last replayed, whatever their
   * outcome); otherwise it is a permanent failure, a dead letter whose reason keeps the answer, patient data
   * masked, for a person to look the dose up at the registry and replay or discard it.
   *
   * @param problem what was wrong with the answer; names no PHI
   * @param answer the answer as received (the decoded {@code return}, or the HTTP body)
   */
  private PushResult unreadableAnswer(
      int status, String problem, String answer, Plan.Send send, int attemptInRun) {
    int allowed = settings.unreadableAckRetries();
    int earlier = attemptInRun - 1;
    if (earlier < allowed) {
      int left = allowed - earlier;
      return new PushResult.Retryable(
          status,
          ACK_UNREADABLE,
          problem
              + "; whether the registry took the dose is unknown, so it is sent again (at most "
              + count(left, "more time")
              + " while answers stay unreadable, iis.unreadableAckRetries "
              + allowed
              + ")",
          null);
    }
    return new PushResult.Permanent(
        status,
        ACK_UNREADABLE,
        problem
            + "; the registry may have recorded the dose, so it is not sent again ("
            + count(attemptInRun, "attempt")
            + ", iis.unreadableAckRetries "
            + allowed
            + "): look vaccination "
            + send.vaccination().vaccinationId()
            + " up at the registry, then replay this dead letter if the dose is missing there, or"
            + " discard it. The answer, patient data masked: "
            + MaskedAnswer.of(answer, send.vaccination().patient()));
  }

  private PushResult fault(int status, Fault fault, Plan.Send send, int sentLength) {
    String what = send.describe();
    String shown = faultText(fault);
    return switch (fault.kind()) {
      case SECURITY -> {
        credentialsRefusedAlert(shown);
        yield new PushResult.Permanent(
            status,
            fault.kind().label(),
            "registry refused the credentials (" + shown + "; " + what + "): check iis.username,"
                + " iis.password and iis.facilityId of connector '" + config.id()
                + "', then replay the dead letters");
      }
      case MESSAGE_TOO_LARGE -> new PushResult.Permanent(
          status,
          fault.kind().label(),
          "registry refused the message as too large (" + shown + "; " + what + ", "
              + sentLength + " characters sent); sending it again cannot help");
      case UNSUPPORTED_OPERATION -> new PushResult.Permanent(
          status,
          fault.kind().label(),
          "registry does not support submitSingleMessage (" + shown + "; " + what
              + "): check that baseUrl is the registry's CDC IIS 2011 endpoint");
      case UNKNOWN -> new PushResult.Retryable(
          status,
          fault.kind().label(),
          "registry failed to process the message (" + shown + "; " + what + ")",
          null);
      case UNDECLARED -> fault.blamesTheRequest()
          ? new PushResult.Permanent(
              status,
              "SoapFault",
              "registry refused the request (" + shown + "; " + what + "); sending it again"
                  + " cannot help")
          : new PushResult.Retryable(
              status, "SoapFault", "registry failed (" + shown + "; " + what + ")", null);
    };
  }

  /** One ERROR line when the registry starts refusing our credentials, not one per delivery. */
  private void credentialsRefusedAlert(String shown) {
    if (credentialsRefused.compareAndSet(false, true)) {
      LOG.error(
          "connector {}: the registry refused our credentials ({}); every VXU fails until"
              + " iis.username, iis.password and iis.facilityId are fixed",
          config.id(),
          shown);
    }
  }

  private void credentialsAccepted() {
    if (credentialsRefused.compareAndSet(true, false)) {
      LOG.info("connector {}: the registry accepts our credentials again", config.id());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // preview

  /**
   * The envelope exactly as {@link #push} sends it for the delivery's first attempt, password and
   * Authorization masked; the detail is the HL7 message one segment a line. It shows patient data
   * to the operator who asked: print it, never log it.
   *
   * @throws NothingToSendException when the event sends nothing (a cancellation before any
   *     report, or no dose) or cannot be reported
   */
  @Override
  public Preview preview(String eventType, ObjectNode input, String idempotencyKey) {
    if (config.route(eventType).isEmpty()) {
      throw new IllegalArgumentException(
          "connector '" + config.id() + "' has no route for " + eventType);
    }
    Plan plan = plan(eventType, input, controlId(idempotencyKey, 1));
    if (plan instanceof Plan.Skip skip) {
      throw new NothingToSendException(
          "nothing would be sent: "
              + skip.note()
              + "; give the event file an externalId to see the delete (RXA-21 D)");
    }
    Plan.Send send = (Plan.Send) plan;
    String envelope =
        IisSoap.submitSingleMessage(
            settings.username(),
            settings.password() == null ? null : MASK,
            settings.facilityId(),
            send.er7());
    Map<String, String> headers =
        headers(IisSoap.SUBMIT_SINGLE_MESSAGE, credentials.preview().orElse(null));
    return new Preview(
        new OutboundRequest("POST", config.baseUrl(), headers, envelope), Vxu.pretty(send.er7()));
  }

  // ---------------------------------------------------------------------------------------------
  // health

  /** connectivityTest("hms-sync"): healthy when the registry echoes it back. */
  @Override
  public CompletableFuture<Health> checkHealth() {
    String envelope = IisSoap.connectivityTest(ECHO);
    try {
      return credentials
          .authorization()
          .thenCompose(
              authorization ->
                  client
                      .sendAsync(
                          httpRequest(
                              IisSoap.CONNECTIVITY_TEST, envelope, authorization.orElse(null)),
                          boundedText())
                      .orTimeout(ceiling().toMillis(), TimeUnit.MILLISECONDS))
          .handle((response, failure) -> failure == null ? health(response) : unhealthy(failure));
    } catch (RuntimeException unexpected) {
      return CompletableFuture.completedFuture(unhealthy(unexpected));
    }
  }

  private Health health(HttpResponse<String> response) {
    Reply reply =
        IisSoap.read(
            response.headers().firstValue("Content-Type").orElse(null),
            response.body(),
            IisSoap.CONNECTIVITY_TEST);
    if (reply instanceof Reply.Returned returned) {
      return returned.value().contains(ECHO)
          ? new Health(true, "connectivityTest echoed '" + ECHO + "'")
          : new Health(
              false,
              "connectivityTest answered without echoing '" + ECHO + "': "
                  + clip(returned.value(), 80));
    }
    if (reply instanceof Reply.Faulted faulted) {
      return new Health(false, "connectivityTest failed: " + faultText(faulted.fault()));
    }
    return new Health(
        false,
        "connectivityTest: HTTP "
            + response.statusCode()
            + ", "
            + ((Reply.NotSoap) reply).reason());
  }

  private Health unhealthy(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof AuthException auth) {
      return new Health(false, "no credentials for the registry: " + auth.getMessage());
    }
    return new Health(false, networkProblem(cause, "connectivityTest"));
  }

  // ---------------------------------------------------------------------------------------------
  // shared

  private HttpRequest httpRequest(String operation, String envelope, String authorization) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(config.baseUrl())
            .timeout(config.timeouts().request())
            .POST(HttpRequest.BodyPublishers.ofString(envelope, StandardCharsets.UTF_8));
    headers(operation, authorization).forEach(builder::header);
    return builder.build();
  }

  private Map<String, String> headers(String operation, String authorization) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("User-Agent", Http.USER_AGENT);
    headers.putAll(config.headers());
    headers.put("Content-Type", IisSoap.contentType(operation));
    headers.put("Accept", "application/soap+xml, text/xml");
    if (authorization != null) {
      headers.put("Authorization", authorization);
    }
    return headers;
  }

  /** The request timeout is the HTTP client's; this guards against a stalled connect as well. */
  private Duration ceiling() {
    return config.timeouts().request().plus(config.timeouts().connect()).plusSeconds(1);
  }

  private PushResult networkFailure(Throwable failure, String what) {
    Throwable cause = unwrap(failure);
    boolean timedOut = cause instanceof HttpTimeoutException || cause instanceof TimeoutException;
    return new PushResult.Retryable(
        null,
        cause.getClass().getSimpleName(),
        networkProblem(cause, what)
            + (timedOut ? "; whether the registry took it is unknown, so it is sent again" : ""),
        null);
  }

  /** What went wrong on the way, for a retryable result or an unhealthy check. */
  private String networkProblem(Throwable cause, String what) {
    String where = config.baseUrl().getHost() + ":" + port();
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      return "timed out after " + config.timeouts().request().toMillis() + " ms: " + what + " at "
          + where;
    }
    if (cause instanceof ConnectException) {
      return "cannot connect to " + where + ": " + what;
    }
    return "network error on " + what + " at " + where + ": " + cause.getMessage();
  }

  private int port() {
    int port = config.baseUrl().getPort();
    return port >= 0 ? port : "https".equalsIgnoreCase(config.baseUrl().getScheme()) ? 443 : 80;
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** {@code SecurityFault: Code 401, Invalid password} and the like, from the registry's words. */
  private static String faultText(Fault fault) {
    List<String> parts = new ArrayList<>();
    if (fault.kind() == IisSoap.FaultKind.UNDECLARED) {
      parts.add(fault.code().isEmpty() ? "fault" : "env:" + fault.code());
      if (!fault.reason().isEmpty()) {
        parts.add(clip(fault.reason(), 200));
      }
    } else {
      if (!fault.detailCode().isEmpty()) {
        parts.add("Code " + clip(fault.detailCode(), 20));
      }
      String reason = fault.detailReason().isEmpty() ? fault.reason() : fault.detailReason();
      if (!reason.isEmpty()) {
        parts.add(clip(reason, 200));
      }
      if (!fault.detailText().isEmpty()) {
        parts.add(clip(fault.detailText(), 200));
      }
    }
    String label = fault.kind().label();
    return parts.isEmpty() ? label : label + ": " + String.join(", ", parts);
  }

  private static String summaries(List<AckIssue> issues) {
    return String.join("; ", issues.stream().map(AckIssue::summary).toList());
  }

  private static String msa3(String text) {
    return text.isEmpty() ? "" : "; MSA-3: " + clip(text, 200);
  }

  private static String count(int count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }

  private static String clip(String text, int longest) {
    String flat = text.replaceAll("\\s+", " ").strip();
    return flat.length() > longest ? flat.substring(0, longest) + "…" : flat;
  }
}
