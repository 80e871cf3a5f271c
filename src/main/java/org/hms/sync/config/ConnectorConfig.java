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
 * @param tls {@code null} is taken as {@link TlsConfig#none()}
 * @param timeouts {@code null} is taken as {@link TimeoutsConfig#defaults()}
 * @param retry {@code null} is taken as {@link RetryConfig#defaults()}
 * @param circuitBreaker {@code null} is taken as {@link BreakerConfig#defaults()}
 * @param limits {@code null} is taken as {@link LimitsConfig#none()}
 * @param headers sent with every request, in file order; never Authorization or Idempotency-Key
 * @param routes by event type, in file order
 * @param settings the type's own section ({@link IisConfig}, {@link FhirConfig}, {@link
 *     GraphqlConfig}), or {@code null} for its defaults
 * @param inbound {@code null} is taken as {@link InboundConfig#none()}
 * @param list how a rest connector lists appointments for reconciliation ({@code routes.list}), or
 *     {@code null}
 * @param reconcile {@code null} is taken as {@link ReconcileConfig#defaults()}
 */
public record ConnectorConfig(
    String id,
    String type,
    URI baseUrl,
    AuthConfig auth,
    TlsConfig tls,
    TimeoutsConfig timeouts,
    RetryConfig retry,
    BreakerConfig circuitBreaker,
    LimitsConfig limits,
    Map<String, String> headers,
    Map<String, RouteConfig> routes,
    ConnectorSettings settings,
    InboundConfig inbound,
    ListRouteConfig list,
    ReconcileConfig reconcile) {

  public ConnectorConfig {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(baseUrl, "baseUrl");
    auth = auth == null ? AuthConfig.none() : auth;
    tls = tls == null ? TlsConfig.none() : tls;
    limits = limits == null ? LimitsConfig.none() : limits;
    timeouts = timeouts == null ? TimeoutsConfig.defaults() : timeouts;
    retry = retry == null ? RetryConfig.defaults() : retry;
    circuitBreaker = circuitBreaker == null ? BreakerConfig.defaults() : circuitBreaker;
    headers =
        headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    routes = routes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(routes));
    inbound = inbound == null ? InboundConfig.none() : inbound;
    reconcile = reconcile == null ? ReconcileConfig.defaults() : reconcile;
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

  /** With default TLS, no limits and the type's default settings. */
  public ConnectorConfig(
      String id,
      String type,
      URI baseUrl,
      AuthConfig auth,
      TimeoutsConfig timeouts,
      RetryConfig retry,
      BreakerConfig circuitBreaker,
      Map<String, String> headers,
      Map<String, RouteConfig> routes) {
    this(
        id, type, baseUrl, auth, null, timeouts, retry, circuitBreaker, null, headers, routes,
        null, null, null, null);
  }

  /**
   * The type's own settings, or {@code fallback} when the file has no section for them.
   *
   * @throws IllegalStateException when the settings are of another type's kind
   */
  public <T extends ConnectorSettings> T settings(Class<T> kind, T fallback) {
    if (settings == null) {
      return fallback;
    }
    if (!kind.isInstance(settings)) {
      throw new IllegalStateException(
          "connector '" + id + "' has " + settings.getClass().getSimpleName() + ", not "
              + kind.getSimpleName());
    }
    return kind.cast(settings);
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
        + (tls.isDefault() ? "" : ", tls=" + tls)
        + ", timeouts="
        + timeouts
        + ", retry="
        + retry
        + ", circuitBreaker="
        + circuitBreaker
        + ", limits="
        + limits
        + ", headers="
        + Redact.headers(headers)
        + ", routes="
        + routes
        + (settings == null ? "" : ", settings=" + settings)
        + (inbound.hasWebhook() ? ", inbound=" + inbound : "")
        + (list == null ? "" : ", list=" + list)
        + (reconcile.scheduled() ? ", reconcile=" + reconcile : "")
        + "]";
  }
}
