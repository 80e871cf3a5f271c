package org.hms.sync.delivery;

import static org.hms.sync.delivery.DeliveryStatus.DEAD;
import static org.hms.sync.delivery.DeliveryStatus.DISCARDED;
import static org.hms.sync.delivery.DeliveryStatus.PARKED;
import static org.hms.sync.delivery.DeliveryStatus.PENDING;
import static org.hms.sync.delivery.DeliveryStatus.RETRYING;
import static org.hms.sync.delivery.DeliveryStatus.SUCCEEDED;

import java.util.EnumSet;
import java.util.Set;

/**
 * Every way a delivery's status may change: from which statuses, to which. This is the one table;
 * the SQL of the delivery package takes its guards ({@link #guard()}) from here, so an update can
 * never move a delivery along a path that is not listed. {@code succeeded} and {@code discarded}
 * are final: nothing leaves them.
 */
public enum Transition {
  /** A new event's delivery: pending, or parked at once behind a dead or parked one. */
  ENQUEUE(EnumSet.noneOf(DeliveryStatus.class), EnumSet.of(PENDING, PARKED)),
  /** An attempt's lease is taken; the status stays. */
  CLAIM(EnumSet.of(PENDING, RETRYING), EnumSet.of(PENDING, RETRYING)),
  /** A lease is given back unused (shutdown, or an H2 file's leases left by a crash). */
  RELEASE(EnumSet.of(PENDING, RETRYING), EnumSet.of(PENDING, RETRYING)),
  /**
   * An attempt's outcome is recorded. Guarded by the claim's token rather than the status: only a
   * claimed delivery has one, and a claim is {@link #CLAIM}'s.
   */
  FINISH(EnumSet.of(PENDING, RETRYING), EnumSet.of(SUCCEEDED, RETRYING, DEAD)),
  /** Held behind a dead letter of the same appointment and connector. */
  PARK(EnumSet.of(PENDING, RETRYING), EnumSet.of(PARKED)),
  /** An operator sends a dead letter again, with a fresh retry budget. */
  REPLAY(EnumSet.of(DEAD), EnumSet.of(PENDING)),
  /** An operator drops a dead letter for good. */
  DISCARD(EnumSet.of(DEAD), EnumSet.of(DISCARDED)),
  /** The dead letter ahead was replayed or discarded: the parked ones go on. */
  UNPARK(EnumSet.of(PARKED), EnumSet.of(PENDING)),
  /**
   * A reconciliation repair carries a newer state than the connector's held deliveries of the
   * appointment: they are dropped so it does not wait behind them.
   */
  SUPERSEDE(EnumSet.of(DEAD, PARKED), EnumSet.of(DISCARDED));

  private final Set<DeliveryStatus> from;
  private final Set<DeliveryStatus> to;

  Transition(Set<DeliveryStatus> from, Set<DeliveryStatus> to) {
    this.from = Set.copyOf(from);
    this.to = Set.copyOf(to);
  }

  /** The statuses this transition leaves; empty for {@link #ENQUEUE} (a new row). */
  public Set<DeliveryStatus> from() {
    return from;
  }

  /** The statuses this transition may arrive at. */
  public Set<DeliveryStatus> to() {
    return to;
  }

  /** The one status this transition arrives at; for transitions with a single target. */
  public DeliveryStatus target() {
    if (to.size() != 1) {
      throw new IllegalStateException(this + " has several targets: " + to);
    }
    return to.iterator().next();
  }

  /** True when a delivery in {@code status} may take this transition to {@code next}. */
  public boolean allows(DeliveryStatus status, DeliveryStatus next) {
    return from.contains(status) && to.contains(next);
  }

  /**
   * The SQL condition on a {@code status} column that admits exactly {@link #from()}, e.g. {@code
   * status = 'dead'} or {@code status IN ('pending', 'retrying')}, in the statuses' declared order.
   */
  public String guard() {
    return guard("status");
  }

  /** {@link #guard()} on a named column, e.g. {@code s.status}. */
  public String guard(String column) {
    if (from.isEmpty()) {
      throw new IllegalStateException(this + " creates a delivery; it has no guard");
    }
    String listed = DeliveryStatus.sqlList(from);
    return from.size() == 1 ? column + " = " + listed : column + " IN (" + listed + ")";
  }

  /** The statuses no transition leaves. */
  public static Set<DeliveryStatus> finals() {
    EnumSet<DeliveryStatus> finals = EnumSet.allOf(DeliveryStatus.class);
    for (Transition transition : values()) {
      finals.removeAll(transition.from);
    }
    return finals;
  }
}
