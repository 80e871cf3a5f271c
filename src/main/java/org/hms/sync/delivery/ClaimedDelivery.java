package org.hms.sync.delivery;

import org.hms.sync.outbox.OutboxEvent;

/**
 * A delivery this node holds a lease on, with everything needed to attempt it. {@code number} is
 * the key of its state row ({@code delivery_state.delivery_no}).
 */
record ClaimedDelivery(
    String deliveryId,
    long number,
    String connectorId,
    String claimToken,
    int attempt,
    int attemptInRun,
    OutboxEvent event,
    String externalId) {

  PushRequest request() {
    return new PushRequest(deliveryId, deliveryId, attempt, attemptInRun, event, externalId);
  }
}
