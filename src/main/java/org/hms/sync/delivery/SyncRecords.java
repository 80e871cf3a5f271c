package org.hms.sync.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.hms.sync.db.Jdbc;
import org.hms.sync.db.Transactor;

/**
 * What the delivery tables know of an appointment at one connector, for reconciliation: whether a
 * delivery is on its way, the newest state the connector acknowledged, and the appointment's id
 * at the connector's system.
 */
public final class SyncRecords {

  /**
   * One appointment at one connector.
   *
   * @param inFlight a delivery of it is pending or retrying
   * @param acknowledgedPayload the outbox payload of the newest event the connector acknowledged
   *     (a succeeded delivery) or that came from it; null when there is none
   * @param externalId its id at the connector's system; null when unknown
   */
  public record SyncRecord(boolean inFlight, String acknowledgedPayload, String externalId) {}

  private final Transactor transactor;

  public SyncRecords(Transactor transactor) {
    this.transactor = transactor;
  }

  /** The record of one appointment at one connector, read in one transaction. */
  public SyncRecord find(String connectorId, String appointmentId) {
    return transactor.inTransaction(
        "read sync state of appointment " + appointmentId,
        connection -> {
          boolean inFlight;
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT 1 FROM delivery d WHERE d.appointment_id = ? AND d.connector_id = ?"
                      + " AND (SELECT s.status FROM delivery_state s"
                      + " WHERE s.delivery_no = d.delivery_no) IN ('pending', 'retrying')")) {
            select.setString(1, appointmentId);
            select.setString(2, connectorId);
            try (ResultSet rows = select.executeQuery()) {
              inFlight = rows.next();
            }
          }
          return new SyncRecord(
              inFlight,
              acknowledged(connection, connectorId, appointmentId),
              externalId(connection, connectorId, appointmentId));
        });
  }

  /**
   * Stores the appointment's id at the connector's system, learnt from its listing (its create's
   * response had none). Idempotent.
   */
  public void rememberExternalId(
      String connectorId, String appointmentId, String externalId, Instant now) {
    transactor.inTransaction(
        "store external id of appointment " + appointmentId,
        connection -> {
          ExternalRefs.remember(
              connection, transactor.dialect(), connectorId, appointmentId, externalId, now);
          return null;
        });
  }

  private static String acknowledged(
      Connection connection, String connectorId, String appointmentId) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT e.payload FROM outbox_event e WHERE e.appointment_id = ? AND (e.origin = ?"
                + " OR EXISTS (SELECT 1 FROM delivery d WHERE d.event_id = e.id"
                + " AND d.connector_id = ? AND (SELECT s.status FROM delivery_state s"
                + " WHERE s.delivery_no = d.delivery_no) = 'succeeded'))"
                + " ORDER BY e.sequence DESC LIMIT 1")) {
      select.setString(1, appointmentId);
      select.setString(2, connectorId);
      select.setString(3, connectorId);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  private static String externalId(
      Connection connection, String connectorId, String appointmentId) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT external_id FROM external_ref WHERE connector_id = ? AND appointment_id = ?")) {
      select.setString(1, connectorId);
      select.setString(2, appointmentId);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }
}
