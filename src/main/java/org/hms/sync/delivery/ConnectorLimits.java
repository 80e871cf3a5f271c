package org.hms.sync.delivery;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;

/**
 * How hard the engine may press one connector's external system: at most {@code maxConcurrency}
 * attempts at once, and at most {@code ratePerSecond} attempts started per second. A delivery that
 * a limit holds back waits, claimed, in memory (without spending an attempt) and starts as soon as
 * the limit allows; the engine claims only about two seconds' worth for a rate-limited connector so
 * that nothing waits long enough for its lease to matter.
 *
 * @param connectorId for the rate limiter's name
 * @param maxConcurrency at least 1; {@link Integer#MAX_VALUE} for no limit beyond the engine's
 * @param ratePerSecond more than 0, or {@code null} for no rate limit
 */
public record ConnectorLimits(String connectorId, int maxConcurrency, Double ratePerSecond) {

  public ConnectorLimits {
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("maxConcurrency must be at least 1 but is " + maxConcurrency);
    }
    if (ratePerSecond != null && !(ratePerSecond > 0)) {
      throw new IllegalArgumentException("ratePerSecond must be more than 0 but is " + ratePerSecond);
    }
  }

  /** No limit beyond the engine's {@code maxInFlight}. */
  public static ConnectorLimits none(String connectorId) {
    return new ConnectorLimits(connectorId, Integer.MAX_VALUE, null);
  }

  /**
   * A limiter that starts at most {@code ratePerSecond} attempts in each one-second window (for a
   * rate below 1, one attempt per {@code 1/rate} seconds); {@code null} without a rate limit.
   */
  RateLimiter newRateLimiter() {
    if (ratePerSecond == null) {
      return null;
    }
    int perPeriod;
    Duration period;
    if (ratePerSecond >= 1) {
      perPeriod = (int) Math.round(ratePerSecond);
      period = Duration.ofSeconds(1);
    } else {
      perPeriod = 1;
      period = Duration.ofNanos(Math.round(1_000_000_000L / ratePerSecond));
    }
    return RateLimiter.of(
        "connector-" + connectorId,
        RateLimiterConfig.custom()
            .limitForPeriod(perPeriod)
            .limitRefreshPeriod(period)
            .timeoutDuration(Duration.ZERO)
            .build());
  }

  /** How many of this connector's deliveries the engine holds claimed at most. */
  int claimCap() {
    long cap = maxConcurrency == Integer.MAX_VALUE ? Integer.MAX_VALUE : 2L * maxConcurrency;
    if (ratePerSecond != null) {
      cap = Math.min(cap, Math.max(1L, (long) Math.ceil(2 * ratePerSecond)));
    }
    return (int) Math.min(cap, Integer.MAX_VALUE);
  }

  /** True when this connector may not take as many attempts as the engine has places. */
  boolean limited() {
    return maxConcurrency != Integer.MAX_VALUE || ratePerSecond != null;
  }
}
