package org.hms.sync.inbound;

import java.time.Instant;
import java.util.Objects;

/**
 * One inbound item in the inbox: a webhook, or one item of a polled change feed.
 *
 * @param id our id (a UUID)
 * @param connectorId the connector it came from
 * @param webhookId the sender's {@code webhook-id}, or {@code poll:<item id>} for a polled item;
 *     unique per connector
 * @param receivedAt when it was accepted
 * @param headers the request headers as a JSON object text, names in lower case ({@code {}} when
 *     polled)
 * @param payload the raw body as received
 * @param status where it stands
 * @param reason why it was rejected, conflicted or failed; {@code null} otherwise. Never PHI.
 * @param attempts how often applying it was tried
 * @param nextAttemptAt when applying is due (again); {@code null} when finished
 * @param changes the changes its mapping made, as a JSON array text
 * @param processedAt when it was finished; {@code null} while it waits
 */
public record InboxItem(
    String id,
    String connectorId,
    String webhookId,
    Instant receivedAt,
    String headers,
    String payload,
    InboxStatus status,
    String reason,
    int attempts,
    Instant nextAttemptAt,
    String changes,
    Instant processedAt) {

  public InboxItem {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(connectorId, "connectorId");
    Objects.requireNonNull(webhookId, "webhookId");
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(status, "status");
  }

  /** A webhook just accepted: status received, due at once, nothing tried yet. */
  public static InboxItem received(
      String id,
      String connectorId,
      String webhookId,
      Instant receivedAt,
      String headers,
      String payload,
      String changes) {
    return new InboxItem(
        id, connectorId, webhookId, receivedAt, headers, payload, InboxStatus.RECEIVED, null, 0,
        receivedAt, changes, null);
  }

  /** Without the payload and headers, which may hold PHI: for logs and exceptions. */
  @Override
  public String toString() {
    return "InboxItem[id=" + id + ", connectorId=" + connectorId + ", webhookId=" + webhookId
        + ", receivedAt=" + receivedAt + ", status=" + status.wire() + ", attempts=" + attempts
        + "]";
  }
}
