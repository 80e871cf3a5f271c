package org.hms.sync.http;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hms.sync.app.SyncApp;
import org.hms.sync.inbound.InboxItem;
import org.hms.sync.inbound.InboxStatus;
import org.hms.sync.inbound.webhook.WebhookReceiver;
import org.hms.sync.inbound.webhook.WebhookRejectedException;
import org.hms.sync.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhooks/{connectorId}}: verify, map, store in the inbox, then answer 202 (new) or
 * 200 (a webhook-id already stored). The signature is the authentication. Every refusal is
 * counted and logged with connector, webhook-id and reason only, and stores nothing. Also {@code
 * GET /api/inbox}.
 */
final class WebhookEndpoint {
  private static final Logger log = LoggerFactory.getLogger(WebhookEndpoint.class);
  private static final String UNKNOWN = "unknown";

  private final SyncApp app;

  WebhookEndpoint(SyncApp app) {
    this.app = app;
  }

  void receive(Context ctx) {
    String connectorId = ctx.pathParam("connectorId");
    WebhookReceiver receiver = app.webhooks().get(connectorId);
    String label = app.config().connector(connectorId).isPresent() ? connectorId : UNKNOWN;
    String webhookId = ctx.header("webhook-id");
    try {
      if (receiver == null) {
        throw new WebhookRejectedException(
            404, "unknown_connector",
            label.equals(UNKNOWN)
                ? "no connector with this id; check the webhook URL (POST /webhooks/{connectorId})"
                : "connector '" + connectorId + "' takes no webhooks; configure its"
                    + " inbound.webhook section");
      }
      byte[] body = RequestBody.bytes(ctx);
      Map<String, String> headers = headers(ctx);
      webhookId = receiver.verify(headers, body);
      InboxItem stored = app.inbox().find(connectorId, webhookId).orElse(null);
      if (stored == null) {
        InboxItem item = receiver.toItem(webhookId, headers, body);
        if (app.inbox().insertIfAbsent(item)) {
          app.inboxProcessor().wakeUp();
          log.info(
              "webhook {} of connector {} stored as inbox item {}", webhookId, connectorId,
              item.id());
          ctx.status(202).json(answer("received", item));
          return;
        }
        stored = app.inbox().find(connectorId, webhookId).orElseThrow();
      }
      log.info(
          "webhook {} of connector {} was received before (inbox item {}); not stored again",
          webhookId, connectorId, stored.id());
      ctx.status(200).json(answer("duplicate", stored));
    } catch (WebhookRejectedException rejected) {
      app.metrics().onWebhookRejected(label, rejected.reason());
      log.warn(
          "webhook {} of connector {} rejected with {}: {}",
          safe(webhookId), label.equals(UNKNOWN) ? safe(connectorId) : connectorId,
          rejected.status(), rejected.reason());
      throw new Problem(rejected.status(), title(rejected.status()), rejected.getMessage());
    }
  }

  void list(Context ctx) {
    String statusText = ctx.queryParam("status");
    InboxStatus status;
    try {
      status = statusText == null || statusText.isBlank() ? null : InboxStatus.fromWire(statusText);
    } catch (IllegalArgumentException invalid) {
      throw Problem.badRequest(invalid.getMessage());
    }
    String connector = ctx.queryParam("connector");
    List<Map<String, Object>> items =
        app.inbox()
            .list(connector == null || connector.isBlank() ? null : connector, status,
                ApiServer.limit(ctx))
            .stream()
            .map(WebhookEndpoint::view)
            .toList();
    ctx.json(Map.of("items", items));
  }

  /**
   * A webhook whose body {@link RequestBody} refused before this endpoint ran (too large, broken
   * framing, too slow): counted and logged like every other refusal.
   */
  void onRefusedBody(Context ctx, Problem refused) {
    String path = ctx.path();
    if (!path.startsWith("/webhooks/")) {
      return;
    }
    String connectorId = path.substring("/webhooks/".length());
    boolean known = app.config().connector(connectorId).isPresent();
    String reason =
        switch (refused.status()) {
          case 413 -> "too_large";
          case 408 -> "timeout";
          default -> "malformed_body";
        };
    app.metrics().onWebhookRejected(known ? connectorId : UNKNOWN, reason);
    log.warn(
        "webhook {} of connector {} rejected with {}: {}",
        safe(ctx.header("webhook-id")), known ? connectorId : safe(connectorId), refused.status(),
        reason);
  }

  private static Map<String, String> headers(Context ctx) {
    Map<String, String> headers = new LinkedHashMap<>();
    ctx.headerMap().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
    return headers;
  }

  private static Map<String, Object> answer(String status, InboxItem item) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("id", item.id());
    body.put("connector", item.connectorId());
    body.put("webhookId", item.webhookId());
    return body;
  }

  private static Map<String, Object> view(InboxItem item) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", item.id());
    view.put("connector", item.connectorId());
    view.put("webhookId", item.webhookId());
    view.put("receivedAt", item.receivedAt().toString());
    view.put("status", item.status().wire());
    view.put("reason", item.reason());
    view.put("attempts", item.attempts());
    view.put("nextAttemptAt", item.nextAttemptAt() == null ? null : item.nextAttemptAt().toString());
    view.put("processedAt", item.processedAt() == null ? null : item.processedAt().toString());
    view.put("changes", item.changes() == null ? null : Json.read(item.changes()));
    return view;
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 404 -> "Not Found";
      case 413 -> "Content Too Large";
      default -> "HTTP " + status;
    };
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
