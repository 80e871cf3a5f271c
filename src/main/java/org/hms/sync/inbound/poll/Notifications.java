package org.hms.sync.inbound.poll;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.hms.sync.SyncException;
import org.hms.sync.config.SubscriptionConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes in a FHIR server's rest-hook notification for a connector with {@code
 * inbound.subscription}: the {@value SubscriptionConfig#HEADER} header must carry that connector's
 * secret (compared in constant time); a valid notification wakes the connector's poller, which reads
 * the changes from the server itself, so whatever a notification's body says is not trusted and not
 * read. Refusals change nothing and are logged with the connector and the reason only.
 */
public final class Notifications {
  private static final Logger log = LoggerFactory.getLogger(Notifications.class);

  /** A notification was refused; nothing happened. The message is the answer's detail. */
  public static final class Refused extends SyncException {
    private final int status;

    Refused(int status, String detail) {
      super(detail);
      this.status = status;
    }

    /** 404 (no such connector, or it takes no notifications) or 401 (missing or wrong secret). */
    public int status() {
      return status;
    }
  }

  private final Map<String, SubscriptionConfig> subscriptions;
  private final Set<String> connectorIds;
  private final Consumer<String> wakePoller;

  /**
   * @param subscriptions each connector's {@code inbound.subscription}, where it has one
   * @param connectorIds every configured connector
   * @param wakePoller makes the poller of the connector (by id) poll now
   */
  public Notifications(
      Map<String, SubscriptionConfig> subscriptions,
      Set<String> connectorIds,
      Consumer<String> wakePoller) {
    this.subscriptions = Map.copyOf(subscriptions);
    this.connectorIds = Set.copyOf(connectorIds);
    this.wakePoller = wakePoller;
  }

  /**
   * Checks the secret and wakes the connector's poller.
   *
   * @param secret the {@value SubscriptionConfig#HEADER} header's value, or null when absent
   * @throws Refused unknown connector, no subscription, or a missing or wrong secret
   */
  public void accept(String connectorId, String secret) {
    boolean known = connectorIds.contains(connectorId);
    SubscriptionConfig subscription = subscriptions.get(connectorId);
    if (subscription == null) {
      log.warn(
          "notification for connector {} refused with 404: {}",
          known ? connectorId : safe(connectorId),
          known ? "it has no inbound.subscription" : "unknown connector");
      throw new Refused(
          404,
          known
              ? "connector '" + connectorId + "' takes no notifications; configure its"
                  + " inbound.subscription section"
              : "no connector with this id; check the Subscription's endpoint (POST"
                  + " /fhir/notifications/{connectorId})");
    }
    if (secret == null || !sameSecret(secret, subscription.secret())) {
      log.warn(
          "notification for connector {} refused with 401: {} {} header",
          connectorId, secret == null ? "no" : "a wrong", SubscriptionConfig.HEADER);
      throw new Refused(
          401,
          "send the connector's inbound.subscription.secret in the " + SubscriptionConfig.HEADER
              + " header (the Subscription at the server carries it in channel.header)");
    }
    wakePoller.accept(connectorId);
    log.debug("notification for connector {}: its poller polls now", connectorId);
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
