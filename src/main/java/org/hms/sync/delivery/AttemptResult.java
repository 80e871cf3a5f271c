package org.hms.sync.delivery;

import java.time.Instant;

/** A finished attempt waiting to be recorded, with the engine's decision. */
record AttemptResult(
    ClaimedDelivery claimed,
    Instant startedAt,
    Instant finishedAt,
    long durationMs,
    PushResult result,
    DeliveryStatus newStatus,
    Instant nextAttemptAt,
    String outcome) {}
