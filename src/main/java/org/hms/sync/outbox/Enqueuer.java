package org.hms.sync.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Where the outbox hands an event's deliveries, on the caller's connection and inside its
 * transaction, so a change and its deliveries commit or vanish together. The delivery package owns
 * the delivery tables and implements this; the outbox only decides who subscribes.
 */
public interface Enqueuer {

  /** Queues one delivery of the event per connector, in that order. */
  void enqueue(Connection connection, OutboxEvent event, List<String> connectorIds)
      throws SQLException;

  /**
   * Queues a corrective delivery of the event to one connector, after discarding that connector's
   * dead and parked deliveries of the appointment with {@code why} as their last error (the
   * corrective delivery carries a newer state than any of them, so it must not wait behind them).
   *
   * @return the new delivery's id (its idempotency key)
   */
  String enqueueCorrective(
      Connection connection, OutboxEvent event, String connectorId, String why)
      throws SQLException;
}
