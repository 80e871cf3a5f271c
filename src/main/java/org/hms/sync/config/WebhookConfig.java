package org.hms.sync.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The signed webhook receiver of a connector ({@code connectors[].inbound.webhook}): {@code POST
 * /webhooks/{connectorId}}, verified as Standard Webhooks v1.
 *
 * @param secrets one or more {@code whsec_<base64>} secrets; any one verifies (key rotation)
 * @param mapping the JSONata file (absolute, normalized) turning a payload into changes
 * @param toleranceSeconds how far {@code webhook-timestamp} may be from now, either way; at least 1
 */
public record WebhookConfig(List<String> secrets, Path mapping, int toleranceSeconds) {
  public static final int DEFAULT_TOLERANCE_SECONDS = 300;

  public WebhookConfig {
    secrets = List.copyOf(Objects.requireNonNull(secrets, "secrets"));
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("a webhook needs at least one secret");
    }
    Objects.requireNonNull(mapping, "mapping");
    if (toleranceSeconds < 1) {
      throw new IllegalArgumentException(
          "toleranceSeconds " + toleranceSeconds + " is less than 1; set at least 1 (default "
              + DEFAULT_TOLERANCE_SECONDS + ")");
    }
  }

  /** With the default tolerance. */
  public WebhookConfig(List<String> secrets, Path mapping) {
    this(secrets, mapping, DEFAULT_TOLERANCE_SECONDS);
  }

  /** The secrets masked. */
  @Override
  public String toString() {
    return "WebhookConfig[secrets=" + secrets.size() + " x " + Redact.MASK + ", mapping=" + mapping
        + ", toleranceSeconds=" + toleranceSeconds + "]";
  }
}
