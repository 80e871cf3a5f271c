package org.hms.sync.delivery;

import org.hms.sync.outbox.OutboxEvent;

/**
 * What a connector is asked to send.
 *
 * @param idempotencyKey the same on every attempt of this delivery
 * @param attempt 1 for the first attempt; counts every attempt since the delivery was created
 * @param attemptInRun 1 for the first attempt of the current run: since the delivery was created,
 *     or since an operator last replayed it. The retry budget ({@code retry.maxAttempts}) counts
 *     these, so a connector that limits retries of its own kind of failure counts them too.
 * @param externalId the appointment's id at this connector's system, once known
 */
public record PushRequest(
    String deliveryId,
    String idempotencyKey,
    int attempt,
    int attemptInRun,
    OutboxEvent event,
    String externalId) {

  /** A request of a delivery never replayed: its attempt in the run is its attempt. */
  public PushRequest(
      String deliveryId, String idempotencyKey, int attempt, OutboxEvent event, String externalId) {
    this(deliveryId, idempotencyKey, attempt, attempt, event, externalId);
  }
}
