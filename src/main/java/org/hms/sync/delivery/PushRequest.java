package org.hms.sync.delivery;

import org.hms.sync.outbox.OutboxEvent;

/**
 * What a connector is asked to send.
 *
 * @param idempotencyKey the same on every attempt of this delivery
 * @param attempt 1 for the first attempt
 * @param externalId the appointment's id at this connector's system, once known
 */
public record PushRequest(
    String deliveryId, String idempotencyKey, int attempt, OutboxEvent event, String externalId) {}
