package org.hms.sync.inbound.webhook;

import java.util.Base64;

/** Reads {@code whsec_<base64>} secrets; messages never show the secret. */
public final class WebhookSecret {
  public static final String PREFIX = "whsec_";

  private WebhookSecret() {}

  /**
   * The HMAC key: the base64 after the {@code whsec_} prefix, decoded.
   *
   * @throws IllegalArgumentException saying what is wrong (without the value)
   */
  public static byte[] decode(String secret) {
    if (secret == null || !secret.startsWith(PREFIX)) {
      throw new IllegalArgumentException(
          "does not start with " + PREFIX + "; use the secret exactly as the sender shows it"
              + " (whsec_ followed by the base64 key)");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(secret.substring(PREFIX.length()).trim());
    } catch (IllegalArgumentException notBase64) {
      throw new IllegalArgumentException(
          "the part after " + PREFIX + " is not base64; copy the whole secret from the sender");
    }
    if (key.length == 0) {
      throw new IllegalArgumentException(
          "has nothing after " + PREFIX + "; copy the whole secret from the sender");
    }
    return key;
  }
}
