package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.hms.sync.SyncException;
import org.hms.sync.config.ConflictPolicy;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.InboundConfig;
import org.hms.sync.config.PollConfig;
import org.hms.sync.config.SubscriptionConfig;
import org.hms.sync.testing.JpaFhirServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The connector's rest-hook Subscription at the HAPI FHIR JPA server: made once, verified, put
 * back when it differs, deleted. Each test uses an endpoint and criteria of its own (criteria that
 * match no other test's Appointments), and deletes what it made.
 */
@Tag("hapi-jpa")
class FhirJpaSubscriptionTest {
  private static final String SECRET = "7d1c5a90e2b84f3fa6c1d0e9b8a7f6e5";
  private static final JpaFhirServer SERVER = JpaFhirServer.shared();

  private final IGenericClient client = SERVER.client();
  private final String endpoint =
      "http://127.0.0.1:9/fhir/notifications/" + JpaFhirServer.uniqueId("portal");
  private final String criteria =
      "Appointment?identifier=" + JpaFhirServer.uniqueId("urn:test:subscription") + "%7C";
  private final List<FhirConnector> connectors = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    for (Subscription subscription : atServer()) {
      client.delete().resourceById(subscription.getIdElement().toUnqualifiedVersionless()).execute();
    }
    connectors.forEach(FhirConnector::close);
  }

  @Test
  void subscribing_makes_one_rest_hook_subscription_with_the_secret_header_and_no_payload() {
    FhirConnector connector = connector(SECRET, criteria);

    String created = connector.subscribe();

    assertThat(created).matches("created Subscription/\\S+ \\(status requested: the server activates it\\)");
    Subscription made = single();
    assertThat(made.getCriteria()).isEqualTo(criteria);
    assertThat(made.getReason()).isEqualTo("HMS-EMR Sync: wakes the change poller of connector county-portal");
    assertThat(made.getChannel().getType()).isEqualTo(Subscription.SubscriptionChannelType.RESTHOOK);
    assertThat(made.getChannel().getEndpoint()).isEqualTo(endpoint);
    assertThat(made.getChannel().getHeader())
        .extracting(StringType::getValue)
        .containsExactly("X-HMS-Subscription-Secret: " + SECRET);
    assertThat(made.getChannel().hasPayload()).isFalse();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> single().getStatus() == Subscription.SubscriptionStatus.ACTIVE);
    assertThat(connector.subscribe())
        .isEqualTo("Subscription/" + made.getIdElement().getIdPart() + " is in place (status active)");
    assertThat(atServer()).hasSize(1);
  }

  @Test
  void a_subscription_that_differs_is_put_back_and_unsubscribing_deletes_it() {
    // The server activates a requested Subscription by updating it itself, some time later; a
    // write of ours at that moment meets a version conflict. So each step waits for activation.
    connector(SECRET, criteria).subscribe();
    String id = awaitActive().getIdElement().getIdPart();
    FhirConnector rotated = connector("another-secret-of-32-characters!", criteria);

    String afterRotation = rotated.subscribe();
    Subscription switchedOff = awaitActive();
    switchedOff.setStatus(Subscription.SubscriptionStatus.OFF);
    client.update().resource(switchedOff).execute();
    String afterSwitchOff = rotated.subscribe();
    awaitActive();
    String deleted = rotated.unsubscribe();

    assertThat(afterRotation).isEqualTo("repaired Subscription/" + id + " (another secret header)");
    assertThat(afterSwitchOff).isEqualTo("repaired Subscription/" + id + " (status was off)");
    assertThat(deleted).isEqualTo("deleted Subscription/" + id);
    assertThat(atServer()).isEmpty();
    assertThat(rotated.unsubscribe()).isEqualTo("no Subscription to delete");
  }

  @Test
  void a_subscription_the_server_refuses_fails_with_its_reason_and_never_the_secret() {
    FhirConnector connector = connector(SECRET, "Appointment?no-such-parameter=1");

    assertThatThrownBy(connector::subscribe)
        .isInstanceOf(SyncException.class)
        .hasMessageStartingWith(
            "connector 'county-portal' cannot create or verify its Subscription: HTTP 4")
        .satisfies(failure -> assertThat(failure.getMessage()).doesNotContain(SECRET));
    assertThat(atServer()).isEmpty();
  }

  private FhirConnector connector(String secret, String criteria) {
    ConnectorConfig fixture = FhirFixtures.config(SERVER.baseUrl(), null);
    PollConfig poll = PollConfig.of(null, Path.of("/tmp/poll.jsonata"));
    SubscriptionConfig subscription =
        new SubscriptionConfig(URI.create(endpoint), secret, criteria, false);
    ConnectorConfig config =
        new ConnectorConfig(
            fixture.id(), fixture.type(), fixture.baseUrl(), fixture.auth(), fixture.tls(),
            new org.hms.sync.config.TimeoutsConfig(Duration.ofSeconds(5), Duration.ofSeconds(30)),
            fixture.retry(), fixture.circuitBreaker(), fixture.limits(), fixture.headers(),
            fixture.routes(), fixture.settings(),
            new InboundConfig(null, ConflictPolicy.REVIEW, poll, subscription), null, null);
    FhirConnector connector = FhirConnector.create(config, Clock.systemUTC());
    connectors.add(connector);
    return connector;
  }

  /** The one Subscription once the server has activated it. */
  private Subscription awaitActive() {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(this::single, made -> made.getStatus() == Subscription.SubscriptionStatus.ACTIVE);
  }

  private Subscription single() {
    List<Subscription> found = atServer();
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  private List<Subscription> atServer() {
    Bundle bundle =
        client
            .search()
            .forResource(Subscription.class)
            .where(Subscription.URL.matches().value(endpoint))
            .returnBundle(Bundle.class)
            .cacheControl(new ca.uhn.fhir.rest.api.CacheControlDirective().setNoCache(true))
            .execute();
    List<Subscription> found = new ArrayList<>();
    bundle.getEntry().forEach(entry -> found.add((Subscription) entry.getResource()));
    return found;
  }
}
