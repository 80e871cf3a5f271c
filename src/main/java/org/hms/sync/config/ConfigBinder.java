package org.hms.sync.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binds the YAML tree to the config records by hand, tracking where each value sits so that every
 * problem names its exact key. Problems are collected, not thrown: {@link #bind} returns {@code
 * null} when there were any, and {@link #problems()} lists them all.
 *
 * <p>Each reader returns the default when a key is absent and {@code null} when the value was
 * invalid (and reported); a section whose values were invalid comes back as {@code null} too, so
 * that no check runs on a made-up value. A binder collects state while it binds: use one per load.
 */
final class ConfigBinder {
  static final List<String> ROOT_KEYS =
      List.of("server", "database", "engine", "reconcile", "connectors");
  static final List<String> SERVER_KEYS =
      List.of(
          "port", "adminToken", "requestTimeout", "minRequestDataRate", "idempotencyRetention");
  static final List<String> DATABASE_KEYS = List.of("url", "user", "password", "maxPoolSize");
  static final List<String> ENGINE_KEYS =
      List.of(
          "maxInFlight", "batchSize", "pollInterval", "lease", "nodeId", "retention",
          "shutdownGrace");
  static final List<String> CONNECTOR_KEYS =
      List.of(
          "id", "type", "baseUrl", "auth", "tls", "timeouts", "retry", "circuitBreaker",
          "rateLimit", "maxConcurrency", "headers", "routes", "iis", "fhir", "graphql",
          "inbound", "reconcile");
  static final List<String> INBOUND_KEYS =
      List.of("webhook", "conflictPolicy", "poll", "subscription");
  static final List<String> SUBSCRIPTION_KEYS =
      List.of("endpoint", "secret", "criteria", "removeOnStop");
  static final List<String> POLL_KEYS =
      List.of(
          "path", "interval", "cursorParam", "items", "next", "cursorField", "idField", "mapping",
          "initialCursor", "maxPages");
  static final List<String> WEBHOOK_KEYS = List.of("secrets", "mapping", "toleranceSeconds");
  static final List<String> LIST_ROUTE_KEYS =
      List.of("method", "path", "items", "next", "mapping", "maxPages");
  static final List<String> RECONCILE_KEYS = List.of("interval", "lookBack", "lookAhead", "repair");
  /** The route key that is not an event type: how a rest connector lists appointments. */
  static final String LIST_ROUTE = "list";
  static final List<String> BREAKER_KEYS =
      List.of("enabled", "failureRatePercent", "minimumCalls", "window", "openFor", "halfOpenProbes");
  static final List<String> AUTH_KEYS =
      List.of(
          "type", "token", "username", "password", "tokenUrl", "clientId", "clientSecret", "scope",
          "privateKey", "keyId", "algorithm");
  static final List<String> TLS_KEYS =
      List.of("keyStore", "keyStorePassword", "trustStore", "trustStorePassword");
  static final List<String> IIS_KEYS =
      List.of(
          "username", "password", "facilityId", "sendingApplication", "sendingFacility",
          "receivingApplication", "receivingFacility", "processingId", "mrnAuthority",
          "unreadableAckRetries");
  static final List<String> FHIR_KEYS =
      List.of(
          "identifierSystem", "references", "patientIdentifierSystem", "locationIdentifierSystem",
          "onVersionConflict", "slotEvents");
  static final List<String> GRAPHQL_KEYS = List.of("errorCodes");
  static final List<String> TIMEOUTS_KEYS = List.of("connect", "request");
  static final List<String> RETRY_KEYS =
      List.of("maxAttempts", "initialBackoff", "maxBackoff", "multiplier");
  static final List<String> ROUTE_KEYS = List.of("method", "path", "mapping", "externalId");
  static final List<String> GRAPHQL_ROUTE_KEYS = List.of("document", "mapping", "externalId");

  static final List<String> CONNECTOR_TYPES = List.of("rest", "iis-soap", "fhir", "graphql");
  /** The section only one connector type reads, by type. */
  static final Map<String, String> TYPE_SECTIONS =
      Map.of("iis-soap", "iis", "fhir", "fhir", "graphql", "graphql");
  static final List<String> AUTH_TYPES = List.of("none", "bearer", "basic", "oauth2", "smart");
  /** The keys each auth type needs, then those it may have. */
  static final Map<String, List<String>> AUTH_REQUIRED =
      Map.of(
          "none", List.of(),
          "bearer", List.of("token"),
          "basic", List.of("username", "password"),
          "oauth2", List.of("tokenUrl", "clientId", "clientSecret"),
          "smart", List.of("tokenUrl", "clientId", "privateKey"));
  static final Map<String, List<String>> AUTH_OPTIONAL =
      Map.of(
          "oauth2", List.of("scope"),
          "smart", List.of("scope", "keyId", "algorithm"));
  static final List<String> JWT_ALGORITHMS = List.of("RS384", "ES384");
  static final List<String> PROCESSING_IDS = List.of("P", "T", "D");
  static final List<String> FHIR_REFERENCES = List.of("identifier", "reference");
  static final List<String> FHIR_CONFLICT = List.of("reapply", "fail");
  static final List<String> GRAPHQL_JUDGEMENTS = List.of("retryable", "permanent");
  static final List<String> EVENT_TYPES =
      List.of(
          "appointment.created",
          "appointment.rescheduled",
          "appointment.cancelled",
          "appointment.completed");
  static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
  static final List<String> PLACEHOLDERS = List.of("externalId", "appointmentId");

  private static final Pattern CONNECTOR_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)\\}");
  private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?\\d+");
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
  private static final String JDBC_HINT =
      "write a JDBC URL, e.g. jdbc:postgresql://localhost:5432/hms or " + Defaults.DB_URL;

  private final Path configDir;
  private final Map<String, String> env;
  private final Problems problems = new Problems();
  private final Interpolator interpolator;
  private final List<ConnectorTimeouts> connectorTimeouts = new ArrayList<>();
  /** The top-level {@code reconcile} section: for every connector that can list and has none. */
  private ReconcileConfig reconcileForAll = ReconcileConfig.defaults();

  /** engine.lease once it is known to be valid, for the check against connector timeouts. */
  private Duration validLease;

  /** How to show values that may be secrets, by path: see {@link #show}. */
  private final Map<String, String> hiddenValues = new HashMap<>();

  /** A connector's valid timeouts, kept for the check against engine.lease. */
  private record ConnectorTimeouts(String path, String id, TimeoutsConfig timeouts) {}

  /**
   * @param configDir the folder of the config file; relative mapping paths start there
   * @param env environment variables for {@code ${...}} and the HMS_* fallbacks
   */
  ConfigBinder(Path configDir, Map<String, String> env) {
    this.configDir = configDir;
    this.env = env;
    this.interpolator = new Interpolator(env, problems, configDir);
  }

  List<String> problems() {
    return problems.list();
  }

  /** The bound config, or {@code null} if there were problems. */
  SyncConfig bind(Path file, JsonNode root) {
    ObjectNode map = section(root, "", ROOT_KEYS, "write the file as 'key: value' lines");
    if (map == null) {
      return null;
    }
    ServerConfig server = server(get(map, "server"));
    DatabaseConfig database = database(get(map, "database"));
    EngineConfig engine = engine(get(map, "engine"));
    ReconcileConfig forAll = reconcile(get(map, "reconcile"), "reconcile", true);
    reconcileForAll = forAll == null ? ReconcileConfig.defaults() : forAll;
    List<ConnectorConfig> connectors = connectors(get(map, "connectors"));
    if (validLease != null) {
      JsonNode lease = map.at("/engine/lease");
      checkLease(validLease, lease.isMissingNode() || lease.isNull());
    }
    return problems.isEmpty() ? new SyncConfig(file, server, database, engine, connectors) : null;
  }

  // ---- sections ----

  private ServerConfig server(JsonNode node) {
    ObjectNode map = section(node, "server", SERVER_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    Integer port = integer(map, "port", "server.port", Defaults.PORT);
    if (port != null && (port < 0 || port > 65_535)) {
      problems.add(
          "server.port",
          show("server.port", port) + " is not a port number (0..65535)",
          "use e.g. 8080, or 0 for any free port");
    }
    String adminToken = optionalText(map, "adminToken", "server.adminToken");
    if (adminToken == null) {
      adminToken = nonEmpty(env.get(Defaults.ADMIN_TOKEN_ENV));
    }
    Duration requestTimeout =
        duration(map, "requestTimeout", "server.requestTimeout", Defaults.SERVER_REQUEST_TIMEOUT);
    positive("server.requestTimeout", requestTimeout, Defaults.SERVER_REQUEST_TIMEOUT);
    Integer minRequestDataRate =
        integer(
            map, "minRequestDataRate", "server.minRequestDataRate",
            Defaults.MIN_REQUEST_DATA_RATE);
    if (minRequestDataRate != null && minRequestDataRate < 0) {
      problems.add(
          "server.minRequestDataRate",
          minRequestDataRate + " is negative",
          "write bytes per second, e.g. " + Defaults.MIN_REQUEST_DATA_RATE + ", or 0 for no check");
    }
    Duration idempotencyRetention =
        duration(
            map, "idempotencyRetention", "server.idempotencyRetention",
            Defaults.IDEMPOTENCY_RETENTION);
    positive(
        "server.idempotencyRetention", idempotencyRetention, Defaults.IDEMPOTENCY_RETENTION);
    return problems.count() > before
        ? null
        : new ServerConfig(
            port, adminToken, requestTimeout, minRequestDataRate, idempotencyRetention);
  }

  private DatabaseConfig database(JsonNode node) {
    ObjectNode map = section(node, "database", DATABASE_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    String url;
    Scalar urlScalar = text(map, "url", "database.url");
    String fromEnv = nonEmpty(env.get(Defaults.DB_URL_ENV));
    if (urlScalar != null && !urlScalar.value().isEmpty()) {
      url = urlScalar.value();
      if (!url.startsWith("jdbc:")) {
        problems.add("database.url", urlScalar.shownAsUrl() + " is not a JDBC URL", JDBC_HINT);
      }
    } else if (fromEnv != null) {
      url = fromEnv;
      if (!url.startsWith("jdbc:")) {
        problems.add(
            "database.url",
            "environment variable "
                + Defaults.DB_URL_ENV
                + " ('"
                + Redact.url(url)
                + "') is not a JDBC URL",
            JDBC_HINT);
      }
    } else {
      url = Defaults.DB_URL;
    }
    Scalar user = text(map, "user", "database.user");
    Scalar password = text(map, "password", "database.password");
    Integer maxPoolSize =
        integer(map, "maxPoolSize", "database.maxPoolSize", Defaults.MAX_POOL_SIZE);
    atLeastOne("database.maxPoolSize", maxPoolSize, Defaults.MAX_POOL_SIZE);
    if (problems.count() > before) {
      return null;
    }
    return new DatabaseConfig(
        url,
        user == null ? Defaults.DB_USER : user.value(),
        password == null ? Defaults.DB_PASSWORD : password.value(),
        maxPoolSize);
  }

  private EngineConfig engine(JsonNode node) {
    ObjectNode map = section(node, "engine", ENGINE_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    Integer maxInFlight = integer(map, "maxInFlight", "engine.maxInFlight", Defaults.MAX_IN_FLIGHT);
    atLeastOne("engine.maxInFlight", maxInFlight, Defaults.MAX_IN_FLIGHT);
    Integer batchSize = integer(map, "batchSize", "engine.batchSize", Defaults.BATCH_SIZE);
    atLeastOne("engine.batchSize", batchSize, Defaults.BATCH_SIZE);
    Duration pollInterval =
        duration(map, "pollInterval", "engine.pollInterval", Defaults.POLL_INTERVAL);
    positive("engine.pollInterval", pollInterval, Defaults.POLL_INTERVAL);
    Duration lease = duration(map, "lease", "engine.lease", Defaults.LEASE);
    if (positive("engine.lease", lease, Defaults.LEASE)) {
      validLease = lease;
    }
    String nodeId = optionalText(map, "nodeId", "engine.nodeId");
    if (nodeId != null && nodeId.length() > 64) {
      problems.add("engine.nodeId", "is longer than 64 characters", "choose a shorter name");
    }
    Duration retention = duration(map, "retention", "engine.retention", Defaults.RETENTION);
    positive("engine.retention", retention, Defaults.RETENTION);
    // Zero is allowed (hand back at once); a negative duration is refused by the parser.
    Duration shutdownGrace =
        duration(map, "shutdownGrace", "engine.shutdownGrace", Defaults.SHUTDOWN_GRACE);
    if (problems.count() > before) {
      return null;
    }
    return new EngineConfig(
        maxInFlight, batchSize, pollInterval, lease, nodeId, retention, shutdownGrace);
  }

  private List<ConnectorConfig> connectors(JsonNode node) {
    if (node == null) {
      return List.of();
    }
    if (!node.isArray()) {
      problems.add(
          "connectors",
          "expected a list of connectors but found " + describe(node),
          "start each connector with '- id: ...' and indent its other keys under it");
      return List.of();
    }
    List<ConnectorConfig> connectors = new ArrayList<>();
    Map<String, String> pathById = new HashMap<>();
    for (int index = 0; index < node.size(); index++) {
      ConnectorConfig connector = connector(node.get(index), "connectors[" + index + "]", pathById);
      if (connector != null) {
        connectors.add(connector);
      }
    }
    return connectors;
  }

  private ConnectorConfig connector(JsonNode node, String path, Map<String, String> pathById) {
    if (node.isNull()) {
      problems.add(
          path,
          "empty connector entry",
          "give it at least id, type and baseUrl, or remove the '-' line");
      return null;
    }
    ObjectNode map =
        section(
            node,
            path,
            CONNECTOR_KEYS,
            "start the connector with '- id: ...' and indent its other keys under it");
    if (map == null) {
      return null;
    }
    int before = problems.count();
    String id = connectorId(map, path, pathById);
    Scalar type = required(map, "type", path + ".type", "set the connector type, e.g. type: rest");
    if (type != null && !CONNECTOR_TYPES.contains(type.value())) {
      unknownValue(path + ".type", "connector type", type, CONNECTOR_TYPES);
      type = null;
    }
    String typeName = type == null ? null : type.value();
    URI baseUrl =
        url(
            map,
            "baseUrl",
            path + ".baseUrl",
            "write an absolute http or https URL, e.g. baseUrl: https://iis.example.org/api");
    AuthConfig auth = auth(get(map, "auth"), path + ".auth");
    TlsConfig tls = tls(get(map, "tls"), path + ".tls");
    LimitsConfig limits = limits(map, path);
    TimeoutsConfig timeouts = timeouts(get(map, "timeouts"), path + ".timeouts");
    if (timeouts != null) {
      connectorTimeouts.add(new ConnectorTimeouts(path, id, timeouts));
    }
    RetryConfig retry = retry(get(map, "retry"), path + ".retry");
    BreakerConfig breaker = breaker(get(map, "circuitBreaker"), path + ".circuitBreaker");
    Map<String, String> headers = headers(get(map, "headers"), path + ".headers", path + ".auth");
    Map<String, RouteConfig> routes = routes(get(map, "routes"), path + ".routes", typeName);
    ConnectorSettings settings = typeName == null ? null : settings(map, path, typeName);
    InboundConfig inbound = inbound(get(map, "inbound"), path + ".inbound", typeName);
    JsonNode routesNode = get(map, "routes");
    JsonNode listNode =
        routesNode != null && routesNode.isObject() ? routesNode.get(LIST_ROUTE) : null;
    ListRouteConfig list =
        listNode == null ? null : listRoute(listNode, path + ".routes." + LIST_ROUTE, typeName);
    ReconcileConfig reconcile =
        reconcile(
            get(map, "reconcile"), path + ".reconcile",
            listNode != null || "fhir".equals(typeName)); // fhir lists by itself (date search)
    if (problems.count() > before) {
      return null;
    }
    return new ConnectorConfig(
        id, typeName, baseUrl, auth, tls, timeouts, retry, breaker, limits, headers, routes,
        settings, inbound, list, reconcile);
  }

  private ListRouteConfig listRoute(JsonNode node, String path, String typeName) {
    if (typeName != null && !typeName.equals("rest")) {
      problems.add(
          path,
          "only a rest connector takes a list route (a " + typeName + " connector cannot list"
              + " appointments yet)",
          "remove routes.list");
      return null;
    }
    ObjectNode map =
        section(node, path, LIST_ROUTE_KEYS, "indent method, path, items, next and mapping under"
            + " 'list:'");
    if (map == null) {
      return null;
    }
    int before = problems.count();
    String method = oneOf(map, "method", path, List.of("GET", "POST"), "HTTP method");
    Scalar routePath =
        required(
            map,
            "path",
            path + ".path",
            "set the listing path below baseUrl, e.g. path: /appointments?from={from}&to={to}");
    if (routePath != null) {
      checkListPath(routePath);
    }
    String items = pointer(map, "items", path, true);
    String next = pointer(map, "next", path, false);
    Path mapping =
        requiredMapping(
            map,
            path,
            "set the JSONata file that reads one listed item as {externalId, appointmentId, status,"
                + " start, locationCode, patientMrn}, e.g. mapping: iis-list.jsonata");
    Integer maxPages = atLeast(map, "maxPages", path, 1, ListRouteConfig.DEFAULT_MAX_PAGES);
    if (problems.count() > before) {
      return null;
    }
    return new ListRouteConfig(
        method == null ? "GET" : method, routePath.value(), items == null ? "" : items, next,
        mapping, maxPages);
  }

  private void checkListPath(Scalar routePath) {
    String path = routePath.path();
    String value = routePath.value();
    if (!value.startsWith("/")) {
      problems.add(
          path,
          routePath.shown() + " does not start with '/'",
          "write it from the end of baseUrl, e.g. /appointments?from={from}&to={to}");
    }
    if (value.chars().anyMatch(Character::isWhitespace)) {
      problems.add(path, routePath.shown() + " contains whitespace", "encode spaces as %20");
    }
    Matcher placeholders = PLACEHOLDER.matcher(value);
    while (placeholders.find()) {
      String name = placeholders.group(1);
      if (!name.equals("from") && !name.equals("to")) {
        problems.add(
            path,
            (routePath.hidden() ? "unknown placeholder" : "unknown placeholder {" + name + "}")
                + " in " + routePath.shown(),
            "a list route's only placeholders are {from} and {to}");
      }
    }
  }

  /**
   * A {@code reconcile} section: top-level (for every connector that can list) or a connector's
   * own, which replaces the top-level one for it.
   */
  private ReconcileConfig reconcile(JsonNode node, String path, boolean canList) {
    if (node == null) {
      return canList ? reconcileForAll : ReconcileConfig.defaults();
    }
    ObjectNode map = section(node, path, RECONCILE_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    if (!canList) {
      problems.add(
          path,
          "this connector cannot list appointments, so it cannot be reconciled",
          "add routes.list to a rest connector (method, path with {from} and {to}, items,"
              + " mapping; a fhir connector lists by itself), or remove reconcile");
    }
    Duration interval = duration(map, "interval", path + ".interval", null);
    if (interval != null) {
      positive(path + ".interval", interval, Duration.ofHours(1));
    }
    Duration lookBack =
        duration(map, "lookBack", path + ".lookBack", ReconcileConfig.DEFAULT_LOOK_BACK);
    Duration lookAhead =
        duration(map, "lookAhead", path + ".lookAhead", ReconcileConfig.DEFAULT_LOOK_AHEAD);
    Boolean repair = bool(map, "repair", path + ".repair", true);
    if (lookBack != null && lookAhead != null && lookBack.plus(lookAhead).isZero()) {
      problems.add(
          path,
          "lookBack and lookAhead are both zero: the window is empty",
          "set e.g. lookAhead: 30d");
    }
    if (problems.count() > before) {
      return null;
    }
    return new ReconcileConfig(interval, lookBack, lookAhead, repair);
  }

  private InboundConfig inbound(JsonNode node, String path, String typeName) {
    if (node == null) {
      return InboundConfig.none();
    }
    ObjectNode map = section(node, path, INBOUND_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    String policy =
        oneOf(
            map, "conflictPolicy", path, ConflictPolicy.WIRE_NAMES,
            "conflict policy");
    ConflictPolicy conflictPolicy =
        policy == null ? ConflictPolicy.REVIEW : ConflictPolicy.fromWire(policy);
    JsonNode webhook = get(map, "webhook");
    WebhookConfig config = webhook == null ? null : webhook(webhook, path + ".webhook");
    JsonNode pollNode = get(map, "poll");
    PollConfig poll = pollNode == null ? null : poll(pollNode, path + ".poll", typeName);
    JsonNode subscriptionNode = get(map, "subscription");
    SubscriptionConfig subscription =
        subscriptionNode == null
            ? null
            : subscription(subscriptionNode, path + ".subscription", typeName, pollNode != null);
    if (problems.count() > before) {
      return null;
    }
    return new InboundConfig(config, conflictPolicy, poll, subscription);
  }

  /** {@code inbound.subscription}: a fhir connector's rest-hook Subscription; messages hide the secret. */
  private SubscriptionConfig subscription(
      JsonNode node, String path, String typeName, boolean polls) {
    ObjectNode map = section(node, path, SUBSCRIPTION_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    if (!"fhir".equals(typeName)) {
      problems.add(
          path,
          "only a fhir connector can subscribe to its server's changes",
          "remove inbound.subscription, or use inbound.webhook for a system that signs its calls");
    }
    if (!polls) {
      problems.add(
          path,
          "a subscription only wakes the poller, so it needs inbound.poll as well",
          "add inbound.poll (with its mapping) to this connector: polling stays the safety net");
    }
    URI endpoint =
        url(
            map,
            "endpoint",
            path + ".endpoint",
            "write the URL at which the FHIR server reaches this service's notification route, e.g."
                + " endpoint: https://sync.example.org/fhir/notifications/<connector id>");
    Scalar secret =
        required(
            map, "secret", path + ".secret",
            "set a random secret of at least " + SubscriptionConfig.MIN_SECRET_LENGTH
                + " characters from the environment or a file, e.g. secret:"
                + " ${PORTAL_SUBSCRIPTION_SECRET}");
    if (secret != null) {
      String value = secret.value();
      if (value.length() < SubscriptionConfig.MIN_SECRET_LENGTH) {
        problems.add(
            path + ".secret",
            secret.shown() + " is shorter than " + SubscriptionConfig.MIN_SECRET_LENGTH
                + " characters",
            "use a random secret of at least " + SubscriptionConfig.MIN_SECRET_LENGTH
                + " characters, e.g. from: openssl rand -hex 32");
      } else if (!value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        problems.add(
            path + ".secret",
            secret.shown() + " has characters other than visible ASCII (it travels in an HTTP"
                + " header)",
            "use letters, digits and punctuation only, e.g. from: openssl rand -hex 32");
      }
    }
    Scalar criteriaText = text(map, "criteria", path + ".criteria");
    String criteria = criteriaText == null ? null : nonEmpty(criteriaText.value());
    if (criteria != null
        && !(criteria.startsWith("Appointment?")
            && criteria.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
      problems.add(
          path + ".criteria",
          criteriaText.shown() + " is not an Appointment search",
          "write a search on Appointment without spaces, e.g. criteria: "
              + SubscriptionConfig.DEFAULT_CRITERIA + " (the default: every Appointment)");
    }
    Boolean removeOnStop = bool(map, "removeOnStop", path + ".removeOnStop", false);
    if (problems.count() > before) {
      return null;
    }
    return new SubscriptionConfig(endpoint, secret.value(), criteria, removeOnStop);
  }

  private PollConfig poll(JsonNode node, String path, String typeName) {
    ObjectNode map = section(node, path, POLL_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    String pollPath = optionalText(map, "path", path + ".path");
    // A fhir connector without a path polls its own change feed (_lastUpdated).
    if (pollPath == null && problems.count() == before && !"fhir".equals(typeName)) {
      problems.add(
          path + ".path",
          "required key is missing",
          "set the path of the change feed, appended to baseUrl, e.g. path: /appointments/changes");
    }
    Path mapping =
        requiredMapping(
            map,
            path,
            "set the JSONata file that turns one polled item into changes, e.g. mapping:"
                + " inbound/portal-poll.jsonata");
    Duration interval = duration(map, "interval", path + ".interval", PollConfig.DEFAULT_INTERVAL);
    positive(path + ".interval", interval, PollConfig.DEFAULT_INTERVAL);
    String cursorParam = optionalText(map, "cursorParam", path + ".cursorParam");
    String items = pointer(map, "items", path, true);
    String next = pointer(map, "next", path, false);
    String cursorField = pointer(map, "cursorField", path, false);
    String idField = pointer(map, "idField", path, false);
    String initialCursor = optionalText(map, "initialCursor", path + ".initialCursor");
    Integer maxPages = atLeast(map, "maxPages", path, 1, PollConfig.DEFAULT_MAX_PAGES);
    if (problems.count() > before) {
      return null;
    }
    return new PollConfig(
        pollPath, interval,
        cursorParam == null ? PollConfig.DEFAULT_CURSOR_PARAM : cursorParam,
        items == null ? "" : items, next, cursorField, idField, mapping, initialCursor, maxPages);
  }

  /** A JSON pointer into a polled response or item; {@code ""} only where {@code emptyAllowed}. */
  private String pointer(ObjectNode map, String key, String path, boolean emptyAllowed) {
    Scalar value = text(map, key, path + "." + key);
    if (value == null) {
      return null;
    }
    String pointer = value.value();
    if (pointer.isEmpty() && emptyAllowed) {
      return "";
    }
    try {
      if (!pointer.startsWith("/")) {
        throw new IllegalArgumentException("no leading '/'");
      }
      if (pointer.replace("~0", "").replace("~1", "").contains("~")) {
        throw new IllegalArgumentException("a '~' not followed by 0 or 1");
      }
      com.fasterxml.jackson.core.JsonPointer.compile(pointer);
    } catch (IllegalArgumentException invalid) {
      problems.add(
          path + "." + key,
          value.shown() + " is not a JSON pointer (it must start with '/'; write ~0 for '~' and"
              + " ~1 for '/' inside a key)",
          "write e.g. " + key + ": " + switch (key) {
            case "items" -> "/items (or \"\" when the body is the array)";
            case "next" -> "/links/next";
            case "cursorField" -> "/updatedAt";
            default -> "/id";
          });
      return null;
    }
    return pointer;
  }

  private WebhookConfig webhook(JsonNode node, String path) {
    ObjectNode map = section(node, path, WEBHOOK_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    List<String> secrets = webhookSecrets(get(map, "secrets"), path + ".secrets");
    Path mapping =
        requiredMapping(
            map,
            path,
            "set the JSONata file that turns a webhook payload into changes, e.g. mapping:"
                + " inbound/portal-webhook.jsonata");
    Integer tolerance =
        atLeast(map, "toleranceSeconds", path, 1, WebhookConfig.DEFAULT_TOLERANCE_SECONDS);
    if (problems.count() > before) {
      return null;
    }
    return new WebhookConfig(secrets, mapping, tolerance);
  }

  /** The list of {@code whsec_} secrets; messages never show a value. */
  private List<String> webhookSecrets(JsonNode node, String path) {
    String hint =
        "list one or more secrets from the sender, each usually from the environment, e.g."
            + " secrets: [\"${PORTAL_WEBHOOK_SECRET}\"]";
    if (node == null) {
      problems.add(path, "required key is missing", hint);
      return null;
    }
    if (!node.isArray()) {
      problems.add(path, "expected a list of secrets but found " + describe(node), hint);
      return null;
    }
    if (node.isEmpty()) {
      problems.add(path, "is an empty list", hint);
      return null;
    }
    List<String> secrets = new ArrayList<>();
    for (int index = 0; index < node.size(); index++) {
      String itemPath = path + "[" + index + "]";
      JsonNode item = node.get(index);
      if (item == null || item.isNull()) {
        problems.add(itemPath, "has no value", hint);
        continue;
      }
      Scalar secret = scalar(item, itemPath);
      if (secret == null) {
        continue;
      }
      String problem = webhookSecretProblem(secret.value());
      if (problem != null) {
        problems.add(
            itemPath,
            secret.shown() + " " + problem,
            "use the secret exactly as the sender shows it: whsec_ followed by the base64 key");
        continue;
      }
      secrets.add(secret.value());
    }
    return secrets;
  }

  /** What is wrong with a {@code whsec_<base64>} secret, or {@code null}; never the value. */
  private static String webhookSecretProblem(String secret) {
    if (secret.isEmpty()) {
      return "is empty";
    }
    if (!secret.startsWith("whsec_")) {
      return "does not start with whsec_";
    }
    try {
      if (java.util.Base64.getDecoder().decode(secret.substring(6).trim()).length == 0) {
        return "has nothing after whsec_";
      }
    } catch (IllegalArgumentException notBase64) {
      return "is not base64 after whsec_";
    }
    return null;
  }

  private LimitsConfig limits(ObjectNode map, String path) {
    Double rate = null;
    if (get(map, "rateLimit") != null) {
      rate = decimal(map, "rateLimit", path + ".rateLimit", 10);
      if (rate != null && !(rate > 0)) {
        problems.add(
            path + ".rateLimit",
            show(path + ".rateLimit", rate) + " is not more than 0",
            "set attempts per second, e.g. rateLimit: 10 or 0.5, or remove it for no limit");
        rate = null;
      }
    }
    Integer concurrency = null;
    if (get(map, "maxConcurrency") != null) {
      concurrency = atLeast(map, "maxConcurrency", path, 1, 4);
    }
    return new LimitsConfig(rate, concurrency);
  }

  /** The type's own section; a section of another type is reported. */
  private ConnectorSettings settings(ObjectNode map, String path, String type) {
    String own = TYPE_SECTIONS.get(type);
    for (Map.Entry<String, String> section : TYPE_SECTIONS.entrySet()) {
      String key = section.getValue();
      if (!key.equals(own) && get(map, key) != null) {
        problems.add(
            path + "." + key,
            "used only by connectors of type " + section.getKey() + ", not " + type,
            "remove it, or set " + path + ".type: " + section.getKey());
      }
    }
    if (own == null) {
      return null;
    }
    JsonNode node = get(map, own);
    String sectionPath = path + "." + own;
    return switch (own) {
      case "iis" -> iis(node, sectionPath);
      case "fhir" -> fhir(node, sectionPath);
      default -> graphql(node, sectionPath);
    };
  }

  private IisConfig iis(JsonNode node, String path) {
    if (node == null) {
      problems.add(
          path,
          "required section is missing",
          "an iis-soap connector needs at least iis.sendingFacility (the MSH-4 id the registry"
              + " gave you); see examples/iis-soap.yaml");
      return null;
    }
    ObjectNode map = section(node, path, IIS_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    String username = optionalText(map, "username", path + ".username");
    String password = optionalText(map, "password", path + ".password");
    if ((username == null) != (password == null)) {
      problems.add(
          path + (username == null ? ".username" : ".password"),
          "required key is missing (username and password go together)",
          "set both, e.g. username: ${IIS_USER} and password: ${IIS_PASSWORD}, or neither");
    }
    String facilityId = optionalText(map, "facilityId", path + ".facilityId");
    String sendingApplication =
        optionalText(map, "sendingApplication", path + ".sendingApplication");
    Scalar sendingFacility =
        required(
            map,
            "sendingFacility",
            path + ".sendingFacility",
            "set the MSH-4 facility id the registry gave you, e.g. sendingFacility: CLINIC-12");
    String receivingApplication =
        optionalText(map, "receivingApplication", path + ".receivingApplication");
    String receivingFacility = optionalText(map, "receivingFacility", path + ".receivingFacility");
    Scalar processingId = text(map, "processingId", path + ".processingId");
    if (processingId != null && !PROCESSING_IDS.contains(processingId.value())) {
      unknownValue(path + ".processingId", "processing id (MSH-11)", processingId, PROCESSING_IDS);
    }
    String mrnAuthority = optionalText(map, "mrnAuthority", path + ".mrnAuthority");
    Integer unreadableAckRetries =
        atLeast(map, "unreadableAckRetries", path, 0, Defaults.UNREADABLE_ACK_RETRIES);
    if (problems.count() > before) {
      return null;
    }
    return new IisConfig(
        username,
        password,
        facilityId,
        sendingApplication,
        sendingFacility.value(),
        receivingApplication,
        receivingFacility,
        processingId == null ? null : processingId.value(),
        mrnAuthority,
        unreadableAckRetries);
  }

  private FhirConfig fhir(JsonNode node, String path) {
    ObjectNode map = section(node, path, FHIR_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    String identifierSystem = optionalText(map, "identifierSystem", path + ".identifierSystem");
    String references = oneOf(map, "references", path, FHIR_REFERENCES, "how to name Patient and Location");
    String patientSystem =
        optionalText(map, "patientIdentifierSystem", path + ".patientIdentifierSystem");
    String locationSystem =
        optionalText(map, "locationIdentifierSystem", path + ".locationIdentifierSystem");
    String onConflict =
        oneOf(map, "onVersionConflict", path, FHIR_CONFLICT, "what a 412 on update does");
    Boolean slotEvents = bool(map, "slotEvents", path + ".slotEvents", false);
    if (problems.count() > before) {
      return null;
    }
    return new FhirConfig(
        identifierSystem, references, patientSystem, locationSystem, onConflict, slotEvents);
  }

  private GraphqlConfig graphql(JsonNode node, String path) {
    ObjectNode map = section(node, path, GRAPHQL_KEYS);
    if (map == null) {
      return null;
    }
    JsonNode codes = get(map, "errorCodes");
    Map<String, String> errorCodes = new LinkedHashMap<>();
    if (codes != null) {
      if (!codes.isObject()) {
        problems.add(
            path + ".errorCodes",
            "expected a map from error code to retryable or permanent but found "
                + describe(codes),
            "write e.g. 'SERVICE_UNAVAILABLE: retryable' indented under 'errorCodes:'");
        return null;
      }
      for (Map.Entry<String, JsonNode> entry : codes.properties()) {
        String codePath = path + ".errorCodes." + entry.getKey();
        Scalar judgement = scalar(entry.getValue(), codePath);
        if (judgement == null) {
          continue;
        }
        if (!GRAPHQL_JUDGEMENTS.contains(judgement.value())) {
          unknownValue(codePath, "judgement", judgement, GRAPHQL_JUDGEMENTS);
          continue;
        }
        errorCodes.put(entry.getKey(), judgement.value());
      }
    }
    return new GraphqlConfig(errorCodes);
  }

  /** An optional value from a fixed list; {@code null} when absent (the default) or invalid. */
  private String oneOf(
      ObjectNode map, String key, String path, List<String> allowed, String what) {
    Scalar value = text(map, key, path + "." + key);
    if (value == null || value.value().isEmpty()) {
      return null;
    }
    if (!allowed.contains(value.value())) {
      unknownValue(path + "." + key, what, value, allowed);
      return null;
    }
    return value.value();
  }

  private TlsConfig tls(JsonNode node, String path) {
    if (node == null) {
      return TlsConfig.none();
    }
    ObjectNode map = section(node, path, TLS_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    Path keyStore =
        file(map, "keyStore", path + ".keyStore", "the PKCS#12 file with the client certificate");
    String keyStorePassword = optionalText(map, "keyStorePassword", path + ".keyStorePassword");
    Path trustStore =
        file(map, "trustStore", path + ".trustStore", "the PKCS#12 file of certificates to trust");
    String trustStorePassword =
        optionalText(map, "trustStorePassword", path + ".trustStorePassword");
    if (keyStore == null && keyStorePassword != null && get(map, "keyStore") == null) {
      problems.add(
          path + ".keyStorePassword",
          "set without keyStore",
          "add keyStore (the client certificate file) or remove the password");
    }
    if (trustStore == null && trustStorePassword != null && get(map, "trustStore") == null) {
      problems.add(
          path + ".trustStorePassword",
          "set without trustStore",
          "add trustStore (the file of certificates to trust) or remove the password");
    }
    return problems.count() > before
        ? null
        : new TlsConfig(keyStore, keyStorePassword, trustStore, trustStorePassword);
  }

  private BreakerConfig breaker(JsonNode node, String path) {
    ObjectNode map = section(node, path, BREAKER_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    Boolean enabled = bool(map, "enabled", path + ".enabled", true);
    Integer rate =
        atLeast(map, "failureRatePercent", path, 1, Defaults.BREAKER_FAILURE_RATE);
    if (rate != null && rate > 100) {
      problems.add(
          path + ".failureRatePercent",
          show(path + ".failureRatePercent", rate) + " is more than 100",
          "set a percentage from 1 to 100 (default " + Defaults.BREAKER_FAILURE_RATE + ")");
    }
    Integer minimumCalls = atLeast(map, "minimumCalls", path, 1, Defaults.BREAKER_MINIMUM_CALLS);
    Integer window = atLeast(map, "window", path, 1, Defaults.BREAKER_WINDOW);
    if (minimumCalls != null && window != null && minimumCalls > window) {
      problems.add(
          path + ".minimumCalls",
          "minimumCalls " + minimumCalls + " is more than window " + window,
          "the breaker judges the last 'window' attempts; set minimumCalls at most that");
    }
    Duration openFor = duration(map, "openFor", path + ".openFor", Defaults.BREAKER_OPEN_FOR);
    positive(path + ".openFor", openFor, Defaults.BREAKER_OPEN_FOR);
    Integer probes = atLeast(map, "halfOpenProbes", path, 1, Defaults.BREAKER_HALF_OPEN_PROBES);
    if (problems.count() > before) {
      return null;
    }
    return new BreakerConfig(enabled, rate, minimumCalls, window, openFor, probes);
  }

  private Integer atLeast(ObjectNode map, String key, String path, int minimum, int defaultValue) {
    Integer value = integer(map, key, path + "." + key, defaultValue);
    if (value != null && value < minimum) {
      problems.add(
          path + "." + key,
          show(path + "." + key, value) + " is less than " + minimum,
          "set at least " + minimum + " (default " + defaultValue + ")");
      return null;
    }
    return value;
  }

  private Boolean bool(ObjectNode map, String key, String path, boolean defaultValue) {
    JsonNode node = get(map, key);
    if (node == null) {
      return defaultValue;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    Scalar value = scalar(node, path);
    if (value == null) {
      return null;
    }
    String text = value.value().trim().toLowerCase(java.util.Locale.ROOT);
    if (text.equals("true") || text.equals("false")) {
      return Boolean.parseBoolean(text);
    }
    problems.add(path, value.shown() + " is not true or false", "write true or false");
    return null;
  }

  private String connectorId(ObjectNode map, String path, Map<String, String> pathById) {
    String idPath = path + ".id";
    Scalar id = required(map, "id", idPath, "give the connector a unique id, e.g. id: state-iis");
    if (id == null) {
      return null;
    }
    if (!CONNECTOR_ID.matcher(id.value()).matches()) {
      problems.add(
          idPath,
          id.shown() + " is not a valid connector id",
          "use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit,"
              + " e.g. state-iis");
      return null;
    }
    String earlier = pathById.putIfAbsent(id.value(), path);
    if (earlier != null) {
      problems.add(
          idPath,
          "duplicate connector id " + id.shown() + " (" + earlier + " has it too)",
          "give each connector its own id");
      return null;
    }
    return id.value();
  }

  private URI url(ObjectNode map, String key, String path, String hint) {
    Scalar text = required(map, key, path, hint);
    if (text == null) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(text.value().trim());
    } catch (URISyntaxException e) {
      problems.add(
          path,
          text.shownAsUrl()
              + " is not a valid URL ("
              + e.getReason()
              + " at index "
              + e.getIndex()
              + ")",
          hint);
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute()
        || !(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null) {
      problems.add(path, text.shownAsUrl() + " is not an absolute http or https URL", hint);
      return null;
    }
    if (uri.getRawUserInfo() != null) {
      problems.add(
          path,
          "contains credentials (user:password@)",
          "remove them from the URL and configure " + parentOf(path) + ".auth instead");
      return null;
    }
    return uri;
  }

  private AuthConfig auth(JsonNode node, String path) {
    if (node == null) {
      return AuthConfig.none();
    }
    ObjectNode map = section(node, path, AUTH_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    Scalar typeScalar = text(map, "type", path + ".type");
    String type;
    String typeLabel;
    if (typeScalar == null) {
      type = get(map, "type") == null ? "none" : null;
      typeLabel = "none (the default)";
    } else if (AUTH_TYPES.contains(typeScalar.value())) {
      type = typeScalar.value();
      typeLabel = type;
    } else {
      unknownValue(path + ".type", "auth type", typeScalar, AUTH_TYPES);
      return null;
    }
    if (type == null) {
      return null;
    }
    List<String> required = AUTH_REQUIRED.get(type);
    List<String> optional = AUTH_OPTIONAL.getOrDefault(type, List.of());
    Map<String, Scalar> values = new HashMap<>();
    for (String key : AUTH_KEYS.subList(1, AUTH_KEYS.size())) {
      Scalar value = text(map, key, path + "." + key);
      if (required.contains(key)) {
        requireCredential(map, value, key, path, authHint(type, key));
      } else if (!optional.contains(key)) {
        notUsed(value, path, typeLabel, typeUsing(key));
      }
      if (value != null && !value.value().isEmpty()) {
        values.put(key, value);
      }
    }
    URI tokenUrl = null;
    if (values.containsKey("tokenUrl")) {
      tokenUrl =
          url(map, "tokenUrl", path + ".tokenUrl", "write the token endpoint's https URL, e.g."
              + " tokenUrl: https://auth.example.org/oauth2/token");
    }
    Path privateKey = null;
    if (values.containsKey("privateKey")) {
      privateKey =
          file(map, "privateKey", path + ".privateKey", "the PEM file of the PKCS#8 private key");
    }
    Scalar algorithm = values.get("algorithm");
    if (algorithm != null && !JWT_ALGORITHMS.contains(algorithm.value())) {
      unknownValue(path + ".algorithm", "signing algorithm", algorithm, JWT_ALGORITHMS);
    }
    if (problems.count() > before) {
      return null;
    }
    return new AuthConfig(
        type,
        valueOf(values, "token"),
        valueOf(values, "username"),
        valueOf(values, "password"),
        tokenUrl,
        valueOf(values, "clientId"),
        valueOf(values, "clientSecret"),
        valueOf(values, "scope"),
        privateKey,
        valueOf(values, "keyId"),
        type.equals("smart") && algorithm == null ? "RS384" : valueOf(values, "algorithm"));
  }

  private static String valueOf(Map<String, Scalar> values, String key) {
    Scalar value = values.get(key);
    return value == null ? null : value.value();
  }

  private static String typeUsing(String key) {
    for (String type : AUTH_TYPES) {
      if (AUTH_REQUIRED.get(type).contains(key)
          || AUTH_OPTIONAL.getOrDefault(type, List.of()).contains(key)) {
        return type;
      }
    }
    return "none";
  }

  private static String authHint(String type, String key) {
    String example =
        switch (key) {
          case "token" -> "token: ${IIS_TOKEN}";
          case "username" -> "username: ${IIS_USER}";
          case "password" -> "password: ${IIS_PASSWORD}";
          case "tokenUrl" -> "tokenUrl: https://auth.example.org/oauth2/token";
          case "clientId" -> "clientId: hms-sync";
          case "clientSecret" -> "clientSecret: ${OAUTH_CLIENT_SECRET}";
          case "privateKey" -> "privateKey: keys/smart-client.pem";
          default -> key + ": ...";
        };
    return "auth type " + type + " needs a " + key + ", e.g. " + example;
  }

  private void requireCredential(
      ObjectNode map, Scalar value, String key, String authPath, String hint) {
    String path = authPath + "." + key;
    if (value == null) {
      if (get(map, key) == null) {
        problems.add(path, "required key is missing", hint);
      }
      // else: it was invalid and has been reported
    } else if (value.value().isEmpty()) {
      problems.add(path, "is empty (written as '" + value.raw() + "')", hint);
    }
  }

  private void notUsed(Scalar value, String authPath, String typeLabel, String typeThatUsesIt) {
    if (value != null && !value.value().isEmpty()) {
      problems.add(
          value.path(),
          "not used by auth type " + typeLabel,
          "remove it, or set " + authPath + ".type: " + typeThatUsesIt);
    }
  }

  private TimeoutsConfig timeouts(JsonNode node, String path) {
    ObjectNode map = section(node, path, TIMEOUTS_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    Duration connect = duration(map, "connect", path + ".connect", Defaults.CONNECT_TIMEOUT);
    positive(path + ".connect", connect, Defaults.CONNECT_TIMEOUT);
    Duration request = duration(map, "request", path + ".request", Defaults.REQUEST_TIMEOUT);
    positive(path + ".request", request, Defaults.REQUEST_TIMEOUT);
    return problems.count() > before ? null : new TimeoutsConfig(connect, request);
  }

  private RetryConfig retry(JsonNode node, String path) {
    ObjectNode map = section(node, path, RETRY_KEYS);
    if (map == null) {
      return null;
    }
    int before = problems.count();
    Integer maxAttempts = integer(map, "maxAttempts", path + ".maxAttempts", Defaults.MAX_ATTEMPTS);
    if (maxAttempts != null && maxAttempts < 1) {
      problems.add(
          path + ".maxAttempts",
          show(path + ".maxAttempts", maxAttempts) + " is less than 1",
          "set at least 1 (1 means no retries; default " + Defaults.MAX_ATTEMPTS + ")");
    }
    Duration initialBackoff =
        duration(map, "initialBackoff", path + ".initialBackoff", Defaults.INITIAL_BACKOFF);
    boolean initialValid =
        positive(path + ".initialBackoff", initialBackoff, Defaults.INITIAL_BACKOFF);
    Duration maxBackoff = duration(map, "maxBackoff", path + ".maxBackoff", Defaults.MAX_BACKOFF);
    boolean maxValid = positive(path + ".maxBackoff", maxBackoff, Defaults.MAX_BACKOFF);
    if (initialValid && maxValid && initialBackoff.compareTo(maxBackoff) > 0) {
      problems.add(
          path + ".initialBackoff",
          show(path + ".initialBackoff", Durations.format(initialBackoff))
              + " is longer than maxBackoff "
              + show(path + ".maxBackoff", Durations.format(maxBackoff)),
          "lower initialBackoff or raise maxBackoff");
    }
    Double multiplier = decimal(map, "multiplier", path + ".multiplier", Defaults.MULTIPLIER);
    if (multiplier != null && multiplier < 1) {
      problems.add(
          path + ".multiplier",
          show(path + ".multiplier", multiplier) + " is less than 1",
          "set 1 for a constant backoff, or e.g. 2 to double it after each attempt");
    }
    if (problems.count() > before) {
      return null;
    }
    return new RetryConfig(maxAttempts, initialBackoff, maxBackoff, multiplier);
  }

  private Map<String, String> headers(JsonNode node, String path, String authPath) {
    if (node == null) {
      return Map.of();
    }
    if (!node.isObject()) {
      problems.add(
          path,
          "expected a map of header names to values but found " + describe(node),
          "write one 'Name: value' line per header, indented under 'headers:'");
      return null;
    }
    int before = problems.count();
    Map<String, String> headers = new LinkedHashMap<>();
    Map<String, String> seen = new HashMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      String name = entry.getKey();
      String headerPath = path + "." + name;
      String lowered = name.toLowerCase(Locale.ROOT);
      if (!HEADER_NAME.matcher(name).matches()) {
        problems.add(
            headerPath,
            "'" + name + "' is not a valid HTTP header name",
            "use letters, digits and '-', e.g. X-Facility");
        continue;
      }
      if (lowered.equals("authorization")) {
        problems.add(
            headerPath, "the Authorization header is reserved", "set " + authPath + " instead");
        continue;
      }
      if (lowered.equals("idempotency-key")) {
        problems.add(
            headerPath,
            "the Idempotency-Key header is reserved",
            "remove it; the engine sets it on every request");
        continue;
      }
      String earlier = seen.putIfAbsent(lowered, name);
      if (earlier != null) {
        problems.add(
            headerPath,
            "duplicate header (header names ignore case; '" + earlier + "' is set too)",
            "keep only one of them");
        continue;
      }
      JsonNode valueNode = entry.getValue();
      if (valueNode.isNull()) {
        problems.add(headerPath, "has no value", "give it a value or remove the header");
        continue;
      }
      Scalar value = scalar(valueNode, headerPath);
      if (value == null) {
        continue;
      }
      if (value.value().indexOf('\r') >= 0 || value.value().indexOf('\n') >= 0) {
        problems.add(
            headerPath, "the value contains a line break", "write the value on a single line");
        continue;
      }
      headers.put(name, value.value());
    }
    return problems.count() > before ? null : headers;
  }

  private Map<String, RouteConfig> routes(JsonNode node, String path, String type) {
    if (node == null) {
      return Map.of();
    }
    if (!node.isObject()) {
      problems.add(
          path,
          "expected a map from event type to route but found " + describe(node),
          "write e.g. 'appointment.created:' indented under 'routes:' with method and path"
              + " under it");
      return null;
    }
    int before = problems.count();
    Map<String, RouteConfig> routes = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      String eventType = entry.getKey();
      String routePath = path + "." + eventType;
      if (eventType.equals(LIST_ROUTE)) {
        continue; // read by listRoute
      }
      if (!EVENT_TYPES.contains(eventType)) {
        problems.add(
            routePath,
            "unknown event type '" + eventType + "'",
            Suggestions.didYouMean(eventType, EVENT_TYPES)
                + "use one of: "
                + String.join(", ", EVENT_TYPES)
                + " (or list, for reconciliation)");
        continue;
      }
      RouteConfig route =
          type == null
              ? route(entry.getValue(), routePath, eventType) // unknown type: check as rest
              : switch (type) {
                case "rest" -> route(entry.getValue(), routePath, eventType);
                case "graphql" -> graphqlRoute(entry.getValue(), routePath, eventType);
                default -> subscription(entry.getValue(), routePath, eventType, type);
              };
      if (route != null) {
        routes.put(eventType, route);
      }
    }
    return problems.count() > before ? null : routes;
  }

  private RouteConfig route(JsonNode node, String path, String eventType) {
    ObjectNode map =
        section(
            node,
            path,
            ROUTE_KEYS,
            "indent method, path, mapping and externalId under '" + eventType + ":'");
    if (map == null) {
      return null;
    }
    int before = problems.count();
    Scalar method =
        required(
            map,
            "method",
            path + ".method",
            "set the HTTP method, one of " + String.join(", ", METHODS) + ", e.g. method: POST");
    if (method != null && !METHODS.contains(method.value())) {
      unknownValue(path + ".method", "HTTP method", method, METHODS);
    }
    Scalar routePath =
        required(
            map,
            "path",
            path + ".path",
            "set the path below baseUrl, e.g. path: /appointments/{externalId}");
    if (routePath != null) {
      checkRoutePath(routePath, eventType);
    }
    Path mapping = mapping(map, path + ".mapping");
    String externalId = externalIdPointer(map, path);
    if (problems.count() > before) {
      return null;
    }
    return new RouteConfig(eventType, method.value(), routePath.value(), mapping, externalId);
  }

  private RouteConfig graphqlRoute(JsonNode node, String path, String eventType) {
    ObjectNode map =
        section(
            node,
            path,
            GRAPHQL_ROUTE_KEYS,
            "indent document, mapping and externalId under '" + eventType + ":'");
    if (map == null) {
      return null;
    }
    int before = problems.count();
    Path document = null;
    if (get(map, "document") == null) {
      problems.add(
          path + ".document",
          "required key is missing",
          "set the file with the mutation, e.g. document: graphql/create.graphql");
    } else {
      document = file(map, "document", path + ".document", "the .graphql file");
    }
    Path mapping = mapping(map, path + ".mapping");
    String externalId = externalIdPointer(map, path);
    if (problems.count() > before) {
      return null;
    }
    return new RouteConfig(eventType, null, null, mapping, externalId, document);
  }

  /**
   * A route of a type that knows what to send: the subscription, and for fhir an optional mapping
   * whose result is merged into the resource.
   */
  private RouteConfig subscription(JsonNode node, String path, String eventType, String type) {
    if (type.equals("fhir")) {
      ObjectNode map =
          section(node, path, List.of("mapping"), "indent mapping under '" + eventType + ":'");
      if (map == null) {
        return null;
      }
      int before = problems.count();
      Path mapping = mapping(map, path + ".mapping");
      return problems.count() > before
          ? null
          : new RouteConfig(eventType, null, null, mapping, null, null);
    }
    if (node != null && !node.isNull() && !(node.isObject() && node.isEmpty())) {
      problems.add(
          path,
          "a " + type + " connector takes no keys under its routes (it knows what to send for"
              + " each event type)",
          "write '" + eventType + ": {}' to subscribe to the event type");
      return null;
    }
    if (type.equals("iis-soap")
        && !eventType.equals("appointment.completed")
        && !eventType.equals("appointment.cancelled")) {
      problems.add(
          path,
          "an iis-soap connector reports vaccinations: it takes only appointment.completed and"
              + " appointment.cancelled",
          "remove this route");
      return null;
    }
    return RouteConfig.subscription(eventType);
  }

  private void checkRoutePath(Scalar routePath, String eventType) {
    String path = routePath.path();
    String value = routePath.value();
    if (!value.startsWith("/")) {
      problems.add(
          path,
          routePath.shown() + " does not start with '/'",
          "write it from the end of baseUrl, e.g. /"
              + (routePath.hidden() ? "appointments" : value));
    }
    if (value.chars().anyMatch(Character::isWhitespace)) {
      problems.add(path, routePath.shown() + " contains whitespace", "encode spaces as %20");
    }
    Matcher placeholders = PLACEHOLDER.matcher(value);
    while (placeholders.find()) {
      String name = placeholders.group(1);
      if (!PLACEHOLDERS.contains(name)) {
        problems.add(
            path,
            (routePath.hidden() ? "unknown placeholder" : "unknown placeholder {" + name + "}")
                + " in "
                + routePath.shown(),
            (routePath.hidden() ? "" : Suggestions.didYouMean(name, PLACEHOLDERS))
                + "the only placeholders are {externalId} and {appointmentId}");
      } else if (name.equals("externalId") && eventType.equals("appointment.created")) {
        problems.add(
            path,
            "{externalId} is not known yet when an appointment is created",
            "use {appointmentId} or no placeholder; set externalId to read the id from the"
                + " create response");
      }
    }
    String withoutPlaceholders = PLACEHOLDER.matcher(value).replaceAll("");
    if (withoutPlaceholders.indexOf('{') >= 0 || withoutPlaceholders.indexOf('}') >= 0) {
      problems.add(
          path,
          "unbalanced '{' or '}' in " + routePath.shown(),
          "write placeholders as {externalId} or {appointmentId}");
    }
  }

  /** The {@code mapping} key that must be there; {@code hint} says what to set when it is not. */
  private Path requiredMapping(ObjectNode map, String path, String hint) {
    if (get(map, "mapping") == null) {
      problems.add(path + ".mapping", "required key is missing", hint);
      return null;
    }
    return mapping(map, path + ".mapping");
  }

  private Path mapping(ObjectNode map, String path) {
    return file(map, "mapping", path, "the .jsonata file");
  }

  /** A file that must exist, relative to the config file's folder; {@code null} if absent. */
  private Path file(ObjectNode map, String key, String path, String what) {
    Scalar text = text(map, key, path);
    if (text == null || text.value().isEmpty()) {
      return null;
    }
    String example =
        switch (key) {
          case "mapping" -> "iis.jsonata";
          case "document" -> "graphql/create.graphql";
          case "privateKey" -> "keys/client.pem";
          default -> "certs/" + key + ".p12";
        };
    Path file;
    try {
      file = configDir.resolve(text.value()).normalize();
    } catch (InvalidPathException e) {
      problems.add(
          path,
          text.shown() + " is not a valid file path (" + e.getReason() + ")",
          "write a path relative to the config file's folder, e.g. " + key + ": " + example);
      return null;
    }
    if (Files.isDirectory(file)) {
      problems.add(path, file + " is a folder, not a " + key + " file", "point it at " + what);
      return null;
    }
    if (!Files.isRegularFile(file)) {
      problems.add(
          path,
          key + " file not found: " + file,
          "create it or fix the path (a relative path starts from the config file's folder "
              + configDir
              + ")");
      return null;
    }
    return file;
  }


  /** The route's {@code externalId} JSON pointer, checked; {@code null} when absent or empty. */
  private String externalIdPointer(ObjectNode map, String path) {
    Scalar externalIdScalar = text(map, "externalId", path + ".externalId");
    String externalId = externalIdScalar == null ? null : nonEmpty(externalIdScalar.value());
    if (externalId != null) {
      checkJsonPointer(externalIdScalar);
    }
    return externalId;
  }

  private void checkJsonPointer(Scalar externalId) {
    String path = externalId.path();
    String pointer = externalId.value();
    String hint = "write a JSON pointer into the response, e.g. externalId: /id or /data/id";
    if (!pointer.startsWith("/")) {
      problems.add(
          path, externalId.shown() + " is not a JSON pointer (it must start with '/')", hint);
      return;
    }
    for (int index = 0; index < pointer.length(); index++) {
      if (pointer.charAt(index) == '~') {
        boolean escape =
            index + 1 < pointer.length()
                && (pointer.charAt(index + 1) == '0' || pointer.charAt(index + 1) == '1');
        if (!escape) {
          problems.add(
              path,
              externalId.shown() + " has a '~' that is not followed by 0 or 1",
              "write ~0 for '~' and ~1 for '/' inside a key");
          return;
        }
      }
    }
  }

  private void checkLease(Duration lease, boolean isDefault) {
    String leaseShown =
        show("engine.lease", Durations.format(lease)) + (isDefault ? " (the default)" : "");
    for (ConnectorTimeouts connector : connectorTimeouts) {
      Duration connect = connector.timeouts().connect();
      Duration request = connector.timeouts().request();
      Duration both = connect.plus(request);
      if (lease.compareTo(both) > 0) {
        continue;
      }
      String timeoutsPath = connector.path() + ".timeouts";
      String label =
          connector.id() == null
              ? connector.path()
              : connector.path() + " (" + connector.id() + ")";
      boolean timeoutsHidden =
          hiddenValues.containsKey(timeoutsPath + ".connect")
              || hiddenValues.containsKey(timeoutsPath + ".request");
      String sum =
          timeoutsHidden
              ? ""
              : " ("
                  + Durations.format(connect)
                  + " + "
                  + Durations.format(request)
                  + " = "
                  + Durations.format(both)
                  + ")";
      String atLeast =
          timeoutsHidden
              ? "longer than both together"
              : "at least " + Durations.format(roundUpToSeconds(both.multipliedBy(2)));
      problems.add(
          "engine.lease",
          leaseShown
              + " must be longer than "
              + label
              + " timeouts.connect + timeouts.request"
              + sum
              + ", or a delivery could outlive its lease and be sent twice",
          "set engine.lease to " + atLeast + " or shorten " + timeoutsPath);
    }
  }

  // ---- values ----

  /**
   * The map at {@code path} with unknown keys reported; an empty map when absent, so that every key
   * takes its default; {@code null} (reported) when it is not a map.
   */
  private ObjectNode section(JsonNode node, String path, List<String> allowed) {
    return section(node, path, allowed, "indent its keys under '" + lastKey(path) + ":'");
  }

  private ObjectNode section(JsonNode node, String path, List<String> allowed, String hint) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!node.isObject()) {
      problems.add(
          path.isEmpty() ? "(top level)" : path,
          "expected a map with the keys "
              + String.join(", ", allowed)
              + " but found "
              + describe(node),
          hint);
      return null;
    }
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      String key = entry.getKey();
      if (!allowed.contains(key)) {
        String suggestion = Suggestions.didYouMean(key, allowed);
        problems.add(
            path.isEmpty() ? key : path + "." + key,
            "unknown key",
            (suggestion.isEmpty() ? "remove it; " : suggestion)
                + "allowed keys here: "
                + String.join(", ", allowed));
      }
    }
    return (ObjectNode) node;
  }

  /** The value of a key that must be there and not be empty; {@code null} (reported) if not. */
  private Scalar required(ObjectNode map, String key, String path, String hint) {
    JsonNode node = get(map, key);
    if (node == null) {
      problems.add(path, "required key is missing", hint);
      return null;
    }
    Scalar value = scalar(node, path);
    if (value != null && value.value().isBlank()) {
      problems.add(path, "is empty", hint);
      return null;
    }
    return value;
  }

  /** The value, or {@code null} if absent or invalid (reported). */
  private Scalar text(ObjectNode map, String key, String path) {
    JsonNode node = get(map, key);
    return node == null ? null : scalar(node, path);
  }

  /** The value, or {@code null} if absent, empty or invalid (reported). */
  private String optionalText(ObjectNode map, String key, String path) {
    Scalar value = text(map, key, path);
    return value == null ? null : nonEmpty(value.value());
  }

  private Scalar scalar(JsonNode node, String path) {
    if (node.isContainerNode()) {
      problems.add(
          path,
          "expected a single value but found " + describe(node),
          "write the value on the same line as the key, e.g. " + lastKey(path) + ": value");
      return null;
    }
    Scalar value =
        node.isTextual()
            ? interpolator.resolve(node.textValue(), path)
            : new Scalar(path, node.asText(), node.asText(), List.of());
    if (value != null && value.hidden()) {
      hiddenValues.put(path, value.shown());
    }
    return value;
  }

  /**
   * {@code value} as text for an error message, or how {@link Scalar#shown()} hides it when the
   * value at {@code path} may be a secret.
   */
  private String show(String path, Object value) {
    return hiddenValues.getOrDefault(path, String.valueOf(value));
  }

  private Integer integer(ObjectNode map, String key, String path, int defaultValue) {
    JsonNode node = get(map, key);
    if (node == null) {
      return defaultValue;
    }
    String hint = "write a whole number, e.g. " + defaultValue;
    if (node.isIntegralNumber()) {
      if (node.canConvertToInt()) {
        return node.intValue();
      }
      problems.add(path, node.asText() + " is too large", hint);
      return null;
    }
    if (node.isNumber()) {
      problems.add(path, node.asText() + " is not a whole number", hint);
      return null;
    }
    Scalar value = scalar(node, path);
    if (value == null) {
      return null;
    }
    String text = value.value().trim();
    if (WHOLE_NUMBER.matcher(text).matches()) {
      try {
        return Integer.parseInt(text);
      } catch (NumberFormatException tooLarge) {
        problems.add(path, value.shown() + " is too large", hint);
        return null;
      }
    }
    problems.add(path, value.shown() + " is not a number", hint);
    return null;
  }

  private Double decimal(ObjectNode map, String key, String path, double defaultValue) {
    JsonNode node = get(map, key);
    if (node == null) {
      return defaultValue;
    }
    String hint = "write a number, e.g. " + defaultValue;
    if (node.isNumber()) {
      double number = node.doubleValue();
      if (Double.isFinite(number)) {
        return number;
      }
      problems.add(path, node.asText() + " is too large", hint);
      return null;
    }
    Scalar value = scalar(node, path);
    if (value == null) {
      return null;
    }
    String text = value.value().trim();
    if (DECIMAL.matcher(text).matches()) {
      double number = Double.parseDouble(text);
      if (Double.isFinite(number)) {
        return number;
      }
      problems.add(path, value.shown() + " is too large", hint);
      return null;
    }
    problems.add(path, value.shown() + " is not a number", hint);
    return null;
  }

  private Duration duration(ObjectNode map, String key, String path, Duration defaultValue) {
    JsonNode node = get(map, key);
    if (node == null) {
      return defaultValue;
    }
    Scalar value = scalar(node, path);
    if (value == null) {
      return null;
    }
    try {
      return Durations.parse(value.value());
    } catch (IllegalArgumentException e) {
      problems.add(
          path,
          value.hidden()
              ? "bad duration " + value.shown() + ": " + Durations.HINT
              : e.getMessage());
      return null;
    }
  }

  /** Reports a zero duration; true when the duration is valid and longer than zero. */
  private boolean positive(String path, Duration duration, Duration defaultValue) {
    if (duration == null) {
      return false;
    }
    if (duration.isZero()) {
      problems.add(
          path,
          "must be longer than zero",
          "set e.g. " + Durations.format(defaultValue) + " (the default)");
      return false;
    }
    return true;
  }

  private void atLeastOne(String path, Integer value, int defaultValue) {
    if (value != null && value < 1) {
      problems.add(
          path,
          show(path, value) + " is less than 1",
          "set at least 1 (default " + defaultValue + ")");
    }
  }

  private void unknownValue(String path, String what, Scalar value, List<String> known) {
    String suggestion = value.hidden() ? "" : Suggestions.didYouMean(value.value(), known);
    problems.add(
        path,
        "unknown " + what + " " + value.shown(),
        suggestion + "use one of: " + String.join(", ", known));
  }

  // ---- helpers ----

  /** The node at {@code key}, or {@code null} when it is absent or written without a value. */
  private static JsonNode get(ObjectNode map, String key) {
    JsonNode node = map.get(key);
    return node == null || node.isNull() || node.isMissingNode() ? null : node;
  }

  private static String nonEmpty(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  private static String describe(JsonNode node) {
    if (node.isArray()) {
      return "a list";
    }
    if (node.isObject()) {
      return "a map";
    }
    if (node.isBoolean()) {
      return "true/false";
    }
    if (node.isNumber()) {
      return "a number";
    }
    return "text";
  }

  private static String lastKey(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  private static String parentOf(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? path : path.substring(0, dot);
  }

  private static Duration roundUpToSeconds(Duration duration) {
    return Duration.ofSeconds(duration.getSeconds() + (duration.getNano() > 0 ? 1 : 0));
  }
}
