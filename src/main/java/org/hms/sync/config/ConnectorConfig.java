package org.hms.sync.config;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One external system.
 *
 * @param id unique, {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,63}}
 * @param type the connector type, e.g. {@code rest}
 * @param baseUrl absolute http or https URL that route paths are appended to
 * @param auth {@code null} is taken as {@link AuthConfig#none()}
 * @param timeouts {@code null} is taken as {@link TimeoutsConfig#defaults()}
 * @param retry {@code null} is taken as {@link RetryConfig#defaults()}
 * @param circuitBreaker {@code null} is taken as {@link BreakerConfig#defaults()}
 * @param headers sent with every request, in file order; never Authorization or Idempotency-Key
 * @param routes by event type, in file order
 */
public record ConnectorConfig(
    String id,
    String type,
    URI baseUrl,
    AuthConfig auth,
    TimeoutsConfig timeouts,
    RetryConfig retry,
    BreakerConfig circuitBreaker,
    Map<String, String> headers,
    Map<String, RouteConfig> routes) {

  public ConnectorConfig {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(baseUrl, "baseUrl");
    auth = auth == null ? AuthConfig.none() : auth;
    timeouts = timeouts == null ? TimeoutsConfig.defaults() : timeouts;
    retry = retry == null ? RetryConfig.defaults() : retry;
    circuitBreaker = circuitBreaker == null ? BreakerConfig.defaults() : circuitBreaker;
    headers =
        headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    routes = routes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(routes));
  }

  /** With the default circuit breaker. */
  public ConnectorConfig(
      String id,
      String type,
      URI baseUrl,
      AuthConfig auth,
      TimeoutsConfig timeouts,
      RetryConfig retry,
      Map<String, String> headers,
      Map<String, RouteConfig> routes) {
    this(id, type, baseUrl, auth, timeouts, retry, null, headers, routes);
  }

  /** The route for this event type, if the connector subscribes to it. */
  public Optional<RouteConfig> route(String eventType) {
    return Optional.ofNullable(routes.get(eventType));
  }

  /** Secrets masked: auth as {@link AuthConfig#toString()}, secret-looking header values. */
  @Override
  public String toString() {
    return "ConnectorConfig[id="
        + id
        + ", type="
        + type
        + ", baseUrl="
        + Redact.url(baseUrl.toString())
        + ", auth="
        + auth
        + ", timeouts="
        + timeouts
        + ", retry="
        + retry
        + ", circuitBreaker="
        + circuitBreaker
        + ", headers="
        + Redact.headers(headers)
        + ", routes="
        + routes
        + "]";
  }
}
