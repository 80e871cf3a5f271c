package org.hms.sync.config;

import java.util.Objects;

/**
 * How changes come back from a connector's system ({@code connectors[].inbound}): a signed webhook
 * receiver ({@code inbound.webhook}), a poller of the connector's change feed ({@code
 * inbound.poll}), or both; a {@code fhir} connector's poller may also be woken by its server's
 * notifications ({@code inbound.subscription}).
 *
 * @param webhook the signed webhook receiver, or {@code null} when the connector has none
 * @param poll the change-feed poller, or {@code null} when the connector has none
 * @param conflictPolicy what an inbound change does when the EMR changed the appointment after the
 *     version the change is based on ({@code inbound.conflictPolicy}, default {@code review})
 * @param subscription the change subscription that wakes the poller, or {@code null} when the
 *     connector has none; never without {@code poll}
 */
public record InboundConfig(
    WebhookConfig webhook,
    ConflictPolicy conflictPolicy,
    PollConfig poll,
    SubscriptionConfig subscription) {
  private static final InboundConfig NONE =
      new InboundConfig(null, ConflictPolicy.REVIEW, null, null);

  public InboundConfig {
    Objects.requireNonNull(conflictPolicy, "conflictPolicy");
    if (subscription != null && poll == null) {
      throw new IllegalArgumentException(
          "a subscription wakes the poller, so it needs inbound.poll too");
    }
  }

  /** A webhook receiver and a poller, each optional; no subscription. */
  public InboundConfig(WebhookConfig webhook, ConflictPolicy conflictPolicy, PollConfig poll) {
    this(webhook, conflictPolicy, poll, null);
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

  public boolean hasSubscription() {
    return subscription != null;
  }
}
