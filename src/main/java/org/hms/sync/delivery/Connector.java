package org.hms.sync.delivery;

import java.util.concurrent.CompletableFuture;

/**
 * Sends deliveries to one external system. Implementations classify every outcome; they never
 * retry on their own (the engine schedules retries durably). {@link #push} may be called again
 * for the same delivery after a crash or a lost response, always with the same idempotency key.
 */
public interface Connector extends AutoCloseable {
  String id();

  /** Starts the attempt; the future never completes exceptionally for an expected failure. */
  CompletableFuture<PushResult> push(PushRequest request);

  @Override
  default void close() {}
}
