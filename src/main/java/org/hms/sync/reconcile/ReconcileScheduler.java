package org.hms.sync.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hms.sync.Failures;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.ReconcileConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each connector's scheduled reconciliation ({@code reconcile.interval}) over {@code [now -
 * lookBack, now + lookAhead)}. The schedule lives in the database: of several processes sharing it,
 * the one that claims a due run runs it, and a restart does not run it again early.
 */
public final class ReconcileScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReconcileScheduler.class);
  private static final Duration LONGEST_TICK = Duration.ofSeconds(5);

  private final Reconciler reconciler;
  private final ReconcileRepository repository;
  private final List<ConnectorConfig> scheduled;
  private final String node;
  private final Clock clock;
  private ScheduledExecutorService executor;
  private volatile boolean stopping;

  public ReconcileScheduler(
      Reconciler reconciler,
      ReconcileRepository repository,
      List<ConnectorConfig> connectors,
      String node,
      Clock clock) {
    this.reconciler = reconciler;
    this.repository = repository;
    this.scheduled =
        connectors.stream().filter(connector -> connector.reconcile().scheduled()).toList();
    this.node = node;
    this.clock = clock;
  }

  public synchronized void start() {
    if (executor != null || scheduled.isEmpty()) {
      return;
    }
    Duration tick =
        scheduled.stream()
            .map(connector -> connector.reconcile().interval())
            .min(Duration::compareTo)
            .filter(shortest -> shortest.compareTo(LONGEST_TICK) < 0)
            .orElse(LONGEST_TICK);
    executor =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "hms-reconcile");
              thread.setDaemon(true);
              return thread;
            });
    executor.scheduleWithFixedDelay(this::runOnceSafely, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Runs every connector's reconciliation that is due now.
   *
   * @return how many ran
   */
  public int runOnce() {
    int ran = 0;
    for (ConnectorConfig connector : scheduled) {
      ReconcileConfig settings = connector.reconcile();
      Instant now = clock.instant();
      if (repository.claimScheduled(connector.id(), node, now, now.plus(settings.interval()))) {
        reconciler.run(
            connector.id(), now.minus(settings.lookBack()), now.plus(settings.lookAhead()),
            settings.repair(), "schedule");
        ran++;
      }
    }
    return ran;
  }

  private void runOnceSafely() {
    try {
      runOnce();
    } catch (RuntimeException failure) {
      if (stopping) {
        log.warn(
            "scheduled reconciliation stopped with the service ({}); it runs again at the next"
                + " interval after the start",
            Failures.describe(failure));
        return;
      }
      // Class and our own message only: a driver's or a library's message may quote data (PHI).
      log.error(
          "scheduled reconciliation failed: {}; the schedule keeps running and tries again at the"
              + " next interval", Failures.describe(failure));
      log.debug("scheduled reconciliation failure detail", failure);
    }
  }

  /**
   * Starts no new run and returns at once; a reconciliation in progress finishes on its own (see
   * {@link #close(Duration)}). Idempotent.
   */
  public synchronized void stopScheduling() {
    stopping = true;
    if (executor != null) {
      executor.shutdown(); // no interrupt: a run stopped halfway would be reported as failed
    }
  }

  /**
   * Stops scheduling and waits up to {@code wait} for a reconciliation in progress.
   *
   * @return true when no reconciliation runs any more
   */
  public boolean close(Duration wait) {
    stopScheduling();
    ScheduledExecutorService stopped;
    synchronized (this) {
      stopped = executor;
    }
    if (stopped == null) {
      return true;
    }
    try {
      return stopped.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** {@link #close(Duration)} with 5 seconds. */
  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
