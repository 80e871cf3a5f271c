package org.hms.sync.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code connectors[].inbound.webhook} section. */
class InboundConfigTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ROTATED = "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24=";

  @TempDir java.nio.file.Path dir;

  ConfigFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new ConfigFixture(dir);
    fixture.file("inbound/portal.jsonata", "{\"action\": \"cancel\", \"externalId\": payload.id}");
  }

  private ConnectorConfig only(String extra) {
    return fixture.load(ConfigFixture.withConnector(extra)).connectors().get(0);
  }

  private List<String> problems(String extra) {
    return fixture.problems(ConfigFixture.withConnector(extra));
  }

  @Test
  void a_webhook_is_read_with_secrets_from_the_environment_and_the_default_tolerance() {
    fixture.env.put("PORTAL_WEBHOOK_SECRET", SECRET);
    fixture.env.put("PORTAL_WEBHOOK_SECRET_NEXT", ROTATED);

    ConnectorConfig config =
        only(
            """
            inbound:
              webhook:
                secrets:
                  - ${PORTAL_WEBHOOK_SECRET}
                  - ${PORTAL_WEBHOOK_SECRET_NEXT}
                mapping: inbound/portal.jsonata
            """);

    WebhookConfig webhook = config.inbound().webhook();
    assertThat(webhook.secrets()).containsExactly(SECRET, ROTATED);
    assertThat(webhook.mapping()).isEqualTo(dir.resolve("inbound/portal.jsonata").normalize());
    assertThat(webhook.toleranceSeconds()).isEqualTo(300);
    assertThat(config.toString()).contains("inbound=").doesNotContain(SECRET, ROTATED);
  }

  @Test
  void tolerance_seconds_is_read() {
    ConnectorConfig config =
        only(
            """
            inbound:
              webhook:
                secrets: ["%s"]
                mapping: inbound/portal.jsonata
                toleranceSeconds: 60
            """
                .formatted(SECRET));

    assertThat(config.inbound().webhook().toleranceSeconds()).isEqualTo(60);
  }

  @Test
  void a_connector_without_inbound_has_no_webhook() {
    ConnectorConfig config = only("");

    assertThat(config.inbound()).isEqualTo(InboundConfig.none());
    assertThat(config.inbound().hasWebhook()).isFalse();
  }

  @Test
  void the_old_constructor_means_no_inbound() {
    ConnectorConfig config =
        new ConnectorConfig(
            "x", "rest", java.net.URI.create("http://127.0.0.1/"), null, null, null, null, null,
            null, null, null, null, null, null, null);

    assertThat(config.inbound().hasWebhook()).isFalse();
  }

  @Test
  void missing_secrets_and_mapping_are_reported() {
    assertThat(problems("inbound:\n  webhook:\n    toleranceSeconds: 10\n"))
        .containsExactly(
            "connectors[0].inbound.webhook.secrets: required key is missing; list one or more"
                + " secrets from the sender, each usually from the environment, e.g. secrets:"
                + " [\"${PORTAL_WEBHOOK_SECRET}\"]",
            "connectors[0].inbound.webhook.mapping: required key is missing; set the JSONata file"
                + " that turns a webhook payload into changes, e.g. mapping:"
                + " inbound/portal-webhook.jsonata");
  }

  @Test
  void an_empty_list_or_a_single_value_instead_of_a_list_is_reported() {
    assertThat(
            problems(
                "inbound:\n  webhook:\n    secrets: []\n    mapping: inbound/portal.jsonata\n"))
        .singleElement()
        .asString()
        .startsWith("connectors[0].inbound.webhook.secrets: is an empty list");
    assertThat(
            problems(
                "inbound:\n  webhook:\n    secrets: " + SECRET
                    + "\n    mapping: inbound/portal.jsonata\n"))
        .singleElement()
        .asString()
        .startsWith("connectors[0].inbound.webhook.secrets: expected a list of secrets but found"
            + " text")
        .doesNotContain(SECRET);
  }

  @Test
  void a_secret_without_the_prefix_or_not_in_base64_is_reported_without_its_value() {
    fixture.env.put("BAD_SECRET", "whsec_not*base64!");

    List<String> problems =
        problems(
            """
            inbound:
              webhook:
                secrets:
                  - MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
                  - ${BAD_SECRET}
                  - "%s"
                mapping: inbound/portal.jsonata
            """
                .formatted(SECRET));

    assertThat(problems)
        .containsExactly(
            "connectors[0].inbound.webhook.secrets[0]: (value hidden) does not start with whsec_;"
                + " use the secret exactly as the sender shows it: whsec_ followed by the base64"
                + " key",
            "connectors[0].inbound.webhook.secrets[1]: (value hidden) is not base64 after whsec_;"
                + " use the secret exactly as the sender shows it: whsec_ followed by the base64"
                + " key");
    assertThat(String.join("\n", problems))
        .doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "not*base64");
  }

  @Test
  void a_missing_mapping_file_and_a_tolerance_below_one_are_reported() {
    List<String> problems =
        problems(
            """
            inbound:
              webhook:
                secrets: ["%s"]
                mapping: inbound/missing.jsonata
                toleranceSeconds: 0
            """
                .formatted(SECRET));

    assertThat(problems)
        .anySatisfy(
            problem ->
                assertThat(problem)
                    .startsWith("connectors[0].inbound.webhook.mapping: mapping file not found"))
        .contains(
            "connectors[0].inbound.webhook.toleranceSeconds: 0 is less than 1; set at least 1"
                + " (default 300)");
  }

  @Test
  void an_unknown_webhook_key_is_reported_with_a_suggestion() {
    assertThat(
            problems(
                "inbound:\n  webhook:\n    secrets: [\"" + SECRET + "\"]\n"
                    + "    mapping: inbound/portal.jsonata\n    tolerance: 60\n"))
        .singleElement()
        .asString()
        .startsWith("connectors[0].inbound.webhook.tolerance: unknown key");
  }

  @Test
  void conflict_policy_defaults_to_review_and_is_read() {
    assertThat(only("").inbound().conflictPolicy()).isEqualTo(ConflictPolicy.REVIEW);

    ConnectorConfig config =
        only(
            """
            inbound:
              conflictPolicy: emr-wins
            """);

    assertThat(config.inbound().conflictPolicy()).isEqualTo(ConflictPolicy.EMR_WINS);
  }

  @Test
  void an_unknown_conflict_policy_is_a_problem_naming_the_choices() {
    assertThat(
            problems(
                """
                inbound:
                  conflictPolicy: external-win
                """))
        .anySatisfy(
            problem ->
                assertThat(problem)
                    .contains("inbound.conflictPolicy", "external-wins", "emr-wins", "review"));
  }
}
