package org.hms.sync.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hms.sync.db.Jdbc;
import org.hms.sync.db.Transactor;
import org.hms.sync.delivery.SyncRecords;
import org.hms.sync.json.Json;

/**
 * SQL for reconciliation: what the EMR holds, the stored reports and the schedule; where each
 * appointment stands with a connector comes from the delivery package ({@link SyncRecords}). One code path for H2 and PostgreSQL.
 */
public final class ReconcileRepository {
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String EMR_COLUMNS =
      "SELECT a.id, a.status, a.version, s.start_at, l.code FROM appointment a"
          + " JOIN slot s ON s.id = a.slot_id JOIN location l ON l.id = s.location_id";
  private static final String REPORT_COLUMNS =
      "id, connector_id, from_at, to_at, repair, trigger_kind, status, started_at, finished_at,"
          + " report, error";

  private final Transactor transactor;
  private final SyncRecords syncRecords;

  /** @param syncRecords the delivery tables' record of each appointment at each connector */
  public ReconcileRepository(Transactor transactor, SyncRecords syncRecords) {
    this.transactor = transactor;
    this.syncRecords = syncRecords;
  }

  /** EMR appointments whose slot starts in {@code [from, to)}, every status, by start. */
  List<EmrAppointment> appointmentsStarting(Instant from, Instant to) {
    return transactor.inTransaction(
        "read appointments to reconcile",
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  EMR_COLUMNS + " WHERE s.start_at >= ? AND s.start_at < ?"
                      + " ORDER BY s.start_at, a.id")) {
            Jdbc.setInstant(select, 1, from);
            Jdbc.setInstant(select, 2, to);
            return readAll(select);
          }
        });
  }

  Optional<EmrAppointment> appointment(String id) {
    return transactor.inTransaction(
        "read appointment " + id,
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(EMR_COLUMNS + " WHERE a.id = ?")) {
            select.setString(1, id);
            return readAll(select).stream().findFirst();
          }
        });
  }

  /** Where the appointment stands with the connector; see {@link SyncState}. */
  SyncState syncState(String connectorId, String appointmentId) {
    SyncRecords.SyncRecord record = syncRecords.find(connectorId, appointmentId);
    return new SyncState(
        record.inFlight(), known(appointmentId, record.acknowledgedPayload()),
        record.externalId());
  }

  /** The state in the snapshot of the newest event the connector acknowledged or that came from it. */
  private static EmrAppointment known(String appointmentId, String payload) {
    if (payload == null) {
      return null;
    }
    JsonNode snapshot = Json.read(payload);
    return new EmrAppointment(
        appointmentId,
        snapshot.path("status").asText(),
        Instant.parse(snapshot.path("start").asText()),
        snapshot.path("location").path("code").asText(),
        snapshot.path("version").asLong());
  }

  /**
   * Stores the appointment's id at the connector's system, learnt from its listing (its create's
   * response had none). Idempotent.
   */
  void rememberExternalId(String connectorId, String appointmentId, String externalId, Instant now) {
    syncRecords.rememberExternalId(connectorId, appointmentId, externalId, now);
  }

  /** Inbound items of the connector not applied yet (received, or failed and due again). */
  int unfinishedInbound(String connectorId) {
    return transactor.inTransaction(
        "count unfinished inbound items",
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT COUNT(*) FROM inbox WHERE connector_id = ? AND (status = 'received'"
                      + " OR (status = 'failed' AND next_attempt_at IS NOT NULL))")) {
            select.setString(1, connectorId);
            try (ResultSet rows = select.executeQuery()) {
              rows.next();
              return rows.getInt(1);
            }
          }
        });
  }

  void insert(Reconciliation run) {
    transactor.inTransaction(
        "store reconciliation " + run.id(),
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO reconciliation (" + REPORT_COLUMNS + ", drift, repairs) VALUES"
                      + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            bind(insert, run);
            return insert.executeUpdate();
          }
        });
  }

  void update(Reconciliation run) {
    transactor.inTransaction(
        "finish reconciliation " + run.id(),
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE reconciliation SET status = ?, finished_at = ?, report = ?, error = ?,"
                      + " drift = ?, repairs = ? WHERE id = ?")) {
            update.setString(1, run.status());
            Jdbc.setInstant(update, 2, run.finishedAt());
            update.setString(3, Json.write(run));
            update.setString(4, Jdbc.clip(run.error(), 2000));
            setCounts(update, 5, run);
            update.setString(7, run.id());
            return update.executeUpdate();
          }
        });
  }

  private static void bind(PreparedStatement insert, Reconciliation run) throws SQLException {
    insert.setString(1, run.id());
    insert.setString(2, run.connectorId());
    Jdbc.setInstant(insert, 3, run.from());
    Jdbc.setInstant(insert, 4, run.to());
    insert.setBoolean(5, run.repair());
    insert.setString(6, run.trigger());
    insert.setString(7, run.status());
    Jdbc.setInstant(insert, 8, run.startedAt());
    Jdbc.setInstant(insert, 9, run.finishedAt());
    insert.setString(10, Json.write(run));
    insert.setString(11, Jdbc.clip(run.error(), 2000));
    setCounts(insert, 12, run);
  }

  private static void setCounts(PreparedStatement statement, int index, Reconciliation run)
      throws SQLException {
    Jdbc.setNullableInt(statement, index, run.summary() == null ? null : run.summary().drift());
    Jdbc.setNullableInt(
        statement, index + 1, run.summary() == null ? null : run.summary().repairs());
  }

  public Optional<Reconciliation> find(String id) {
    return transactor.inTransaction(
        "read reconciliation " + id,
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement("SELECT report FROM reconciliation WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet rows = select.executeQuery()) {
              return rows.next() ? Optional.of(parse(rows.getString(1))) : Optional.empty();
            }
          }
        });
  }

  /** The newest runs first, of one connector or ({@code null}) of all. */
  public List<Reconciliation> list(String connectorId, int limit) {
    return transactor.inTransaction(
        "list reconciliations",
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT report FROM reconciliation"
                      + (connectorId == null ? "" : " WHERE connector_id = ?")
                      + " ORDER BY started_at DESC, id LIMIT ?")) {
            int index = 1;
            if (connectorId != null) {
              select.setString(index++, connectorId);
            }
            select.setInt(index, limit);
            List<Reconciliation> runs = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                runs.add(parse(rows.getString(1)));
              }
            }
            return runs;
          }
        });
  }

  /**
   * Claims the connector's scheduled run if it is due: moves {@code next_run_at} to {@code
   * nextRun}. Atomic across processes sharing the database: of concurrent callers, one wins.
   *
   * @return true when this caller should run it now
   */
  boolean claimScheduled(String connectorId, String node, Instant now, Instant nextRun) {
    Instant at = now.truncatedTo(ChronoUnit.MICROS);
    return transactor.inTransaction(
        "claim scheduled reconciliation of " + connectorId,
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO reconcile_schedule (connector_id, next_run_at, claimed_by)"
                      + " VALUES (?, ?, ?)")) {
            insert.setString(1, connectorId);
            Jdbc.setInstant(insert, 2, nextRun.truncatedTo(ChronoUnit.MICROS));
            insert.setString(3, node);
            insert.executeUpdate();
            return true; // first run of this connector anywhere: now
          } catch (SQLException exists) {
            if (!UNIQUE_VIOLATION.equals(exists.getSQLState())) {
              throw exists;
            }
            connection.rollback();
          }
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE reconcile_schedule SET next_run_at = ?, claimed_by = ?"
                      + " WHERE connector_id = ? AND next_run_at <= ?")) {
            Jdbc.setInstant(update, 1, nextRun.truncatedTo(ChronoUnit.MICROS));
            update.setString(2, node);
            update.setString(3, connectorId);
            Jdbc.setInstant(update, 4, at);
            return update.executeUpdate() == 1;
          }
        });
  }

  private static Reconciliation parse(String report) {
    try {
      return Json.MAPPER.readValue(report, Reconciliation.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException unreadable) {
      throw new org.hms.sync.SyncException(
          "a stored reconciliation report cannot be read: " + unreadable.getOriginalMessage(),
          unreadable);
    }
  }

  private static List<EmrAppointment> readAll(PreparedStatement select) throws SQLException {
    List<EmrAppointment> appointments = new ArrayList<>();
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        appointments.add(
            new EmrAppointment(
                rows.getString(1), rows.getString(2), Jdbc.getInstant(rows, "start_at"),
                rows.getString(5), rows.getLong(3)));
      }
    }
    return appointments;
  }
}
