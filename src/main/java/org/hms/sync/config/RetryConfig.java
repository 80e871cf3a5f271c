package org.hms.sync.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How one connector retries failed deliveries: exponential backoff from {@code initialBackoff},
 * multiplied by {@code multiplier} after each attempt, capped at {@code maxBackoff}.
 *
 * @param maxAttempts attempts in total including the first, at least 1, default 12
 * @param initialBackoff longer than zero, at most maxBackoff, default 1s
 * @param maxBackoff longer than zero, default 10m
 * @param multiplier at least 1, default 2.0
 */
public record RetryConfig(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {

  public RetryConfig {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
  }

  /** 12 attempts, 1s doubling up to 10m. */
  public static RetryConfig defaults() {
    return new RetryConfig(
        Defaults.MAX_ATTEMPTS, Defaults.INITIAL_BACKOFF, Defaults.MAX_BACKOFF, Defaults.MULTIPLIER);
  }

  @Override
  public String toString() {
    return "RetryConfig[maxAttempts="
        + maxAttempts
        + ", initialBackoff="
        + Durations.format(initialBackoff)
        + ", maxBackoff="
        + Durations.format(maxBackoff)
        + ", multiplier="
        + multiplier
        + "]";
  }
}
