package org.hms.sync.http;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hms.sync.inbound.InboxItem;
import org.hms.sync.inbound.InboxRepository;
import org.hms.sync.inbound.InboxStatus;
import org.hms.sync.inbound.webhook.WebhookIntake;
import org.hms.sync.inbound.webhook.WebhookRejectedException;
import org.hms.sync.json.Json;

/**
 * {@code POST /webhooks/{connectorId}}: hands the webhook to {@link WebhookIntake} and answers 202
 * (stored now) or 200 (a webhook-id stored before); a refusal is problem+json with the intake's
 * status and detail. The signature is the authentication. Also {@code GET /api/inbox}.
 */
final class WebhookEndpoint {
  private final WebhookIntake intake;
  private final InboxRepository inbox;

  WebhookEndpoint(WebhookIntake intake, InboxRepository inbox) {
    this.intake = intake;
    this.inbox = inbox;
  }

  void receive(Context ctx) {
    try {
      WebhookIntake.Accepted accepted =
          intake.accept(ctx.pathParam("connectorId"), headers(ctx), RequestBody.bytes(ctx));
      ctx.status(accepted.duplicate() ? 200 : 202)
          .json(answer(accepted.duplicate() ? "duplicate" : "received", accepted.item()));
    } catch (WebhookRejectedException rejected) {
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
        inbox
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
    String reason =
        switch (refused.status()) {
          case 413 -> "too_large";
          case 408 -> "timeout";
          default -> "malformed_body";
        };
    intake.refused(
        path.substring("/webhooks/".length()), ctx.header("webhook-id"), refused.status(), reason);
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
}
