package org.hms.sync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.config.ConfigFixture.withConnector;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The published JSON Schema of hms-sync.yaml ({@link ConfigSchema}): it holds every key the binder
 * takes and docs/configuration.md documents, the examples pass it, and it accepts and refuses what
 * the binder does.
 */
class ConfigSchemaTest {
  private static final YAMLMapper YAML =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
  private static final Schema SCHEMA = REGISTRY.getSchema(ConfigSchema.json(), InputFormat.JSON);
  private static final Path DOC = Path.of("docs/configuration.md");
  /** What the examples' modeline points editors at. */
  private static final Path EXAMPLES_SCHEMA = Path.of("examples/hms-sync.schema.json");

  @TempDir Path dir;
  ConfigFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new ConfigFixture(dir);
    fixture.file("m.jsonata", "{}");
    fixture.file("create.graphql", "mutation { create { id } }");
    fixture.file("keys/smart.pem", "not read by the binder");
    fixture.file("certs/client.p12", "not read by the binder");
    fixture.env.put("PORT", "9090");
    fixture.env.put("IIS_TOKEN", "s3cret");
    fixture.env.put("WEBHOOK_SECRET", "whsec_c2VjcmV0LWtleS1vZi10aGUtcG9ydGFs");
  }

  /** The schema's complaints about a YAML text, read as the binder reads it. */
  static List<String> schemaProblems(String yaml) {
    try {
      JsonNode tree = YAML.readTree(yaml);
      String json = tree == null || tree.isMissingNode() ? "null" : JSON.writeValueAsString(tree);
      return SCHEMA.validate(json, InputFormat.JSON).stream().map(Object::toString).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> binderProblems(String yaml) {
    try {
      fixture.load(yaml);
      return List.of();
    } catch (ConfigException e) {
      return e.problems();
    }
  }

  // ---- the schema itself ----

  @Test
  void schema_is_a_valid_draft_07_schema() {
    Schema metaSchema = REGISTRY.getSchema(SchemaLocation.of(ConfigSchema.DRAFT));

    assertThat(metaSchema.validate(ConfigSchema.json(), InputFormat.JSON)).isEmpty();
    assertThat(ConfigSchema.schema().get("$schema").asText())
        .isEqualTo("http://json-schema.org/draft-07/schema#");
  }

  @Test
  void every_key_the_binder_accepts_is_in_the_schema_and_no_other() {
    JsonNode schema = ConfigSchema.schema();
    JsonNode connector = schema.at("/definitions/connector/properties");
    Map<JsonNode, List<String>> sections =
        Map.ofEntries(
            Map.entry(schema.get("properties"), ConfigBinder.ROOT_KEYS),
            Map.entry(schema.at("/properties/server/properties"), ConfigBinder.SERVER_KEYS),
            Map.entry(schema.at("/properties/database/properties"), ConfigBinder.DATABASE_KEYS),
            Map.entry(schema.at("/properties/engine/properties"), ConfigBinder.ENGINE_KEYS),
            Map.entry(schema.at("/definitions/reconcile/properties"), ConfigBinder.RECONCILE_KEYS),
            Map.entry(connector, ConfigBinder.CONNECTOR_KEYS),
            Map.entry(connector.at("/auth/properties"), ConfigBinder.AUTH_KEYS),
            Map.entry(connector.at("/tls/properties"), ConfigBinder.TLS_KEYS),
            Map.entry(connector.at("/timeouts/properties"), ConfigBinder.TIMEOUTS_KEYS),
            Map.entry(connector.at("/retry/properties"), ConfigBinder.RETRY_KEYS),
            Map.entry(connector.at("/circuitBreaker/properties"), ConfigBinder.BREAKER_KEYS),
            Map.entry(connector.at("/iis/properties"), ConfigBinder.IIS_KEYS),
            Map.entry(connector.at("/fhir/properties"), ConfigBinder.FHIR_KEYS),
            Map.entry(connector.at("/graphql/properties"), ConfigBinder.GRAPHQL_KEYS),
            Map.entry(connector.at("/inbound/properties"), ConfigBinder.INBOUND_KEYS),
            Map.entry(
                connector.at("/inbound/properties/webhook/properties"),
                ConfigBinder.WEBHOOK_KEYS),
            Map.entry(
                connector.at("/inbound/properties/poll/properties"), ConfigBinder.POLL_KEYS),
            Map.entry(
                connector.at("/inbound/properties/subscription/properties"),
                ConfigBinder.SUBSCRIPTION_KEYS),
            Map.entry(schema.at("/definitions/restRoute/properties"), ConfigBinder.ROUTE_KEYS),
            Map.entry(
                schema.at("/definitions/graphqlRoute/properties"),
                ConfigBinder.GRAPHQL_ROUTE_KEYS),
            Map.entry(
                schema.at("/definitions/listRoute/properties"), ConfigBinder.LIST_ROUTE_KEYS));
    for (Map.Entry<JsonNode, List<String>> section : sections.entrySet()) {
      assertThat(section.getKey().isObject()).as("a section of %s", section.getValue()).isTrue();
      assertThat(names(section.getKey())).containsExactlyElementsOf(section.getValue());
    }
    List<String> routeKeys = new ArrayList<>(ConfigBinder.EVENT_TYPES);
    routeKeys.add(ConfigBinder.LIST_ROUTE);
    assertThat(names(connector.at("/routes/properties"))).containsExactlyElementsOf(routeKeys);
  }

  @Test
  void every_key_has_a_description_and_sections_refuse_unknown_keys() {
    List<String> undescribed = new ArrayList<>();
    List<String> open = new ArrayList<>();
    walk(ConfigSchema.schema(), "", undescribed, open);

    assertThat(undescribed).as("keys without a description").isEmpty();
    assertThat(open).as("sections that take any key").isEmpty();
  }

  private static void walk(
      JsonNode node, String path, List<String> undescribed, List<String> open) {
    if (!node.isObject()) {
      return;
    }
    // A section declares its type; the conditions that narrow it (if, then, else) do not.
    if (node.has("properties")
        && node.has("type")
        && !node.path("additionalProperties").isBoolean()) {
      open.add(path);
    }
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      JsonNode value = field.getValue();
      if (field.getKey().equals("properties") && !path.contains("/if")) {
        for (Map.Entry<String, JsonNode> property : value.properties()) {
          JsonNode schema = property.getValue();
          boolean refusedOrNarrowed = schema.isBoolean() || path.contains("/then");
          if (!refusedOrNarrowed && !schema.hasNonNull("description")) {
            undescribed.add(path + "/" + property.getKey());
          }
        }
      }
      if (value.isArray()) {
        for (int index = 0; index < value.size(); index++) {
          walk(value.get(index), path + "/" + field.getKey() + "/" + index, undescribed, open);
        }
      } else {
        walk(value, path + "/" + field.getKey(), undescribed, open);
      }
    }
  }

  // ---- examples ----

  static Stream<Path> exampleConfigs() throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("examples"))) {
      return files
          .filter(file -> file.getFileName().toString().matches(".*\\.ya?ml"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("exampleConfigs")
  void example_config_passes_the_schema_it_names(Path file) throws IOException {
    String yaml = Files.readString(file);

    assertThat(schemaProblems(yaml)).as("%s", file).isEmpty();
    assertThat(yaml).startsWith("# yaml-language-server: $schema=../hms-sync.schema.json\n");
  }

  @Test
  void the_schema_beside_the_examples_is_current() throws IOException {
    assertThat(Files.readString(EXAMPLES_SCHEMA))
        .as("%s is out of date; write it anew with: ./hms-sync config schema > %s",
            EXAMPLES_SCHEMA, EXAMPLES_SCHEMA)
        .isEqualTo(ConfigSchema.json());
  }

  @Test
  void the_full_example_in_the_configuration_doc_passes_the_schema() throws IOException {
    List<String> examples = new ArrayList<>();
    Matcher blocks = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(doc());
    while (blocks.find()) {
      String block = blocks.group(1);
      if (block.startsWith("# hms-sync.yaml")) {
        examples.add(block);
      }
    }

    assertThat(examples).isNotEmpty();
    for (String example : examples) {
      assertThat(schemaProblems(example)).isEmpty();
    }
  }

  // ---- the documentation ----

  @Test
  void every_documented_key_is_in_the_schema_and_every_schema_key_is_documented()
      throws IOException {
    Set<String> inSchema = new TreeSet<>();
    keys(ConfigSchema.schema(), ConfigSchema.schema(), "", inSchema);
    Set<String> documented = documentedKeys(doc());

    assertThat(inSchema).as("keys in the schema").isNotEmpty();
    assertThat(documented).as("keys in %s", DOC).containsExactlyInAnyOrderElementsOf(inSchema);
  }

  /**
   * The key paths of the schema, written as the doc writes them: {@code
   * connectors[].retry.maxAttempts}, {@code connectors[].routes.<event type>.method}.
   */
  private static void keys(JsonNode root, JsonNode node, String path, Set<String> keys) {
    if (!node.isObject()) {
      return;
    }
    if (node.has("$ref")) {
      String definition = node.get("$ref").asText().substring("#/definitions/".length());
      keys(root, root.path("definitions").path(definition), path, keys);
    }
    for (Map.Entry<String, JsonNode> property : node.path("properties").properties()) {
      if (property.getValue().isBoolean()) {
        continue; // a key refused in this case
      }
      String name =
          path.endsWith(".routes") && ConfigBinder.EVENT_TYPES.contains(property.getKey())
              ? "<event type>"
              : property.getKey();
      String key = path.isEmpty() ? name : path + "." + name;
      keys.add(key);
      keys(root, property.getValue(), key, keys);
    }
    if (node.has("items")) {
      keys(root, node.get("items"), path + "[]", keys);
    }
    for (String applicator : List.of("anyOf", "allOf", "oneOf")) {
      node.path(applicator).forEach(branch -> keys(root, branch, path, keys));
    }
    for (String branch : List.of("then", "else")) {
      keys(root, node.path(branch), path, keys);
    }
  }

  private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");

  /**
   * The keys docs/configuration.md documents in its "Keys" part: the first backticked name of each
   * heading ({@code #### `connectors[].auth`}), and the names in the first column of each table
   * headed "key", relative to that heading unless written in full.
   */
  static Set<String> documentedKeys(String doc) {
    Set<String> keys = new TreeSet<>();
    boolean inKeys = false;
    boolean inTable = false;
    String section = "";
    for (String line : doc.split("\n")) {
      if (line.startsWith("## ")) {
        inKeys = line.equals("## Keys");
        continue;
      }
      if (!inKeys) {
        continue;
      }
      if (line.startsWith("###")) {
        Matcher name = BACKTICKED.matcher(line);
        section = name.find() ? name.group(1) : "";
        if (!section.isEmpty()) {
          keys.add(section);
        }
        inTable = false;
      } else if (line.startsWith("| key |")) {
        inTable = true;
      } else if (inTable && line.startsWith("|")) {
        String firstCell = line.substring(1, line.indexOf('|', 1));
        Matcher names = BACKTICKED.matcher(firstCell);
        while (names.find()) {
          String name = names.group(1);
          keys.add(
              name.equals(section) || name.startsWith(section + ".")
                  ? name
                  : section + "." + name);
        }
      } else {
        inTable = false;
      }
    }
    keys.remove("key"); // the separator row has no backticks; this guards a header read as a row
    Set<String> withParents = new TreeSet<>();
    for (String key : keys) {
      String normalized = key.endsWith("[]") ? key.substring(0, key.length() - 2) : key;
      withParents.add(normalized);
      for (int dot = normalized.lastIndexOf('.');
          dot > 0;
          dot = normalized.lastIndexOf('.', dot - 1)) {
        String parent = normalized.substring(0, dot);
        withParents.add(parent.endsWith("[]") ? parent.substring(0, parent.length() - 2) : parent);
      }
    }
    // The top-level reconcile section takes the keys of connectors[].reconcile, as its part says.
    String connectorReconcile = "connectors[].reconcile.";
    for (String key : List.copyOf(withParents)) {
      if (key.startsWith(connectorReconcile) && withParents.contains("reconcile")) {
        withParents.add("reconcile." + key.substring(connectorReconcile.length()));
      }
    }
    return withParents;
  }

  private static String doc() throws IOException {
    return Files.readString(DOC);
  }

  // ---- the schema and the binder agree ----

  /** A config, and whether the binder takes it. */
  record Sample(String name, boolean valid, String yaml) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Sample> samples() {
    return List.of(
        new Sample("an empty section", true, "server:\nengine:\n"),
        new Sample("a port from the environment", true, "server:\n  port: ${PORT}\n"),
        new Sample("a port written as text", true, "server:\n  port: '8081'\n"),
        new Sample(
            "ISO-8601 and zero durations where zero is allowed",
            true,
            "engine:\n  lease: PT45S\n  shutdownGrace: 0s\n"),
        new Sample(
            "a full rest connector",
            true,
            withConnector(
                """
                auth:
                  type: bearer
                  token: ${IIS_TOKEN}
                tls:
                  keyStore: certs/client.p12
                  keyStorePassword: changeit
                timeouts:
                  connect: 2s
                  request: 10s
                retry:
                  maxAttempts: 5
                  initialBackoff: 250ms
                  maxBackoff: 1m
                  multiplier: 1.5
                circuitBreaker:
                  enabled: 'true'
                  failureRatePercent: 100
                rateLimit: 0.5
                maxConcurrency: 2
                headers:
                  X-Facility-Id: county-clinic-12
                  X-Count: 12
                routes:
                  appointment.created:
                    method: POST
                    path: /appointments/{appointmentId}
                    mapping: m.jsonata
                    externalId: /data/id
                  appointment.cancelled:
                    method: DELETE
                    path: /appointments/{externalId}
                  list:
                    path: /appointments?from={from}&to={to}
                    items: ""
                    mapping: m.jsonata
                inbound:
                  conflictPolicy: emr-wins
                  webhook:
                    secrets: ["${WEBHOOK_SECRET}", whsec_ZGVtby1rZXk=]
                    mapping: m.jsonata
                  poll:
                    path: /changes
                    mapping: m.jsonata
                    next: /links/next
                reconcile:
                  interval: 1h
                  lookBack: 0s
                """)),
        new Sample(
            "oauth2 and smart auth",
            true,
            """
            connectors:
              - id: a
                type: rest
                baseUrl: https://a.example.org
                auth: {type: oauth2, tokenUrl: "https://auth.example.org/token", clientId: c,
                       clientSecret: s, scope: appointments}
              - id: b
                type: fhir
                baseUrl: https://b.example.org/fhir
                auth: {type: smart, tokenUrl: "https://auth.example.org/token", clientId: c,
                       privateKey: keys/smart.pem, algorithm: ES384}
            """),
        new Sample(
            "an iis-soap connector",
            true,
            """
            connectors:
              - id: state-iis-soap
                type: iis-soap
                baseUrl: http://127.0.0.1:9090/iis-soap
                iis: {username: u, password: p, sendingFacility: 12, processingId: P}
                routes:
                  appointment.completed: {}
                  appointment.cancelled:
            """),
        new Sample(
            "a fhir connector with a subscription",
            true,
            """
            reconcile:
              interval: 6h
            connectors:
              - id: portal
                type: fhir
                baseUrl: http://127.0.0.1:9091/fhir
                fhir: {references: reference, onVersionConflict: fail, slotEvents: true}
                routes:
                  appointment.created: {mapping: m.jsonata}
                  appointment.cancelled: {}
                inbound:
                  poll: {mapping: m.jsonata, interval: 60s}
                  subscription:
                    endpoint: https://sync.example.org/fhir/notifications/portal
                    secret: 0123456789abcdef0123
                    criteria: Appointment?status=cancelled
                reconcile: {lookAhead: 60d}
            """),
        new Sample(
            "a graphql connector",
            true,
            """
            connectors:
              - id: registry
                type: graphql
                baseUrl: http://127.0.0.1:9092/graphql
                routes:
                  appointment.created: {document: create.graphql, mapping: m.jsonata,
                                        externalId: /createAppointment/id}
                graphql:
                  errorCodes: {SLOT_TAKEN: permanent, "*": retryable}
            """),
        new Sample("an unknown top-level key", false, "sever:\n  port: 8080\n"),
        new Sample("an unknown key in a section", false, "engine:\n  leese: 30s\n"),
        new Sample("a port that is not a number", false, "server:\n  port: eighty\n"),
        new Sample("a port out of range", false, "server:\n  port: 70000\n"),
        new Sample("a fractional count", false, "engine:\n  batchSize: 2.5\n"),
        new Sample("a zero duration", false, "engine:\n  lease: 0s\n"),
        new Sample("a duration with a space", false, "engine:\n  lease: 5 sec\n"),
        new Sample("a duration without a unit", false, "engine:\n  lease: 30\n"),
        new Sample("a node id too long", false, "engine:\n  nodeId: " + "n".repeat(65) + "\n"),
        new Sample("a database URL that is not JDBC", false, "database:\n  url: postgres://h/db\n"),
        new Sample("connectors written as a map", false, "connectors:\n  id: iis\n"),
        new Sample("an empty connector entry", false, "connectors:\n  -\n"),
        new Sample(
            "a connector without baseUrl",
            false,
            "connectors:\n  - id: iis\n    type: rest\n"),
        new Sample(
            "an unknown connector type",
            false,
            "connectors:\n  - id: iis\n    type: soap\n    baseUrl: http://h\n"),
        new Sample(
            "an invalid connector id",
            false,
            "connectors:\n  - id: state iis\n    type: rest\n    baseUrl: http://h\n"),
        new Sample(
            "a baseUrl with credentials",
            false,
            "connectors:\n  - id: iis\n    type: rest\n    baseUrl: http://u:p@h/api\n"),
        new Sample("a relative baseUrl", false,
            "connectors:\n  - id: iis\n    type: rest\n    baseUrl: /api\n"),
        new Sample("an unknown auth type", false, withConnector("auth:\n  type: digest\n")),
        new Sample("bearer auth without a token", false, withConnector("auth:\n  type: bearer\n")),
        new Sample(
            "a key the auth type does not use",
            false,
            withConnector("auth:\n  type: basic\n  username: u\n  password: p\n  token: t\n")),
        new Sample(
            "an unknown JWT algorithm",
            false,
            withConnector(
                "auth: {type: smart, tokenUrl: 'https://a/t', clientId: c,"
                    + " privateKey: keys/smart.pem, algorithm: HS256}\n")),
        new Sample(
            "a trust store password without a trust store",
            false,
            withConnector("tls:\n  trustStorePassword: changeit\n")),
        new Sample(
            "a reserved header", false, withConnector("headers:\n  authorization: Bearer x\n")),
        new Sample("a header without a value", false, withConnector("headers:\n  X-A:\n")),
        new Sample("a multiplier below 1", false, withConnector("retry:\n  multiplier: 0.5\n")),
        new Sample(
            "a failure rate above 100",
            false,
            withConnector("circuitBreaker:\n  failureRatePercent: 101\n")),
        new Sample("a rate limit of zero", false, withConnector("rateLimit: 0\n")),
        new Sample("a boolean that is not one", false,
            withConnector("circuitBreaker:\n  enabled: maybe\n")),
        new Sample(
            "an unknown event type",
            false,
            withConnector("routes:\n  appointment.create:\n    method: POST\n    path: /a\n")),
        new Sample(
            "a rest route without a method",
            false,
            withConnector("routes:\n  appointment.created:\n    path: /a\n")),
        new Sample(
            "a lower-case method",
            false,
            withConnector("routes:\n  appointment.created:\n    method: post\n    path: /a\n")),
        new Sample(
            "{externalId} on appointment.created",
            false,
            withConnector(
                "routes:\n  appointment.created:\n    method: PUT\n    path: /a/{externalId}\n")),
        new Sample(
            "a path without its leading slash",
            false,
            withConnector("routes:\n  appointment.cancelled:\n    method: DELETE\n    path: a\n")),
        new Sample(
            "an externalId that is not a JSON pointer",
            false,
            withConnector(
                "routes:\n  appointment.created:\n    method: POST\n    path: /a\n"
                    + "    externalId: id\n")),
        new Sample(
            "a list route without a mapping",
            false,
            withConnector("routes:\n  list:\n    path: /a?from={from}\n")),
        new Sample(
            "a list path with an unknown placeholder",
            false,
            withConnector("routes:\n  list:\n    path: /a?day={day}\n    mapping: m.jsonata\n")),
        new Sample("reconcile on a rest connector that cannot list", false,
            withConnector("reconcile:\n  interval: 1h\n")),
        new Sample(
            "an iis section on a rest connector",
            false,
            withConnector("iis:\n  sendingFacility: CLINIC-12\n")),
        new Sample(
            "an iis-soap connector without its iis section",
            false,
            "connectors:\n  - id: s\n    type: iis-soap\n    baseUrl: http://h/soap\n"),
        new Sample(
            "an iis-soap route for appointment.created",
            false,
            """
            connectors:
              - id: s
                type: iis-soap
                baseUrl: http://h/soap
                iis: {sendingFacility: C}
                routes: {appointment.created: {}}
            """),
        new Sample(
            "an iis-soap route with keys",
            false,
            """
            connectors:
              - id: s
                type: iis-soap
                baseUrl: http://h/soap
                iis: {sendingFacility: C}
                routes: {appointment.completed: {mapping: m.jsonata}}
            """),
        new Sample(
            "an unknown processing id",
            false,
            """
            connectors:
              - id: s
                type: iis-soap
                baseUrl: http://h/soap
                iis: {sendingFacility: C, processingId: X}
            """),
        new Sample(
            "an iis username without a password",
            false,
            """
            connectors:
              - id: s
                type: iis-soap
                baseUrl: http://h/soap
                iis: {sendingFacility: C, username: u}
            """),
        new Sample(
            "a list route on a fhir connector",
            false,
            """
            connectors:
              - id: p
                type: fhir
                baseUrl: http://h/fhir
                routes: {list: {path: /a, mapping: m.jsonata}}
            """),
        new Sample(
            "a graphql route without a document",
            false,
            """
            connectors:
              - id: g
                type: graphql
                baseUrl: http://h/graphql
                routes: {appointment.created: {mapping: m.jsonata}}
            """),
        new Sample(
            "an unknown graphql judgement",
            false,
            """
            connectors:
              - id: g
                type: graphql
                baseUrl: http://h/graphql
                graphql: {errorCodes: {SLOT_TAKEN: fatal}}
            """),
        new Sample(
            "a webhook secret without whsec_",
            false,
            withConnector("inbound:\n  webhook:\n    secrets: [abc]\n    mapping: m.jsonata\n")),
        new Sample(
            "a webhook without secrets",
            false,
            withConnector("inbound:\n  webhook:\n    mapping: m.jsonata\n")),
        new Sample(
            "an unknown conflict policy",
            false,
            withConnector("inbound:\n  conflictPolicy: last-wins\n")),
        new Sample(
            "a poll without a path on a rest connector",
            false,
            withConnector("inbound:\n  poll:\n    mapping: m.jsonata\n")),
        new Sample(
            "a poll with zero pages",
            false,
            withConnector(
                "inbound:\n  poll:\n    path: /c\n    mapping: m.jsonata\n    maxPages: 0\n")),
        new Sample(
            "a subscription on a rest connector",
            false,
            withConnector(
                "inbound:\n  poll: {path: /c, mapping: m.jsonata}\n  subscription:\n"
                    + "    endpoint: https://s/fhir/notifications/iis\n"
                    + "    secret: 0123456789abcdef0123\n")),
        new Sample(
            "a subscription without a poll",
            false,
            """
            connectors:
              - id: p
                type: fhir
                baseUrl: http://h/fhir
                inbound:
                  subscription: {endpoint: "https://s/n/p", secret: 0123456789abcdef0123}
            """),
        new Sample(
            "a subscription secret that is too short",
            false,
            """
            connectors:
              - id: p
                type: fhir
                baseUrl: http://h/fhir
                inbound:
                  poll: {mapping: m.jsonata}
                  subscription: {endpoint: "https://s/n/p", secret: short}
            """));
  }

  @ParameterizedTest
  @MethodSource("samples")
  void schema_and_binder_agree(Sample sample) {
    List<String> binder = binderProblems(sample.yaml());
    List<String> schema = schemaProblems(sample.yaml());

    assertThat(binder.isEmpty()).as("the binder takes it; problems: %s", binder)
        .isEqualTo(sample.valid());
    assertThat(schema.isEmpty()).as("the schema takes it; problems: %s", schema)
        .isEqualTo(sample.valid());
  }

  @Test
  void schema_refuses_an_unknown_key_a_wrong_enum_and_a_wrong_type() {
    assertThat(schemaProblems("server:\n  prot: 8080\n"))
        .anySatisfy(problem -> assertThat(problem).contains("prot"));
    assertThat(schemaProblems(withConnector("auth:\n  type: digest\n")))
        .anySatisfy(problem -> assertThat(problem).contains("/connectors/0/auth/type"));
    assertThat(schemaProblems("engine:\n  maxInFlight: [1, 2]\n"))
        .anySatisfy(problem -> assertThat(problem).contains("/engine/maxInFlight"));
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
