package org.hms.sync.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code connectors[].inbound.subscription} section of a fhir connector. */
class SubscriptionConfigTest {
  private static final String SECRET = "b2f6c0e1d3a49f7c5e8a1b2c3d4e5f60";

  @TempDir java.nio.file.Path dir;

  ConfigFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new ConfigFixture(dir);
    fixture.file("inbound/poll.jsonata", "null");
    fixture.env.put("PORTAL_SUBSCRIPTION_SECRET", SECRET);
  }

  private static String fhirConnector(String type, String inbound) {
    StringBuilder yaml =
        new StringBuilder(
            """
            connectors:
              - id: portal
                type: %s
                baseUrl: http://127.0.0.1:9000/fhir
                inbound:
            """
                .formatted(type));
    for (String line : inbound.split("\n")) {
      if (!line.isEmpty()) {
        yaml.append("      ").append(line).append('\n');
      }
    }
    return yaml.toString();
  }

  private static final String POLL =
      """
      poll:
        mapping: inbound/poll.jsonata
      """;

  @Test
  void a_subscription_needs_only_endpoint_and_secret_and_takes_the_defaults() {
    ConnectorConfig connector =
        fixture
            .load(
                fhirConnector(
                    "fhir",
                    POLL
                        + """
                        subscription:
                          endpoint: https://sync.example.org/fhir/notifications/portal
                          secret: ${PORTAL_SUBSCRIPTION_SECRET}
                        """))
            .connectors()
            .get(0);

    SubscriptionConfig subscription = connector.inbound().subscription();
    assertThat(subscription.endpoint())
        .isEqualTo(URI.create("https://sync.example.org/fhir/notifications/portal"));
    assertThat(subscription.secret()).isEqualTo(SECRET);
    assertThat(subscription.criteria()).isEqualTo("Appointment?");
    assertThat(subscription.removeOnStop()).isFalse();
    assertThat(subscription.toString()).doesNotContain(SECRET);
    assertThat(connector.inbound().toString()).doesNotContain(SECRET);
  }

  @Test
  void every_subscription_key_is_read() {
    SubscriptionConfig subscription =
        fixture
            .load(
                fhirConnector(
                    "fhir",
                    POLL
                        + """
                        subscription:
                          endpoint: http://10.0.0.5:8080/fhir/notifications/portal
                          secret: ${PORTAL_SUBSCRIPTION_SECRET}
                          criteria: Appointment?status=cancelled
                          removeOnStop: true
                        """))
            .connectors()
            .get(0)
            .inbound()
            .subscription();

    assertThat(subscription.criteria()).isEqualTo("Appointment?status=cancelled");
    assertThat(subscription.removeOnStop()).isTrue();
  }

  @Test
  void the_secret_may_come_from_a_file() {
    fixture.file("secret.txt", SECRET + "\n");

    SubscriptionConfig subscription =
        fixture
            .load(
                fhirConnector(
                    "fhir",
                    POLL
                        + """
                        subscription:
                          endpoint: https://sync.example.org/fhir/notifications/portal
                          secret: ${file:secret.txt}
                        """))
            .connectors()
            .get(0)
            .inbound()
            .subscription();

    assertThat(subscription.secret()).isEqualTo(SECRET);
  }

  @Test
  void a_subscription_without_poll_or_on_another_type_is_refused_with_what_to_do() {
    List<String> withoutPoll =
        fixture.problems(
            fhirConnector(
                "fhir",
                """
                subscription:
                  endpoint: https://sync.example.org/fhir/notifications/portal
                  secret: ${PORTAL_SUBSCRIPTION_SECRET}
                """));
    List<String> onRest =
        fixture.problems(
            fhirConnector(
                "rest",
                """
                poll:
                  path: /changes
                  mapping: inbound/poll.jsonata
                subscription:
                  endpoint: https://sync.example.org/fhir/notifications/portal
                  secret: ${PORTAL_SUBSCRIPTION_SECRET}
                """));

    assertThat(withoutPoll)
        .containsExactly(
            "connectors[0].inbound.subscription: a subscription only wakes the poller, so it needs"
                + " inbound.poll as well; add inbound.poll (with its mapping) to this connector:"
                + " polling stays the safety net");
    assertThat(onRest)
        .containsExactly(
            "connectors[0].inbound.subscription: only a fhir connector can subscribe to its"
                + " server's changes; remove inbound.subscription, or use inbound.webhook for a"
                + " system that signs its calls");
  }

  @Test
  void a_short_secret_is_refused_without_showing_it() {
    fixture.env.put("PORTAL_SUBSCRIPTION_SECRET", "tiny-secret");

    List<String> problems =
        fixture.problems(
            fhirConnector(
                "fhir",
                POLL
                    + """
                    subscription:
                      endpoint: https://sync.example.org/fhir/notifications/portal
                      secret: ${PORTAL_SUBSCRIPTION_SECRET}
                    """));

    assertThat(problems)
        .containsExactly(
            "connectors[0].inbound.subscription.secret: (value hidden) is shorter than 16"
                + " characters; use a random secret of at least 16 characters, e.g. from: openssl"
                + " rand -hex 32");
  }

  @Test
  void missing_keys_a_relative_endpoint_and_criteria_on_another_resource_are_reported() {
    List<String> missing =
        fixture.problems(fhirConnector("fhir", POLL + "subscription:\n  removeOnStop: maybe\n"));
    List<String> wrong =
        fixture.problems(
            fhirConnector(
                "fhir",
                POLL
                    + """
                    subscription:
                      endpoint: /fhir/notifications/portal
                      secret: ${PORTAL_SUBSCRIPTION_SECRET}
                      criteria: Patient?
                      color: blue
                    """));

    assertThat(String.join("\n", missing))
        .contains("connectors[0].inbound.subscription.endpoint: required key is missing")
        .contains("connectors[0].inbound.subscription.secret: required key is missing")
        .contains("connectors[0].inbound.subscription.removeOnStop: 'maybe' is not true or false");
    assertThat(String.join("\n", wrong))
        .contains(
            "connectors[0].inbound.subscription.endpoint: '/fhir/notifications/portal' is not an"
                + " absolute http or https URL")
        .contains(
            "connectors[0].inbound.subscription.criteria: 'Patient?' is not an Appointment search")
        .contains("connectors[0].inbound.subscription.color: unknown key");
  }
}
