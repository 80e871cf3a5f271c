package org.hms.sync.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.hms.sync.Ids;
import org.hms.sync.db.Jdbc;
import org.hms.sync.outbox.Enqueuer;
import org.hms.sync.outbox.OutboxEvent;

/**
 * Queues deliveries of outbox events, inside the outbox's transaction: a new delivery is {@code
 * pending}, or {@code parked} at once when an earlier one of the same appointment and connector is
 * dead or parked.
 */
public final class Enqueue implements Enqueuer {
  // A delivery is two rows: its fixed part, then its state (see the V8 migration), keyed by the
  // number the first insert draws. All fixed parts of a batch go in before the states.
  private static final String INSERT_DELIVERY =
      "INSERT INTO delivery (id, event_id, connector_id, appointment_id, sequence, event_type,"
          + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";

  // A new event is parked at once when an earlier one of the same appointment is dead or parked.
  // The earlier deliveries' states are read one by one through a scalar subquery: as a join,
  // PostgreSQL without statistics scanned the whole state table for every new delivery.
  private static final String INSERT_STATE =
      "INSERT INTO delivery_state (delivery_no, status, next_attempt_at, updated_at)"
          + " SELECT d.delivery_no, CASE WHEN EXISTS (SELECT 1 FROM delivery p"
          + " WHERE p.appointment_id = d.appointment_id AND p.connector_id = d.connector_id"
          + " AND (SELECT ps.status FROM delivery_state ps WHERE ps.delivery_no = p.delivery_no)"
          + " IN ('dead', 'parked')) THEN 'parked' ELSE 'pending' END, ?, ?"
          + " FROM delivery d WHERE d.id = ?";
  private static final String SUPERSEDE_HELD =
      "UPDATE delivery_state SET status = '" + Transition.SUPERSEDE.target().wire() + "',"
          + " last_error = ?, updated_at = ?, completed_at = ? WHERE delivery_no = ? AND "
          + Transition.SUPERSEDE.guard();

  @Override
  public void enqueue(Connection connection, OutboxEvent event, List<String> connectorIds)
      throws SQLException {
    List<String> deliveryIds = new ArrayList<>(connectorIds.size());
    try (PreparedStatement insert = connection.prepareStatement(INSERT_DELIVERY)) {
      for (String connectorId : connectorIds) {
        String deliveryId = Ids.newId();
        deliveryIds.add(deliveryId);
        bindDelivery(insert, deliveryId, event, connectorId);
        insert.addBatch();
      }
      insert.executeBatch();
    }
    insertStates(connection, deliveryIds, event);
  }

  @Override
  public String enqueueCorrective(
      Connection connection, OutboxEvent event, String connectorId, String why)
      throws SQLException {
    try (PreparedStatement supersede = connection.prepareStatement(SUPERSEDE_HELD)) {
      for (long number : deliveryNumbers(connection, connectorId, event.appointmentId(), 0)) {
        supersede.setString(1, Jdbc.clip(why, 2000));
        Jdbc.setInstant(supersede, 2, event.occurredAt());
        Jdbc.setInstant(supersede, 3, event.occurredAt());
        supersede.setLong(4, number);
        supersede.addBatch();
      }
      supersede.executeBatch();
    }
    String deliveryId = Ids.newId();
    try (PreparedStatement insert = connection.prepareStatement(INSERT_DELIVERY)) {
      bindDelivery(insert, deliveryId, event, connectorId);
      insert.executeUpdate();
    }
    insertStates(connection, List.of(deliveryId), event);
    return deliveryId;
  }

  /**
   * The keys of the state rows ({@code delivery_state.delivery_no}) of one connector's deliveries
   * of an appointment after the given sequence (0 for all: sequences start at 1), found through
   * {@code delivery_order}. Updates then go row by row by that key: a single update with a
   * subquery let H2 (and PostgreSQL without statistics) walk every state row of the status.
   */
  static List<Long> deliveryNumbers(
      Connection connection, String connectorId, String appointmentId, long afterSequence)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT delivery_no FROM delivery WHERE appointment_id = ? AND connector_id = ?"
                + " AND sequence > ? ORDER BY sequence")) {
      select.setString(1, appointmentId);
      select.setString(2, connectorId);
      select.setLong(3, afterSequence);
      List<Long> numbers = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          numbers.add(rows.getLong(1));
        }
      }
      return numbers;
    }
  }

  private static void insertStates(
      Connection connection, List<String> deliveryIds, OutboxEvent event) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT_STATE)) {
      for (String deliveryId : deliveryIds) {
        Jdbc.setInstant(insert, 1, event.occurredAt());
        Jdbc.setInstant(insert, 2, event.occurredAt());
        insert.setString(3, deliveryId);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  private static void bindDelivery(
      PreparedStatement insert, String deliveryId, OutboxEvent event, String connectorId)
      throws SQLException {
    insert.setString(1, deliveryId);
    insert.setString(2, event.id());
    insert.setString(3, connectorId);
    insert.setString(4, event.appointmentId());
    insert.setLong(5, event.sequence());
    insert.setString(6, event.type());
    Jdbc.setInstant(insert, 7, event.occurredAt());
  }
}
