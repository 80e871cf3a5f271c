package org.hms.sync.delivery;

import java.time.Instant;

/** What an observer hears after an attempt's result is recorded. */
public record AttemptEvent(
    String deliveryId,
    String connectorId,
    String appointmentId,
    long sequence,
    String eventType,
    Instant eventOccurredAt,
    int attempt,
    String outcome,
    Integer httpStatus,
    long durationMs,
    String reason,
    Instant nextAttemptAt,
    Instant respondedAt) {}
