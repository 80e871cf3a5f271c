package org.hms.sync.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The delivery engine.
 *
 * @param maxInFlight deliveries running at once, at least 1, default 64
 * @param batchSize deliveries claimed per poll, at least 1, default 128
 * @param pollInterval how often to look for due deliveries when not woken up, default 1s
 * @param lease how long a claimed delivery belongs to this node, default 30s; always longer than
 *     every connector's connect plus request timeout
 * @param nodeId this node's name in leases; {@code null} means one is generated at start
 * @param retention how long succeeded and discarded deliveries (with their sync log) and finished
 *     events are kept before they are purged, default 30d; dead letters are never purged
 * @param shutdownGrace how long a stopping node waits for attempts and inbox items in progress to
 *     finish and be recorded, default 10s; what is still running then is handed back. Zero hands
 *     back at once
 */
public record EngineConfig(
    int maxInFlight,
    int batchSize,
    Duration pollInterval,
    Duration lease,
    String nodeId,
    Duration retention,
    Duration shutdownGrace) {

  public EngineConfig {
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
  }

  /** Every value at its default. */
  public static EngineConfig defaults() {
    return new EngineConfig(
        Defaults.MAX_IN_FLIGHT,
        Defaults.BATCH_SIZE,
        Defaults.POLL_INTERVAL,
        Defaults.LEASE,
        null,
        Defaults.RETENTION,
        Defaults.SHUTDOWN_GRACE);
  }

  @Override
  public String toString() {
    return "EngineConfig[maxInFlight="
        + maxInFlight
        + ", batchSize="
        + batchSize
        + ", pollInterval="
        + Durations.format(pollInterval)
        + ", lease="
        + Durations.format(lease)
        + ", nodeId="
        + nodeId
        + ", retention="
        + Durations.format(retention)
        + ", shutdownGrace="
        + Durations.format(shutdownGrace)
        + "]";
  }
}
