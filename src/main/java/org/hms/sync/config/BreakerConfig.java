package org.hms.sync.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A connector's circuit breaker. It judges the last {@code window} attempts; once at least {@code
 * minimumCalls} are in and {@code failureRatePercent} of them failed in a way that retrying may fix
 * (network, timeout, 408, 425, 429, 5xx), it opens: no delivery of that connector is attempted, and
 * none spends an attempt, for {@code openFor}. Then {@code halfOpenProbes} attempts are let through;
 * if enough of them succeed it closes again, else it opens again.
 *
 * @param enabled default true
 * @param failureRatePercent 1 to 100, default 50
 * @param minimumCalls at least 1, at most window, default 20
 * @param window at least 1, default 50
 * @param openFor longer than zero, default 30s
 * @param halfOpenProbes at least 1, default 3
 */
public record BreakerConfig(
    boolean enabled,
    int failureRatePercent,
    int minimumCalls,
    int window,
    Duration openFor,
    int halfOpenProbes) {

  public BreakerConfig {
    Objects.requireNonNull(openFor, "openFor");
  }

  public static BreakerConfig defaults() {
    return new BreakerConfig(
        true,
        Defaults.BREAKER_FAILURE_RATE,
        Defaults.BREAKER_MINIMUM_CALLS,
        Defaults.BREAKER_WINDOW,
        Defaults.BREAKER_OPEN_FOR,
        Defaults.BREAKER_HALF_OPEN_PROBES);
  }

  @Override
  public String toString() {
    return "BreakerConfig[enabled=" + enabled + ", failureRatePercent=" + failureRatePercent
        + ", minimumCalls=" + minimumCalls + ", window=" + window + ", openFor="
        + Durations.format(openFor) + ", halfOpenProbes=" + halfOpenProbes + "]";
  }
}
