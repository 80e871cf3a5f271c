package org.hms.sync.app;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.hms.sync.Failures;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.hms.sync.config.BreakerConfig;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.Durations;
import org.hms.sync.config.LimitsConfig;
import org.hms.sync.connector.types.ConnectorTypes;
import org.hms.sync.delivery.ConnectorLimits;
import org.hms.sync.config.EngineConfig;
import org.hms.sync.config.RetryConfig;
import org.hms.sync.config.SubscriptionConfig;
import org.hms.sync.config.SyncConfig;
import org.hms.sync.db.Database;
import org.hms.sync.delivery.Connector;
import org.hms.sync.delivery.DeadLetters;
import org.hms.sync.delivery.DeliveryEngine;
import org.hms.sync.delivery.DeliveryObserver;
import org.hms.sync.delivery.DeliveryRepository;
import org.hms.sync.delivery.Enqueue;
import org.hms.sync.delivery.SyncRecords;
import org.hms.sync.delivery.RetryPolicy;
import org.hms.sync.http.ApiServer;
import org.hms.sync.idempotency.IdempotencyKeys;
import org.hms.sync.config.ConflictPolicy;
import org.hms.sync.inbound.InboxProcessor;
import org.hms.sync.inbound.InboxRepository;
import org.hms.sync.inbound.ReviewDesk;
import org.hms.sync.inbound.ReviewRepository;
import org.hms.sync.inbound.poll.Notifications;
import org.hms.sync.inbound.poll.PollStateRepository;
import org.hms.sync.inbound.poll.Poller;
import org.hms.sync.inbound.poll.Subscriptions;
import org.hms.sync.inbound.webhook.WebhookIntake;
import org.hms.sync.inbound.webhook.WebhookReceiver;
import org.hms.sync.json.JsonSnapshotEncoder;
import org.hms.sync.metrics.SyncMetrics;
import org.hms.sync.operations.ConnectorOverview;
import org.hms.sync.outbox.Outbox;
import org.hms.sync.reconcile.ReconcileRepository;
import org.hms.sync.reconcile.ReconcileScheduler;
import org.hms.sync.reconcile.Reconciler;
import org.hms.sync.scheduling.SchedulingService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole service wired from one configuration: database (migrated), scheduling, outbox,
 * connectors, delivery engine, metrics and, when started with {@link #startServer}, the HTTP API.
 */
public final class SyncApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SyncApp.class);
  /** How long an idle background loop may take to end once told to, whatever the grace left. */
  private static final Duration LOOP_EXIT = Duration.ofMillis(200);

  private final SyncConfig config;
  private final Clock clock;
  private final Map<String, CircuitBreaker> breakers;
  private final Database database;
  private final Outbox outbox;
  private final SchedulingService scheduling;
  private final DeliveryRepository deliveries;
  private final Map<String, Connector> connectors;
  private final Map<String, WebhookReceiver> webhooks;
  private final InboxRepository inbox;
  private final ReviewRepository reviews;
  private final InboxProcessor inboxProcessor;
  private final PollStateRepository pollStates;
  private final Poller poller;
  private final Subscriptions subscriptions;
  private final DeliveryEngine engine;
  private final Map<String, ConnectorLimits> limits;
  private final SyncMetrics metrics;
  private final Reconciler reconciler;
  private final ReconcileScheduler reconcileScheduler;
  private final IdempotencyKeys idempotencyKeys;
  private final DeadLetters deadLetters;
  private final WebhookIntake webhookIntake;
  private final Notifications notifications;
  private final ReviewDesk reviewDesk;
  private final ConnectorOverview connectorOverview;
  private ApiServer server;
  private boolean maintenanceStarted;
  private boolean engineStarted;
  private boolean closed;
  private final ScheduledExecutorService maintenance =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "hms-h2-maintenance");
            thread.setDaemon(true);
            return thread;
          });

  private SyncApp(SyncConfig config, Clock clock, DeliveryObserver extraObserver) {
    this.config = config;
    this.clock = clock;
    Map<String, WebhookReceiver> receivers = new LinkedHashMap<>();
    for (ConnectorConfig connector : config.connectors()) {
      if (connector.inbound().hasWebhook()) {
        receivers.put(connector.id(), WebhookReceiver.create(connector, clock));
      }
    }
    this.webhooks = Map.copyOf(receivers);
    Map<String, Connector> built = new LinkedHashMap<>();
    for (ConnectorConfig connector : config.connectors()) {
      built.put(connector.id(), ConnectorTypes.create(connector, clock));
    }
    this.connectors = Map.copyOf(built);
    this.database =
        Database.open(
            config.database().url(),
            config.database().user(),
            config.database().password(),
            config.database().maxPoolSize());
    try {
      int applied = database.migrate();
      if (applied > 0) {
        log.info("applied {} database migration(s); schema at version {}", applied,
            database.schemaVersion());
      }
      this.outbox = new Outbox(subscribers(config), new Enqueue());
      this.scheduling =
          new SchedulingService(database.transactor(), outbox, new JsonSnapshotEncoder(), clock);
      this.deliveries = new DeliveryRepository(database.transactor());
      this.idempotencyKeys =
          new IdempotencyKeys(
              database.transactor(), config.server().idempotencyRetention(), clock);
      this.inbox = new InboxRepository(database.transactor());
      this.reviews = new ReviewRepository(database.transactor());
      Map<String, ConflictPolicy> conflictPolicies = new LinkedHashMap<>();
      for (ConnectorConfig connector : config.connectors()) {
        conflictPolicies.put(connector.id(), connector.inbound().conflictPolicy());
      }
      this.inboxProcessor =
          new InboxProcessor(
              inbox, reviews, scheduling, new JsonSnapshotEncoder(), conflictPolicies,
              new InboxProcessor.Settings(config.engine().pollInterval(), config.engine().lease()),
              clock);
      DeliveryEngine.Settings engineSettings = settings(config.engine());
      this.pollStates = new PollStateRepository(database.transactor());
      this.poller =
          Poller.create(
              config.connectors(), connectors, pollStates, inboxProcessor::wakeUp, engineSettings.nodeId(),
              new Poller.Settings(Poller.tickFor(config.connectors()), config.engine().lease()),
              clock);
      this.subscriptions = Subscriptions.create(config.connectors(), connectors);
      this.breakers = breakers(config, clock);
      this.limits = limits(config);
      this.metrics =
          new SyncMetrics(
              connectors.keySet(), () -> deliveries.stats(connectors.keySet()), breakers);
      DeliveryObserver observer =
          event -> {
            metrics.onAttempt(event);
            extraObserver.onAttempt(event);
          };
      this.engine =
          new DeliveryEngine(
              deliveries,
              connectors,
              policies(config),
              engineSettings,
              clock,
              () -> ThreadLocalRandom.current().nextDouble(),
              observer,
              breakers,
              limits);
      metrics.bindEngine(engine, limits);
      outbox.onCommit(engine::wakeUp);
      ReconcileRepository reconciliations = new ReconcileRepository(database.transactor(), new SyncRecords(database.transactor()));
      this.reconciler =
          new Reconciler(
              config.connectors(), connectors, reconciliations, scheduling, inbox,
              inboxProcessor::wakeUp, clock);
      this.reconcileScheduler =
          new ReconcileScheduler(
              reconciler, reconciliations, config.connectors(), engineSettings.nodeId(), clock);
      List<String> connectorIds = List.copyOf(connectors.keySet());
      this.deadLetters = new DeadLetters(deliveries, connectorIds, engine::wakeUp, clock);
      this.webhookIntake =
          new WebhookIntake(
              webhooks, connectors.keySet(), inbox, inboxProcessor::wakeUp,
              metrics::onWebhookRejected);
      this.notifications =
          new Notifications(subscriptionsById(config), connectors.keySet(), poller::wakeUp);
      this.reviewDesk = new ReviewDesk(reviews, inboxProcessor);
      this.connectorOverview =
          new ConnectorOverview(
              config.connectors(), connectors, deliveries, breakers, limits, engine::load,
              pollStates, reconciler, clock);
    } catch (RuntimeException failure) {
      database.close();
      throw failure;
    }
  }

  private static Map<String, SubscriptionConfig> subscriptionsById(SyncConfig config) {
    Map<String, SubscriptionConfig> byId = new LinkedHashMap<>();
    for (ConnectorConfig connector : config.connectors()) {
      if (connector.inbound().subscription() != null) {
        byId.put(connector.id(), connector.inbound().subscription());
      }
    }
    return byId;
  }

  /** Each connector's rate and concurrency limit, from its {@code rateLimit} and {@code maxConcurrency}. */
  static Map<String, ConnectorLimits> limits(SyncConfig config) {
    Map<String, ConnectorLimits> limits = new LinkedHashMap<>();
    for (ConnectorConfig connector : config.connectors()) {
      LimitsConfig settings = connector.limits();
      limits.put(
          connector.id(),
          new ConnectorLimits(
              connector.id(),
              settings.maxConcurrency() == null ? Integer.MAX_VALUE : settings.maxConcurrency(),
              settings.rateLimit()));
    }
    return Map.copyOf(limits);
  }

  /** One circuit breaker per connector whose {@code circuitBreaker.enabled} is true. */
  private static Map<String, CircuitBreaker> breakers(SyncConfig config, Clock clock) {
    Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
    for (ConnectorConfig connector : config.connectors()) {
      BreakerConfig settings = connector.circuitBreaker();
      if (!settings.enabled()) {
        continue;
      }
      CircuitBreaker breaker =
          CircuitBreaker.of(
              connector.id(),
              CircuitBreakerConfig.custom()
                  .failureRateThreshold(settings.failureRatePercent())
                  .slidingWindow(
                      settings.window(),
                      settings.minimumCalls(),
                      CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                  .waitDurationInOpenState(settings.openFor())
                  .permittedNumberOfCallsInHalfOpenState(settings.halfOpenProbes())
                  .automaticTransitionFromOpenToHalfOpenEnabled(false)
                  .clock(clock)
                  .build());
      breaker
          .getEventPublisher()
          .onStateTransition(
              event -> {
                CircuitBreaker.State to = event.getStateTransition().getToState();
                if (to == CircuitBreaker.State.OPEN) {
                  log.warn(
                      "circuit of connector {} opened ({}% of the last {} attempts failed);"
                          + " its deliveries wait, without spending attempts, for {}",
                      connector.id(),
                      Math.round(breaker.getMetrics().getFailureRate()),
                      breaker.getMetrics().getNumberOfBufferedCalls(),
                      settings.openFor());
                } else {
                  log.info(
                      "circuit of connector {} is {}",
                      connector.id(),
                      to.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
                }
              });
      breakers.put(connector.id(), breaker);
    }
    return Map.copyOf(breakers);
  }

  /** Each connector's limits (none: {@link Integer#MAX_VALUE} concurrency, no rate). */
  public Map<String, ConnectorLimits> limits() {
    return limits;
  }

  /** The circuit breaker of each connector that has one. */
  public Map<String, CircuitBreaker> breakers() {
    return breakers;
  }

  /** Builds the service: compiles mappings, opens the database and migrates it. */
  public static SyncApp create(SyncConfig config, Clock clock, DeliveryObserver observer) {
    return new SyncApp(config, clock, observer);
  }

  public static SyncApp create(SyncConfig config) {
    return new SyncApp(config, Clock.systemUTC(), DeliveryObserver.NONE);
  }

  /** Starts the delivery engine threads. */
  public synchronized SyncApp startEngine() {
    if (ownsDatabaseFile(config.database().url())) {
      // An H2 file belongs to one process, so leases left by a crashed run can be freed now.
      int released = deliveries.releaseAllLeases();
      if (released > 0) {
        log.info("released {} lease(s) left by an earlier run", released);
      }
    }
    engine.start();
    engine.wakeUp();
    startMaintenance();
    if (!webhooks.isEmpty() || !poller.connectorIds().isEmpty()) {
      maintenance.scheduleWithFixedDelay(this::purgeInboxQuietly, 1, 60, TimeUnit.MINUTES);
    }
    maintenance.scheduleWithFixedDelay(
        this::purgeIdempotencyKeysQuietly, 1, 60, TimeUnit.MINUTES);
    // Always: items stored before a crash (or by another node) are applied even without webhooks.
    inboxProcessor.start();
    inboxProcessor.wakeUp();
    poller.start();
    subscriptions.start();
    reconcileScheduler.start();
    engineStarted = true;
    return this;
  }

  /**
   * Deletes finished inbox items older than {@code engine.retention}, but never younger than
   * {@link InboxRepository#MIN_RETENTION}, so a sender's late redelivery is still recognised.
   */
  private void purgeInboxQuietly() {
    try {
      java.time.Duration retention = config.engine().retention();
      if (retention.compareTo(InboxRepository.MIN_RETENTION) < 0) {
        retention = InboxRepository.MIN_RETENTION;
      }
      int purged = inbox.purgeFinished(clock.instant(), retention, 10_000);
      if (purged > 0) {
        log.info("purged {} finished inbox items older than {}", purged, retention);
      }
    } catch (RuntimeException failure) {
      log.warn("inbox purge failed ({}); will try again in an hour", Failures.describe(failure));
    }
  }

  /** Deletes Idempotency-Keys whose {@code server.idempotencyRetention} has passed. */
  private void purgeIdempotencyKeysQuietly() {
    try {
      int purged = 0;
      int batch;
      do {
        batch = idempotencyKeys.purgeExpired(10_000);
        purged += batch;
      } while (batch == 10_000);
      if (purged > 0) {
        log.info("purged {} expired Idempotency-Keys", purged);
      }
    } catch (RuntimeException failure) {
      log.warn(
          "Idempotency-Key purge failed ({}); will try again in an hour",
          Failures.describe(failure));
    }
  }

  /** An embedded H2 database (file or memory) can be open in this process only. */
  static boolean ownsDatabaseFile(String url) {
    String lower = url.toLowerCase(java.util.Locale.ROOT);
    return (lower.startsWith("jdbc:h2:file:") || lower.startsWith("jdbc:h2:mem:")
            || (lower.startsWith("jdbc:h2:") && !lower.startsWith("jdbc:h2:tcp:")
                && !lower.startsWith("jdbc:h2:ssl:") && !lower.startsWith("jdbc:h2:zip:")))
        && !lower.contains("auto_server=true");
  }

  /** Starts the HTTP API on the configured port (0 = any free port). */
  public SyncApp startServer(String adminToken) {
    server =
        new ApiServer(
            new ApiServer.Services(
                clock, database, metrics, idempotencyKeys, scheduling, deliveries, deadLetters,
                connectorOverview, webhookIntake, inbox, notifications, reviewDesk, reconciler),
            config.server(),
            adminToken);
    server.start(config.server().port());
    return this;
  }

  public int port() {
    return server == null ? -1 : server.port();
  }

  public SyncConfig config() {
    return config;
  }

  public Clock clock() {
    return clock;
  }

  public Database database() {
    return database;
  }

  public SchedulingService scheduling() {
    return scheduling;
  }

  public DeliveryRepository deliveries() {
    return deliveries;
  }

  public DeliveryEngine engine() {
    return engine;
  }

  public SyncMetrics metrics() {
    return metrics;
  }

  public Map<String, Connector> connectors() {
    return connectors;
  }

  /** The webhook receiver of each connector with an {@code inbound.webhook} section. */
  public Map<String, WebhookReceiver> webhooks() {
    return webhooks;
  }

  public InboxRepository inbox() {
    return inbox;
  }

  public ReviewRepository reviews() {
    return reviews;
  }

  /** Polls the change feeds of connectors with {@code inbound.poll}; started with the engine. */
  public Poller poller() {
    return poller;
  }

  /** The change subscriptions at the connectors' systems ({@code inbound.subscription}). */
  public Subscriptions subscriptions() {
    return subscriptions;
  }

  /** Where each polled connector's cursor, lease and failures stand. */
  public PollStateRepository pollStates() {
    return pollStates;
  }

  /** Runs and finds reconciliations. */
  public Reconciler reconciler() {
    return reconciler;
  }

  public ReconcileScheduler reconcileScheduler() {
    return reconcileScheduler;
  }

  /** The Idempotency-Keys of writing API requests. */
  public IdempotencyKeys idempotencyKeys() {
    return idempotencyKeys;
  }

  /** Applies inbox items to the EMR; started with the engine. */
  public InboxProcessor inboxProcessor() {
    return inboxProcessor;
  }

  /** Replays and discards dead letters, waking the engine. */
  public DeadLetters deadLetters() {
    return deadLetters;
  }

  /** Verifies and stores webhooks. */
  public WebhookIntake webhookIntake() {
    return webhookIntake;
  }

  /** Lists and resolves reviews. */
  public ReviewDesk reviewDesk() {
    return reviewDesk;
  }

  /** How every connector stands. */
  public ConnectorOverview connectorOverview() {
    return connectorOverview;
  }

  /**
   * Compacts an H2 file every 2 s (see {@link Database#compactH2File(boolean)}), deferred while
   * the engine holds half its places or more; idempotent.
   */
  public synchronized SyncApp startMaintenance() {
    if (database.dialect() == org.hms.sync.db.Dialect.H2 && !maintenanceStarted) {
      maintenanceStarted = true;
      maintenance.scheduleWithFixedDelay(this::compactQuietly, 2, 2, TimeUnit.SECONDS);
    }
    return this;
  }

  private void compactQuietly() {
    try {
      boolean busy = engine.inFlight() >= Math.max(1, config.engine().maxInFlight() / 2);
      database.compactH2File(busy);
    } catch (RuntimeException failure) {
      log.warn("H2 file compaction failed ({}); will try again", Failures.describe(failure));
    }
  }

  /**
   * Stops the service, in this order: the HTTP API stops taking requests; the delivery engine, the
   * inbox processor, the poller, the reconcile scheduler and the maintenance tasks stop claiming
   * and starting work; attempts and inbox items in progress get {@code engine.shutdownGrace} to
   * finish and be recorded, and those still running then are handed back (their leases released,
   * so another node or the next start takes them at once); the loops end; change subscriptions
   * with {@code removeOnStop} are deleted at their systems; then the connectors and the database
   * pool close. Logs one line with the counts. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long begun = System.nanoTime();
    Duration grace = config.engine().shutdownGrace();
    if (server != null) {
      server.close();
    }
    engine.stopClaiming();
    inboxProcessor.stopClaiming();
    poller.close();
    reconcileScheduler.stopScheduling();
    maintenance.shutdown();
    DeliveryEngine.Stopped deliveriesStopped = engine.stop(grace);
    InboxProcessor.Stopped itemsStopped = inboxProcessor.stop(remaining(begun, grace));
    if (!poller.awaitStop(loopWait(begun, grace))) {
      log.warn("a poll still runs after engine.shutdownGrace {}; its connector's poll lease ends"
          + " after engine.lease {}", Durations.format(grace),
          Durations.format(config.engine().lease()));
    }
    if (!reconcileScheduler.close(loopWait(begun, grace))) {
      log.warn("a scheduled reconciliation still runs after engine.shutdownGrace {}; it is not"
          + " finished", Durations.format(grace));
    }
    awaitMaintenance(loopWait(begun, grace));
    engine.close();
    subscriptions.close(); // deletes those with removeOnStop, through their connectors
    for (Connector connector : connectors.values()) {
      connector.close();
    }
    database.close();
    if (engineStarted) {
      Duration took = Duration.ofMillis((System.nanoTime() - begun) / 1_000_000);
      log.info(
          "stopped in {}: {} deliveries and {} inbox items finished, {} deliveries and {} inbox"
              + " items handed back (engine.shutdownGrace {})",
          Durations.format(took),
          deliveriesStopped.finished(),
          itemsStopped.finished(),
          deliveriesStopped.handedBack(),
          itemsStopped.handedBack(),
          Durations.format(grace));
    }
  }

  /** What is left of {@code grace} since {@code begun} (System.nanoTime()); zero when used up. */
  private static Duration remaining(long begun, Duration grace) {
    Duration left = grace.minusNanos(System.nanoTime() - begun);
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** The rest of the grace, but at least {@link #LOOP_EXIT}: an idle loop's thread ends in that. */
  private static Duration loopWait(long begun, Duration grace) {
    Duration left = remaining(begun, grace);
    return left.compareTo(LOOP_EXIT) < 0 ? LOOP_EXIT : left;
  }

  private void awaitMaintenance(Duration wait) {
    try {
      if (!maintenance.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("H2 compaction or inbox purge still runs after engine.shutdownGrace; the database"
            + " closes under it");
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  static Map<String, List<String>> subscribers(SyncConfig config) {
    Map<String, List<String>> byType = new LinkedHashMap<>();
    for (ConnectorConfig connector : config.connectors()) {
      for (String eventType : connector.routes().keySet()) {
        byType.computeIfAbsent(eventType, key -> new ArrayList<>()).add(connector.id());
      }
    }
    return byType;
  }

  private static Map<String, RetryPolicy> policies(SyncConfig config) {
    Map<String, RetryPolicy> policies = new LinkedHashMap<>();
    for (ConnectorConfig connector : config.connectors()) {
      RetryConfig retry = connector.retry();
      policies.put(
          connector.id(),
          new RetryPolicy(
              retry.maxAttempts(), retry.initialBackoff(), retry.maxBackoff(), retry.multiplier()));
    }
    return policies;
  }

  private static DeliveryEngine.Settings settings(EngineConfig engine) {
    String nodeId = engine.nodeId();
    if (nodeId != null && nodeId.length() > 64) {
      throw new org.hms.sync.SyncException(
          "engine.nodeId is longer than 64 characters; choose a shorter name");
    }
    if (nodeId == null || nodeId.isBlank()) {
      String runtime = ManagementFactory.getRuntimeMXBean().getName();
      nodeId = runtime + "-" + UUID.randomUUID().toString().substring(0, 8);
      nodeId = nodeId.length() > 64 ? nodeId.substring(nodeId.length() - 64) : nodeId;
    }
    return new DeliveryEngine.Settings(
        nodeId,
        engine.maxInFlight(),
        engine.batchSize(),
        engine.pollInterval(),
        engine.lease(),
        engine.retention());
  }
}
