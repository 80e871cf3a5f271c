package org.hms.sync.connector.rest;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.RetryConfig;
import org.hms.sync.config.RouteConfig;
import org.hms.sync.config.TimeoutsConfig;
import org.hms.sync.delivery.Connector;
import org.hms.sync.delivery.PushRequest;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.outbox.OutboxEvent;

/** Connector configs and push requests for the RestConnector tests. */
final class Connectors {
  static final Instant NOW = Instant.parse("2027-03-01T08:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final TimeoutsConfig TIMEOUTS =
      new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofSeconds(5));
  static final AuthConfig BEARER = new AuthConfig("bearer", "s3cret-iis-token", null, null);

  private Connectors() {}

  static RouteConfig route(String eventType, String method, String path) {
    return new RouteConfig(eventType, method, path, null, null);
  }

  static RouteConfig route(
      String eventType, String method, String path, Path mapping, String externalIdPointer) {
    return new RouteConfig(eventType, method, path, mapping, externalIdPointer);
  }

  static ConnectorConfig config(URI baseUrl, RouteConfig... routes) {
    return config(baseUrl, BEARER, Map.of(), TIMEOUTS, routes);
  }

  static ConnectorConfig config(
      URI baseUrl,
      AuthConfig auth,
      Map<String, String> headers,
      TimeoutsConfig timeouts,
      RouteConfig... routes) {
    Map<String, RouteConfig> byType = new LinkedHashMap<>();
    Arrays.stream(routes).forEach(route -> byType.put(route.eventType(), route));
    return new ConnectorConfig(
        "state-iis", "rest", baseUrl, auth, timeouts, RetryConfig.defaults(), headers, byType);
  }

  static PushRequest request(OutboxEvent event, String externalId) {
    return new PushRequest(
        "delivery-" + event.id(), "idem-" + event.id() + "-state-iis", 1, event, externalId);
  }

  /** Pushes and waits; fails the test if the future does not complete within 15 seconds. */
  static PushResult push(Connector connector, PushRequest request) {
    try {
      return connector.push(request).get(15, TimeUnit.SECONDS);
    } catch (Exception failure) {
      throw new AssertionError("push did not complete normally: " + failure, failure);
    }
  }
}
