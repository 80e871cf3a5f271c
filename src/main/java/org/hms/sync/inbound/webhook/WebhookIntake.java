package org.hms.sync.inbound.webhook;

import java.util.Map;
import java.util.Set;
import org.hms.sync.inbound.InboxItem;
import org.hms.sync.inbound.InboxRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes in a webhook: verify its signature, recognise a redelivery, map it to inbox changes, store
 * it once, and wake the inbox processor. Every refusal stores nothing, is counted by connector and
 * reason, and is logged with connector, webhook-id and reason only (never the body: it may hold
 * PHI). The HTTP endpoint only turns the outcome into an answer.
 */
public final class WebhookIntake {
  private static final Logger log = LoggerFactory.getLogger(WebhookIntake.class);

  /** The connector label used for metrics and logs when the path names no configured connector. */
  public static final String UNKNOWN = "unknown";

  /** Counts a refusal: configured connector id (or {@link #UNKNOWN}) and a short reason label. */
  @FunctionalInterface
  public interface Rejections {
    void count(String connectorId, String reason);
  }

  /** A webhook taken in: stored now, or a redelivery of one stored before (not stored again). */
  public record Accepted(InboxItem item, boolean duplicate) {}

  private final Map<String, WebhookReceiver> receivers;
  private final Set<String> connectorIds;
  private final InboxRepository inbox;
  private final Runnable wakeProcessor;
  private final Rejections rejections;

  /**
   * @param receivers the receiver of each connector with an {@code inbound.webhook} section
   * @param connectorIds every configured connector
   * @param wakeProcessor wakes the inbox processor after a new item is stored
   */
  public WebhookIntake(
      Map<String, WebhookReceiver> receivers,
      Set<String> connectorIds,
      InboxRepository inbox,
      Runnable wakeProcessor,
      Rejections rejections) {
    this.receivers = Map.copyOf(receivers);
    this.connectorIds = Set.copyOf(connectorIds);
    this.inbox = inbox;
    this.wakeProcessor = wakeProcessor;
    this.rejections = rejections;
  }

  /**
   * Verifies, maps and stores one webhook.
   *
   * @param headers the request headers, names in lower case
   * @throws WebhookRejectedException refused (unknown connector, bad signature, stale timestamp,
   *     unreadable or unmappable body): its status and detail are the answer; nothing was stored
   */
  public Accepted accept(String connectorId, Map<String, String> headers, byte[] body) {
    String label = connectorIds.contains(connectorId) ? connectorId : UNKNOWN;
    String webhookId = headers.get("webhook-id");
    try {
      WebhookReceiver receiver = receivers.get(connectorId);
      if (receiver == null) {
        throw new WebhookRejectedException(
            404, "unknown_connector",
            label.equals(UNKNOWN)
                ? "no connector with this id; check the webhook URL (POST /webhooks/{connectorId})"
                : "connector '" + connectorId + "' takes no webhooks; configure its"
                    + " inbound.webhook section");
      }
      webhookId = receiver.verify(headers, body);
      InboxItem stored = inbox.find(connectorId, webhookId).orElse(null);
      if (stored == null) {
        InboxItem item = receiver.toItem(webhookId, headers, body);
        if (inbox.insertIfAbsent(item)) {
          wakeProcessor.run();
          log.info(
              "webhook {} of connector {} stored as inbox item {}", webhookId, connectorId,
              item.id());
          return new Accepted(item, false);
        }
        stored = inbox.find(connectorId, webhookId).orElseThrow();
      }
      log.info(
          "webhook {} of connector {} was received before (inbox item {}); not stored again",
          webhookId, connectorId, stored.id());
      return new Accepted(stored, true);
    } catch (WebhookRejectedException rejected) {
      refused(connectorId, webhookId, rejected.status(), rejected.reason());
      throw rejected;
    }
  }

  /**
   * Counts and logs a webhook refused before {@link #accept} could run (the HTTP layer refused its
   * body: too large, broken framing, too slow).
   *
   * @param reason a short label such as {@code too_large}
   */
  public void refused(String connectorId, String webhookId, int status, String reason) {
    boolean known = connectorIds.contains(connectorId);
    rejections.count(known ? connectorId : UNKNOWN, reason);
    log.warn(
        "webhook {} of connector {} rejected with {}: {}",
        safe(webhookId), known ? connectorId : safe(connectorId), status, reason);
  }

  /** A sender-chosen value made safe for a log line: printable ASCII, at most 100 characters. */
  private static String safe(String value) {
    if (value == null) {
      return "(none)";
    }
    String printable = value.replaceAll("[^\\x21-\\x7e]", "?");
    return printable.length() > 100 ? printable.substring(0, 100) + "..." : printable;
  }
}
