package org.hms.sync.delivery;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: the n-th retry waits a random time between zero and
 * {@code min(maxBackoff, initialBackoff * multiplier^(n-1))}.
 */
public record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(12, Duration.ofSeconds(1), Duration.ofMinutes(10), 2.0);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be > 0, was " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff (" + maxBackoff + ") must be >= initialBackoff (" + initialBackoff + ")");
    }
    if (multiplier < 1) {
      throw new IllegalArgumentException("multiplier must be >= 1, was " + multiplier);
    }
  }

  /** The upper bound of the wait after the given failed attempt (1-based) of the current run. */
  public Duration ceiling(int failedAttempt) {
    double millis =
        initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempt - 1));
    return millis >= maxBackoff.toMillis()
        ? maxBackoff
        : Duration.ofMillis(Math.max(1, (long) millis));
  }

  /** A jittered wait in [0, ceiling]; {@code random} yields values in [0, 1). */
  public Duration backoff(int failedAttempt, DoubleSupplier random) {
    return Duration.ofMillis((long) (ceiling(failedAttempt).toMillis() * random.getAsDouble()));
  }

  /** True when another attempt is allowed after this many attempts in the current run. */
  public boolean allowsAnotherAfter(int attemptsInRun) {
    return attemptsInRun < maxAttempts;
  }
}
