package org.hms.sync.simulator;

import java.time.Instant;

/**
 * An {@code /api} request as captured on arrival, free of the HTTP server's types.
 *
 * @param authorized whether the bearer token matched (the token itself is not kept)
 * @param externalId the {@code {id}} path parameter, or null
 * @param body the body as received, or null when empty
 * @param from the {@code from} query parameter of a list, or null
 * @param to the {@code to} query parameter of a list, or null
 */
record ApiRequest(
    long position,
    Instant receivedAt,
    Operation operation,
    String method,
    String path,
    String idempotencyKey,
    boolean authorized,
    String externalId,
    String body,
    String from,
    String to) {}
