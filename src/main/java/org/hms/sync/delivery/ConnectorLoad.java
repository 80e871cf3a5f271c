package org.hms.sync.delivery;

/**
 * What the engine is doing with one connector right now (for the API and metrics).
 *
 * @param attempting attempts in flight
 * @param waiting claimed deliveries waiting for a free place, a rate permit or a probe
 * @param rateLimited times an attempt was held back by the rate limit since start
 */
public record ConnectorLoad(int attempting, int waiting, long rateLimited) {}
