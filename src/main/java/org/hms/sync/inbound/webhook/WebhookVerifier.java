package org.hms.sync.inbound.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.hms.sync.inbound.webhook.WebhookVerificationException.Reason;

/**
 * Standard Webhooks v1 verification: {@code webhook-id}, {@code webhook-timestamp} (Unix seconds,
 * within the tolerance of the clock both ways) and {@code webhook-signature} (space-separated
 * {@code v1,<base64>} entries, one valid entry is enough), each entry an HMAC-SHA256 of {@code
 * id.timestamp.body} under one of the secrets, compared in constant time. Several secrets let a
 * sender rotate keys. Thread-safe.
 */
public final class WebhookVerifier {
  private static final String ALGORITHM = "HmacSHA256";

  private final List<SecretKeySpec> keys;
  private final Duration tolerance;
  private final Clock clock;

  /**
   * @param secrets one or more {@code whsec_<base64>} secrets
   * @param tolerance how far the timestamp may be from the clock, either way
   * @throws IllegalArgumentException when there is no secret or one does not decode
   */
  public WebhookVerifier(List<String> secrets, Duration tolerance, Clock clock) {
    if (secrets == null || secrets.isEmpty()) {
      throw new IllegalArgumentException("no webhook secret; configure at least one whsec_ secret");
    }
    if (tolerance == null || tolerance.isNegative() || tolerance.isZero()) {
      throw new IllegalArgumentException("tolerance must be longer than zero, e.g. 300 s");
    }
    List<SecretKeySpec> decoded = new ArrayList<>();
    for (int index = 0; index < secrets.size(); index++) {
      try {
        decoded.add(new SecretKeySpec(WebhookSecret.decode(secrets.get(index)), ALGORITHM));
      } catch (IllegalArgumentException invalid) {
        throw new IllegalArgumentException(
            "webhook secret " + (index + 1) + " " + invalid.getMessage(), invalid);
      }
    }
    this.keys = List.copyOf(decoded);
    this.tolerance = tolerance;
    this.clock = clock;
  }

  /**
   * Passes silently when the webhook is authentic and fresh.
   *
   * @param id the {@code webhook-id} header
   * @param timestamp the {@code webhook-timestamp} header
   * @param signature the {@code webhook-signature} header
   * @param body the raw body, exactly as received
   * @throws WebhookVerificationException naming the check that failed
   */
  public void verify(String id, String timestamp, String signature, byte[] body) {
    List<String> missing = new ArrayList<>();
    if (id == null || id.isBlank()) {
      missing.add("webhook-id");
    }
    if (timestamp == null || timestamp.isBlank()) {
      missing.add("webhook-timestamp");
    }
    if (signature == null || signature.isBlank()) {
      missing.add("webhook-signature");
    }
    if (!missing.isEmpty()) {
      throw new WebhookVerificationException(
          Reason.MISSING_HEADERS,
          "missing header(s) " + String.join(", ", missing)
              + "; sign the webhook as Standard Webhooks v1 describes");
    }
    long seconds = parseTimestamp(timestamp.trim());
    Instant now = clock.instant();
    Instant sent = Instant.ofEpochSecond(seconds);
    Duration skew = Duration.between(sent, now).abs();
    if (skew.compareTo(tolerance) > 0) {
      throw new WebhookVerificationException(
          Reason.STALE_TIMESTAMP,
          "webhook-timestamp " + seconds + " is " + skew.getSeconds() + " s "
              + (sent.isBefore(now) ? "in the past" : "in the future")
              + ", more than the tolerance of " + tolerance.getSeconds()
              + " s; check the sender's clock, or resend the webhook");
    }
    byte[] signed = signedContent(id, seconds, body);
    List<byte[]> expected = new ArrayList<>(keys.size());
    for (SecretKeySpec key : keys) {
      expected.add(hmac(key, signed));
    }
    boolean anyV1 = false;
    for (String entry : signature.trim().split("\\s+")) {
      int comma = entry.indexOf(',');
      if (comma < 0 || !entry.substring(0, comma).equals("v1")) {
        continue;
      }
      anyV1 = true;
      byte[] given;
      try {
        given = Base64.getDecoder().decode(entry.substring(comma + 1));
      } catch (IllegalArgumentException notBase64) {
        continue;
      }
      for (byte[] candidate : expected) {
        if (MessageDigest.isEqual(candidate, given)) {
          return;
        }
      }
    }
    throw new WebhookVerificationException(
        Reason.BAD_SIGNATURE,
        anyV1
            ? "no v1 signature in webhook-signature matches; check the secret and sign the raw"
                + " body exactly as sent"
            : "webhook-signature has no v1 entry; send space-separated 'v1,<base64>' entries");
  }

  /** The {@code v1,<base64>} signature of a webhook (for senders and tests). */
  public static String sign(String secret, String id, long timestamp, byte[] body) {
    SecretKeySpec key = new SecretKeySpec(WebhookSecret.decode(secret), ALGORITHM);
    return "v1," + Base64.getEncoder().encodeToString(hmac(key, signedContent(id, timestamp, body)));
  }

  private static long parseTimestamp(String timestamp) {
    if (timestamp.length() > 12 || !timestamp.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new WebhookVerificationException(
          Reason.MALFORMED_TIMESTAMP,
          "webhook-timestamp is not a whole number of seconds since 1970-01-01T00:00:00Z;"
              + " send e.g. webhook-timestamp: 1614265330");
    }
    return Long.parseLong(timestamp);
  }

  private static byte[] signedContent(String id, long timestamp, byte[] body) {
    byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
    byte[] content = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, content, 0, prefix.length);
    System.arraycopy(body, 0, content, prefix.length, body.length);
    return content;
  }

  private static byte[] hmac(SecretKeySpec key, byte[] content) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(content);
    } catch (NoSuchAlgorithmException | InvalidKeyException impossible) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", impossible);
    }
  }
}
