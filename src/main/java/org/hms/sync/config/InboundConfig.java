package org.hms.sync.config;

import java.util.Objects;

/**
 * How changes come back from a connector's system ({@code connectors[].inbound}). Today only a
 * signed webhook receiver ({@code inbound.webhook}), a poller of the connector's change feed
 * ({@code inbound.poll}), or both.
 *
 * @param webhook the signed webhook receiver, or {@code null} when the connector has none
 * @param poll the change-feed poller, or {@code null} when the connector has none
 * @param conflictPolicy what an inbound change does when the EMR changed the appointment after the
 *     version the change is based on ({@code inbound.conflictPolicy}, default {@code review})
 */
public record InboundConfig(
    WebhookConfig webhook, ConflictPolicy conflictPolicy, PollConfig poll) {
  private static final InboundConfig NONE = new InboundConfig(null, ConflictPolicy.REVIEW, null);

  public InboundConfig {
    Objects.requireNonNull(conflictPolicy, "conflictPolicy");
  }

  /** A webhook receiver, no poller. */
  public InboundConfig(WebhookConfig webhook, ConflictPolicy conflictPolicy) {
    this(webhook, conflictPolicy, null);
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

  public boolean hasPoll() {
    return poll != null;
  }
}
