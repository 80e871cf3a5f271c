package org.hms.sync.inbound.webhook;

import org.hms.sync.SyncException;

/**
 * A webhook was refused and nothing was stored. The message is the answer's detail: it says what
 * failed and what the sender should do, and never quotes the body (it may hold PHI) or a secret.
 */
public final class WebhookRejectedException extends SyncException {
  private final int status;
  private final String reason;

  /**
   * @param status the HTTP status to answer with (400, 401, 404 or 413)
   * @param reason a short label for the metric and log, e.g. {@code bad_signature}
   */
  public WebhookRejectedException(int status, String reason, String detail) {
    super(detail);
    this.status = status;
    this.reason = reason;
  }

  public int status() {
    return status;
  }

  public String reason() {
    return reason;
  }
}
