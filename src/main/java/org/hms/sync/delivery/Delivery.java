package org.hms.sync.delivery;

import java.time.Instant;

/** One event for one connector. Its id is the idempotency key sent on every attempt. */
public record Delivery(
    String id,
    String eventId,
    String connectorId,
    String appointmentId,
    long sequence,
    String eventType,
    DeliveryStatus status,
    int attempts,
    Instant nextAttemptAt,
    Integer lastHttpStatus,
    String lastError,
    Instant createdAt,
    Instant updatedAt,
    Instant completedAt) {}
