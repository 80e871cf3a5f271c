package org.hms.sync.delivery;

import java.time.Instant;

/** How a connector judged one attempt. The engine turns it into success, a retry or a dead letter. */
public sealed interface PushResult {
  Integer httpStatus();

  /** The external system accepted the change. */
  record Success(Integer httpStatus, String externalId, String note) implements PushResult {}

  /**
   * A transient failure (network, timeout, 408, 425, 429, 5xx).
   *
   * @param notBefore earliest time for the next attempt (from Retry-After), or null
   */
  record Retryable(Integer httpStatus, String errorClass, String reason, Instant notBefore)
      implements PushResult {}

  /** A failure that retrying cannot fix (other 4xx, bad mapping): straight to dead letter. */
  record Permanent(Integer httpStatus, String errorClass, String reason) implements PushResult {}
}
