package org.hms.sync.config;

import java.util.Objects;

/**
 * How changes come back from a connector's system ({@code connectors[].inbound}). Today only a
 * webhook receiver; polling ({@code inbound.poll}) is planned and rejected as unknown for now.
 *
 * @param webhook the signed webhook receiver, or {@code null} when the connector has none
 * @param conflictPolicy what an inbound change does when the EMR changed the appointment after the
 *     version the change is based on ({@code inbound.conflictPolicy}, default {@code review})
 */
public record InboundConfig(WebhookConfig webhook, ConflictPolicy conflictPolicy) {
  private static final InboundConfig NONE = new InboundConfig(null, ConflictPolicy.REVIEW);

  public InboundConfig {
    Objects.requireNonNull(conflictPolicy, "conflictPolicy");
  }

  /** A webhook receiver with the default conflict policy, review. */
  public InboundConfig(WebhookConfig webhook) {
    this(webhook, ConflictPolicy.REVIEW);
  }

  /** No inbound sync. */
  public static InboundConfig none() {
    return NONE;
  }

  public boolean hasWebhook() {
    return webhook != null;
  }
}
