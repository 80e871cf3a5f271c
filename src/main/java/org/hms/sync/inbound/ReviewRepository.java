package org.hms.sync.inbound;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hms.sync.db.Jdbc;
import org.hms.sync.db.Transactor;

/** SQL for the review queue (table review, V4). One code path for H2 and PostgreSQL. */
public final class ReviewRepository {
  private static final String COLUMNS =
      "id, inbox_item_id, connector_id, appointment_id, emr_snapshot, external_change,"
          + " change_index, reason, status, resolution, created_at, resolved_at";

  private final Transactor transactor;

  public ReviewRepository(Transactor transactor) {
    this.transactor = transactor;
  }

  static void insert(Connection connection, Review review) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO review (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, review.id());
      insert.setString(2, review.inboxItemId());
      insert.setString(3, review.connectorId());
      insert.setString(4, review.appointmentId());
      insert.setString(5, review.emrSnapshot());
      insert.setString(6, review.externalChange());
      insert.setInt(7, review.changeIndex());
      insert.setString(8, Jdbc.clip(review.reason(), 2000));
      insert.setString(9, review.status().wire());
      insert.setString(10, review.resolution() == null ? null : review.resolution().wire());
      Jdbc.setInstant(insert, 11, review.createdAt());
      Jdbc.setInstant(insert, 12, review.resolvedAt());
      insert.executeUpdate();
    }
  }

  public Optional<Review> find(String id) {
    return transactor.inTransaction(
        "read review " + id,
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement("SELECT " + COLUMNS + " FROM review WHERE id = ?")) {
            select.setString(1, id);
            return read(select).stream().findFirst();
          }
        });
  }

  /**
   * Reviews oldest first.
   *
   * @param status only those in this status, or all when {@code null}
   */
  public List<Review> list(Review.Status status, int limit) {
    String sql =
        "SELECT " + COLUMNS + " FROM review"
            + (status == null ? "" : " WHERE status = ?")
            + " ORDER BY created_at, id LIMIT ?";
    return transactor.inTransaction(
        "list reviews",
        connection -> {
          try (PreparedStatement select = connection.prepareStatement(sql)) {
            int index = 1;
            if (status != null) {
              select.setString(index++, status.wire());
            }
            select.setInt(index, limit);
            return read(select);
          }
        });
  }

  /**
   * Marks an open review resolved, sets its inbox item's outcome and opens the {@code next}
   * review, if any, in one transaction.
   *
   * @return false when the review was not open any more (someone resolved it meanwhile)
   */
  public boolean resolve(
      String id, Review.Choice choice, Instant now, String inboxItemId, InboxStatus itemStatus,
      String itemReason, Review next) {
    return transactor.inTransaction(
        "resolve review " + id,
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE review SET status = ?, resolution = ?, resolved_at = ?"
                      + " WHERE id = ? AND status = ?")) {
            update.setString(1, Review.Status.RESOLVED.wire());
            update.setString(2, choice.wire());
            Jdbc.setInstant(update, 3, now);
            update.setString(4, id);
            update.setString(5, Review.Status.OPEN.wire());
            if (update.executeUpdate() != 1) {
              return false;
            }
          }
          InboxRepository.markResolved(connection, inboxItemId, itemStatus, itemReason, now);
          if (next != null) {
            insert(connection, next);
          }
          return true;
        });
  }

  private static List<Review> read(PreparedStatement select) throws SQLException {
    List<Review> reviews = new ArrayList<>();
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        String resolution = rows.getString("resolution");
        reviews.add(
            new Review(
                rows.getString("id"),
                rows.getString("inbox_item_id"),
                rows.getString("connector_id"),
                rows.getString("appointment_id"),
                rows.getString("emr_snapshot"),
                rows.getString("external_change"),
                rows.getInt("change_index"),
                rows.getString("reason"),
                Review.Status.fromWire(rows.getString("status")),
                resolution == null ? null : Review.Choice.fromWire(resolution),
                Jdbc.getInstant(rows, "created_at"),
                Jdbc.getInstant(rows, "resolved_at")));
      }
    }
    return reviews;
  }
}
