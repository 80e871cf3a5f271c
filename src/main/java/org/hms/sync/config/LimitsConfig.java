package org.hms.sync.config;

/**
 * How hard one connector may press its external system.
 *
 * @param rateLimit attempts started per second at most, or {@code null} for no limit
 * @param maxConcurrency attempts in flight at once at most, or {@code null} for the engine's
 *     {@code maxInFlight}
 */
public record LimitsConfig(Double rateLimit, Integer maxConcurrency) {

  public LimitsConfig {
    if (rateLimit != null && !(rateLimit > 0)) {
      throw new IllegalArgumentException("rateLimit must be more than 0");
    }
    if (maxConcurrency != null && maxConcurrency < 1) {
      throw new IllegalArgumentException("maxConcurrency must be at least 1");
    }
  }

  /** No limit beyond the engine's own. */
  public static LimitsConfig none() {
    return new LimitsConfig(null, null);
  }
}
