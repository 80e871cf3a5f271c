package org.hms.sync.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.util.HashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.hms.sync.Failures;
import org.hms.sync.delivery.DeliveryRepository.ClaimQuota;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due deliveries, pushes them through their connectors and records each result durably.
 *
 * <p>One background thread, the pump, does all database work: each round records the attempts
 * that finished since the last round and claims new deliveries for the free places, in one
 * transaction. Rounds are woken in-process (on every outbox commit and every finished attempt;
 * polling is only the fallback), and under load each round carries many results and claims, so
 * commits stay few while up to {@code maxInFlight} attempts run at once. The pump claims ahead (up
 * to twice {@code maxInFlight}); a finishing attempt starts the next claimed delivery itself, so
 * connectors never wait for the pump's commit. A crash loses nothing: an
 * attempt whose result was not recorded is attempted again, with the same idempotency key, once
 * its lease ends.
 *
 * <p>Stopping ({@link #stop}) stops claiming, hands back the claims not started, waits a grace
 * period for the attempts in flight to finish and be recorded, and hands back those still running.
 *
 * <p>Tests drive the engine without threads through {@link #runOnce()}.
 */
public final class DeliveryEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeliveryEngine.class);
  private static final int RECORD_BATCH = 1024;
  private static final Duration COALESCE = Duration.ofMillis(2);
  private static final AtomicInteger POOL_THREADS = new AtomicInteger();
  private static final Duration PURGE_EVERY = Duration.ofMinutes(10);
  private static final int PURGE_BATCH = 1000;

  /** How the engine runs; see the README for each setting. */
  public record Settings(
      String nodeId,
      int maxInFlight,
      int batchSize,
      Duration pollInterval,
      Duration lease,
      Duration retention) {}

  /**
   * What a {@link #stop} did: attempts recorded after claiming stopped, and claims handed back (not
   * started, or still running when the grace ended).
   */
  public record Stopped(int finished, int handedBack) {}

  private final DeliveryRepository repository;
  private final Map<String, Connector> connectors;
  private final Map<String, RetryPolicy> policies;
  private final Settings settings;
  private final Clock clock;
  private final DoubleSupplier random;
  private final DeliveryObserver observer;
  private final Map<String, CircuitBreaker> breakers;
  private final Map<String, ConnectorLimits> limits;
  private final Map<String, RateLimiter> rateLimiters = new HashMap<>();
  private final List<String> connectorIds;
  /** Per connector: claimed and not yet recorded (half-open breakers claim only their probes). */
  private final Map<String, AtomicInteger> heldBy = new ConcurrentHashMap<>();

  private final WakeUp wake = new WakeUp();
  private final ExecutorService connectorPool =
      Executors.newFixedThreadPool(
          Math.max(2, Runtime.getRuntime().availableProcessors()),
          task -> {
            Thread thread = new Thread(task, "hms-connector-" + POOL_THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
          });
  private final ConcurrentLinkedQueue<AttemptResult> finished = new ConcurrentLinkedQueue<>();
  /** Claimed, waiting for a free place, per connector, oldest first. */
  private final Map<String, ConcurrentLinkedQueue<Waiting>> ready = new HashMap<>();
  private final Map<String, AtomicInteger> attemptingBy = new HashMap<>();
  private final Map<String, AtomicLong> rateLimitedBy = new HashMap<>();
  /** Serializes {@link #dispatch()}; guards {@link #nextConnector}. */
  private final Object dispatchLock = new Object();
  private int nextConnector;
  /** System.nanoTime() when a rate-limited connector gets its next permit. */
  private final AtomicLong earliestPermit = new AtomicLong(Long.MAX_VALUE);
  /** Waited so long that their lease could end during the attempt: handed back, not started. */
  private final ConcurrentLinkedQueue<ClaimedDelivery> stale = new ConcurrentLinkedQueue<>();
  /** Claimed and not yet recorded: waiting in {@link #ready}, attempting, or finished. */
  private final AtomicInteger leased = new AtomicInteger();
  private final AtomicInteger attempting = new AtomicInteger();
  private final AtomicInteger finishedCount = new AtomicInteger();
  private final AtomicLong earliestRetry = new AtomicLong(Long.MAX_VALUE);
  /** Started, not yet finished, by delivery number: what the end of a stop's grace hands back. */
  private final Map<Long, ClaimedDelivery> started = new ConcurrentHashMap<>();
  private final AtomicInteger finishedOnStop = new AtomicInteger();
  private final AtomicInteger handedBackOnStop = new AtomicInteger();
  private volatile boolean running;
  /** Set when a stop's grace is over: the pump records what finished, hands back the rest, ends. */
  private volatile boolean handBack;
  private Instant nextPurge = Instant.MIN;
  private Thread pump;

  /** Without per-connector limits. */
  public DeliveryEngine(
      DeliveryRepository repository,
      Map<String, Connector> connectors,
      Map<String, RetryPolicy> policies,
      Settings settings,
      Clock clock,
      DoubleSupplier random,
      DeliveryObserver observer,
      Map<String, CircuitBreaker> breakers) {
    this(repository, connectors, policies, settings, clock, random, observer, breakers, Map.of());
  }

  /**
   * @param breakers per connector id; a connector without one is never held back
   * @param limits per connector id; a connector without them has only the engine's limits
   */
  public DeliveryEngine(
      DeliveryRepository repository,
      Map<String, Connector> connectors,
      Map<String, RetryPolicy> policies,
      Settings settings,
      Clock clock,
      DoubleSupplier random,
      DeliveryObserver observer,
      Map<String, CircuitBreaker> breakers,
      Map<String, ConnectorLimits> limits) {
    this.breakers = Map.copyOf(breakers);
    this.connectorIds = List.copyOf(connectors.keySet());
    Map<String, ConnectorLimits> allLimits = new HashMap<>();
    for (String connectorId : connectorIds) {
      heldBy.put(connectorId, new AtomicInteger());
      ready.put(connectorId, new ConcurrentLinkedQueue<>());
      attemptingBy.put(connectorId, new AtomicInteger());
      rateLimitedBy.put(connectorId, new AtomicLong());
      ConnectorLimits limit =
          limits.getOrDefault(connectorId, ConnectorLimits.none(connectorId));
      allLimits.put(connectorId, limit);
      RateLimiter rateLimiter = limit.newRateLimiter();
      if (rateLimiter != null) {
        rateLimiters.put(connectorId, rateLimiter);
      }
    }
    this.limits = Map.copyOf(allLimits);
    this.repository = repository;
    this.connectors = Map.copyOf(connectors);
    this.policies = Map.copyOf(policies);
    this.settings = settings;
    this.clock = clock;
    this.random = random;
    this.observer = observer;
  }

  public String nodeId() {
    return settings.nodeId();
  }

  /**
   * Starts the pump. Idempotent while running. A stopped engine may be started again, unless its
   * stop handed back attempts still running.
   */
  public synchronized void start() {
    if (running) {
      return;
    }
    if (handBack) {
      // Their late answers would still arrive here, and hold places, under the new run.
      throw new IllegalStateException(
          "this delivery engine handed back attempts still running when it stopped; it cannot be"
              + " started again: create a new one");
    }
    running = true;
    pump = new Thread(this::pumpLoop, "hms-delivery-pump");
    pump.setDaemon(true);
    pump.start();
    log.info(
        "delivery engine started on node {} for connectors {} (maxInFlight {}, lease {})",
        settings.nodeId(),
        connectors.keySet(),
        settings.maxInFlight(),
        settings.lease());
  }

  /** Asks the engine to look for work now (called after every outbox commit). */
  public void wakeUp() {
    wake.signal();
  }

  /** Deliveries this engine has claimed and not yet recorded. */
  public int inFlight() {
    return leased.get();
  }

  /** What the engine is doing with this connector now; zeros for an unknown id. */
  public ConnectorLoad load(String connectorId) {
    ConcurrentLinkedQueue<Waiting> waiting = ready.get(connectorId);
    if (waiting == null) {
      return new ConnectorLoad(0, 0, 0);
    }
    return new ConnectorLoad(
        attemptingBy.get(connectorId).get(),
        waiting.size(),
        rateLimitedBy.get(connectorId).get());
  }

  /**
   * One synchronous round for tests: claims every due first-in-line delivery (one batch), attempts
   * them, waits for the results and records them. Returns how many were attempted.
   */
  public int runOnce() {
    List<ClaimedDelivery> claimed =
        repository.recordAndClaim(
            List.of(), quotas(settings.batchSize()), settings.nodeId(), clock.instant(),
            settings.lease());
    List<ClaimedDelivery> refused = new ArrayList<>();
    List<CompletableFuture<AttemptResult>> attempts = new ArrayList<>();
    for (ClaimedDelivery delivery : claimed) {
      CircuitBreaker breaker = gate(delivery);
      if (breaker != null && !breaker.tryAcquirePermission()) {
        refused.add(delivery);
        continue;
      }
      attempts.add(
          attemptOrGiveUp(delivery)
              .thenApply(
                  result -> {
                    if (breaker != null) {
                      judge(breaker, result);
                    }
                    return result;
                  }));
    }
    if (!refused.isEmpty()) {
      repository.release(refused);
    }
    List<AttemptResult> results = new ArrayList<>();
    for (CompletableFuture<AttemptResult> attempt : attempts) {
      results.add(attempt.join());
    }
    if (!results.isEmpty()) {
      repository.recordAndClaim(
          results, connectors.keySet(), settings.nodeId(), clock.instant(), settings.lease(), 0);
      afterRecord(results);
    }
    return results.size();
  }

  private void pumpLoop() {
    List<AttemptResult> results = new ArrayList<>();
    boolean more = true;
    while (running || leased.get() > 0) {
      try {
        if (handBack) {
          handBackUnfinished();
          return;
        }
        if (!more) {
          wake.await(running ? untilNextLook() : Duration.ofMillis(50));
        }
        if (!running) {
          for (ConcurrentLinkedQueue<Waiting> queue : ready.values()) {
            drain(queue, stale);
          }
        }
        dispatch();
        sweepStale();
        if (!stale.isEmpty()) {
          releaseStale();
        }
        coalesce();
        for (AttemptResult result = finished.poll();
            result != null && results.size() < RECORD_BATCH;
            result = results.size() + 1 < RECORD_BATCH ? finished.poll() : null) {
          results.add(result);
          finishedCount.decrementAndGet();
        }
        // Keep up to maxInFlight attempts running plus as many claimed and waiting (prefetch), so
        // the connectors never wait for this round's commit.
        int free = 2 * settings.maxInFlight() - leased.get() + results.size();
        int limit = running ? Math.min(settings.batchSize(), free) : 0;
        if (results.isEmpty() && limit <= 0) {
          more = false;
          continue;
        }
        if (results.isEmpty() && finished.isEmpty() && leased.get() == 0) {
          purgeWhenDue();
        }
        List<ClaimedDelivery> claimed;
        Instant now = clock.instant();
        try {
          claimed =
              repository.recordAndClaim(
                  results, quotas(limit), settings.nodeId(), now, settings.lease());
          afterRecord(results);
          if (!running) {
            finishedOnStop.addAndGet(results.size());
          }
        } finally {
          leased.addAndGet(-results.size());
          for (AttemptResult result : results) {
            heldBy.get(result.claimed().connectorId()).decrementAndGet();
          }
          results.clear();
        }
        leased.addAndGet(claimed.size());
        for (ClaimedDelivery delivery : claimed) {
          heldBy.get(delivery.connectorId()).incrementAndGet();
        }
        for (ClaimedDelivery delivery : claimed) {
          ready.get(delivery.connectorId()).add(new Waiting(delivery, now));
        }
        dispatch();
        more = (limit > 0 && claimed.size() == limit) || !finished.isEmpty();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error failure) {
        log.error(
            "delivery round failed ({}); its results are lost and those deliveries will be"
                + " attempted again (same idempotency key) when their lease of {} ends; next round"
                + " in {}",
            Failures.describe(failure),
            settings.lease(),
            settings.pollInterval());
        log.debug("delivery round failure detail", failure);
        more = false;
        sleepQuietly(settings.pollInterval());
      }
    }
  }

  /**
   * Starts claimed deliveries while fewer than {@code maxInFlight} attempts run, taking the
   * connectors in turn so a slow or limited one does not hold up the others. Called by the pump
   * after each claim and by every finishing attempt, so a free place is refilled at once.
   */
  private void dispatch() {
    synchronized (dispatchLock) {
      int count = connectorIds.size();
      boolean progress = true;
      while (running && progress) {
        progress = false;
        for (int step = 0; step < count; step++) {
          if (attempting.get() >= settings.maxInFlight()) {
            return;
          }
          progress |= startNext(connectorIds.get((nextConnector + step) % count));
        }
        nextConnector = count == 0 ? 0 : (nextConnector + 1) % count;
      }
    }
  }

  /**
   * Starts the oldest waiting claim of this connector if its limits allow it. A stale claim, or
   * one whose circuit is open, is handed back without spending an attempt. True when the
   * connector's queue moved.
   */
  private boolean startNext(String connectorId) {
    ConcurrentLinkedQueue<Waiting> queue = ready.get(connectorId);
    Waiting waiting = queue.peek();
    if (waiting == null) {
      return false;
    }
    ClaimedDelivery delivery = waiting.delivery();
    if (isStale(waiting)) {
      handBack(queue);
      return true;
    }
    boolean sends = sends(delivery);
    AtomicInteger busy = attemptingBy.get(connectorId);
    if (sends && busy.get() >= limits.get(connectorId).maxConcurrency()) {
      return false;
    }
    CircuitBreaker breaker = sends ? breakers.get(connectorId) : null;
    if (breaker != null && !breaker.tryAcquirePermission()) {
      handBack(queue);
      return true;
    }
    RateLimiter rateLimiter = sends ? rateLimiters.get(connectorId) : null;
    if (rateLimiter != null && !rateLimiter.acquirePermission()) {
      if (breaker != null) {
        breaker.releasePermission();
      }
      rateLimitedBy.get(connectorId).incrementAndGet();
      notePermitWait(rateLimiter);
      return false;
    }
    queue.poll();
    attempting.incrementAndGet();
    busy.incrementAndGet();
    started.put(delivery.number(), delivery);
    attemptOrGiveUp(delivery)
        .thenAccept(
            result -> {
              if (breaker != null) {
                judge(breaker, result);
              }
              busy.decrementAndGet();
              attempting.decrementAndGet();
              finished.add(result);
              started.remove(delivery.number()); // after finished.add: see handBackUnfinished
              finishedCount.incrementAndGet();
              wake.signal();
              if (!Thread.holdsLock(dispatchLock)) {
                dispatch(); // else the dispatch loop on this stack goes on by itself
              }
            });
    return true;
  }

  private void handBack(ConcurrentLinkedQueue<Waiting> queue) {
    Waiting waiting = queue.poll();
    if (waiting != null) {
      stale.add(waiting.delivery());
      wake.signal();
    }
  }

  /** Makes the pump look again when the rate limiter has its next permit. */
  private void notePermitWait(RateLimiter rateLimiter) {
    long wait =
        rateLimiter instanceof AtomicRateLimiter atomic
            ? atomic.getDetailedMetrics().getNanosToWait()
            : rateLimiter.getRateLimiterConfig().getLimitRefreshPeriod().toNanos();
    long at = System.nanoTime() + Math.max(wait, 100_000L);
    earliestPermit.accumulateAndGet(at, Math::min);
  }

  private record Waiting(ClaimedDelivery delivery, Instant claimedAt) {}

  /**
   * What each connector may claim this round. Connectors whose circuit is closed and that have no
   * limits of their own share {@code limit}; a half-open one claims only its remaining probes; an
   * open one claims nothing, so its deliveries wait in the database without spending attempts; a
   * limited one claims up to its {@link ConnectorLimits#claimCap()}.
   */
  private List<ClaimQuota> quotas(int limit) {
    if (limit <= 0) {
      return List.of();
    }
    List<String> shared = new ArrayList<>();
    List<ClaimQuota> quotas = new ArrayList<>();
    quotas.add(new ClaimQuota(shared, limit));
    for (String connectorId : connectorIds) {
      int held = heldBy.get(connectorId).get();
      ConnectorLimits connectorLimits = limits.get(connectorId);
      int cap = connectorLimits.limited() ? connectorLimits.claimCap() - held : Integer.MAX_VALUE;
      CircuitBreaker breaker = breakers.get(connectorId);
      if (breaker != null) {
        if (breaker.getState() == CircuitBreaker.State.OPEN && breaker.tryAcquirePermission()) {
          // openFor has passed: the breaker is half-open now; the probe is taken at dispatch.
          breaker.releasePermission();
        }
        switch (breaker.getState()) {
          case CLOSED, DISABLED, METRICS_ONLY -> {}
          case HALF_OPEN ->
              cap =
                  Math.min(
                      cap,
                      breaker.getCircuitBreakerConfig().getPermittedNumberOfCallsInHalfOpenState()
                          - held);
          default -> cap = 0; // OPEN or FORCED_OPEN: nothing is claimed
        }
      }
      if (cap == Integer.MAX_VALUE) {
        shared.add(connectorId);
      } else if (cap > 0) {
        quotas.add(new ClaimQuota(List.of(connectorId), Math.min(cap, limit)));
      }
    }
    return quotas;
  }

  /** The breaker to ask before an attempt; null when none applies (or nothing will be sent). */
  private CircuitBreaker gate(ClaimedDelivery delivery) {
    return sends(delivery) ? breakers.get(delivery.connectorId()) : null;
  }

  /** False for a poison message that {@link #attemptOrGiveUp} dead-letters without sending. */
  private boolean sends(ClaimedDelivery delivery) {
    RetryPolicy policy = policies.getOrDefault(delivery.connectorId(), RetryPolicy.DEFAULT);
    return delivery.attemptInRun() <= policy.maxAttempts();
  }

  /**
   * Failures that suggest an outage (network, timeout, unreadable answer, 408, 425, 429, 5xx: see
   * {@link PushResult.Retryable#outage()}) count against the circuit; a success, a permanent
   * refusal or another 4xx (a version conflict) shows the system is up.
   */
  private static void judge(CircuitBreaker breaker, AttemptResult result) {
    if (result.result() instanceof PushResult.Retryable retryable && retryable.outage()) {
      breaker.onError(result.durationMs(), TimeUnit.MILLISECONDS, ConnectorUnavailable.INSTANCE);
    } else {
      breaker.onSuccess(result.durationMs(), TimeUnit.MILLISECONDS);
    }
  }

  /** What a circuit breaker records for a retryable failure; the details are in the sync log. */
  static final class ConnectorUnavailable extends RuntimeException {
    static final ConnectorUnavailable INSTANCE = new ConnectorUnavailable();

    private ConnectorUnavailable() {
      super("retryable failure", null, false, false);
    }
  }

  /**
   * A claim that waited more than half its lease for a free place is not started: its lease could
   * end during the attempt and another claimer would send it a second time.
   */
  private boolean isStale(Waiting waiting) {
    return clock.instant().isAfter(waiting.claimedAt().plus(settings.lease().dividedBy(2)));
  }

  /** Moves stale claims from the heads of the waiting queues (the oldest) to {@link #stale}. */
  private void sweepStale() {
    for (ConcurrentLinkedQueue<Waiting> queue : ready.values()) {
      for (Waiting head = queue.peek(); head != null && isStale(head); head = queue.peek()) {
        if (queue.remove(head)) {
          stale.add(head.delivery());
        }
      }
    }
  }

  private static void drain(ConcurrentLinkedQueue<Waiting> from, ConcurrentLinkedQueue<ClaimedDelivery> to) {
    for (Waiting waiting = from.poll(); waiting != null; waiting = from.poll()) {
      to.add(waiting.delivery());
    }
  }

  /**
   * Hands back claims that were not started: on stop, and those that waited for a free place for
   * more than half their lease (slow attempts ahead of them). Free at once, not after the lease.
   */
  private void releaseStale() {
    List<ClaimedDelivery> unstarted = new ArrayList<>();
    for (ClaimedDelivery delivery = stale.poll(); delivery != null; delivery = stale.poll()) {
      unstarted.add(delivery);
    }
    if (unstarted.isEmpty()) {
      return;
    }
    try {
      int released = repository.release(unstarted);
      if (!running) {
        handedBackOnStop.addAndGet(released);
      }
    } catch (RuntimeException failure) {
      log.warn(
          "could not hand back {} unstarted deliveries ({}); they are claimable again after their"
              + " lease",
          unstarted.size(),
          Failures.describe(failure));
    } finally {
      leased.addAndGet(-unstarted.size());
      for (ClaimedDelivery delivery : unstarted) {
        heldBy.get(delivery.connectorId()).decrementAndGet();
      }
    }
  }

  /**
   * Retention: when idle and at most every {@link #PURGE_EVERY}, deletes finished deliveries and
   * events older than {@code retention}, a batch at a time, so the store does not grow forever.
   */
  void purgeWhenDue() {
    Instant now = clock.instant();
    if (now.isBefore(nextPurge)) {
      return;
    }
    nextPurge = now.plus(PURGE_EVERY);
    Instant cutoff = now.minus(settings.retention());
    int purged = 0;
    try {
      int batch;
      do {
        batch = repository.purgeFinished(cutoff, PURGE_BATCH);
        purged += batch;
      } while (batch == PURGE_BATCH && purged < PURGE_BATCH * 10);
      if (batch == PURGE_BATCH) {
        nextPurge = now; // more left: the next idle moment, without holding the pump now
      }
    } catch (RuntimeException failure) {
      // Retention must never stop deliveries: log and try again in PURGE_EVERY.
      log.warn("purge of finished deliveries failed ({}); next try in {}",
          Failures.describe(failure), PURGE_EVERY);
    }
    if (purged > 0) {
      log.info(
          "purged {} finished deliveries older than {} (engine.retention {})",
          purged, cutoff, settings.retention());
    }
  }

  /**
   * Group commit: while many attempts are in flight, waits a moment (at most {@link #COALESCE}) so
   * one round records many results instead of one. Each round is one database commit, and on H2 a
   * commit's cost barely depends on how many rows it carries.
   */
  private void coalesce() {
    int flying = attempting.get() + finishedCount.get();
    if (flying < 8) {
      return;
    }
    long deadline = System.nanoTime() + COALESCE.toNanos();
    while (finishedCount.get() < flying / 2 && System.nanoTime() < deadline && running) {
      LockSupport.parkNanos(100_000);
    }
  }

  private Duration untilNextLook() {
    long permitAt = earliestPermit.getAndSet(Long.MAX_VALUE);
    Duration forWork = untilNextLookForWork();
    if (permitAt == Long.MAX_VALUE) {
      return forWork;
    }
    long untilPermit = permitAt - System.nanoTime();
    return untilPermit <= 0
        ? Duration.ZERO
        : forWork.toNanos() < untilPermit ? forWork : Duration.ofNanos(untilPermit);
  }

  private Duration untilNextLookForWork() {
    long now = clock.millis();
    long retryAt = earliestRetry.get();
    long poll = settings.pollInterval().toMillis();
    if (retryAt == Long.MAX_VALUE) {
      return Duration.ofMillis(poll);
    }
    long untilRetry = retryAt - now;
    if (untilRetry <= 0) {
      earliestRetry.set(Long.MAX_VALUE);
      return Duration.ZERO;
    }
    return Duration.ofMillis(Math.min(poll, untilRetry));
  }

  /**
   * A delivery claimed more often than its retry budget allows never recorded a result for its
   * earlier claims (the process died during them, or its attempt never ends): a poison message.
   * It is dead-lettered instead of being tried again, so it cannot block its appointment forever.
   */
  private CompletableFuture<AttemptResult> attemptOrGiveUp(ClaimedDelivery delivery) {
    RetryPolicy policy = policies.getOrDefault(delivery.connectorId(), RetryPolicy.DEFAULT);
    if (delivery.attemptInRun() > policy.maxAttempts()) {
      Instant now = clock.instant();
      return CompletableFuture.completedFuture(
          decide(
              delivery,
              new PushResult.Permanent(
                  null,
                  "AttemptsExhausted",
                  "claimed " + delivery.attemptInRun() + " times without a recorded result (the"
                      + " process may have died during each attempt); giving up after "
                      + policy.maxAttempts() + " attempts"),
              now,
              now,
              0));
    }
    return attempt(delivery);
  }

  private CompletableFuture<AttemptResult> attempt(ClaimedDelivery delivery) {
    Instant startedAt = clock.instant();
    long startNanos = System.nanoTime();
    // Mapping and request building run on the connector pool, keeping the pump on database work.
    CompletableFuture<PushResult> pushed =
        CompletableFuture.supplyAsync(
                () -> connectors.get(delivery.connectorId()).push(delivery.request()),
                connectorPool)
            .thenCompose(future -> future);
    return pushed
        .handle(
            (result, failure) ->
                failure == null
                    ? result
                    : new PushResult.Retryable(
                        null,
                        rootOf(failure).getClass().getName(),
                        "connector failed unexpectedly: " + rootOf(failure).getMessage(),
                        null))
        .thenApply(
            result ->
                decide(
                    delivery,
                    result,
                    startedAt,
                    clock.instant(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos)));
  }

  /** Turns a connector's verdict into the delivery's next state. */
  AttemptResult decide(
      ClaimedDelivery delivery,
      PushResult result,
      Instant startedAt,
      Instant finishedAt,
      long durationMs) {
    if (result instanceof PushResult.Success) {
      return new AttemptResult(
          delivery, startedAt, finishedAt, durationMs, result, DeliveryStatus.SUCCEEDED, null,
          "succeeded");
    }
    if (result instanceof PushResult.Retryable retryable) {
      RetryPolicy policy = policies.getOrDefault(delivery.connectorId(), RetryPolicy.DEFAULT);
      if (policy.allowsAnotherAfter(delivery.attemptInRun())) {
        Instant next = finishedAt.plus(policy.backoff(delivery.attemptInRun(), random));
        if (retryable.notBefore() != null && retryable.notBefore().isAfter(next)) {
          next = retryable.notBefore();
        }
        return new AttemptResult(
            delivery, startedAt, finishedAt, durationMs, result, DeliveryStatus.RETRYING, next,
            "retry");
      }
    }
    return new AttemptResult(
        delivery, startedAt, finishedAt, durationMs, result, DeliveryStatus.DEAD, null, "dead");
  }

  private void afterRecord(List<AttemptResult> results) {
    for (AttemptResult result : results) {
      logAndNotify(result);
    }
  }

  private void logAndNotify(AttemptResult result) {
    ClaimedDelivery claimed = result.claimed();
    String reason = DeliveryRepository.message(result.result());
    if (result.newStatus() == DeliveryStatus.RETRYING) {
      earliestRetry.accumulateAndGet(result.nextAttemptAt().toEpochMilli(), Math::min);
      log.debug(
          "delivery {} (connector {}, appointment {}, seq {}) attempt {} failed: {} {}; next"
              + " attempt at {}",
          claimed.deliveryId(), claimed.connectorId(), claimed.event().appointmentId(),
          claimed.event().sequence(), claimed.attempt(), errorClass(result),
          statusText(result), result.nextAttemptAt());
    } else if (result.newStatus() == DeliveryStatus.DEAD) {
      log.warn(
          "delivery {} (connector {}, appointment {}, seq {}) dead-lettered after attempt {}: {}"
              + " {} (details: GET /api/deliveries/{}); later events of this appointment for {}"
              + " are parked until it is replayed or discarded",
          claimed.deliveryId(), claimed.connectorId(), claimed.event().appointmentId(),
          claimed.event().sequence(), claimed.attempt(), errorClass(result), statusText(result),
          claimed.deliveryId(), claimed.connectorId());
    }
    try {
      observer.onAttempt(
          new AttemptEvent(
              claimed.deliveryId(),
              claimed.connectorId(),
              claimed.event().appointmentId(),
              claimed.event().sequence(),
              claimed.event().type(),
              claimed.event().occurredAt(),
              claimed.attempt(),
              result.outcome(),
              result.result().httpStatus(),
              result.durationMs(),
              reason,
              result.nextAttemptAt(),
              result.finishedAt()));
    } catch (RuntimeException failure) {
      log.warn(
          "delivery observer failed for delivery {} ({}); ignoring",
          claimed.deliveryId(),
          Failures.describe(failure));
    }
  }

  private static String errorClass(AttemptResult result) {
    String errorClass = DeliveryRepository.errorClass(result.result());
    return errorClass == null ? "failure" : errorClass;
  }

  private static String statusText(AttemptResult result) {
    Integer status = result.result().httpStatus();
    return status == null ? "" : "HTTP " + status;
  }

  /**
   * Stops claiming and starting attempts, and returns at once: claims not started are handed back,
   * attempts in flight go on and are recorded as they finish. {@link #stop} waits for them.
   * Idempotent.
   */
  public void stopClaiming() {
    synchronized (this) {
      if (!running) {
        return;
      }
      finishedOnStop.set(0);
      handedBackOnStop.set(0);
      running = false;
    }
    wake.signal();
  }

  /**
   * Stops claiming (see {@link #stopClaiming}), waits up to {@code grace} for the attempts in
   * flight to finish and be recorded, then hands back the attempts still running: their leases are
   * released, so another node or the next start claims them at once and sends them again with the
   * same idempotency key and attempt number (a handed-back attempt is not counted against the retry
   * budget). Their late answers are not recorded. Idempotent; a second call returns zeros.
   */
  public Stopped stop(Duration grace) {
    stopClaiming();
    Thread pumping;
    synchronized (this) {
      pumping = pump;
      pump = null;
    }
    if (pumping == null) {
      return new Stopped(0, 0);
    }
    join(pumping, grace);
    if (pumping.isAlive()) {
      handBack = true;
      wake.signal();
      // The pump ends after its current round, a database transaction; past the lease, waiting
      // serves nothing: the leases have ended by themselves.
      join(pumping, settings.lease());
    }
    if (pumping.isAlive()) {
      log.warn(
          "the delivery pump did not end within {} after a grace of {}; its {} claims are"
              + " claimable again when their lease ends",
          settings.lease(),
          grace,
          leased.get());
    }
    return new Stopped(finishedOnStop.get(), handedBackOnStop.get());
  }

  /**
   * The end of a stop's grace, on the pump: records the attempts that finished and hands back every
   * claim still running or waiting.
   */
  private void handBackUnfinished() {
    Map<Long, ClaimedDelivery> unfinished = new HashMap<>();
    synchronized (dispatchLock) {
      // No attempt starts meanwhile. The running ones are read before the finished ones: an
      // attempt joins finished before it leaves started, so it is in one or the other (or both).
      for (ClaimedDelivery delivery : started.values()) {
        unfinished.put(delivery.number(), delivery);
      }
      for (ConcurrentLinkedQueue<Waiting> queue : ready.values()) {
        drain(queue, stale);
      }
    }
    for (ClaimedDelivery delivery = stale.poll(); delivery != null; delivery = stale.poll()) {
      unfinished.put(delivery.number(), delivery);
    }
    List<AttemptResult> results = new ArrayList<>();
    for (AttemptResult result = finished.poll(); result != null; result = finished.poll()) {
      results.add(result);
      unfinished.remove(result.claimed().number());
    }
    if (!results.isEmpty()) {
      try {
        repository.recordAndClaim(
            results, List.of(), settings.nodeId(), clock.instant(), settings.lease());
        afterRecord(results);
        finishedOnStop.addAndGet(results.size());
      } catch (RuntimeException failure) {
        log.warn(
            "could not record {} finished attempts on stop ({}); they are handed back and sent"
                + " again (same idempotency key)",
            results.size(),
            Failures.describe(failure));
        for (AttemptResult result : results) {
          unfinished.put(result.claimed().number(), result.claimed());
        }
      }
    }
    try {
      if (!unfinished.isEmpty()) {
        handedBackOnStop.addAndGet(repository.release(List.copyOf(unfinished.values())));
      }
    } catch (RuntimeException failure) {
      log.warn(
          "could not hand back {} deliveries on stop ({}); they are claimable again when their"
              + " lease of {} ends",
          unfinished.size(),
          Failures.describe(failure),
          settings.lease());
    }
    leased.addAndGet(-(results.size() + unfinished.size()));
    for (AttemptResult result : results) {
      heldBy.get(result.claimed().connectorId()).decrementAndGet();
    }
    for (ClaimedDelivery delivery : unfinished.values()) {
      heldBy.get(delivery.connectorId()).decrementAndGet();
    }
  }

  private static void join(Thread thread, Duration wait) {
    if (wait.isZero() || wait.isNegative()) {
      return; // join(0) would wait forever
    }
    try {
      thread.join(Math.max(1, wait.toMillis()));
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(5));
    connectorPool.shutdown();
  }

  private static Throwable rootOf(Throwable failure) {
    Throwable root = failure;
    while ((root instanceof java.util.concurrent.CompletionException
            || root instanceof java.util.concurrent.ExecutionException)
        && root.getCause() != null) {
      root = root.getCause();
    }
    return root;
  }

  private static void sleepQuietly(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
