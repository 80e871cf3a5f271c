package org.hms.sync.config;

import static java.util.Map.entry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON Schema (draft-07) of {@code hms-sync.yaml}, for editors: completion, hover text and
 * validation while the file is typed ({@code hms-sync config schema} prints it).
 *
 * <p>It is built from the binder's own key lists ({@link ConfigBinder#ROOT_KEYS} and the others),
 * its enumerations and {@link Defaults}, so a key the binder accepts cannot be left out: building
 * fails when a key has no schema or no description. Every value may also be a {@code ${...}}
 * reference wherever the binder substitutes one (every single value, not the keys of a map), and a
 * key written without a value counts as absent, as in the binder.
 *
 * <p>What JSON Schema cannot see, the schema leaves to the binder: whether a mapping or key file
 * exists, the value a {@code ${...}} reference will have, ranges of numbers written as text
 * ({@code port: "99999"}), duplicate connector ids and header names, {@code engine.lease} against
 * connector timeouts, {@code retry.initialBackoff} against {@code maxBackoff},
 * {@code circuitBreaker.minimumCalls} against {@code window}, and {@code reconcile.lookBack} and
 * {@code lookAhead} both zero. Where it is stricter than the binder: a section that the connector
 * type does not use is refused even when written with no value ({@code iis:}), and so is an unused
 * auth key written as {@code ""}; ISO-8601 durations with signs inside ({@code P1DT-1H}) are
 * refused. The schema sees the file as the binder's YAML parser reads it (YAML 1.1 scalars: {@code
 * yes} is {@code true}); an editor reading YAML 1.2 sees {@code yes} as text and flags it.
 */
public final class ConfigSchema {
  /** The draft the schema is written in: the newest one yaml-language-server fully supports. */
  public static final String DRAFT = "http://json-schema.org/draft-07/schema#";

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String DEFINITIONS = "#/definitions/";

  private static final String WHOLE_NUMBER = "^\\s*[+-]?[0-9]+\\s*$";
  private static final String DECIMAL =
      "^\\s*[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?\\s*$";
  private static final String TRUE_OR_FALSE = "^\\s*(" + anyCase("true") + "|" + anyCase("false")
      + ")\\s*$";
  /** {@link Durations#parse}: a whole number and a unit, or ISO-8601 without signs. */
  private static final String DURATION =
      "^\\s*([0-9]+(ms|s|m|h|d)|[Pp](?=[0-9Tt])([0-9]+[Dd])?([Tt](?=[0-9])([0-9]+[Hh])?"
          + "([0-9]+[Mm])?([0-9]+([.,][0-9]{0,9})?[Ss])?)?)\\s*$";
  private static final String ZERO_DURATION =
      "^\\s*(0+(ms|s|m|h|d)|[Pp](0+[Dd])?([Tt](0+[Hh])?(0+[Mm])?(0+([.,]0*)?[Ss])?)?)\\s*$";
  /** A value with a reference the binder substitutes: ${NAME}, ${NAME:default}, ${file:PATH}. */
  private static final String REFERENCE = "\\$\\{";
  /** What java.net.URI takes as an absolute http(s) URL with a host and no user info, nearly. */
  private static final String URL =
      "^\\s*" + anyCase("http") + "[Ss]?://[^/?#@\\s\"<>\\\\^`{|}]+"
          + "([/?#][^\\s\"<>\\\\^`{|}]*)?\\s*$";
  private static final String POINTER = "^/([^~]|~[01])*$";
  private static final String POINTER_OR_EMPTY = "^(/([^~]|~[01])*)?$";
  private static final String CONNECTOR_ID = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$";
  private static final String HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
  private static final String WEBHOOK_SECRET =
      "^whsec_\\s*([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{2}(==)?|[A-Za-z0-9+/]{3}=?)"
          + "\\s*$";

