package org.hms.sync.http;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hms.sync.config.SubscriptionConfig;
import org.hms.sync.inbound.poll.Notifications;

/**
 * {@code POST /fhir/notifications/{connectorId}}: a FHIR server's rest-hook notification, handed
 * to {@link Notifications} with the {@value SubscriptionConfig#HEADER} header. The body is not
 * looked at (an R4 rest-hook notification without payload is empty). 202 when the connector's
 * poller was woken; a refusal (404 unknown connector or none with a subscription, 401 missing or
 * wrong secret) is problem+json and changes nothing.
 */
final class NotificationEndpoint {
  private final Notifications notifications;

  NotificationEndpoint(Notifications notifications) {
    this.notifications = notifications;
  }

  void receive(Context ctx) {
    String connectorId = ctx.pathParam("connectorId");
    try {
      notifications.accept(connectorId, ctx.header(SubscriptionConfig.HEADER));
    } catch (Notifications.Refused refused) {
      throw refused.status() == 404
          ? Problem.notFound(refused.getMessage())
          : new Problem(refused.status(), "Unauthorized", refused.getMessage());
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "polling");
    body.put("connector", connectorId);
    ctx.status(202).json(body);
  }
}
