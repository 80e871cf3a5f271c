package org.hms.sync.inbound;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hms.sync.db.Jdbc;
import org.hms.sync.db.Transactor;

/** SQL for the inbox. One code path for H2 and PostgreSQL (the insert differs, see Dialect). */
public final class InboxRepository {
  /**
   * Webhook ids are kept at least this long, longer than any sender's retry horizon (Standard
   * Webhooks senders retry for about 3 days), so a late redelivery is still recognised.
   */
  public static final Duration MIN_RETENTION = Duration.ofDays(7);

  private static final String COLUMNS =
      "id, connector_id, webhook_id, received_at, headers, payload, status, reason, attempts,"
          + " next_attempt_at, changes, processed_at";
  private static final String UNIQUE_VIOLATION = "23505";
  /** Finished items; received, failed (to be retried) and conflict (to be reviewed) are kept. */
  private static final List<InboxStatus> PURGEABLE =
      List.of(InboxStatus.APPLIED, InboxStatus.DUPLICATE, InboxStatus.REJECTED);

  private final Transactor transactor;

  public InboxRepository(Transactor transactor) {
    this.transactor = transactor;
  }

  /**
   * Stores the item unless the connector already has one with its webhook id. Atomic: of several
   * concurrent calls with the same connector and webhook id (on one node or several sharing a
   * PostgreSQL), exactly one returns true. Idempotent: calling it again changes nothing.
   *
   * @return true when the item is new, false when the webhook id was already there
   */
  public boolean insertIfAbsent(InboxItem item) {
    return transactor.inTransaction(
        "store webhook " + item.webhookId() + " of connector " + item.connectorId(),
        connection -> insertIfAbsent(connection, transactor.dialect(), item));
  }

