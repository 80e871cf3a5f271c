package org.hms.sync.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys of the protocol connector types, auth kinds, TLS and limits. */
class ProtocolConfigTest {
  @TempDir java.nio.file.Path dir;

  ConfigFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new ConfigFixture(dir);
  }

  private static String connector(String type, String extra) {
    StringBuilder yaml =
        new StringBuilder(
            "connectors:\n"
                + "  - id: ext\n"
                + "    type: "
                + type
                + "\n"
                + "    baseUrl: http://127.0.0.1:9000/api\n");
    for (String line : extra.split("\n", -1)) {
      if (!line.isEmpty()) {
        yaml.append("    ").append(line).append('\n');
      }
    }
    return yaml.toString();
  }

  private ConnectorConfig only(String yaml) {
    return fixture.load(yaml).connectors().get(0);
  }

  // ---- limits ----

  @Test
  void rate_limit_and_max_concurrency_are_read() {
    ConnectorConfig config = only(connector("rest", "rateLimit: 2.5\nmaxConcurrency: 3\n"));

    assertThat(config.limits()).isEqualTo(new LimitsConfig(2.5, 3));
  }

  @Test
  void limits_default_to_none() {
    assertThat(only(connector("rest", "")).limits()).isEqualTo(LimitsConfig.none());
  }

  @Test
  void a_rate_limit_of_zero_and_a_concurrency_below_one_are_reported() {
    assertThat(fixture.problems(connector("rest", "rateLimit: 0\nmaxConcurrency: 0\n")))
        .containsExactly(
            "connectors[0].rateLimit: 0.0 is not more than 0; set attempts per second, e.g."
                + " rateLimit: 10 or 0.5, or remove it for no limit",
            "connectors[0].maxConcurrency: 0 is less than 1; set at least 1 (default 4)");
  }

  // ---- iis-soap ----

  @Test
  void iis_section_is_read_with_defaults() {
    fixture.env.put("IIS_PASSWORD", "pw-from-env");
    ConnectorConfig config =
        only(
            connector(
                "iis-soap",
                """
                iis:
                  username: clinic-12
                  password: ${IIS_PASSWORD}
                  facilityId: F-12
                  sendingFacility: CLINIC-12
                routes:
                  appointment.completed: {}
                  appointment.cancelled:
                """));

    IisConfig iis = config.settings(IisConfig.class, null);
    assertThat(iis.password()).isEqualTo("pw-from-env");
    assertThat(iis.sendingFacility()).isEqualTo("CLINIC-12");
    assertThat(iis.sendingApplication()).isEqualTo("HMS-SYNC");
    assertThat(iis.processingId()).isEqualTo("T");
    assertThat(iis.unreadableAckRetries()).isEqualTo(1);
    assertThat(iis.toString()).doesNotContain("pw-from-env");
    assertThat(config.routes().keySet())
        .containsExactly("appointment.completed", "appointment.cancelled");
    assertThat(config.routes().get("appointment.completed").method()).isNull();
  }

  @Test
  void iis_soap_without_its_section_or_with_a_rest_route_is_reported() {
    List<String> problems =
        fixture.problems(
            connector(
                "iis-soap",
                """
                routes:
                  appointment.created:
                    method: POST
                    path: /x
                """));

    assertThat(problems)
        .anySatisfy(problem -> assertThat(problem).startsWith("connectors[0].iis: required"))
        .anySatisfy(
            problem ->
                assertThat(problem)
                    .startsWith("connectors[0].routes.appointment.created: a iis-soap connector"
                        + " takes no keys"));
  }

  @Test
  void iis_processing_id_and_half_credentials_are_reported() {
    assertThat(
            fixture.problems(
                connector(
                    "iis-soap",
                    "iis:\n  sendingFacility: C\n  username: u\n  processingId: PROD\n")))
        .satisfiesExactly(
            problem ->
                assertThat(problem)
                    .isEqualTo(
                        "connectors[0].iis.password: required key is missing (username and"
                            + " password go together); set both, e.g. username: ${IIS_USER} and"
                            + " password: ${IIS_PASSWORD}, or neither"),
            problem ->
                assertThat(problem)
                    .startsWith("connectors[0].iis.processingId: unknown processing id (MSH-11)"
                        + " 'PROD';")
                    .endsWith("use one of: P, T, D"));
  }

  @Test
  void iis_unreadable_ack_retries_is_read_and_may_be_zero() {
    ConnectorConfig config =
        only(
            connector(
                "iis-soap",
                """
                iis:
                  sendingFacility: CLINIC-12
                  unreadableAckRetries: 0
                routes:
                  appointment.completed: {}
                """));

    assertThat(config.settings(IisConfig.class, null).unreadableAckRetries()).isZero();
  }

  @Test
  void a_negative_or_fractional_unreadable_ack_retries_is_reported() {
    assertThat(
            fixture.problems(
                connector(
                    "iis-soap",
                    "iis:\n  sendingFacility: C\n  unreadableAckRetries: -1\n"
                        + "routes:\n  appointment.completed: {}\n")))
        .containsExactly(
            "connectors[0].iis.unreadableAckRetries: -1 is less than 0; set at least 0"
                + " (default 1)");
    assertThat(
            fixture.problems(
                connector(
                    "iis-soap",
                    "iis:\n  sendingFacility: C\n  unreadableAckRetries: 1.5\n"
                        + "routes:\n  appointment.completed: {}\n")))
        .containsExactly(
            "connectors[0].iis.unreadableAckRetries: 1.5 is not a whole number; write a whole"
                + " number, e.g. 1");
  }

  @Test
  void a_section_of_another_type_is_reported() {
    assertThat(fixture.problems(connector("rest", "fhir:\n  slotEvents: true\n")))
        .containsExactly(
            "connectors[0].fhir: used only by connectors of type fhir, not rest; remove it, or"
                + " set connectors[0].type: fhir");
  }

  // ---- fhir ----

  @Test
  void fhir_section_is_read() {
    ConnectorConfig config =
        only(
            connector(
                "fhir",
                """
                fhir:
                  identifierSystem: https://clinic.example.org/appointment
                  references: reference
                  onVersionConflict: fail
                  slotEvents: true
                routes:
                  appointment.created: {}
                """));

    FhirConfig fhir = config.settings(FhirConfig.class, FhirConfig.defaults());
    assertThat(fhir)
        .isEqualTo(
            new FhirConfig(
                "https://clinic.example.org/appointment",
                "reference",
                "urn:hms-sync:mrn",
                "urn:hms-sync:location",
                "fail",
                true));
  }

  @Test
  void fhir_without_section_takes_the_defaults_and_bad_values_are_reported() {
    assertThat(only(connector("fhir", "")).settings(FhirConfig.class, FhirConfig.defaults()))
        .isEqualTo(FhirConfig.defaults());
    assertThat(fixture.problems(connector("fhir", "fhir:\n  references: literal\n")))
        .containsExactly(
            "connectors[0].fhir.references: unknown how to name Patient and Location 'literal';"
                + " use one of: identifier, reference");
  }

  // ---- graphql ----

  @Test
  void graphql_routes_need_a_document_file() {
    fixture.file("create.graphql", "mutation { x }");
    ConnectorConfig config =
        only(
            connector(
                "graphql",
                """
                graphql:
                  errorCodes:
                    CONFLICT: retryable
                routes:
                  appointment.created:
                    document: create.graphql
                    externalId: /createAppointment/id
                """));

    RouteConfig route = config.routes().get("appointment.created");
    assertThat(route.document()).isEqualTo(dir.resolve("create.graphql"));
    assertThat(route.externalId()).isEqualTo("/createAppointment/id");
    assertThat(config.settings(GraphqlConfig.class, null).errorCodes())
        .isEqualTo(Map.of("CONFLICT", "retryable"));

    assertThat(
            fixture.problems(
                connector(
                    "graphql",
                    "graphql:\n  errorCodes:\n    X: maybe\nroutes:\n  appointment.created:\n"
                        + "    method: POST\n")))
        .containsExactly(
            "connectors[0].routes.appointment.created.method: unknown key; remove it; allowed keys"
                + " here: document, mapping, externalId",
            "connectors[0].routes.appointment.created.document: required key is missing; set"
                + " the file with the mutation, e.g. document: graphql/create.graphql",
            "connectors[0].graphql.errorCodes.X: unknown judgement 'maybe'; use one of:"
                + " retryable, permanent");
  }

  // ---- auth and tls ----

  @Test
  void oauth2_and_smart_auth_are_read() {
    fixture.env.put("CLIENT_SECRET", "s3cret");
    fixture.file("keys/client.pem", "-----BEGIN PRIVATE KEY-----\n");
    AuthConfig oauth2 =
        only(
                connector(
                    "rest",
                    """
                    auth:
                      type: oauth2
                      tokenUrl: https://auth.example.org/token
                      clientId: hms
                      clientSecret: ${CLIENT_SECRET}
                      scope: system/Appointment.write
                    """))
            .auth();
    assertThat(oauth2)
        .isEqualTo(
            AuthConfig.oauth2(
                URI.create("https://auth.example.org/token"),
                "hms",
                "s3cret",
                "system/Appointment.write"));
    assertThat(oauth2.toString()).doesNotContain("s3cret");

    AuthConfig smart =
        only(
                connector(
                    "fhir",
                    """
                    auth:
                      type: smart
                      tokenUrl: https://auth.example.org/token
                      clientId: hms
                      privateKey: keys/client.pem
                      keyId: k1
                    """))
            .auth();
    assertThat(smart)
        .isEqualTo(
            AuthConfig.smart(
                URI.create("https://auth.example.org/token"),
                "hms",
                dir.resolve("keys/client.pem"),
                "RS384",
                "k1",
                null));
  }

  @Test
  void oauth2_without_its_keys_and_smart_with_a_bad_algorithm_are_reported() {
    assertThat(fixture.problems(connector("rest", "auth:\n  type: oauth2\n  token: t\n")))
        .containsExactly(
            "connectors[0].auth.token: not used by auth type oauth2; remove it, or set"
                + " connectors[0].auth.type: bearer",
            "connectors[0].auth.tokenUrl: required key is missing; auth type oauth2 needs a"
                + " tokenUrl, e.g. tokenUrl: https://auth.example.org/oauth2/token",
            "connectors[0].auth.clientId: required key is missing; auth type oauth2 needs a"
                + " clientId, e.g. clientId: hms-sync",
            "connectors[0].auth.clientSecret: required key is missing; auth type oauth2 needs a"
                + " clientSecret, e.g. clientSecret: ${OAUTH_CLIENT_SECRET}");
    fixture.file("k.pem", "x");
    assertThat(
            fixture.problems(
                connector(
                    "rest",
                    "auth:\n  type: smart\n  tokenUrl: https://a/t\n  clientId: c\n"
                        + "  privateKey: k.pem\n  algorithm: HS256\n")))
        .containsExactly(
            "connectors[0].auth.algorithm: unknown signing algorithm 'HS256'; use one of: RS384,"
                + " ES384");
  }

  @Test
  void tls_stores_must_exist_and_passwords_stay_hidden() {
    fixture.file("certs/client.p12", "x");
    fixture.env.put("KS_PASSWORD", "ks-secret");
    ConnectorConfig config =
        only(
            connector(
                "rest",
                "tls:\n  keyStore: certs/client.p12\n  keyStorePassword: ${KS_PASSWORD}\n"));
    assertThat(config.tls().keyStore()).isEqualTo(dir.resolve("certs/client.p12"));
    assertThat(config.tls().keyStorePassword()).isEqualTo("ks-secret");
    assertThat(config.toString()).doesNotContain("ks-secret");

    assertThat(fixture.problems(connector("rest", "tls:\n  trustStore: certs/missing.p12\n")))
        .singleElement()
        .asString()
        .startsWith("connectors[0].tls.trustStore: trustStore file not found: ");
  }

  @Test
  void a_secret_can_come_from_a_file() {
    fixture.file("secrets/iis-token", "token-from-file\n");
    ConnectorConfig config =
        only(
            connector(
                "rest", "auth:\n  type: bearer\n  token: ${file:secrets/iis-token}\n"));

    assertThat(config.auth().token()).isEqualTo("token-from-file");
    assertThat(
            fixture.problems(
                connector("rest", "auth:\n  type: bearer\n  token: ${file:secrets/none}\n")))
        .singleElement()
        .asString()
        .startsWith("connectors[0].auth.token: cannot read the secret file ")
        .endsWith("check that the file exists and that this process may read it");
  }
}
