package org.hms.sync.inbound.webhook;

import java.util.Locale;
import org.hms.sync.SyncException;

/**
 * A webhook failed Standard Webhooks verification. The message says which check failed and what
 * the sender should do; it never quotes the body, the expected signature or a secret.
 */
public final class WebhookVerificationException extends SyncException {
  /** Which check failed; {@link #label()} is the {@code reason} label of the rejection metric. */
  public enum Reason {
    MISSING_HEADERS,
    MALFORMED_TIMESTAMP,
    STALE_TIMESTAMP,
    BAD_SIGNATURE;

    /** Lower-case with underscores, e.g. {@code bad_signature}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Reason reason;

  WebhookVerificationException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
