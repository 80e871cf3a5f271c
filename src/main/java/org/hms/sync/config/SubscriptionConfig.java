package org.hms.sync.config;

import java.net.URI;
import java.util.Objects;

/**
 * A change subscription at a {@code fhir} connector's server ({@code
 * connectors[].inbound.subscription}): the service keeps an R4 rest-hook {@code Subscription} there
 * whose notifications ({@code POST /fhir/notifications/{connectorId}}) wake the connector's poller
 * at once. Polling stays on: a notification only makes the next poll come sooner.
 *
 * @param endpoint the absolute http(s) URL the server calls, as the server reaches this service
 *     (through proxies), e.g. {@code https://sync.example/fhir/notifications/county-portal}
 * @param secret sent by the server in the {@value #HEADER} header of every notification; at least
 *     {@value #MIN_SECRET_LENGTH} visible ASCII characters; never logged or shown
 * @param criteria the Subscription's criteria, an Appointment search (default {@value
 *     #DEFAULT_CRITERIA}: every Appointment)
 * @param removeOnStop whether the service deletes the Subscription when it stops (default false:
 *     it stays for the next start, and for other processes that serve the same connector)
 */
public record SubscriptionConfig(
    URI endpoint, String secret, String criteria, boolean removeOnStop) {
  /** The header that carries the secret in every notification. */
  public static final String HEADER = "X-HMS-Subscription-Secret";

  public static final String DEFAULT_CRITERIA = "Appointment?";
  public static final int MIN_SECRET_LENGTH = 16;

  public SubscriptionConfig {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(secret, "secret");
    criteria = Objects.requireNonNullElse(criteria, DEFAULT_CRITERIA);
  }

  /** The secret masked. */
  @Override
  public String toString() {
    return "SubscriptionConfig[endpoint=" + Redact.url(endpoint.toString()) + ", secret="
        + Redact.MASK + ", criteria=" + criteria + ", removeOnStop=" + removeOnStop + "]";
  }
}
