package org.hms.sync.simulator;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks v1 signatures, written here from the specification rather than borrowed from
 * the service's verifier, so a test of one against the other checks both readings of the standard.
 */
final class WebhookSigner {

  static final String PREFIX = "whsec_";

  private final SecretKeySpec key;

  WebhookSigner(String secret) {
    this.key = new SecretKeySpec(decodeSecret(secret), "HmacSHA256");
  }

  /** {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">}. */
  String sign(String id, long timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (GeneralSecurityException impossible) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", impossible);
    }
  }

  /** The key bytes of {@code whsec_<base64>}; the message never contains the secret. */
  static byte[] decodeSecret(String secret) {
    if (secret == null || !secret.startsWith(PREFIX) || secret.length() == PREFIX.length()) {
      throw new IllegalArgumentException(
          "Simulator webhook secret must be 'whsec_' followed by a base64 key, e.g. whsec_"
              + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw (value not shown)");
    }
    try {
      return Base64.getDecoder().decode(secret.substring(PREFIX.length()));
    } catch (IllegalArgumentException notBase64) {
      throw new IllegalArgumentException(
          "Simulator webhook secret after 'whsec_' is not valid base64 (value not shown); copy the"
              + " secret exactly as configured in the service's inbound.webhook.secrets",
          notBase64);
    }
  }
}