  /** One line per key, the meaning docs/configuration.md gives it; keyed by the doc's key path. */
  private static final Map<String, String> DESCRIPTIONS =
      Map.ofEntries(
          entry("server", "The HTTP API of the service."),
          entry("server.port", "Port of the HTTP API (all interfaces); 0 picks any free port."),
          entry(
              "server.adminToken",
              "Bearer token every /api request must send; default: the environment variable"
                  + " HMS_ADMIN_TOKEN. Empty means not set. Never printed."),
          entry(
              "server.requestTimeout",
              "The longest a client may take to send a request body, or a connection may stay"
                  + " silent; then 408 and the connection is closed."),
          entry(
              "server.minRequestDataRate",
              "Bytes per second a started request body must keep arriving at, or 408; 0 turns the"
                  + " check off."),
          entry(
              "server.idempotencyRetention",
              "How long an Idempotency-Key and the answer it got are kept for retries."),
          entry("database", "The database: embedded H2 (the default) or PostgreSQL."),
          entry(
              "database.url",
              "JDBC URL (jdbc:h2:... or jdbc:postgresql://host:port/db); default: the environment"
                  + " variable HMS_DB_URL, else jdbc:h2:file:./data/hms-sync."),
          entry("database.user", "Database user; empty sends none."),
          entry("database.password", "Database password; never printed."),
          entry(
              "database.maxPoolSize",
              "Connection pool size for serve (the maintenance commands open a pool of 2)."),
          entry("engine", "The delivery engine of this node."),
          entry("engine.maxInFlight", "How many attempts may run at once on this node."),
          entry("engine.batchSize", "The most deliveries claimed in one engine round."),
          entry(
              "engine.pollInterval",
              "How often the engine looks for due work when nothing wakes it."),
          entry(
              "engine.lease",
              "How long a claimed delivery belongs to this node; must be longer than"
                  + " timeouts.connect + timeouts.request of every connector."),
          entry(
              "engine.nodeId",
              "This node's name in leases and the sync log, at most 64 characters; default"
                  + " <pid>@<host>-<8 hex chars>."),
          entry(
              "engine.retention",
              "How long finished deliveries (with their sync log) and outbox events are kept;"
                  + " dead letters are never purged."),
          entry(
              "engine.shutdownGrace",
              "On SIGTERM, how long serve waits for work in progress before handing it back; 0s"
                  + " hands back at once."),
          entry(
              "reconcile",
              "Scheduled reconciliation for every connector that can list appointments and has no"
                  + " reconcile section of its own."),
          entry("connectors", "The external systems, one entry each."),
          entry(
              "connectors[].id",
              "Unique id: 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or"
                  + " digit, e.g. state-iis."),
          entry(
              "connectors[].type",
              "Connector type: rest (JSON over HTTP), iis-soap (HL7 v2.5.1 over the CDC IIS SOAP"
                  + " service), fhir (FHIR R4) or graphql."),
          entry(
              "connectors[].baseUrl",
              "Absolute http or https URL with a host and without user:password@ (use auth)."),
          entry(
              "connectors[].auth",
              "How requests authenticate: type none, bearer, basic, oauth2 or smart."),
          entry(
              "connectors[].auth.type",
              "none (no Authorization header), bearer (token), basic (username, password),"
                  + " oauth2 (client credentials) or smart (SMART Backend Services)."),
          entry("connectors[].auth.token", "type bearer: the token (required). Never printed."),
          entry("connectors[].auth.username", "type basic: the user name (required)."),
          entry(
              "connectors[].auth.password", "type basic: the password (required). Never printed."),
          entry(
              "connectors[].auth.tokenUrl",
              "types oauth2 and smart: the token endpoint's URL (required)."),
          entry("connectors[].auth.clientId", "types oauth2 and smart: the client id (required)."),
          entry(
              "connectors[].auth.clientSecret",
              "type oauth2: the client secret (required). Never printed."),
          entry(
              "connectors[].auth.scope",
              "types oauth2 and smart: the scope to ask for (optional)."),
          entry(
              "connectors[].auth.privateKey",
              "type smart: PEM file of the PKCS#8 private key that signs the client assertion"
                  + " (required), relative to the config file."),
          entry(
              "connectors[].auth.keyId", "type smart: the kid of the client assertion (optional)."),
          entry(
              "connectors[].auth.algorithm",
              "type smart: RS384 (default) or ES384, the client assertion's signing algorithm."),
          entry("connectors[].tls", "Client certificate (mutual TLS) and trusted certificates."),
          entry(
              "connectors[].tls.keyStore",
              "PKCS#12 (or JKS) file with the client certificate and key for mutual TLS, relative"
                  + " to the config file."),
          entry(
              "connectors[].tls.keyStorePassword",
              "Password of the key store and its key; never printed."),
          entry(
              "connectors[].tls.trustStore",
              "PKCS#12 (or JKS) file of the certificates to trust; default: the JDK's trust"
                  + " store."),
          entry(
              "connectors[].tls.trustStorePassword",
              "Password of the trust store; never printed."),
          entry(
              "connectors[].rateLimit",
              "At most this many attempts start per second (0.5: one every 2 s); default: no"
                  + " limit."),
          entry(
              "connectors[].maxConcurrency",
              "At most this many attempts of this connector at once; default: engine.maxInFlight."),
          entry("connectors[].timeouts", "Timeouts of this connector's requests."),
          entry("connectors[].timeouts.connect", "Time allowed to open a connection."),
          entry(
              "connectors[].timeouts.request",
              "Time allowed for the whole request and its response."),
          entry("connectors[].retry", "Retries with exponential backoff and full jitter."),
          entry(
              "connectors[].retry.maxAttempts",
              "Attempts in total, including the first (1 means no retries)."),
          entry(
              "connectors[].retry.initialBackoff",
              "Ceiling of the wait after the first failed attempt; at most maxBackoff."),
          entry("connectors[].retry.maxBackoff", "The largest backoff ceiling."),
          entry(
              "connectors[].retry.multiplier",
              "Growth of the ceiling after each failed attempt (1 keeps it constant)."),
          entry(
              "connectors[].circuitBreaker",
              "While open, no delivery of this connector is attempted; they wait in the"
                  + " database."),
          entry("connectors[].circuitBreaker.enabled", "A circuit breaker for this connector."),
          entry(
              "connectors[].circuitBreaker.failureRatePercent",
              "The circuit opens when at least this share of the judged attempts failed as if the"
                  + " system were unavailable."),
          entry(
              "connectors[].circuitBreaker.window",
              "How many of the latest attempts are judged."),
          entry(
              "connectors[].circuitBreaker.minimumCalls",
              "Attempts needed before the failure rate is judged at all; at most window."),
          entry(
              "connectors[].circuitBreaker.openFor",
              "How long the circuit stays open before probing."),
          entry(
              "connectors[].circuitBreaker.halfOpenProbes",
              "Attempts let through when half-open."),
          entry(
              "connectors[].headers",
              "HTTP headers sent with every request (name: value); Authorization and"
                  + " Idempotency-Key are reserved."),
          entry(
              "connectors[].routes",
              "The event types this connector subscribes to (and, for rest, list); what a route"
                  + " holds depends on the type."),
          entry(
              "connectors[].routes.appointment.created",
              "The route for a new appointment."),
          entry(
              "connectors[].routes.appointment.rescheduled",
              "The route for an appointment moved to another time or slot."),
          entry(
              "connectors[].routes.appointment.cancelled",
              "The route for a cancelled appointment."),
          entry(
              "connectors[].routes.appointment.completed",
              "The route for a completed appointment (for iis-soap: the dose given)."),
          entry(
              "connectors[].routes.<event type>.method",
              "rest: GET, POST, PUT, PATCH or DELETE (upper case)."),
          entry(
              "connectors[].routes.<event type>.path",
              "rest: starts with / and is appended to baseUrl; placeholders {appointmentId} and"
                  + " {externalId} (not in appointment.created)."),
          entry(
              "connectors[].routes.<event type>.mapping",
              "JSONata file, relative to the config file: rest the body, graphql the variables,"
                  + " fhir merged into the Appointment."),
          entry(
              "connectors[].routes.<event type>.externalId",
              "rest and graphql: JSON pointer to the external id in the response, e.g. /id."),
          entry(
              "connectors[].routes.<event type>.document",
              "graphql: the .graphql file with one mutation, relative to the config file."),
          entry(
              "connectors[].routes.list",
              "rest: how the connector lists appointments in a time range, for reconciliation."),
          entry("connectors[].routes.list.method", "GET or POST (sent without a body)."),
          entry(
              "connectors[].routes.list.path",
              "Appended to baseUrl; placeholders {from} and {to}, e.g."
                  + " /appointments?from={from}&to={to}."),
          entry(
              "connectors[].routes.list.items",
              "JSON pointer to the items array in the response; \"\": the body is the array."),
          entry(
              "connectors[].routes.list.next",
              "JSON pointer to the next page's link; none: one page."),
          entry(
              "connectors[].routes.list.mapping",
              "JSONata file that reads one listed item as {externalId, appointmentId, status,"
                  + " start, locationCode, patientMrn}."),
          entry(
              "connectors[].routes.list.maxPages",
              "A listing with more pages fails as a whole."),
          entry("connectors[].iis", "iis-soap: the CDC IIS service and HL7 message header."),
          entry(
              "connectors[].iis.sendingFacility",
              "MSH-4: the facility id the registry gave you."),
          entry(
              "connectors[].iis.username",
              "submitSingleMessage's username; username and password go together."),
          entry(
              "connectors[].iis.password",
              "submitSingleMessage's password; username and password go together. Never printed."),
          entry("connectors[].iis.facilityId", "submitSingleMessage's facilityID."),
          entry("connectors[].iis.sendingApplication", "MSH-3."),
          entry("connectors[].iis.receivingApplication", "MSH-5, when the registry asks for it."),
          entry("connectors[].iis.receivingFacility", "MSH-6, when the registry asks for it."),
          entry(
              "connectors[].iis.processingId",
              "MSH-11: P production, T training, D debugging."),
          entry(
              "connectors[].iis.mrnAuthority",
              "PID-3.4: the assigning authority of the MRNs."),
          entry(
              "connectors[].iis.unreadableAckRetries",
              "How many times a VXU is sent again after an HTTP 2xx answer without a readable ACK"
                  + " before it becomes a dead letter."),
          entry("connectors[].fhir", "fhir: how Appointments are written."),
          entry(
              "connectors[].fhir.identifierSystem",
              "System of the Appointment identifier that carries our appointment id."),
          entry(
              "connectors[].fhir.references",
              "Patient and Location by identifier, or as literal references Patient/<mrn>,"
                  + " Location/<code>."),
          entry(
              "connectors[].fhir.patientIdentifierSystem",
              "System of the patient's MRN identifier."),
          entry(
              "connectors[].fhir.locationIdentifierSystem",
              "System of the location code identifier."),
          entry(
              "connectors[].fhir.onVersionConflict",
              "A version conflict on update: reapply our change over the current version, or"
                  + " fail (dead letter)."),
          entry(
              "connectors[].fhir.slotEvents",
              "Keep the FHIR Slot of the appointment's old and new slot busy/free."),
          entry("connectors[].graphql", "graphql: how errors are judged."),
          entry(
              "connectors[].graphql.errorCodes",
              "How an error's extensions.code is judged: code: retryable or permanent; \"*\" for"
                  + " codes not listed."),
          entry("connectors[].inbound", "Changes coming back from this system."),
          entry(
              "connectors[].inbound.conflictPolicy",
              "When the EMR changed the appointment after the change's baseVersion: emr-wins,"
                  + " external-wins or review."),
          entry(
              "connectors[].inbound.webhook",
              "Accept Standard Webhooks signed by the system at POST /webhooks/{connectorId}."),
          entry(
              "connectors[].inbound.webhook.secrets",
              "The sender's secrets, each whsec_ and the base64 key, usually ${...}; never"
                  + " printed."),
          entry(
              "connectors[].inbound.webhook.mapping",
              "JSONata file that turns the webhook into changes, relative to the config file."),
          entry(
              "connectors[].inbound.webhook.toleranceSeconds",
              "How far webhook-timestamp may be from the server's clock."),
          entry(
              "connectors[].inbound.poll",
              "Poll the system for changes: GET baseUrl + path?cursorParam=<cursor> every"
                  + " interval."),
          entry(
              "connectors[].inbound.poll.path",
              "Appended to baseUrl, e.g. /appointments/changes; required except for fhir (its own"
                  + " _lastUpdated feed)."),
          entry(
              "connectors[].inbound.poll.mapping",
              "JSONata file that turns one item into changes."),
          entry("connectors[].inbound.poll.interval", "Time between two polls of this connector."),
          entry(
              "connectors[].inbound.poll.cursorParam",
              "Query parameter that carries the cursor."),
          entry(
              "connectors[].inbound.poll.items",
              "JSON pointer to the items array in the response; \"\": the body is the array."),
          entry(
              "connectors[].inbound.poll.next",
              "JSON pointer to the next page's link; none: one page per poll."),
          entry(
              "connectors[].inbound.poll.cursorField",
              "JSON pointer to an item's cursor value, e.g. /updatedAt; none: the cursor never"
                  + " moves."),
          entry(
              "connectors[].inbound.poll.idField",
              "JSON pointer to an item's stable id, e.g. /changeId; none: a hash of the item."),
          entry(
              "connectors[].inbound.poll.initialCursor",
              "The cursor of the very first poll; none: the first poll asks without one."),
          entry("connectors[].inbound.poll.maxPages", "At most this many pages per poll."),
          entry(
              "connectors[].inbound.subscription",
              "fhir: keep a rest-hook Subscription whose notifications make the poller poll at"
                  + " once; needs inbound.poll."),
          entry(
              "connectors[].inbound.subscription.endpoint",
              "Where the FHIR server sends notifications: this service's"
                  + " /fhir/notifications/<connector id> as the server reaches it."),
          entry(
              "connectors[].inbound.subscription.secret",
              "At least 16 visible ASCII characters the server sends in X-HMS-Subscription-Secret;"
                  + " never printed."),
          entry(
              "connectors[].inbound.subscription.criteria",
              "The Subscription's criteria, a search on Appointment."),
          entry(
              "connectors[].inbound.subscription.removeOnStop",
              "Delete the Subscription when the service stops."),
          entry(
              "connectors[].reconcile",
              "Scheduled reconciliation of this connector (a rest connector needs routes.list);"
                  + " replaces the top-level reconcile."),
          entry(
              "connectors[].reconcile.interval",
              "Reconcile on a schedule, this often; none: only on request."),
          entry(
              "connectors[].reconcile.lookBack",
              "The scheduled window starts this long before now."),
          entry(
              "connectors[].reconcile.lookAhead",
              "The scheduled window ends this long after now."),
          entry(
              "connectors[].reconcile.repair",
              "Whether scheduled runs repair what they find."));

