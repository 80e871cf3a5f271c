package org.hms.sync.connector.graphql;

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
import org.hms.sync.config.GraphqlConfig;
import org.hms.sync.config.RetryConfig;
import org.hms.sync.config.RouteConfig;
import org.hms.sync.config.TimeoutsConfig;
import org.hms.sync.delivery.Connector;
import org.hms.sync.delivery.PushRequest;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;

/** Connector configs and push requests for the GraphqlConnector tests. */
final class Fixtures {
  static final Instant NOW = Instant.parse("2027-03-01T08:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final TimeoutsConfig TIMEOUTS =
      new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofSeconds(5));
  static final AuthConfig BEARER = new AuthConfig("bearer", "s3cret-registry-token", null, null);
  static final Path EXAMPLES = Path.of("examples/graphql").toAbsolutePath();

  private Fixtures() {}

  /** A graphql route. */
  static RouteConfig route(String eventType, Path document, Path mapping, String externalId) {
    return new RouteConfig(eventType, null, null, mapping, externalId, document);
  }

  /** The route of this event type as in {@code examples/graphql}. */
  static RouteConfig exampleRoute(String eventType) {
    String name =
        switch (eventType) {
          case EventTypes.CREATED -> "create-appointment";
          case EventTypes.RESCHEDULED -> "reschedule-appointment";
          case EventTypes.CANCELLED -> "cancel-appointment";
          case EventTypes.COMPLETED -> "complete-appointment";
          default -> throw new IllegalArgumentException(eventType);
        };
    return route(
        eventType,
        EXAMPLES.resolve(name + ".graphql"),
        EXAMPLES.resolve(name + ".jsonata"),
        eventType.equals(EventTypes.CREATED) ? "/createAppointment/id" : null);
  }

  /** All four example routes. */
  static RouteConfig[] exampleRoutes() {
    return EventTypes.ALL.stream().map(Fixtures::exampleRoute).toArray(RouteConfig[]::new);
  }

  static ConnectorConfig config(URI endpoint, RouteConfig... routes) {
    return config(endpoint, BEARER, Map.of(), null, routes);
  }

  static ConnectorConfig config(URI endpoint, GraphqlConfig settings, RouteConfig... routes) {
    return config(endpoint, BEARER, Map.of(), settings, routes);
  }

  static ConnectorConfig config(
      URI endpoint,
      AuthConfig auth,
      Map<String, String> headers,
      GraphqlConfig settings,
      RouteConfig... routes) {
    Map<String, RouteConfig> byType = new LinkedHashMap<>();
    Arrays.stream(routes).forEach(route -> byType.put(route.eventType(), route));
    return new ConnectorConfig(
        "registry",
        "graphql",
        endpoint,
        auth,
        null,
        TIMEOUTS,
        RetryConfig.defaults(),
        null,
        null,
        headers,
        byType,
        settings, null, null, null);
  }

  static PushRequest request(OutboxEvent event, String externalId) {
    return new PushRequest(
        "delivery-" + event.id(), "idem-" + event.id() + "-registry", 1, event, externalId);
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