  /**
   * {@link #insertIfAbsent(InboxItem)} inside the caller's transaction, so that the insert commits
   * together with the caller's other work (a poller's cursor).
   */
  public static boolean insertIfAbsent(
      Connection connection, org.hms.sync.db.Dialect dialect, InboxItem item) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(dialect.insertInboxIfAbsent())) {
      insert.setString(1, item.id());
      insert.setString(2, item.connectorId());
      insert.setString(3, item.webhookId());
      Jdbc.setInstant(insert, 4, item.receivedAt());
      insert.setString(5, item.headers());
      insert.setString(6, item.payload());
      insert.setString(7, item.status().wire());
      insert.setString(8, Jdbc.clip(item.reason(), 2000));
      insert.setInt(9, item.attempts());
      Jdbc.setInstant(insert, 10, item.nextAttemptAt());
      insert.setString(11, item.changes());
      Jdbc.setInstant(insert, 12, item.processedAt());
      return insert.executeUpdate() == 1;
    } catch (SQLException failure) {
      if (UNIQUE_VIOLATION.equals(failure.getSQLState())) {
        return false;
      }
      throw failure;
    }
  }

  /** The connector's item with this webhook id, if stored. */
  public Optional<InboxItem> find(String connectorId, String webhookId) {
    return transactor.inTransaction(
        "read webhook " + webhookId + " of connector " + connectorId,
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT " + COLUMNS + " FROM inbox WHERE connector_id = ? AND webhook_id = ?")) {
            select.setString(1, connectorId);
            select.setString(2, webhookId);
            List<InboxItem> items = read(select);
            return items.stream().findFirst();
          }
        });
  }

  /**
   * Claims up to {@code limit} due items (received, or failed and due for a retry) for {@code
   * lease}: their next_attempt_at moves to the lease's end and attempts grows by one, so no other
   * processor (in this process or another sharing the database) takes them until the lease ends. A
   * processor that crashes leaves them claimable again after the lease.
   *
   * @return the claimed items; each one's {@code nextAttemptAt} is the lease token for {@link
   *     #finish} and {@link #retryLater}
   */
  public List<InboxItem> claim(Instant now, Duration lease, int limit) {
    Instant until = now.plus(lease).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    return transactor.inTransaction(
        "claim inbox items",
        connection -> {
          transactor.dialect().prepareQueueScan(connection);
          List<String> due = new ArrayList<>();
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT id FROM inbox WHERE status IN (?, ?) AND next_attempt_at <= ?"
                      + " ORDER BY next_attempt_at, received_at LIMIT ?"
                      + transactor.dialect().skipLockedSuffix())) {
            select.setString(1, InboxStatus.RECEIVED.wire());
            select.setString(2, InboxStatus.FAILED.wire());
            Jdbc.setInstant(select, 3, now);
            select.setInt(4, limit);
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                due.add(rows.getString(1));
              }
            }
          }
          List<InboxItem> claimed = new ArrayList<>();
          try (PreparedStatement update =
                  connection.prepareStatement(
                      "UPDATE inbox SET next_attempt_at = ?, attempts = attempts + 1"
                          + " WHERE id = ? AND status IN (?, ?) AND next_attempt_at <= ?");
              PreparedStatement select =
                  connection.prepareStatement("SELECT " + COLUMNS + " FROM inbox WHERE id = ?")) {
            for (String id : due) {
              Jdbc.setInstant(update, 1, until);
              update.setString(2, id);
              update.setString(3, InboxStatus.RECEIVED.wire());
              update.setString(4, InboxStatus.FAILED.wire());
              Jdbc.setInstant(update, 5, now);
              if (update.executeUpdate() == 1) {
                select.setString(1, id);
                claimed.addAll(read(select));
              }
            }
          }
          return claimed;
        });
  }

  /**
   * Hands back claimed items that were not applied (a stopping processor's): due again at {@code
   * now}, and the claim does not count as an attempt. An item whose lease was lost meanwhile is
   * left alone.
   *
   * @return how many were handed back
   */
  int release(List<InboxItem> claimed, Instant now) {
    return transactor.inTransaction(
        "hand back inbox items",
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE inbox SET next_attempt_at = ?, attempts = attempts - 1"
                      + " WHERE id = ? AND next_attempt_at = ? AND status IN (?, ?)")) {
            for (InboxItem item : claimed) {
              Jdbc.setInstant(update, 1, now);
              update.setString(2, item.id());
              Jdbc.setInstant(update, 3, item.nextAttemptAt());
              update.setString(4, InboxStatus.RECEIVED.wire());
              update.setString(5, InboxStatus.FAILED.wire());
              update.addBatch();
            }
            int released = 0;
            for (int count : update.executeBatch()) {
              released += count == java.sql.Statement.SUCCESS_NO_INFO ? 1 : count;
            }
            return released;
          }
        });
  }

  /**
   * Records the item's final outcome (applied, duplicate, rejected or conflict), with the review
   * to open, if any, in the same transaction. Does nothing when the lease {@code claimedUntil} was
   * lost to another processor.
   *
   * @return true when recorded
   */
  public boolean finish(
      String id, Instant claimedUntil, InboxStatus status, String reason, Instant now,
      Review review) {
    return transactor.inTransaction(
        "record outcome of inbox item " + id,
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE inbox SET status = ?, reason = ?, next_attempt_at = NULL,"
                      + " processed_at = ? WHERE id = ? AND next_attempt_at = ?")) {
            update.setString(1, status.wire());
            update.setString(2, Jdbc.clip(reason, 2000));
            Jdbc.setInstant(update, 3, now);
            update.setString(4, id);
            Jdbc.setInstant(update, 5, claimedUntil);
            if (update.executeUpdate() != 1) {
              return false;
            }
          }
          if (review != null) {
            ReviewRepository.insert(connection, review);
          }
          return true;
        });
  }

  /**
   * Records a failure a retry may fix: status failed, due again at {@code nextAttemptAt} ({@code
   * null}: given up, no more retries). Does nothing when the lease was lost.
   */
  public boolean retryLater(String id, Instant claimedUntil, String reason, Instant nextAttemptAt) {
    return transactor.inTransaction(
        "record failure of inbox item " + id,
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE inbox SET status = ?, reason = ?, next_attempt_at = ?"
                      + " WHERE id = ? AND next_attempt_at = ?")) {
            update.setString(1, InboxStatus.FAILED.wire());
            update.setString(2, Jdbc.clip(reason, 2000));
            Jdbc.setInstant(update, 3, nextAttemptAt);
            update.setString(4, id);
            Jdbc.setInstant(update, 5, claimedUntil);
            return update.executeUpdate() == 1;
          }
        });
  }

  /** The item with this id, if stored. */
  public Optional<InboxItem> findById(String id) {
    return transactor.inTransaction(
        "read inbox item " + id,
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement("SELECT " + COLUMNS + " FROM inbox WHERE id = ?")) {
            select.setString(1, id);
            return read(select).stream().findFirst();
          }
        });
  }

  /** Sets a finished item's status and reason after a review was resolved. */
  static void markResolved(Connection connection, String id, InboxStatus status, String reason, Instant now)
      throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE inbox SET status = ?, reason = ?, processed_at = ? WHERE id = ?")) {
      update.setString(1, status.wire());
      update.setString(2, Jdbc.clip(reason, 2000));
      Jdbc.setInstant(update, 3, now);
      update.setString(4, id);
      update.executeUpdate();
    }
  }

  /**
   * Items newest first.
   *
   * @param connectorId only this connector's, or all when {@code null}
   * @param status only those in this status, or all when {@code null}
   * @param limit at most this many
   */
  public List<InboxItem> list(String connectorId, InboxStatus status, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM inbox WHERE 1 = 1");
    if (connectorId != null) {
      sql.append(" AND connector_id = ?");
    }
    if (status != null) {
      sql.append(" AND status = ?");
    }
    sql.append(" ORDER BY received_at DESC, id DESC LIMIT ?");
    return transactor.inTransaction(
        "list inbox",
        connection -> {
          try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
            int index = 1;
            if (connectorId != null) {
              select.setString(index++, connectorId);
            }
            if (status != null) {
              select.setString(index++, status.wire());
            }
            select.setInt(index, limit);
            return read(select);
          }
        });
  }

  /**
   * Deletes up to {@code limit} finished items (applied, duplicate, rejected) received more than
   * {@code retention} before {@code now}; items still waiting, failed or in conflict are kept.
   * Idempotent.
   *
   * @throws IllegalArgumentException when {@code retention} is shorter than {@link #MIN_RETENTION}
   * @return how many were deleted
   */
  public int purgeFinished(Instant now, Duration retention, int limit) {
    if (retention.compareTo(MIN_RETENTION) < 0) {
      throw new IllegalArgumentException(
          "inbox retention " + retention + " is shorter than " + MIN_RETENTION.toDays()
              + " days: a sender's late redelivery would be applied twice; keep at least "
              + MIN_RETENTION.toDays() + " days");
    }
    Instant cutoff = now.minus(retention);
    return transactor.inTransaction(
        "purge finished inbox items",
        connection -> {
          List<String> ids = new ArrayList<>();
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT id FROM inbox WHERE received_at < ? AND status IN (?, ?, ?)"
                      + " ORDER BY received_at LIMIT ?")) {
            Jdbc.setInstant(select, 1, cutoff);
            for (int index = 0; index < PURGEABLE.size(); index++) {
              select.setString(index + 2, PURGEABLE.get(index).wire());
            }
            select.setInt(PURGEABLE.size() + 2, limit);
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                ids.add(rows.getString(1));
              }
            }
          }
          return delete(connection, ids);
        });
  }

  private static int delete(Connection connection, List<String> ids) throws SQLException {
    if (ids.isEmpty()) {
      return 0;
    }
    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM inbox WHERE id = ?")) {
      for (String id : ids) {
        delete.setString(1, id);
        delete.addBatch();
      }
      delete.executeBatch();
    }
    return ids.size();
  }

  private static List<InboxItem> read(PreparedStatement select) throws SQLException {
    List<InboxItem> items = new ArrayList<>();
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        items.add(
            new InboxItem(
                rows.getString("id"),
                rows.getString("connector_id"),
                rows.getString("webhook_id"),
                Jdbc.getInstant(rows, "received_at"),
                rows.getString("headers"),
                rows.getString("payload"),
                InboxStatus.fromWire(rows.getString("status")),
                rows.getString("reason"),
                rows.getInt("attempts"),
                Jdbc.getInstant(rows, "next_attempt_at"),
                rows.getString("changes"),
                Jdbc.getInstant(rows, "processed_at")));
      }
    }
    return items;
  }
}
