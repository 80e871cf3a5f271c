package org.hms.sync.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hms.sync.db.Jdbc;

/**
 * Writes events and fans them out: one delivery per subscribed connector (queued by the {@link
 * Enqueuer}), in the caller's transaction, so a change and its deliveries commit or vanish
 * together.
 */
public final class Outbox {
  private static final String INSERT_EVENT =
      "INSERT INTO outbox_event (id, appointment_id, sequence, type, occurred_at, origin, payload)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?)";

  private final Map<String, List<String>> subscribersByType;
  private final Enqueuer deliveries;
  private final List<Runnable> commitListeners = new CopyOnWriteArrayList<>();

  /**
   * @param subscribersByType event type to the ids of the connectors that take it
   * @param deliveries queues the deliveries of each event (the delivery package)
   */
  public Outbox(Map<String, List<String>> subscribersByType, Enqueuer deliveries) {
    this.subscribersByType = Map.copyOf(subscribersByType);
    this.deliveries = deliveries;
  }

  /** Connectors that receive an event of this type from this origin (never the origin itself). */
  public List<String> subscribers(String eventType, String origin) {
    return subscribersByType.getOrDefault(eventType, List.of()).stream()
        .filter(connectorId -> !connectorId.equals(origin))
        .toList();
  }

  /** Inserts the event and its deliveries on the caller's connection (inside its transaction). */
  public void append(Connection connection, OutboxEvent event) throws SQLException {
    insertEvent(connection, event);
    List<String> connectors = subscribers(event.type(), event.origin());
    if (!connectors.isEmpty()) {
      deliveries.enqueue(connection, event, connectors);
    }
  }

  private static void insertEvent(Connection connection, OutboxEvent event) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT_EVENT)) {
      insert.setString(1, event.id());
      insert.setString(2, event.appointmentId());
      insert.setLong(3, event.sequence());
      insert.setString(4, event.type());
      Jdbc.setInstant(insert, 5, event.occurredAt());
      insert.setString(6, event.origin());
      insert.setString(7, event.payload());
      insert.executeUpdate();
    }
  }

  /**
   * Inserts a corrective event with one delivery, to {@code connectorId} only (reconciliation:
   * the event carries the appointment's current state to a system that lacks it); see {@link
   * Enqueuer#enqueueCorrective}. Runs on the caller's connection, inside its transaction.
   *
   * @return the new delivery's id (its idempotency key)
   */
  public String appendFor(Connection connection, OutboxEvent event, String connectorId, String why)
      throws SQLException {
    insertEvent(connection, event);
    return deliveries.enqueueCorrective(connection, event, connectorId, why);
  }

  /** Registers a callback run after a transaction that appended events has committed. */
  public void onCommit(Runnable listener) {
    commitListeners.add(listener);
  }

  /** Tells listeners (the delivery engine) that new events are committed. */
  public void committed() {
    for (Runnable listener : commitListeners) {
      listener.run();
    }
  }
}
