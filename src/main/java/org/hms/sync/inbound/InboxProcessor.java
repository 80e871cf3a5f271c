package org.hms.sync.inbound;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.hms.sync.Failures;
import org.hms.sync.Ids;
import org.hms.sync.SyncException;
import org.hms.sync.config.ConflictPolicy;
import org.hms.sync.inbound.change.InboundChange;
import org.hms.sync.inbound.change.InboundChanges;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.AppointmentSnapshot;
import org.hms.sync.scheduling.AppointmentStatus;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.scheduling.SchedulingException;
import org.hms.sync.scheduling.SchedulingService;
import org.hms.sync.scheduling.Slot;
import org.hms.sync.scheduling.SnapshotEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies inbox items to the EMR, in the background: claims due items under a lease, applies each
 * item's changes in order through {@link SchedulingService} with the connector as origin (so the
 * change is not delivered back to it), and records the outcome on the item: applied, duplicate,
 * rejected (with the reason), conflict (see the connector's conflict policy; a review may wait) or
 * failed (retried with backoff).
 *
 * <p>Idempotent: an item is applied at least once (a crash after a change committed and before
 * its outcome was recorded makes it claimable again after the lease), and applying a change again
 * finds it already in the EMR (same slot, already cancelled or completed, the external id already
 * booked) and counts it as a duplicate, so each change takes effect once.
 *
 * <p>Stopping ({@link #stop}) lets the item being applied finish and hands back the items claimed
 * with it, so they are claimable again at once.
 *
 * <p>Tests drive it without threads through {@link #runOnce()}.
 */
public final class InboxProcessor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InboxProcessor.class);
  /** After this many attempts a failing item is left failed, with no further retry. */
  public static final int MAX_ATTEMPTS = 10;
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  private static final int BATCH = 50;

  /** How the processor runs. */
  public record Settings(Duration pollInterval, Duration lease) {}

  /** What a {@link #stop} did: items finished after claiming stopped, and items handed back. */
  public record Stopped(int finished, int handedBack) {}

  private final InboxRepository inbox;
  private final ReviewRepository reviews;
  private final SchedulingService scheduling;
  private final SnapshotEncoder encoder;
  private final Map<String, ConflictPolicy> policies;
  private final Settings settings;
  private final Clock clock;
  private final Semaphore wake = new Semaphore(0);
  private final AtomicInteger finishedOnStop = new AtomicInteger();
  private final AtomicInteger handedBackOnStop = new AtomicInteger();
  private volatile boolean running;
  private Thread loop;

  /**
   * @param policies each inbound connector's conflict policy; a connector not named uses review
   */
  public InboxProcessor(
      InboxRepository inbox,
      ReviewRepository reviews,
      SchedulingService scheduling,
      SnapshotEncoder encoder,
      Map<String, ConflictPolicy> policies,
      Settings settings,
      Clock clock) {
    this.inbox = inbox;
    this.reviews = reviews;
    this.scheduling = scheduling;
    this.encoder = encoder;
    this.policies = Map.copyOf(policies);
    this.settings = settings;
    this.clock = clock;
  }

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    loop = new Thread(this::loop, "hms-inbox-processor");
    loop.setDaemon(true);
    loop.start();
    log.info("inbox processor started (poll {}, lease {})", settings.pollInterval(), settings.lease());
  }

  /** Asks the processor to look for work now (called after each intake). */
  public void wakeUp() {
    if (wake.availablePermits() == 0) {
      wake.release();
    }
  }

  /**
   * One synchronous round: claims due items (one batch), applies them and records the outcomes.
   *
   * @return how many items were processed
   */
  public int runOnce() {
    List<InboxItem> claimed = inbox.claim(clock.instant(), settings.lease(), BATCH);
    for (InboxItem item : claimed) {
      process(item);
    }
    return claimed.size();
  }

  /**
   * A round of the loop: like {@link #runOnce()}, but once claiming stopped, the item being applied
   * is the last one; the others claimed with it are handed back.
   */
  private int round() {
    List<InboxItem> claimed = inbox.claim(clock.instant(), settings.lease(), BATCH);
    int next = 0;
    while (next < claimed.size() && running) {
      process(claimed.get(next++));
      if (!running) {
        finishedOnStop.incrementAndGet(); // it was being applied when claiming stopped
      }
    }
    if (next < claimed.size()) {
      List<InboxItem> rest = claimed.subList(next, claimed.size());
      try {
        handedBackOnStop.addAndGet(inbox.release(rest, clock.instant()));
      } catch (RuntimeException failure) {
        log.warn("could not hand back {} inbox items on stop ({}); they are claimable again when"
            + " their lease of {} ends", rest.size(), Failures.describe(failure), settings.lease());
      }
    }
    return claimed.size();
  }

  private void loop() {
    while (running) {
      try {
        int processed = round();
        if (processed < BATCH) {
          wake.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
          wake.drainPermits();
        }
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error failure) {
        if (!running) {
          log.warn("inbox round failed while stopping ({}); items it claimed are claimed again when"
              + " their lease of {} ends", Failures.describe(failure), settings.lease());
          return;
        }
        log.error(
            "inbox round failed ({}); items it claimed are claimed again when their lease of {}"
                + " ends; next round in {}",
            Failures.describe(failure), settings.lease(), settings.pollInterval());
        log.debug("inbox round failure detail", failure);
        try {
          wake.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Applies one claimed item and records its outcome (unless the lease was lost meanwhile). */
  void process(InboxItem item) {
    Instant lease = item.nextAttemptAt();
    List<InboundChange> changes;
    try {
      changes = InboundChanges.parse(item.changes());
    } catch (IllegalArgumentException | SyncException unreadable) {
      record(item, lease, new Outcome(InboxStatus.REJECTED, "the stored changes are unreadable: "
          + unreadable.getMessage(), null));
      return;
    }
    Outcome outcome;
    try {
      outcome = applyFrom(item, changes, 0);
    } catch (RuntimeException failure) {
      retry(item, lease, Failures.describe(failure));
      return;
    }
    record(item, lease, outcome);
  }

  private void record(InboxItem item, Instant lease, Outcome outcome) {
    boolean recorded =
        inbox.finish(item.id(), lease, outcome.status(), outcome.reason(), clock.instant(),
            outcome.review());
    if (!recorded) {
      log.warn("inbox item {} of connector {}: lease lost before its outcome ({}) was recorded;"
          + " the processor holding it now records it", item.id(), item.connectorId(),
          outcome.status().wire());
      return;
    }
    log.info("inbox item {} of connector {} {}{}", item.id(), item.connectorId(),
        outcome.status().wire(), outcome.reason() == null ? "" : ": " + outcome.reason());
  }

  private void retry(InboxItem item, Instant lease, String why) {
    int attempts = item.attempts();
    if (attempts >= MAX_ATTEMPTS) {
      String reason = "gave up after " + attempts + " attempts: " + why
          + "; fix the cause, the item stays failed and is not retried";
      inbox.retryLater(item.id(), lease, reason, null);
      log.error("inbox item {} of connector {} failed: {}", item.id(), item.connectorId(), reason);
      return;
    }
    Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(attempts - 1, 20));
    if (backoff.compareTo(MAX_BACKOFF) > 0) {
      backoff = MAX_BACKOFF;
    }
    Instant next = clock.instant().plus(backoff);
    inbox.retryLater(item.id(), lease, why, next);
    log.warn("inbox item {} of connector {} failed (attempt {}): {}; retrying at {}", item.id(),
        item.connectorId(), attempts, why, next);
  }

  /** What became of an item, with the review to open if any. */
  private record Outcome(InboxStatus status, String reason, Review review) {}

  /**
   * Applies the item's changes from {@code first} on, in order; stops at the first change that is
   * not applied. Transient failures travel as exceptions.
   */
  private Outcome applyFrom(InboxItem item, List<InboundChange> changes, int first) {
    boolean anyApplied = false;
    for (int index = first; index < changes.size(); index++) {
      Result result = apply(item, changes.get(index), index, false);
      switch (result.kind()) {
        case APPLIED -> anyApplied = true;
        case DUPLICATE -> { }
        case REJECTED -> {
          return new Outcome(InboxStatus.REJECTED, which(changes, index) + result.reason(), null);
        }
        case CONFLICT -> {
          return new Outcome(InboxStatus.CONFLICT, which(changes, index) + result.reason(),
              result.review());
        }
        default -> throw new IllegalStateException("unexpected result " + result.kind());
      }
    }
    if (anyApplied || changes.isEmpty()) {
      return new Outcome(InboxStatus.APPLIED, null, null);
    }
    return new Outcome(InboxStatus.DUPLICATE, "every change was already in the EMR", null);
  }

  private static String which(List<InboundChange> changes, int index) {
    return changes.size() == 1 ? "" : "change [" + index + "]: ";
  }

  private enum Kind { APPLIED, DUPLICATE, REJECTED, CONFLICT }

  private record Result(Kind kind, String reason, Review review) {
    static Result of(Kind kind) {
      return new Result(kind, null, null);
    }

    static Result rejected(String reason) {
      return new Result(Kind.REJECTED, reason, null);
    }
  }

  /**
   * Applies one change. With {@code ignoreVersion} (external-wins, or a person chose the external
   * side) the EMR's newer version does not stop it; slot capacity always does.
   */
  private Result apply(InboxItem item, InboundChange change, int index, boolean ignoreVersion) {
    String origin = item.connectorId();
    if (change.action() == InboundChange.Action.BOOK) {
      return book(item, change, index);
    }
    Optional<String> appointmentId =
        change.appointmentId() != null
            ? Optional.of(change.appointmentId())
            : scheduling.findAppointmentIdByExternalId(origin, change.externalId());
    if (appointmentId.isEmpty()) {
      return Result.rejected("no appointment with external id '" + change.externalId()
          + "' of connector " + origin + "; it must be booked (or pushed there) first");
    }
    Optional<AppointmentSnapshot> found = scheduling.findSnapshot(appointmentId.get());
    if (found.isEmpty()) {
      return Result.rejected("appointment '" + appointmentId.get() + "' not found");
    }
    Appointment current = found.get().appointment();
    String targetSlot = null;
    if (change.action() == InboundChange.Action.RESCHEDULE) {
      Result slotProblem = null;
      if (change.slotId() != null) {
        targetSlot = change.slotId();
      } else if (change.locationCode() != null && change.start() != null) {
        List<Slot> slots = scheduling.findSlotsAt(change.locationCode(), change.start());
        if (slots.isEmpty()) {
          slotProblem = Result.rejected("no slot at location '" + change.locationCode()
              + "' starting at " + change.start());
        } else {
          // Already in one of them: stay; else the first with room (findSlotsAt lists those first).
          targetSlot =
              slots.stream()
                  .map(Slot::id)
                  .filter(current.slotId()::equals)
                  .findFirst()
                  .orElse(slots.get(0).id());
        }
      } else {
        slotProblem = Result.rejected(
            "a reschedule needs slotId, or locationCode and start; the change has neither");
      }
      if (slotProblem != null) {
        return slotProblem;
      }
    }
    if (alreadyDone(change.action(), current, targetSlot)) {
      return Result.of(Kind.DUPLICATE);
    }
    Long base = change.baseVersion();
    if (base != null && base > current.version()) {
      return Result.rejected("the change is based on version " + base + " of appointment '"
          + current.id() + "', which is only at version " + current.version());
    }
    if (!ignoreVersion && base != null && base < current.version()) {
      ConflictPolicy policy = policies.getOrDefault(origin, ConflictPolicy.REVIEW);
      String conflict = "appointment '" + current.id() + "' changed in the EMR after version "
          + base + " (now " + current.version() + ")";
      switch (policy) {
        case EMR_WINS -> {
          return new Result(Kind.CONFLICT, conflict + "; resolved by conflictPolicy emr-wins:"
              + " the EMR's version stands, nothing was applied", null);
        }
        case REVIEW -> {
          return new Result(Kind.CONFLICT, conflict + "; waiting for review", review(item,
              change, index, current.id(), encoder.encode(found.get()), conflict));
        }
        case EXTERNAL_WINS -> ignoreVersion = true;
        default -> throw new IllegalStateException("unexpected policy " + policy);
      }
    }
    // Expect the version we judged by: if the EMR changes meanwhile, the retry judges again.
    Long expected = ignoreVersion ? null : current.version();
    try {
      switch (change.action()) {
        case RESCHEDULE -> scheduling.reschedule(current.id(), targetSlot, expected, origin);
        case CANCEL -> scheduling.cancel(current.id(), change.reason(), expected, origin);
        case COMPLETE -> scheduling.complete(current.id(), null, expected, origin);
        default -> throw new IllegalStateException("unexpected action " + change.action());
      }
      return Result.of(Kind.APPLIED);
    } catch (SchedulingException.SlotFull full) {
      String reason = full.getMessage() + "; an inbound change never overbooks: waiting for review";
      return new Result(Kind.CONFLICT, reason,
          review(item, change, index, current.id(), encoder.encode(found.get()), reason));
    } catch (SchedulingException.VersionMismatch raced) {
      throw raced; // the EMR changed while we judged: retry, judging again
    } catch (SchedulingException refused) {
      return Result.rejected(refused.getMessage());
    }
  }

  private Result book(InboxItem item, InboundChange change, int index) {
    String origin = item.connectorId();
    Optional<String> existing = scheduling.findAppointmentIdByExternalId(origin, change.externalId());
    if (existing.isPresent()) {
      return Result.of(Kind.DUPLICATE);
    }
    if (change.patientMrn() == null) {
      return Result.rejected("a booking needs patientMrn; the change has none");
    }
    Optional<Patient> patient = scheduling.findPatientByMrn(change.patientMrn());
    if (patient.isEmpty()) {
      // Never the MRN itself (PHI).
      return Result.rejected("no patient with the change's patientMrn; create the patient first");
    }
    String slotId;
    if (change.slotId() != null) {
      slotId = change.slotId();
    } else if (change.locationCode() != null && change.start() != null) {
      List<Slot> slots = scheduling.findSlotsAt(change.locationCode(), change.start());
      if (slots.isEmpty()) {
        return Result.rejected("no slot at location '" + change.locationCode()
            + "' starting at " + change.start());
      }
      slotId = slots.get(0).id();
    } else {
      return Result.rejected("a booking needs slotId, or locationCode and start; the change has"
          + " neither");
    }
    try {
      scheduling.book(patient.get().id(), slotId, origin, change.externalId());
      return Result.of(Kind.APPLIED);
    } catch (SchedulingException.SlotFull full) {
      String reason = full.getMessage() + "; an inbound booking never overbooks: waiting for review";
      return new Result(Kind.CONFLICT, reason, review(item, change, index, null, null, reason));
    } catch (SchedulingException refused) {
      return Result.rejected(refused.getMessage());
    }
  }

  private static boolean alreadyDone(InboundChange.Action action, Appointment current, String slot) {
    return switch (action) {
      case RESCHEDULE -> current.status() == AppointmentStatus.BOOKED
          && current.slotId().equals(slot);
      case CANCEL -> current.status() == AppointmentStatus.CANCELLED;
      case COMPLETE -> current.status() == AppointmentStatus.COMPLETED;
      case BOOK -> false;
    };
  }

  private Review review(InboxItem item, InboundChange change, int index, String appointmentId,
      String emrSnapshot, String reason) {
    return new Review(Ids.newId(), item.id(), item.connectorId(), appointmentId, emrSnapshot,
        InboundChanges.write(change), index, reason, Review.Status.OPEN, null, clock.instant(),
        null);
  }

  /**
   * Resolves an open review. {@code external}: applies the change now, ignoring the version (slot
   * capacity still holds: a full slot throws {@link SchedulingException.SlotFull} and the review
   * stays open), then the item's later changes, if any; the item becomes applied. {@code emr}:
   * nothing changes in the EMR; the item stays conflict, marked resolved.
   *
   * @throws ReviewException.NotFound when there is no such review
   * @throws ReviewException.AlreadyResolved when it was resolved before
   */
  public Review resolve(String reviewId, Review.Choice choice) {
    Review review = reviews.find(reviewId).orElseThrow(() -> new ReviewException.NotFound(reviewId));
    if (review.status() != Review.Status.OPEN) {
      throw new ReviewException.AlreadyResolved(review);
    }
    InboxItem item = inbox.findById(review.inboxItemId()).orElseThrow(
        () -> new ReviewException.NotFound(reviewId));
    InboxStatus status;
    String reason;
    Review next = null;
    if (choice == Review.Choice.EMR) {
      status = InboxStatus.CONFLICT;
      reason = "resolved by review " + reviewId + ": the EMR's version stands, nothing applied";
    } else {
      List<InboundChange> changes = InboundChanges.parse(item.changes());
      InboundChange change = changes.get(review.changeIndex());
      Result result = apply(item, change, review.changeIndex(), true);
      if (result.kind() == Kind.CONFLICT) {
        throw new ReviewException.StillConflicting(review, result.reason());
      }
      if (result.kind() == Kind.REJECTED) {
        status = InboxStatus.REJECTED;
        reason = "resolved by review " + reviewId + " for the external change, which was refused: "
            + result.reason();
      } else {
        Outcome rest = applyFrom(item, changes, review.changeIndex() + 1);
        status = rest.status() == InboxStatus.DUPLICATE ? InboxStatus.APPLIED : rest.status();
        reason = rest.status() == InboxStatus.DUPLICATE || rest.status() == InboxStatus.APPLIED
            ? "resolved by review " + reviewId + ": the external change was applied"
            : rest.reason();
        next = rest.review(); // a later change of the same item may need its own review
      }
    }
    if (!reviews.resolve(reviewId, choice, clock.instant(), item.id(), status, reason, next)) {
      throw new ReviewException.AlreadyResolved(review);
    }
    log.info("review {} of inbox item {} (connector {}) resolved: {}", reviewId, item.id(),
        item.connectorId(), choice.wire());
    return reviews.find(reviewId).orElseThrow();
  }

  /**
   * Stops claiming and returns at once: the item being applied finishes, the others claimed with it
   * are handed back. {@link #stop} waits for that. Idempotent.
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
    wakeUp();
  }

  /**
   * Stops claiming (see {@link #stopClaiming}) and waits up to {@code grace} for the item being
   * applied to finish and the rest to be handed back. An item still being applied after that is
   * claimable again when its lease ends. Idempotent; a second call returns zeros.
   */
  public Stopped stop(Duration grace) {
    stopClaiming();
    Thread stopping;
    synchronized (this) {
      stopping = loop;
      loop = null;
    }
    if (stopping == null) {
      return new Stopped(0, 0);
    }
    if (grace.toMillis() > 0) { // join(0) would wait forever
      try {
        stopping.join(grace.toMillis());
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (stopping.isAlive()) {
      log.warn("the inbox processor did not stop within {}; the item it is applying is claimable"
          + " again when its lease of {} ends", grace, settings.lease());
    }
    return new Stopped(finishedOnStop.get(), handedBackOnStop.get());
  }

  /** {@link #stop} with a grace of 5 seconds. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(5));
  }
}
