package org.hms.sync.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Scheduled reconciliation of one connector ({@code connectors[].reconcile}): every {@code
 * interval} the appointments from {@code now - lookBack} to {@code now + lookAhead} are compared
 * with what the connector's system lists, and differences are repaired.
 *
 * @param interval how often; {@code null} (the default): never on its own, only on request
 * @param lookBack how far into the past the window reaches (default 1d)
 * @param lookAhead how far into the future the window reaches (default 30d)
 * @param repair whether scheduled runs repair what they find (default true); runs on request say
 *     it themselves
 */
public record ReconcileConfig(Duration interval, Duration lookBack, Duration lookAhead, boolean repair) {
  public static final Duration DEFAULT_LOOK_BACK = Duration.ofDays(1);
  public static final Duration DEFAULT_LOOK_AHEAD = Duration.ofDays(30);
  private static final ReconcileConfig DEFAULTS =
      new ReconcileConfig(null, DEFAULT_LOOK_BACK, DEFAULT_LOOK_AHEAD, true);

  public ReconcileConfig {
    Objects.requireNonNull(lookBack, "lookBack");
    Objects.requireNonNull(lookAhead, "lookAhead");
    if (interval != null && (interval.isZero() || interval.isNegative())) {
      throw new IllegalArgumentException(
          "reconcile interval " + interval + " must be longer than zero, e.g. 1h");
    }
    if (lookBack.isNegative() || lookAhead.isNegative()) {
      throw new IllegalArgumentException("lookBack and lookAhead must not be negative");
    }
    if (lookBack.plus(lookAhead).isZero()) {
      throw new IllegalArgumentException(
          "lookBack and lookAhead are both zero: the window is empty; set e.g. lookAhead: 30d");
    }
  }

  /** No schedule, the default window. */
  public static ReconcileConfig defaults() {
    return DEFAULTS;
  }

  public boolean scheduled() {
    return interval != null;
  }
}
