package org.hms.sync.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import org.hms.sync.db.Dialect;
import org.hms.sync.db.Jdbc;

/**
 * The ids appointments have at the connectors' systems ({@code external_ref}), read and written on
 * the caller's connection so they join its transaction: an inbound create stores the sender's id
 * with the appointment it creates, and inbound changes find the appointment by that id.
 */
public final class ExternalRefs {
  private ExternalRefs() {}

  /** The appointment the connector knows by this external id (the newest, if several). */
  public static Optional<String> appointmentId(
      Connection connection, String connectorId, String externalId) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT appointment_id FROM external_ref WHERE connector_id = ? AND external_id = ?"
                + " ORDER BY updated_at DESC")) {
      select.setString(1, connectorId);
      select.setString(2, externalId);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
      }
    }
  }

  /** Stores (or replaces) the appointment's id at the connector's system. Idempotent. */
  public static void remember(
      Connection connection,
      Dialect dialect,
      String connectorId,
      String appointmentId,
      String externalId,
      Instant now)
      throws SQLException {
    try (PreparedStatement upsert = connection.prepareStatement(dialect.upsertExternalRef())) {
      upsert.setString(1, connectorId);
      upsert.setString(2, appointmentId);
      upsert.setString(3, externalId);
      Jdbc.setInstant(upsert, 4, now);
      upsert.executeUpdate();
    }
  }
}
