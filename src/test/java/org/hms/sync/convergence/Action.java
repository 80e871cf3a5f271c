package org.hms.sync.convergence;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * One step of a generated scenario. Steps name appointments, patients and slots by a small index,
 * taken modulo what exists when the step runs (so a step never refers to something that a shrunk
 * sequence no longer makes). A step that makes no sense at that moment (rescheduling at the IIS
 * before any appointment reached it) is skipped; one the system refuses (cancelling a cancelled
 * appointment) is refused: the property only judges the end state.
 */
sealed interface Action {

  /** A nurse books patient {@code patient} into slot {@code slot} in the EMR. */
  record EmrBook(int patient, int slot) implements Action {}

  /** A nurse moves EMR appointment {@code appointment} (by list position) to slot {@code slot}. */
  record EmrReschedule(int appointment, int slot) implements Action {}

  /** A nurse cancels EMR appointment {@code appointment}. */
  record EmrCancel(int appointment) implements Action {}

  /** The patient of EMR appointment {@code appointment} was seen: it is completed. */
  record EmrComplete(int appointment) implements Action {}

  /**
   * The IIS moves one of its booked appointments to the start of slot {@code slot} among the EMR's
   * slots at the same clinic (the inbound mapping finds the EMR slot by clinic code and start).
   */
  record IisReschedule(int appointment, int slot) implements Action {}

  /** The IIS cancels one of its booked appointments. */
  record IisCancel(int appointment) implements Action {}

  /**
   * A citizen books at the IIS directly (a portal booking): the EMR hears nothing of it, only
   * reconciliation can bring it in.
   */
  record PortalBooking(int patient, int slot) implements Action {}

  /**
   * The webhooks of the IIS's changes not yet sent go out now, in the order made or reversed; each
   * meets the next fate of {@code fates} (cycled).
   */
  record DeliverWebhooks(List<Fate> fates, boolean reversed) implements Action {}

  /** The service stops (engine, inbox processor, HTTP server) and starts again on its database. */
  record Restart() implements Action {}

  /**
   * The IIS's API goes down (HTTP 503) until {@link IisBackUp} or the end of the scenario: EMR
   * changes queue up and retry while the IIS keeps changing on its own side.
   */
  record IisDown() implements Action {}

  /** The IIS's API answers again. */
  record IisBackUp() implements Action {}

  /** What becomes of one pending webhook. */
  enum Fate {
    DELIVER,
    /** Sent twice with the same webhook-id. */
    DUPLICATE,
    /**
     * Sent, then sent again under a new webhook-id (a sender that lost track of what it sent):
     * only applying idempotently keeps it from taking effect twice.
     */
    RESEND_AS_NEW,
    /** Never sent. */
    DROP,
    /** Kept pending for a later delivery, so it arrives after newer ones. */
    HOLD
  }

  private static Arbitrary<Integer> index() {
    return Arbitraries.integers().between(0, 9);
  }

  /**
   * Every kind of step. Booking is the most common, so that the other steps have appointments to
   * work on.
   */
  static Arbitrary<Action> any() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, booking()),
        Tuple.of(2, Combinators.combine(index(), index()).as(EmrReschedule::new)),
        Tuple.of(2, index().map(EmrCancel::new)),
        Tuple.of(1, index().map(EmrComplete::new)),
        Tuple.of(4, Combinators.combine(index(), index()).as(IisReschedule::new)),
        Tuple.of(2, index().map(IisCancel::new)),
        Tuple.of(1, Combinators.combine(index(), index()).as(PortalBooking::new)),
        Tuple.of(3, deliveries()),
        Tuple.of(1, Arbitraries.just(new Restart())),
        Tuple.of(1, Arbitraries.just(new IisDown())),
        Tuple.of(1, Arbitraries.just(new IisBackUp())));
  }

  /** An EMR booking. */
  static Arbitrary<Action> booking() {
    return Combinators.combine(index(), index()).as(EmrBook::new);
  }

  private static Arbitrary<Action> deliveries() {
    return Combinators.combine(
            Arbitraries.of(Fate.class).list().ofMinSize(1).ofMaxSize(4), Arbitraries.of(true, false))
        .as(DeliverWebhooks::new);
  }

  /**
   * The steps of the lossless, sequential scenario: no portal bookings and no webhook steps (every
   * IIS change is delivered once, at once).
   */
  static Arbitrary<Action> sequential() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, booking()),
        Tuple.of(3, Combinators.combine(index(), index()).as(EmrReschedule::new)),
        Tuple.of(2, index().map(EmrCancel::new)),
        Tuple.of(1, index().map(EmrComplete::new)),
        Tuple.of(3, Combinators.combine(index(), index()).as(IisReschedule::new)),
        Tuple.of(2, index().map(IisCancel::new)),
        Tuple.of(1, Arbitraries.just(new Restart())));
  }
}
