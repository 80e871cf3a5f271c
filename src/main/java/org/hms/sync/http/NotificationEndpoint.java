package org.hms.sync.http;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.SubscriptionConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /fhir/notifications/{connectorId}}: a FHIR server's rest-hook notification for a
 * connector with {@code inbound.subscription}. The {@value SubscriptionConfig#HEADER} header must
 * carry that connector's secret (compared in constant time). The body is not looked at: an R4
 * rest-hook notification without payload is empty, and whatever a body says, the poller reads the
 * changes from the server itself. A valid notification wakes the connector's poller: 202. Refused
 * with problem+json, changing nothing: 404 for an unknown connector or one without a subscription,
 * 401 for a missing or wrong secret. Refusals are logged with the connector and the reason only.
 */
final class NotificationEndpoint {
  private static final Logger log = LoggerFactory.getLogger(NotificationEndpoint.class);

  private final SyncApp app;

  NotificationEndpoint(SyncApp app) {
    this.app = app;
  }

  void receive(Context ctx) {
    String connectorId = ctx.pathParam("connectorId");
    ConnectorConfig connector = app.config().connector(connectorId).orElse(null);
    SubscriptionConfig subscription =
        connector == null ? null : connector.inbound().subscription();
    if (subscription == null) {
      log.warn(
          "notification for connector {} refused with 404: {}",
          connector == null ? safe(connectorId) : connectorId,
          connector == null ? "unknown connector" : "it has no inbound.subscription");
      throw Problem.notFound(
          connector == null
              ? "no connector with this id; check the Subscription's endpoint (POST"
                  + " /fhir/notifications/{connectorId})"
              : "connector '" + connectorId + "' takes no notifications; configure its"
                  + " inbound.subscription section");
    }
    String given = ctx.header(SubscriptionConfig.HEADER);
    if (given == null || !sameSecret(given, subscription.secret())) {
      log.warn(
          "notification for connector {} refused with 401: {} {} header",
          connectorId, given == null ? "no" : "a wrong", SubscriptionConfig.HEADER);
      throw new Problem(
          401, "Unauthorized",
          "send the connector's inbound.subscription.secret in the " + SubscriptionConfig.HEADER
              + " header (the Subscription at the server carries it in channel.header)");
    }
    app.poller().wakeUp(connectorId);
    log.debug("notification for connector {}: its poller polls now", connectorId);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "polling");
    body.put("connector", connectorId);
    ctx.status(202).json(body);
  }

  /** Equal secrets, in time that does not depend on where they differ (or on their lengths). */
  static boolean sameSecret(String given, String expected) {
    return MessageDigest.isEqual(sha256(given), sha256(expected));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", impossible);
    }
  }

  /** A sender-chosen value made safe for a log line: printable ASCII, at most 100 characters. */
  private static String safe(String value) {
    String printable = value.replaceAll("[^\\x21-\\x7e]", "?");
    return printable.length() > 100 ? printable.substring(0, 100) + "..." : printable;
  }
}
