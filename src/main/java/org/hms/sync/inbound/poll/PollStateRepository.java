package org.hms.sync.inbound.poll;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.hms.sync.db.Jdbc;
import org.hms.sync.db.Transactor;
import org.hms.sync.inbound.InboxItem;
import org.hms.sync.inbound.InboxRepository;

/**
 * SQL for {@code poll_state}: a lease per connector, so that of several engine processes sharing
 * a database only one polls a connector at a time, and the cursor, which moves only in the
 * transaction that stores the polled items in the inbox. One code path for H2 and PostgreSQL.
 */
public final class PollStateRepository {
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String COLUMNS =
      "connector_id, cursor, locked_by, locked_until, last_polled_at, last_error, failures,"
          + " next_poll_at";

  private final Transactor transactor;

  public PollStateRepository(Transactor transactor) {
    this.transactor = transactor;
  }

  /**
   * Takes the connector's lease for {@code node} until {@code now + lease} when the connector is
   * due ({@code next_poll_at} passed) and nobody else holds an unexpired lease. Atomic across
   * processes: of concurrent callers with different nodes, at most one gets the lease.
   *
   * @return the state with the lease taken, or empty when not due or leased by another node
   */
  public Optional<PollState> tryLease(String connectorId, String node, Instant now, Duration lease) {
    return tryLease(connectorId, node, now, lease, false);
  }

  /**
   * As {@link #tryLease(String, String, Instant, Duration)}; with {@code evenIfNotDue}, also when
   * the connector is not due yet (its system said something changed).
   */
  public Optional<PollState> tryLease(
      String connectorId, String node, Instant now, Duration lease, boolean evenIfNotDue) {
    Instant at = now.truncatedTo(ChronoUnit.MICROS);
    Instant until = now.plus(lease).truncatedTo(ChronoUnit.MICROS);
    createIfMissing(connectorId);
    return transactor.inTransaction(
        "lease poller of connector " + connectorId,
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE poll_state SET locked_by = ?, locked_until = ? WHERE connector_id = ?"
                      + " AND (locked_until IS NULL OR locked_until <= ? OR locked_by = ?)"
                      + " AND (? OR next_poll_at IS NULL OR next_poll_at <= ?)")) {
            update.setString(1, node);
            Jdbc.setInstant(update, 2, until);
            update.setString(3, connectorId);
            Jdbc.setInstant(update, 4, at);
            update.setString(5, node);
            update.setBoolean(6, evenIfNotDue);
            Jdbc.setInstant(update, 7, at);
            if (update.executeUpdate() != 1) {
              return Optional.empty();
            }
          }
          return read(connection, connectorId);
        });
  }

  /**
   * In ONE transaction: stores the items in the inbox (each at most once per connector and id),
   * moves the cursor, clears the failures and releases the lease. Nothing is saved when {@code
   * node} no longer holds the lease.
   *
   * @param cursor the new cursor; {@code null} keeps the old one
   * @return how many items were new
   * @throws LeaseLostException when the lease was lost (the transaction is rolled back)
   */
  public int saveBatch(
      String connectorId, String node, String cursor, List<InboxItem> items, Instant now,
      Instant nextPollAt) {
    return transactor.inTransaction(
        "store " + items.size() + " polled items of connector " + connectorId,
        connection -> {
          int stored = 0;
          for (InboxItem item : items) {
            if (InboxRepository.insertIfAbsent(connection, transactor.dialect(), item)) {
              stored++;
            }
          }
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE poll_state SET cursor = COALESCE(?, cursor), failures = 0,"
                      + " last_error = NULL, last_polled_at = ?, next_poll_at = ?,"
                      + " locked_by = NULL, locked_until = NULL"
                      + " WHERE connector_id = ? AND locked_by = ?")) {
            update.setString(1, cursor);
            Jdbc.setInstant(update, 2, now);
            Jdbc.setInstant(update, 3, nextPollAt);
            update.setString(4, connectorId);
            update.setString(5, node);
            if (update.executeUpdate() != 1) {
              throw new LeaseLostException(connectorId, node);
            }
          }
          return stored;
        });
  }

  /**
   * A failed poll: failures + 1, the error (never PHI), due again at {@code nextPollAt}, lease
   * released; the cursor stays. Does nothing when {@code node} no longer holds the lease.
   *
   * @return true when recorded
   */
  public boolean recordFailure(
      String connectorId, String node, String error, Instant nextPollAt) {
    return transactor.inTransaction(
        "record failed poll of connector " + connectorId,
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE poll_state SET failures = failures + 1, last_error = ?,"
                      + " next_poll_at = ?, locked_by = NULL, locked_until = NULL"
                      + " WHERE connector_id = ? AND locked_by = ?")) {
            update.setString(1, Jdbc.clip(error, 2000));
            Jdbc.setInstant(update, 2, nextPollAt);
            update.setString(3, connectorId);
            update.setString(4, node);
            return update.executeUpdate() == 1;
          }
        });
  }

  /** The connector's state, if it was ever polled. */
  public Optional<PollState> find(String connectorId) {
    return transactor.inTransaction(
        "read poll state of connector " + connectorId, connection -> read(connection, connectorId));
  }

  private void createIfMissing(String connectorId) {
    transactor.inTransaction(
        "create poll state of connector " + connectorId,
        connection -> {
          if (read(connection, connectorId).isPresent()) {
            return false;
          }
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO poll_state (connector_id, failures) VALUES (?, 0)")) {
            insert.setString(1, connectorId);
            return insert.executeUpdate() == 1;
          } catch (SQLException failure) {
            if (UNIQUE_VIOLATION.equals(failure.getSQLState())) {
              return false; // another node created it at the same moment
            }
            throw failure;
          }
        });
  }

  private static Optional<PollState> read(Connection connection, String connectorId)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT " + COLUMNS + " FROM poll_state WHERE connector_id = ?")) {
      select.setString(1, connectorId);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new PollState(
                rows.getString("connector_id"),
                rows.getString("cursor"),
                rows.getString("locked_by"),
                Jdbc.getInstant(rows, "locked_until"),
                Jdbc.getInstant(rows, "last_polled_at"),
                rows.getString("last_error"),
                rows.getInt("failures"),
                Jdbc.getInstant(rows, "next_poll_at")));
      }
    }
  }
}