  private static final String ROUTE = "connectors[].routes.<event type>";

  private final ObjectNode definitions = JSON.objectNode();

  private ConfigSchema() {}

  /** The schema as a tree; a new one on each call. */
  public static ObjectNode schema() {
    return new ConfigSchema().root();
  }

  /** The schema as indented JSON, ending with a line break. */
  public static String json() {
    try {
      // "key": value, as JSON is usually written (Jackson's default is "key" : value).
      DefaultPrettyPrinter printer =
          new DefaultPrettyPrinter()
              .withSeparators(
                  Separators.createDefaultInstance()
                      .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
      return new ObjectMapper().writer(printer).writeValueAsString(schema()) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the config schema cannot be written as JSON", e);
    }
  }

  private ObjectNode root() {
    definitions.set(
        "interpolated",
        JSON.objectNode()
            .put("type", "string")
            .put("pattern", REFERENCE)
            .put(
                "description",
                "A value from the environment or a file: ${NAME}, ${NAME:default} or"
                    + " ${file:PATH}; checked once substituted."));
    definitions.set("reconcile", reconcile());
    definitions.set("connector", connector());
    Section root =
        new Section("", ConfigBinder.ROOT_KEYS, true)
            .optional("server", server())
            .optional("database", database())
            .optional("engine", engine())
            .optional("reconcile", ref("reconcile"))
            .optional(
                "connectors",
                JSON.objectNode().<ObjectNode>set("type", types("array", "null"))
                    .set("items", ref("connector")));
    ObjectNode schema = JSON.objectNode();
    schema.put("$schema", DRAFT);
    schema.put("title", "hms-sync.yaml");
    schema.put(
        "description",
        "Configuration of HMS-EMR Sync (docs/configuration.md). Print this schema with"
            + " 'hms-sync config schema'.");
    schema.setAll(root.build());
    schema.set("definitions", definitions);
    return schema;
  }

  // ---- sections ----

  private static ObjectNode server() {
    return new Section("server", ConfigBinder.SERVER_KEYS, true)
        .optional("port", integer(0, 65_535), Defaults.PORT)
        .optional("adminToken", text())
        .optional("requestTimeout", duration(true), Defaults.SERVER_REQUEST_TIMEOUT)
        .optional("minRequestDataRate", integer(0, null), Defaults.MIN_REQUEST_DATA_RATE)
        .optional("idempotencyRetention", duration(true), Defaults.IDEMPOTENCY_RETENTION)
        .build();
  }

  private static ObjectNode database() {
    return new Section("database", ConfigBinder.DATABASE_KEYS, true)
        .optional("url", pattern("^(jdbc:|$)"), Defaults.DB_URL)
        .optional("user", text(), Defaults.DB_USER)
        .optional("password", text(), Defaults.DB_PASSWORD)
        .optional("maxPoolSize", integer(1, null), Defaults.MAX_POOL_SIZE)
        .build();
  }

  private static ObjectNode engine() {
    return new Section("engine", ConfigBinder.ENGINE_KEYS, true)
        .optional("maxInFlight", integer(1, null), Defaults.MAX_IN_FLIGHT)
        .optional("batchSize", integer(1, null), Defaults.BATCH_SIZE)
        .optional("pollInterval", duration(true), Defaults.POLL_INTERVAL)
        .optional("lease", duration(true), Defaults.LEASE)
        .optional("nodeId", text().put("maxLength", 64))
        .optional("retention", duration(true), Defaults.RETENTION)
        .optional("shutdownGrace", duration(false), Defaults.SHUTDOWN_GRACE)
        .build();
  }

  /** A {@code reconcile} section: top-level, or a connector's own (they take the same keys). */
  private static ObjectNode reconcile() {
    return new Section("connectors[].reconcile", ConfigBinder.RECONCILE_KEYS, true)
        .optional("interval", duration(true))
        .optional("lookBack", duration(false), ReconcileConfig.DEFAULT_LOOK_BACK)
        .optional("lookAhead", duration(false), ReconcileConfig.DEFAULT_LOOK_AHEAD)
        .optional("repair", bool(), true)
        .build();
  }

  private ObjectNode connector() {
    String path = "connectors[]";
    definitions.set("listRoute", listRoute());
    definitions.set("restRoute", restRoute(false));
    definitions.set("restCreateRoute", restRoute(true));
    definitions.set("graphqlRoute", graphqlRoute());
    definitions.set("fhirRoute", fhirRoute());
    definitions.set(
        "iisSoapRoute",
        JSON.objectNode()
            .<ObjectNode>set("type", types("object", "null"))
            .put("maxProperties", 0)
            .put(
                "description",
                "iis-soap: a route takes no keys (appointment.completed: {}); the type knows what"
                    + " to send."));
    ObjectNode connector =
        new Section(path, ConfigBinder.CONNECTOR_KEYS, false)
            .required(
                "id",
                anyOf(
                    JSON.objectNode().put("type", "string").put("pattern", CONNECTOR_ID),
                    JSON.objectNode().<ObjectNode>set("type", types("number", "boolean"))
                        .put("minimum", 0),
                    ref("interpolated")))
            .required("type", enumOf(ConfigBinder.CONNECTOR_TYPES, false))
            .required("baseUrl", url())
            .optional("auth", auth())
            .optional("tls", tls())
            .optional("timeouts", timeouts())
            .optional("retry", retry())
            .optional("circuitBreaker", breaker())
            .optional("rateLimit", decimal(0, true))
            .optional("maxConcurrency", integer(1, null))
            .optional("headers", headers())
            .optional("routes", routes("route", "route", "route", "route", "listRoute"))
            .optional("iis", iis())
            .optional("fhir", fhir())
            .optional("graphql", graphql())
            .optional("inbound", inbound())
            .optional("reconcile", ref("reconcile"))
            .build();
    definitions.set("route", genericRoute());
    ArrayNode byType = JSON.arrayNode();
    for (String type : ConfigBinder.CONNECTOR_TYPES) {
      byType.add(
          JSON.objectNode()
              .<ObjectNode>set(
                  "if",
                  JSON.objectNode()
                      .<ObjectNode>set("required", strings("type"))
                      .set("properties", JSON.objectNode().set("type", constant(type))))
              .set("then", forType(type)));
    }
    connector.set("allOf", byType);
    return connector;
  }

  /**
   * What a connector of one type may hold beyond the common keys: its own section and route kind;
   * a section of another type, a list route off rest, a subscription off fhir, and a reconcile
   * section on a connector that cannot list are refused.
   */
  private static ObjectNode forType(String type) {
    ObjectNode properties = JSON.objectNode();
    // In the order of the types, not of the unordered map: the output is the same every time.
    for (String other : ConfigBinder.CONNECTOR_TYPES) {
      String section = ConfigBinder.TYPE_SECTIONS.get(other);
      if (section != null && !other.equals(type)) {
        properties.put(section, false);
      }
    }
    ObjectNode then = JSON.objectNode();
    then.set("properties", properties);
    ObjectNode inbound = JSON.objectNode();
    ObjectNode inboundProperties = JSON.objectNode();
    inbound.set("properties", inboundProperties);
    if (!type.equals("fhir")) {
      inboundProperties.put("subscription", false);
      // Every type but fhir (which polls its own change feed) needs the path of the feed.
      inboundProperties.set(
          "poll",
          JSON.objectNode()
              .<ObjectNode>set("required", strings("path"))
              .set("properties", JSON.objectNode().set("path", nonEmptyText())));
    }
    switch (type) {
      case "rest" -> {
        properties.set(
            "routes",
            routes("restCreateRoute", "restRoute", "restRoute", "restRoute", "listRoute"));
        // Only a connector that can list can be reconciled: a rest one needs routes.list.
        then.set(
            "if",
            JSON.objectNode()
                .<ObjectNode>set("required", strings("routes"))
                .set(
                    "properties",
                    JSON.objectNode()
                        .set(
                            "routes",
                            JSON.objectNode()
                                .put("type", "object")
                                .set("required", strings(ConfigBinder.LIST_ROUTE)))));
        then.set(
            "else",
            JSON.objectNode().set("properties", JSON.objectNode().put("reconcile", false)));
      }
      case "iis-soap" -> {
        properties.set("iis", JSON.objectNode().put("type", "object"));
        then.set("required", strings("iis"));
        // It reports doses: completed reports (or corrects) one, cancelled withdraws it.
        properties.set("routes", routes(null, null, "iisSoapRoute", "iisSoapRoute", null));
        properties.put("reconcile", false);
      }
      case "fhir" ->
          properties.set(
              "routes", routes("fhirRoute", "fhirRoute", "fhirRoute", "fhirRoute", null));
      case "graphql" -> {
        properties.set(
            "routes",
            routes("graphqlRoute", "graphqlRoute", "graphqlRoute", "graphqlRoute", null));
        properties.put("reconcile", false);
      }
      default -> throw new IllegalStateException("no schema for connector type " + type);
    }
    properties.set("inbound", inbound);
    return then;
  }

  /**
   * The {@code routes} map: the definition each event type's route follows, in the order of
   * {@link ConfigBinder#EVENT_TYPES} (created, rescheduled, cancelled, completed), then the list
   * route's; {@code null} where the key is refused.
   */
  private static ObjectNode routes(
      String created, String rescheduled, String cancelled, String completed, String list) {
    List<String> definitions = Arrays.asList(created, rescheduled, cancelled, completed);
    ObjectNode properties = JSON.objectNode();
    for (int index = 0; index < ConfigBinder.EVENT_TYPES.size(); index++) {
      String eventType = ConfigBinder.EVENT_TYPES.get(index);
      properties.set(eventType, route("connectors[].routes." + eventType, definitions.get(index)));
    }
    properties.set(
        ConfigBinder.LIST_ROUTE, route("connectors[].routes." + ConfigBinder.LIST_ROUTE, list));
    return JSON.objectNode()
        .<ObjectNode>set("type", types("object", "null"))
        .<ObjectNode>set("properties", properties)
        .put("additionalProperties", false);
  }

  private static JsonNode route(String path, String definition) {
    return definition == null ? BooleanNode.FALSE : describe(ref(definition), path);
  }

  /** A route as any type may have it: for a type the schema cannot know (a ${...} reference). */
  private static ObjectNode genericRoute() {
    List<String> keys = new ArrayList<>(new LinkedHashSet<>(concat(
        ConfigBinder.ROUTE_KEYS, ConfigBinder.GRAPHQL_ROUTE_KEYS)));
    return new Section(ROUTE, keys, true)
        .optional("method", enumOf(ConfigBinder.METHODS, false))
        .optional("path", text())
        .optional("mapping", text())
        .optional("externalId", pattern(POINTER_OR_EMPTY))
        .optional("document", text())
        .build();
  }

  private static ObjectNode restRoute(boolean created) {
    // Placeholders as the binder checks them: {externalId} is not known yet on create.
    String placeholders = created ? "appointmentId" : "(externalId|appointmentId)";
    return new Section(ROUTE, ConfigBinder.ROUTE_KEYS, false)
        .required("method", enumOf(ConfigBinder.METHODS, false))
        .required("path", pattern("^/([^\\s{}]|\\{" + placeholders + "\\})*$"))
        .optional("mapping", text())
        .optional("externalId", pattern(POINTER_OR_EMPTY))
        .build();
  }

  private static ObjectNode graphqlRoute() {
    return new Section(ROUTE, ConfigBinder.GRAPHQL_ROUTE_KEYS, false)
        .required("document", text())
        .optional("mapping", text())
        .optional("externalId", pattern(POINTER_OR_EMPTY))
        .build();
  }

  private static ObjectNode fhirRoute() {
    return new Section(ROUTE, List.of("mapping"), true).optional("mapping", text()).build();
  }

  private static ObjectNode listRoute() {
    return new Section("connectors[].routes.list", ConfigBinder.LIST_ROUTE_KEYS, false)
        .optional("method", enumOf(List.of("GET", "POST"), true), "GET")
        // {from} and {to} are the only placeholders; a brace that opens none is plain text.
        .required("path", pattern("^/([^\\s{]|\\{(from|to)\\}|\\{(?![^{}]*\\}))*$"))
        .optional("items", pattern(POINTER_OR_EMPTY), "")
        .optional("next", pattern(POINTER))
        .required("mapping", text())
        .optional("maxPages", integer(1, null), ListRouteConfig.DEFAULT_MAX_PAGES)
        .build();
  }

  private static ObjectNode auth() {
    ObjectNode auth =
        new Section("connectors[].auth", ConfigBinder.AUTH_KEYS, true)
            .optional("type", enumOf(ConfigBinder.AUTH_TYPES, false), "none")
            .optional("token", text())
            .optional("username", text())
            .optional("password", text())
            .optional("tokenUrl", url())
            .optional("clientId", text())
            .optional("clientSecret", text())
            .optional("scope", text())
            .optional("privateKey", text())
            .optional("keyId", text())
            .optional("algorithm", enumOf(ConfigBinder.JWT_ALGORITHMS, true), "RS384")
            .build();
    ArrayNode byType = JSON.arrayNode();
    for (String type : ConfigBinder.AUTH_TYPES) {
      List<String> required = ConfigBinder.AUTH_REQUIRED.get(type);
      List<String> optional = ConfigBinder.AUTH_OPTIONAL.getOrDefault(type, List.of());
      ObjectNode properties = JSON.objectNode();
      for (String key : ConfigBinder.AUTH_KEYS.subList(1, ConfigBinder.AUTH_KEYS.size())) {
        if (required.contains(key)) {
          properties.set(key, key.equals("tokenUrl") ? url() : nonEmptyText());
        } else if (!optional.contains(key)) {
          properties.put(key, false);
        }
      }
      ObjectNode condition =
          type.equals("none")
              // No type is type none.
              ? JSON.objectNode()
                  .set(
                      "properties",
                      JSON.objectNode()
                          .set("type", JSON.objectNode().set("enum", strings("none").addNull())))
              : JSON.objectNode()
                  .<ObjectNode>set("required", strings("type"))
                  .set("properties", JSON.objectNode().set("type", constant(type)));
      ObjectNode then = JSON.objectNode();
      if (!required.isEmpty()) {
        then.set("required", strings(required.toArray(String[]::new)));
      }
      then.set("properties", properties);
      byType.add(JSON.objectNode().<ObjectNode>set("if", condition).set("then", then));
    }
    auth.set("allOf", byType);
    return auth;
  }

  private static ObjectNode tls() {
    ObjectNode tls =
        new Section("connectors[].tls", ConfigBinder.TLS_KEYS, true)
            .optional("keyStore", text())
            .optional("keyStorePassword", text())
            .optional("trustStore", text())
            .optional("trustStorePassword", text())
            .build();
    tls.set(
        "allOf",
        JSON.arrayNode()
            .add(needs("keyStorePassword", "keyStore"))
            .add(needs("trustStorePassword", "trustStore")));
    return tls;
  }

  private static ObjectNode timeouts() {
    return new Section("connectors[].timeouts", ConfigBinder.TIMEOUTS_KEYS, true)
        .optional("connect", duration(true), Defaults.CONNECT_TIMEOUT)
        .optional("request", duration(true), Defaults.REQUEST_TIMEOUT)
        .build();
  }

  private static ObjectNode retry() {
    return new Section("connectors[].retry", ConfigBinder.RETRY_KEYS, true)
        .optional("maxAttempts", integer(1, null), Defaults.MAX_ATTEMPTS)
        .optional("initialBackoff", duration(true), Defaults.INITIAL_BACKOFF)
        .optional("maxBackoff", duration(true), Defaults.MAX_BACKOFF)
        .optional("multiplier", decimal(1, false), Defaults.MULTIPLIER)
        .build();
  }

  private static ObjectNode breaker() {
    return new Section("connectors[].circuitBreaker", ConfigBinder.BREAKER_KEYS, true)
        .optional("enabled", bool(), true)
        .optional("failureRatePercent", integer(1, 100), Defaults.BREAKER_FAILURE_RATE)
        .optional("minimumCalls", integer(1, null), Defaults.BREAKER_MINIMUM_CALLS)
        .optional("window", integer(1, null), Defaults.BREAKER_WINDOW)
        .optional("openFor", duration(true), Defaults.BREAKER_OPEN_FOR)
        .optional("halfOpenProbes", integer(1, null), Defaults.BREAKER_HALF_OPEN_PROBES)
        .build();
  }

  private static ObjectNode headers() {
    String reserved = "^(" + anyCase("authorization") + "|" + anyCase("idempotency-key") + ")$";
    return JSON.objectNode()
        .<ObjectNode>set("type", types("object", "null"))
        .<ObjectNode>set(
            "propertyNames",
            JSON.objectNode()
                .put("pattern", HEADER_NAME)
                .set("not", JSON.objectNode().put("pattern", reserved)))
        .set(
            "additionalProperties",
            anyOf(
                JSON.objectNode().put("type", "string").put("pattern", "^[^\\r\\n]*$"),
                JSON.objectNode().set("type", types("number", "boolean"))));
  }

  private static ObjectNode iis() {
    ObjectNode iis =
        new Section("connectors[].iis", ConfigBinder.IIS_KEYS, true)
            .optional("username", text())
            .optional("password", text())
            .optional("facilityId", text())
            .optional("sendingApplication", text(), "HMS-SYNC")
            .required(
                "sendingFacility",
                anyOf(
                    JSON.objectNode().put("type", "string").put("pattern", "\\S"),
                    JSON.objectNode().set("type", types("number", "boolean"))))
            .optional("receivingApplication", text())
            .optional("receivingFacility", text())
            .optional("processingId", enumOf(ConfigBinder.PROCESSING_IDS, false), "T")
            .optional("mrnAuthority", text(), "HMS")
            .optional("unreadableAckRetries", integer(0, null), Defaults.UNREADABLE_ACK_RETRIES)
            .build();
    iis.set(
        "allOf",
        JSON.arrayNode().add(needs("username", "password")).add(needs("password", "username")));
    return iis;
  }

  private static ObjectNode fhir() {
    FhirConfig defaults = FhirConfig.defaults();
    return new Section("connectors[].fhir", ConfigBinder.FHIR_KEYS, true)
        .optional("identifierSystem", text(), defaults.identifierSystem())
        .optional("references", enumOf(ConfigBinder.FHIR_REFERENCES, true), defaults.references())
        .optional("patientIdentifierSystem", text(), defaults.patientIdentifierSystem())
        .optional("locationIdentifierSystem", text(), defaults.locationIdentifierSystem())
        .optional(
            "onVersionConflict",
            enumOf(ConfigBinder.FHIR_CONFLICT, true),
            defaults.onVersionConflict())
        .optional("slotEvents", bool(), defaults.slotEvents())
        .build();
  }

  private static ObjectNode graphql() {
    return new Section("connectors[].graphql", ConfigBinder.GRAPHQL_KEYS, true)
        .optional(
            "errorCodes",
            JSON.objectNode()
                .<ObjectNode>set("type", types("object", "null"))
                .set("additionalProperties", enumOf(ConfigBinder.GRAPHQL_JUDGEMENTS, false)))
        .build();
  }

  private static ObjectNode inbound() {
    ObjectNode inbound =
        new Section("connectors[].inbound", ConfigBinder.INBOUND_KEYS, true)
            .optional("webhook", webhook())
            .optional("conflictPolicy", enumOf(ConflictPolicy.WIRE_NAMES, true), "review")
            .optional("poll", poll())
            .optional("subscription", subscription())
            .build();
    // A subscription only wakes the poller.
    inbound.set(
        "allOf",
        JSON.arrayNode()
            .add(
                JSON.objectNode()
                    .<ObjectNode>set(
                        "if",
                        JSON.objectNode()
                            .<ObjectNode>set("required", strings("subscription"))
                            .set(
                                "properties",
                                JSON.objectNode()
                                    .set("subscription", JSON.objectNode().put("type", "object"))))
                    .set(
                        "then",
                        JSON.objectNode()
                            .<ObjectNode>set("required", strings("poll"))
                            .set(
                                "properties",
                                JSON.objectNode()
                                    .set("poll", JSON.objectNode().put("type", "object"))))));
    return inbound;
  }

  private static ObjectNode webhook() {
    return new Section("connectors[].inbound.webhook", ConfigBinder.WEBHOOK_KEYS, true)
        .required(
            "secrets",
            JSON.objectNode()
                .put("type", "array")
                .put("minItems", 1)
                .set("items", pattern(WEBHOOK_SECRET)))
        .required("mapping", text())
        .optional(
            "toleranceSeconds", integer(1, null), WebhookConfig.DEFAULT_TOLERANCE_SECONDS)
        .build();
  }

  private static ObjectNode poll() {
    return new Section("connectors[].inbound.poll", ConfigBinder.POLL_KEYS, true)
        .optional("path", text())
        .optional("interval", duration(true), PollConfig.DEFAULT_INTERVAL)
        .optional("cursorParam", text(), PollConfig.DEFAULT_CURSOR_PARAM)
        .optional("items", pattern(POINTER_OR_EMPTY), "")
        .optional("next", pattern(POINTER))
        .optional("cursorField", pattern(POINTER))
        .optional("idField", pattern(POINTER))
        .required("mapping", text())
        .optional("initialCursor", text())
        .optional("maxPages", integer(1, null), PollConfig.DEFAULT_MAX_PAGES)
        .build();
  }

  private static ObjectNode subscription() {
    return new Section(
            "connectors[].inbound.subscription", ConfigBinder.SUBSCRIPTION_KEYS, true)
        .required("endpoint", url())
        .required(
            "secret",
            pattern("^[!-~]{" + SubscriptionConfig.MIN_SECRET_LENGTH + ",}$"))
        .optional(
            "criteria",
            pattern("^(Appointment\\?[!-~]*)?$"),
            SubscriptionConfig.DEFAULT_CRITERIA)
        .optional("removeOnStop", bool(), false)
        .build();
  }

  // ---- values ----

  /** Any single value: the binder reads numbers and true/false as their text. */
  private static ObjectNode text() {
    return JSON.objectNode().set("type", types("string", "number", "boolean"));
  }

  /** A single value that is not empty. */
  private static ObjectNode nonEmptyText() {
    return anyOf(
        JSON.objectNode().put("type", "string").put("minLength", 1),
        JSON.objectNode().set("type", types("number", "boolean")));
  }

  /** A whole number, written as a number or as text, at least {@code min}. */
  private static ObjectNode integer(int min, Integer max) {
    return anyOf(
        JSON.objectNode()
            .put("type", "integer")
            .put("minimum", min)
            .put("maximum", max == null ? Integer.MAX_VALUE : max),
        JSON.objectNode().put("type", "string").put("pattern", WHOLE_NUMBER),
        ref("interpolated"));
  }

  private static ObjectNode decimal(double min, boolean exclusive) {
    return anyOf(
        JSON.objectNode()
            .put("type", "number")
            .put(exclusive ? "exclusiveMinimum" : "minimum", min),
        JSON.objectNode().put("type", "string").put("pattern", DECIMAL),
        ref("interpolated"));
  }

  private static ObjectNode bool() {
    return anyOf(
        JSON.objectNode().put("type", "boolean"),
        JSON.objectNode().put("type", "string").put("pattern", TRUE_OR_FALSE),
        ref("interpolated"));
  }

  /** A duration such as 250ms, 2s, 10m, 1h, 1d or PT2S; {@code positive}: not zero either. */
  private static ObjectNode duration(boolean positive) {
    ObjectNode written = JSON.objectNode().put("type", "string").put("pattern", DURATION);
    if (positive) {
      written.set("not", JSON.objectNode().put("pattern", ZERO_DURATION));
    }
    return anyOf(written, ref("interpolated"));
  }

  /** One of {@code values}; {@code emptyIsDefault}: {@code ""} as well, meaning the default. */
  private static ObjectNode enumOf(List<String> values, boolean emptyIsDefault) {
    ArrayNode allowed = strings(values.toArray(String[]::new));
    if (emptyIsDefault) {
      allowed.add("");
    }
    return anyOf(JSON.objectNode().set("enum", allowed), ref("interpolated"));
  }

  private static ObjectNode pattern(String regex) {
    return anyOf(
        JSON.objectNode().put("type", "string").put("pattern", regex), ref("interpolated"));
  }

  private static ObjectNode url() {
    return pattern(URL);
  }

  // ---- helpers ----

  /** When {@code key} has a non-empty value, {@code other} must have a value too. */
  private static ObjectNode needs(String key, String other) {
    return JSON.objectNode()
        .<ObjectNode>set(
            "if",
            JSON.objectNode()
                .<ObjectNode>set("required", strings(key))
                .set("properties", JSON.objectNode().set(key, nonEmptyText())))
        .set(
            "then",
            JSON.objectNode()
                .<ObjectNode>set("required", strings(other))
                .set("properties", JSON.objectNode().set(other, text())));
  }

  private static ObjectNode anyOf(ObjectNode... branches) {
    ArrayNode list = JSON.arrayNode();
    for (ObjectNode branch : branches) {
      list.add(branch);
    }
    return JSON.objectNode().set("anyOf", list);
  }

  private static ObjectNode ref(String definition) {
    return JSON.objectNode().put("$ref", DEFINITIONS + definition);
  }

  private static ObjectNode constant(String value) {
    return JSON.objectNode().put("const", value);
  }

  /** {@code schema} with the description of {@code path}, kept beside a {@code $ref} by allOf. */
  private static ObjectNode describe(ObjectNode schema, String path) {
    ObjectNode described = JSON.objectNode().put("description", description(path));
    if (schema.has("$ref")) {
      described.set("allOf", JSON.arrayNode().add(schema));
    } else {
      described.setAll(schema);
    }
    return described;
  }

  private static String description(String path) {
    String description = DESCRIPTIONS.get(path);
    if (description == null) {
      throw new IllegalStateException("no description for the config key " + path);
    }
    return description;
  }

  private static ArrayNode types(String... names) {
    return strings(names);
  }

  private static ArrayNode strings(String... values) {
    ArrayNode array = JSON.arrayNode();
    for (String value : values) {
      array.add(value);
    }
    return array;
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> both = new ArrayList<>(first);
    both.addAll(second);
    return both;
  }

  /** A regular expression for {@code word} in any case, without flags (JavaScript has no (?i)). */
  private static String anyCase(String word) {
    StringBuilder regex = new StringBuilder();
    for (char c : word.toCharArray()) {
      if (Character.isLetter(c)) {
        regex.append('[')
            .append(Character.toUpperCase(c))
            .append(Character.toLowerCase(c))
            .append(']');
      } else {
        regex.append(c);
      }
    }
    return regex.toString();
  }

  /** A value with no key written counts as absent: an optional key also takes {@code null}. */
  private static ObjectNode orNull(ObjectNode schema) {
    ObjectNode copy = schema.deepCopy();
    if (copy.has("anyOf")) {
      ((ArrayNode) copy.get("anyOf")).add(JSON.objectNode().put("type", "null"));
    } else if (copy.has("$ref")) {
      return anyOf(copy, JSON.objectNode().put("type", "null"));
    } else if (copy.has("type")) {
      JsonNode type = copy.get("type");
      ArrayNode withNull = type.isArray() ? ((ArrayNode) type).deepCopy() : strings(type.asText());
      if (!withNull.toString().contains("\"null\"")) {
        withNull.add("null");
      }
      copy.set("type", withNull);
    }
    return copy;
  }

  private static JsonNode defaultValue(Object value) {
    if (value instanceof Duration duration) {
      return JSON.textNode(Durations.format(duration));
    }
    if (value instanceof Integer number) {
      return JSON.numberNode(number);
    }
    if (value instanceof Double number) {
      return JSON.numberNode(number);
    }
    if (value instanceof Boolean flag) {
      return JSON.booleanNode(flag);
    }
    return JSON.textNode(String.valueOf(value));
  }

  /**
   * An object whose keys are exactly the binder's list for it ({@code additionalProperties:
   * false}), each with its description; {@link #build} fails when one is missing.
   */
  private static final class Section {
    private final String path;
    private final List<String> keys;
    private final boolean nullable;
    private final ObjectNode properties = JSON.objectNode();
    private final List<String> required = new ArrayList<>();

    Section(String path, List<String> keys, boolean nullable) {
      this.path = path;
      this.keys = keys;
      this.nullable = nullable;
    }

    Section optional(String key, ObjectNode schema) {
      return add(key, orNull(schema), null);
    }

    Section optional(String key, ObjectNode schema, Object defaultValue) {
      return add(key, orNull(schema), defaultValue);
    }

    Section required(String key, ObjectNode schema) {
      required.add(key);
      return add(key, schema, null);
    }

    private Section add(String key, ObjectNode schema, Object defaultValue) {
      if (!keys.contains(key)) {
        throw new IllegalStateException(
            "the binder takes no key " + key + " in " + (path.isEmpty() ? "the file" : path));
      }
      ObjectNode property = describe(schema, path.isEmpty() ? key : path + "." + key);
      if (defaultValue != null) {
        property.set("default", defaultValue(defaultValue));
      }
      properties.set(key, property);
      return this;
    }

    ObjectNode build() {
      Set<String> missing = new LinkedHashSet<>(keys);
      missing.removeAll(names(properties));
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "no schema for the config key(s) " + missing + " in "
                + (path.isEmpty() ? "the file" : path));
      }
      ObjectNode ordered = JSON.objectNode();
      for (String key : keys) {
        ordered.set(key, properties.get(key));
      }
      ObjectNode section = JSON.objectNode();
      if (!path.isEmpty() && DESCRIPTIONS.containsKey(path)) {
        section.put("description", DESCRIPTIONS.get(path));
      }
      section.set("type", nullable ? types("object", "null") : JSON.textNode("object"));
      if (!required.isEmpty()) {
        section.set("required", strings(required.toArray(String[]::new)));
      }
      section.set("properties", ordered);
      section.put("additionalProperties", false);
      return section;
    }

    private static Set<String> names(ObjectNode node) {
      Set<String> names = new LinkedHashSet<>();
      node.fieldNames().forEachRemaining(names::add);
      return names;
    }
  }
}
