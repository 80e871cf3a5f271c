package org.hms.sync.simulator;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/** The faults the simulator injects; settable at any time from any thread. */
final class Faults {

  private final Clock clock;
  private volatile double failRate;
  private volatile Duration latency;
  private volatile Instant downUntil;

  Faults(Clock clock, double failRate, Duration latency) {
    this.clock = clock;
    this.failRate = SimulatorOptions.requireRate(failRate);
    this.latency = SimulatorOptions.requireNonNegative("latency", latency);
    this.downUntil = Instant.MIN;
  }

  boolean isDown() {
    return clock.instant().isBefore(downUntil);
  }

  Instant downUntil() {
    return downUntil;
  }

  void goDown(Duration duration) {
    SimulatorOptions.requireNonNegative("down duration", duration);
    Instant now = clock.instant();
    Instant until;
    try {
      until = now.plus(duration);
    } catch (DateTimeException | ArithmeticException beyondTime) {
      until = Instant.MAX;
    }
    downUntil = until;
  }

  void comeBack() {
    downUntil = Instant.MIN;
  }

  /** Draws whether this request is one of the {@code failRate} share that fails. */
  boolean shouldFail() {
    double rate = failRate;
    return rate > 0.0 && ThreadLocalRandom.current().nextDouble() < rate;
  }

  void setFailRate(double rate) {
    this.failRate = SimulatorOptions.requireRate(rate);
  }

  double failRate() {
    return failRate;
  }

  Duration latency() {
    return latency;
  }

  void setLatency(Duration newLatency) {
    this.latency = SimulatorOptions.requireNonNegative("latency", newLatency);
  }
}
