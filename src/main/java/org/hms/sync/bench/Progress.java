package org.hms.sync.bench;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts completions of a phase and times them twice: over the whole phase, and in steady state,
 * from the completion that ends the ramp-up (the first quarter: connections opening, the JIT
 * reacting to the change of work) to the last. Raw baseline and engine are timed the same way.
 */
final class Progress {
  private final int total;
  private final int rampUp;
  private final long startedAt = System.nanoTime();
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicLong rampedAt = new AtomicLong();
  private final AtomicLong finishedAt = new AtomicLong();

  Progress(int total) {
    this.total = total;
    this.rampUp = total / 4;
  }

  /** Called once per completion, from any thread. */
  void completed() {
    int count = done.incrementAndGet();
    long now = System.nanoTime();
    if (count == rampUp) {
      rampedAt.set(now);
    }
    if (count == total) {
      finishedAt.set(now);
    }
  }

  /** Completions per second over the whole phase. */
  double wholeRate() {
    return total / ((finishedAt.get() - startedAt) / 1e9);
  }

  /** Completions per second after the ramp-up; the whole rate when the phase is too short. */
  double steadyRate() {
    if (rampUp < 1 || total - rampUp < 1) {
      return wholeRate();
    }
    return (total - rampUp) / ((finishedAt.get() - rampedAt.get()) / 1e9);
  }
}
