package org.hms.sync.inbound.poll;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hms.sync.Failures;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.connector.ChangeNotifications;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the change subscription of every connector with {@code inbound.subscription} at its
 * system ({@link ChangeNotifications#subscribe()}): made or verified when the service starts, in
 * the background, so that a system out of reach does not hold up the start (polling goes on
 * meanwhile); tried again after a failure ({@link #FIRST_RETRY}, doubling up to {@link
 * Poller#MAX_BACKOFF}); verified again every {@link #RECHECK}, because a server may drop or switch
 * off a subscription. On {@link #close()}, a subscription with {@code removeOnStop} is deleted.
 * Its notifications reach the poller through {@link Poller#wakeUp}. Thread-safe.
 */
public final class Subscriptions implements AutoCloseable {
  static final Duration FIRST_RETRY = Duration.ofSeconds(5);
  static final Duration RECHECK = Duration.ofHours(1);

  private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);

  private record Kept(String connectorId, ChangeNotifications notifications, boolean removeOnStop) {}

  private final List<Kept> kept;
  private ScheduledExecutorService loop;
  private boolean closed;

  private Subscriptions(List<Kept> kept) {
    this.kept = List.copyOf(kept);
  }

  /**
   * The subscriptions of the connectors that have {@code inbound.subscription} (none: {@link
   * #start()} does nothing).
   *
   * @param connectors the built connectors by id
   * @throws IllegalArgumentException when such a connector's type cannot subscribe
   */
  public static Subscriptions create(List<ConnectorConfig> configs, Map<String, ?> connectors) {
    List<Kept> kept = new ArrayList<>();
    for (ConnectorConfig config : configs) {
      if (!config.inbound().hasSubscription()) {
        continue;
      }
      if (!(connectors.get(config.id()) instanceof ChangeNotifications notifications)) {
        throw new IllegalArgumentException(
            "connector '" + config.id() + "' (type " + config.type() + ") has"
                + " inbound.subscription, but its type cannot subscribe to changes; remove it");
      }
      kept.add(
          new Kept(config.id(), notifications, config.inbound().subscription().removeOnStop()));
    }
    return new Subscriptions(kept);
  }

  /** The ids of the connectors with a subscription. */
  public List<String> connectorIds() {
    return kept.stream().map(Kept::connectorId).toList();
  }

  /** Makes or verifies each subscription on a daemon thread, now and then every hour. */
  public synchronized void start() {
    if (loop != null || closed || kept.isEmpty()) {
      return;
    }
    loop =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "hms-subscriptions");
              thread.setDaemon(true);
              return thread;
            });
    for (Kept subscription : kept) {
      schedule(() -> keep(subscription, FIRST_RETRY), Duration.ZERO);
    }
  }

  private void keep(Kept subscription, Duration retry) {
    try {
      String done = subscription.notifications().subscribe();
      log.info("subscription of connector '{}': {}", subscription.connectorId(), done);
      schedule(() -> keep(subscription, FIRST_RETRY), RECHECK);
    } catch (RuntimeException failure) {
      // the loop must go on: polling does the work meanwhile
      log.warn(
          "subscription of connector '{}' is not in place ({}); changes come by polling alone"
              + " until it is; trying again in {}",
          subscription.connectorId(), Failures.describe(failure), retry);
      Duration next = retry.multipliedBy(2);
      schedule(
          () -> keep(subscription, next.compareTo(Poller.MAX_BACKOFF) > 0 ? Poller.MAX_BACKOFF : next),
          retry);
    }
  }

  private synchronized void schedule(Runnable task, Duration delay) {
    if (loop == null || closed) {
      return;
    }
    try {
      loop.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // closing: nothing more to keep
    }
  }

  /**
   * Stops keeping the subscriptions (a check under way may finish), then deletes those with
   * {@code removeOnStop} at their systems; a failure is logged, and the subscription stays there.
   * Call before the connectors close. Idempotent.
   */
  @Override
  public void close() {
    ScheduledExecutorService stopping;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      stopping = loop;
    }
    if (stopping == null) {
      return; // never started: nothing was made, nothing to remove
    }
    stopping.shutdownNow();
    try {
      stopping.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
    for (Kept subscription : kept) {
      if (!subscription.removeOnStop()) {
        continue;
      }
      try {
        log.info(
            "subscription of connector '{}' (removeOnStop): {}", subscription.connectorId(),
            subscription.notifications().unsubscribe());
      } catch (RuntimeException failure) {
        log.warn(
            "subscription of connector '{}' could not be deleted ({}); it stays at the server,"
                + " and its notifications fail while this service is down",
            subscription.connectorId(), Failures.describe(failure));
      }
    }
  }
}
