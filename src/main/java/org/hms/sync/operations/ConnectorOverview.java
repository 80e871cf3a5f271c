package org.hms.sync.operations;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.connector.Capability;
import org.hms.sync.connector.HealthChecks;
import org.hms.sync.delivery.Connector;
import org.hms.sync.delivery.ConnectorLimits;
import org.hms.sync.delivery.ConnectorLoad;
import org.hms.sync.delivery.ConnectorStats;
import org.hms.sync.delivery.DeliveryRepository;
import org.hms.sync.inbound.poll.PollState;
import org.hms.sync.inbound.poll.PollStateRepository;
import org.hms.sync.reconcile.Reconciler;
import org.hms.sync.reconcile.Reconciliation;

/**
 * How every configured connector stands, in one read: its queue (backlog, oldest waiting, dead
 * letters, last success and error), circuit breaker, limits and current load, capabilities, the
 * health its system reports (cached briefly), its poller and its newest reconciliation.
 */
public final class ConnectorOverview {

  /**
   * One connector's state.
   *
   * @param breaker null without {@code breaker}
   * @param health null when the connector cannot check its system's health
   * @param polled whether the connector has {@code inbound.poll}
   * @param poll the poller's state; null when not polled or not yet polled
   * @param lastReconciliation null when never reconciled
   */
  public record ConnectorState(
      ConnectorConfig config,
      ConnectorStats stats,
      CircuitBreaker breaker,
      ConnectorLimits limits,
      ConnectorLoad load,
      Set<Capability> capabilities,
      HealthChecks.Checked health,
      boolean polled,
      PollState poll,
      Reconciliation lastReconciliation) {}

  private final List<ConnectorConfig> configs;
  private final Map<String, Connector> connectors;
  private final DeliveryRepository deliveries;
  private final Map<String, CircuitBreaker> breakers;
  private final Map<String, ConnectorLimits> limits;
  private final Function<String, ConnectorLoad> load;
  private final PollStateRepository pollStates;
  private final Reconciler reconciler;
  private final HealthChecks healthChecks;

  /** @param load a connector's current load in the delivery engine, by id */
  public ConnectorOverview(
      List<ConnectorConfig> configs,
      Map<String, Connector> connectors,
      DeliveryRepository deliveries,
      Map<String, CircuitBreaker> breakers,
      Map<String, ConnectorLimits> limits,
      Function<String, ConnectorLoad> load,
      PollStateRepository pollStates,
      Reconciler reconciler,
      Clock clock) {
    this.configs = List.copyOf(configs);
    this.connectors = Map.copyOf(connectors);
    this.deliveries = deliveries;
    this.breakers = Map.copyOf(breakers);
    this.limits = Map.copyOf(limits);
    this.load = load;
    this.pollStates = pollStates;
    this.reconciler = reconciler;
    this.healthChecks = new HealthChecks(clock);
  }

  /** Every configured connector, in configuration order. */
  public List<ConnectorState> list() {
    Map<String, ConnectorStats> stats =
        deliveries.stats(configs.stream().map(ConnectorConfig::id).toList());
    Map<String, HealthChecks.Checked> health = healthChecks.check(connectors);
    return configs.stream()
        .map(
            config -> {
              String id = config.id();
              boolean polled = config.inbound().hasPoll();
              return new ConnectorState(
                  config,
                  stats.get(id),
                  breakers.get(id),
                  limits.get(id),
                  load.apply(id),
                  Capability.of(connectors.get(id)),
                  health.get(id),
                  polled,
                  polled ? pollStates.find(id).orElse(null) : null,
                  reconciler.list(id, 1).stream().findFirst().orElse(null));
            })
        .toList();
  }
}
