package org.hms.sync.delivery;

import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * What an operator does with dead letters: replay one (back to pending with a fresh retry budget,
 * same idempotency key), replay all of them (optionally of one connector), or discard one for
 * good. Each action releases the deliveries parked behind the dead letter, and wakes the delivery
 * engine so the replayed work is attempted now rather than at its next poll. The API and the
 * {@code replay} command both come here.
 */
public final class DeadLetters {
  private final DeliveryRepository deliveries;
  private final Set<String> connectorIds;
  private final Runnable wakeEngine;
  private final Clock clock;

  /**
   * @param connectorIds the configured connectors (a bulk replay names one of them or none)
   * @param wakeEngine wakes the delivery engine of this process; {@code () -> {}} where none runs
   *     (a running engine elsewhere picks the work up within {@code engine.pollInterval})
   */
  public DeadLetters(
      DeliveryRepository deliveries, List<String> connectorIds, Runnable wakeEngine, Clock clock) {
    this.deliveries = deliveries;
    this.connectorIds = Set.copyOf(connectorIds);
    this.wakeEngine = wakeEngine;
    this.clock = clock;
  }

  /**
   * Sends a dead letter again; returns it as it is now (pending).
   *
   * @throws DeadLetterException.NotFound no such delivery
   * @throws DeadLetterException.NotDead it is not dead (a parked one waits behind a dead letter of
   *     the same appointment: the message says to replay that one)
   */
  public Delivery replay(String deliveryId) {
    Delivery delivery = find(deliveryId);
    if (!deliveries.replay(delivery.id(), clock.instant())) {
      throw new DeadLetterException.NotDead(
          "delivery '" + delivery.id() + "' is " + delivery.status().wire()
              + "; only dead deliveries can be replayed"
              + (delivery.status() == DeliveryStatus.PARKED
                  ? " (it is parked behind a dead delivery of the same appointment: replay that one)"
                  : ""));
    }
    wakeEngine.run();
    return find(deliveryId);
  }

  /**
   * Sends every dead letter again, of one connector or (null) of all; returns how many.
   *
   * @throws DeadLetterException.UnknownConnector the connector is not configured
   */
  public int replayAll(String connectorId) {
    if (connectorId != null && !connectorIds.contains(connectorId)) {
      throw new DeadLetterException.UnknownConnector(
          "connector '" + connectorId + "' is not configured; configured: "
              + connectorIds.stream().sorted().toList());
    }
    int replayed = deliveries.replayAll(connectorId, clock.instant());
    if (replayed > 0) {
      wakeEngine.run();
    }
    return replayed;
  }

  /**
   * Drops a dead letter for good (its followers of the same appointment go on); returns it as it
   * is now (discarded).
   *
   * @throws DeadLetterException.NotFound no such delivery
   * @throws DeadLetterException.NotDead it is not dead
   */
  public Delivery discard(String deliveryId) {
    Delivery delivery = find(deliveryId);
    if (!deliveries.discard(delivery.id(), clock.instant())) {
      throw new DeadLetterException.NotDead(
          "delivery '" + delivery.id() + "' is " + delivery.status().wire()
              + "; only dead deliveries can be discarded");
    }
    wakeEngine.run();
    return find(deliveryId);
  }

  private Delivery find(String deliveryId) {
    return deliveries.find(deliveryId).orElseThrow(() -> new DeadLetterException.NotFound(deliveryId));
  }
}
