package org.hms.sync.connector.fhir;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.FhirConfig;
import org.hms.sync.config.RouteConfig;
import org.hms.sync.config.TimeoutsConfig;
import org.hms.sync.delivery.PushRequest;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.json.Json;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;

/** Connector configs, requests and waiting for the FhirConnector tests. */
final class FhirFixtures {
  static final Clock CLOCK = Clock.fixed(FhirTestServer.START, ZoneOffset.UTC);
  static final TimeoutsConfig TIMEOUTS =
      new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofSeconds(5));
  static final AuthConfig BEARER = new AuthConfig("bearer", "s3cret-fhir-token", null, null);

  private static FhirTestServer server;
  private static final Map<ConnectorConfig, FhirConnector> CONNECTORS = new HashMap<>();

  private FhirFixtures() {}

  /**
   * The test FHIR server of this JVM, emptied. Started once: a FhirContext scans the FHIR model
   * the first time, which takes seconds.
   */
  static synchronized FhirTestServer server() {
    if (server == null) {
      server = FhirTestServer.start();
    }
    server.reset();
    return server;
  }

  /**
   * A connector for this config, shared by the tests of this JVM as the engine shares one per
   * external system (each builds its own FhirContext, which takes a second or two).
   */
  static synchronized FhirConnector connector(ConnectorConfig config) {
    return CONNECTORS.computeIfAbsent(config, key -> FhirConnector.create(key, CLOCK));
  }

  /** Every event type subscribed, bearer auth, the given fhir settings (null for defaults). */
  static ConnectorConfig config(URI baseUrl, FhirConfig settings) {
    return config(baseUrl, settings, Map.of());
  }

  static ConnectorConfig config(URI baseUrl, FhirConfig settings, Map<String, RouteConfig> routes) {
    Map<String, RouteConfig> all = new LinkedHashMap<>();
    for (String type : EventTypes.ALL) {
      all.put(type, RouteConfig.subscription(type));
    }
    all.putAll(routes);
    return new ConnectorConfig(
        "county-portal",
        "fhir",
        baseUrl,
        BEARER,
        null,
        TIMEOUTS,
        null,
        null,
        null,
        Map.of("X-Tenant", "county-12"),
        all,
        settings, null, null, null);
  }

  static FhirConfig settings(String references, String onVersionConflict, boolean slotEvents) {
    return new FhirConfig(null, references, null, null, onVersionConflict, slotEvents);
  }

  static PushRequest request(OutboxEvent event, String externalId) {
    return new PushRequest(
        "delivery-" + event.id(), "idem-" + event.id() + "-county-portal", 1, event, externalId);
  }

  /**
   * A later attempt of the delivery: attempt {@code attempt} of all, {@code attemptInRun} since
   * an operator last replayed it (equal when it never was).
   */
  static PushRequest attempt(
      OutboxEvent event, String externalId, int attempt, int attemptInRun) {
    return new PushRequest(
        "delivery-" + event.id(),
        "idem-" + event.id() + "-county-portal",
        attempt,
        attemptInRun,
        event,
        externalId);
  }

  /** The event with its snapshot changed, e.g. other times, another slot, a cancel reason. */
  static OutboxEvent with(OutboxEvent event, Consumer<ObjectNode> change) {
    ObjectNode payload = (ObjectNode) Json.read(event.payload());
    change.accept(payload);
    return new OutboxEvent(
        event.id(),
        event.appointmentId(),
        event.sequence(),
        event.type(),
        event.occurredAt(),
        event.origin(),
        Json.write(payload));
  }

  /** The event, moved to {@code start} for 15 minutes. */
  static OutboxEvent at(OutboxEvent event, String start) {
    Instant from = Instant.parse(start);
    return with(
        event,
        payload -> {
          payload.put("start", from.toString());
          payload.put("end", from.plusSeconds(15 * 60).toString());
        });
  }

  /** Fails the test when a reason or note shows the sample patient's MRN, names or birth date. */
  static void assertNoPhi(PushResult result) {
    String text = result.toString();
    for (String phi :
        new String[] {
          SampleEvents.PATIENT_MRN,
          SampleEvents.PATIENT_GIVEN_NAME,
          SampleEvents.PATIENT_FAMILY_NAME,
          "1980-01-01"
        }) {
      if (text.contains(phi)) {
        throw new AssertionError("the result shows PHI (" + phi.length() + " chars): " + text);
      }
    }
  }

  /** Pushes and waits; fails the test if the future does not complete normally in 20 s. */
  static PushResult push(FhirConnector connector, PushRequest request) {
    try {
      return connector.push(request).get(20, TimeUnit.SECONDS);
    } catch (Exception failure) {
      throw new AssertionError("push did not complete normally: " + failure, failure);
    }
  }
}
