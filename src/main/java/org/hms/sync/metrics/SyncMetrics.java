package org.hms.sync.metrics;

import io.micrometer.core.instrument.Counter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import org.hms.sync.delivery.ConnectorLimits;
import org.hms.sync.delivery.DeliveryEngine;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.hms.sync.delivery.AttemptEvent;
import org.hms.sync.delivery.ConnectorStats;
import org.hms.sync.delivery.DeliveryObserver;

/**
 * Prometheus metrics: attempts by connector and outcome, attempt latency, and per-connector
 * backlog, oldest pending age and dead letters (read from the database at each scrape).
 */
public final class SyncMetrics implements DeliveryObserver {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Supplier<Map<String, ConnectorStats>> stats;
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final Map<String, Counter> webhookRejections = new ConcurrentHashMap<>();
  private final Map<String, Timer> latencies = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong[]> gauges = new ConcurrentHashMap<>();

  public SyncMetrics(Collection<String> connectorIds, Supplier<Map<String, ConnectorStats>> stats) {
    this(connectorIds, stats, Map.of());
  }

  /** With one {@code hms_connector_circuit_state} series per connector breaker and state. */
  public SyncMetrics(
      Collection<String> connectorIds,
      Supplier<Map<String, ConnectorStats>> stats,
      Map<String, CircuitBreaker> breakers) {
    this.stats = stats;
    breakers.forEach(
        (connectorId, breaker) -> {
          for (CircuitBreaker.State state :
              new CircuitBreaker.State[] {
                CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN
              }) {
            Gauge.builder("hms_connector_circuit_state", breaker, b -> b.getState() == state ? 1 : 0)
                .description("1 for the circuit breaker's current state (closed, open, half_open)")
                .tag("connector", connectorId)
                .tag("state", state.name().toLowerCase(java.util.Locale.ROOT))
                .register(registry);
          }
          Gauge.builder(
                  "hms_connector_circuit_failure_rate",
                  breaker,
                  b -> Math.max(0, b.getMetrics().getFailureRate()))
              .description("Percent of the judged recent attempts that failed (0 until enough)")
              .tag("connector", connectorId)
              .register(registry);
        });
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    for (String connectorId : connectorIds) {
      AtomicLong[] values = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
      gauges.put(connectorId, values);
      Gauge.builder("hms_delivery_backlog", values[0], AtomicLong::get)
          .description("Deliveries waiting (pending, retrying, parked)")
          .tag("connector", connectorId)
          .register(registry);
      Gauge.builder("hms_delivery_dead_letters", values[1], AtomicLong::get)
          .description("Dead deliveries waiting for replay or discard")
          .tag("connector", connectorId)
          .register(registry);
      Gauge.builder("hms_delivery_oldest_pending_seconds", values[2], AtomicLong::get)
          .description("Age of the oldest waiting delivery")
          .tag("connector", connectorId)
          .register(registry);
      for (String outcome : new String[] {"succeeded", "retry", "dead"}) {
        counter(connectorId, outcome);
      }
      timer(connectorId);
    }
  }

  /**
   * Per connector: {@code hms_connector_in_flight}, {@code hms_connector_waiting}, {@code
   * hms_connector_rate_limited_total} from the engine, and the configured {@code
   * hms_connector_max_concurrency} and {@code hms_connector_rate_limit} where set.
   */
  public void bindEngine(DeliveryEngine engine, Map<String, ConnectorLimits> limits) {
    for (String connectorId : gauges.keySet()) {
      Gauge.builder("hms_connector_in_flight", engine, e -> e.load(connectorId).attempting())
          .description("Attempts running now")
          .tag("connector", connectorId)
          .register(registry);
      Gauge.builder("hms_connector_waiting", engine, e -> e.load(connectorId).waiting())
          .description("Claimed deliveries waiting for a place, a rate permit or a probe")
          .tag("connector", connectorId)
          .register(registry);
      FunctionCounter.builder(
              "hms_connector_rate_limited", engine, e -> e.load(connectorId).rateLimited())
          .description("Times an attempt was held back by the connector's rate limit")
          .tag("connector", connectorId)
          .register(registry);
      ConnectorLimits limit = limits.get(connectorId);
      if (limit != null && limit.maxConcurrency() != Integer.MAX_VALUE) {
        Gauge.builder("hms_connector_max_concurrency", limit, ConnectorLimits::maxConcurrency)
            .description("Configured maxConcurrency")
            .tag("connector", connectorId)
            .register(registry);
      }
      if (limit != null && limit.ratePerSecond() != null) {
        Gauge.builder("hms_connector_rate_limit", limit, ConnectorLimits::ratePerSecond)
            .description("Configured rateLimit, attempts per second")
            .tag("connector", connectorId)
            .register(registry);
      }
    }
  }

  @Override
  public void onAttempt(AttemptEvent event) {
    counter(event.connectorId(), event.outcome()).increment();
    timer(event.connectorId()).record(Duration.ofMillis(event.durationMs()));
  }

  /**
   * Counts a refused webhook as {@code hms_webhook_rejections_total{connector,reason}}.
   *
   * @param connectorId a configured connector id, or {@code unknown} (never a raw path value)
   * @param reason a short fixed label such as {@code bad_signature}
   */
  public void onWebhookRejected(String connectorId, String reason) {
    webhookRejections
        .computeIfAbsent(
            connectorId + "\u0000" + reason,
            key ->
                Counter.builder("hms_webhook_rejections")
                    .description("Webhooks refused (nothing stored), by connector and reason")
                    .tag("connector", connectorId)
                    .tag("reason", reason)
                    .register(registry))
        .increment();
  }

  /** Refreshes the database-backed gauges and renders the Prometheus text format. */
  public String scrape(java.time.Instant now) {
    for (ConnectorStats connector : stats.get().values()) {
      AtomicLong[] values = gauges.get(connector.connectorId());
      if (values == null) {
        continue;
      }
      values[0].set(connector.backlog());
      values[1].set(connector.dead());
      values[2].set(
          connector.oldestPendingSince() == null
              ? 0
              : Math.max(0, Duration.between(connector.oldestPendingSince(), now).toSeconds()));
    }
    return registry.scrape();
  }

  private Counter counter(String connectorId, String outcome) {
    return outcomes.computeIfAbsent(
        connectorId + "\u0000" + outcome,
        key ->
            Counter.builder("hms_delivery_attempts")
                .description("Delivery attempts by connector and outcome (succeeded, retry, dead)")
                .tag("connector", connectorId)
                .tag("outcome", outcome)
                .register(registry));
  }

  private Timer timer(String connectorId) {
    return latencies.computeIfAbsent(
        connectorId,
        key ->
            Timer.builder("hms_delivery_attempt_duration")
                .description("Time from sending an attempt to its answer")
                .tag("connector", connectorId)
                .publishPercentileHistogram()
                .register(registry));
  }
}
