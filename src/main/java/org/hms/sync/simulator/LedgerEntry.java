package org.hms.sync.simulator;

import java.time.Instant;

/**
 * One {@code /api} request the simulator answered, faults and rejections included.
 *
 * @param position global, increasing arrival number (starts at 1, never reused, not even after
 *     {@link IisSimulator#reset()})
 * @param receivedAt when the request arrived, before any injected latency
 * @param method HTTP method, upper case
 * @param path request path, e.g. {@code /api/appointments/iis-3}
 * @param idempotencyKey the {@code Idempotency-Key} header, or null
 * @param externalId the appointment the request was about, or null (a failed create, a list)
 * @param status HTTP status sent back
 * @param applied true when the request changed an appointment
 * @param replayed true when the answer came from the idempotency store
 * @param body request body as received, or null when it was empty
 */
public record LedgerEntry(
    long position,
    Instant receivedAt,
    String method,
    String path,
    String idempotencyKey,
    String externalId,
    int status,
    boolean applied,
    boolean replayed,
    String body) {}
