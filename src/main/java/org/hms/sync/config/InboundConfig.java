package org.hms.sync.config;

/**
 * How changes come back from a connector's system ({@code connectors[].inbound}). Today only a
 * webhook receiver; polling ({@code inbound.poll}) is planned and rejected as unknown for now.
 *
 * @param webhook the signed webhook receiver, or {@code null} when the connector has none
 */
public record InboundConfig(WebhookConfig webhook) {
  private static final InboundConfig NONE = new InboundConfig(null);

  /** No inbound sync. */
  public static InboundConfig none() {
    return NONE;
  }

  public boolean hasWebhook() {
    return webhook != null;
  }
}
