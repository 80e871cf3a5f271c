package org.hms.sync.delivery;

import org.hms.sync.outbox.OutboxEvent;

/** A delivery this node holds a lease on, with everything needed to attempt it. */
record ClaimedDelivery(
    String deliveryId,
    String connectorId,
    String claimToken,
    int attempt,
    int attemptInRun,
    OutboxEvent event,
    String externalId) {

  PushRequest request() {
    return new PushRequest(deliveryId, deliveryId, attempt, event, externalId);
  }
}
