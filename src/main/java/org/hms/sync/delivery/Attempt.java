package org.hms.sync.delivery;

import java.time.Instant;

/**
 * One row of the sync log.
 *
 * @param outcome succeeded, retry or dead
 */
public record Attempt(
    int attempt,
    String nodeId,
    Instant startedAt,
    long durationMs,
    Integer httpStatus,
    String outcome,
    String errorClass,
    String errorMessage,
    Instant nextAttemptAt) {}
