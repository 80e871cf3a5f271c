package org.hms.sync.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.hms.sync.db.Jdbc;
import org.hms.sync.db.Dialect;
import org.hms.sync.db.Transactor;
import org.hms.sync.outbox.OutboxEvent;

/** SQL for deliveries, the sync log and connector status. One code path for H2 and PostgreSQL. */
public final class DeliveryRepository {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(DeliveryRepository.class);
  private static final String DELIVERY_COLUMNS =
      "d.id, d.event_id, d.connector_id, d.appointment_id, d.sequence, d.event_type, s.status,"
          + " s.attempts, s.next_attempt_at, s.last_http_status, s.last_error, d.created_at,"
          + " s.updated_at, s.completed_at";

  /**
   * A delivery is two rows: the fixed part ({@code delivery d}) and what changes ({@code
   * delivery_state s}), joined by {@code delivery_no}; see the V8 migration for why.
   */
  private static final String DELIVERY_WITH_STATE =
      "delivery d JOIN delivery_state s ON s.delivery_no = d.delivery_no";

  // Due, not leased, and first in line: no earlier unfinished event of the same appointment for
  // the same connector. This is what keeps per-appointment order while appointments run in
  // parallel.
  private static final String SELECT_CLAIMABLE =
      "SELECT s.delivery_no FROM delivery_state s JOIN delivery d ON d.delivery_no = s.delivery_no"
          + " WHERE s.status = ? AND s.next_attempt_at <= ?"
          + " AND (s.locked_until IS NULL OR s.locked_until < ?) AND d.connector_id IN (%s)"
          + " AND NOT EXISTS (SELECT 1 FROM delivery p WHERE p.appointment_id = d.appointment_id"
          + " AND p.connector_id = d.connector_id AND p.sequence < d.sequence"
          // One state row per earlier delivery, by its key (a join could be planned as a scan).
          + " AND (SELECT ps.status FROM delivery_state ps WHERE ps.delivery_no = p.delivery_no)"
          + " NOT IN (" + DeliveryStatus.sqlList(Transition.finals()) + "))"
          // (status, next_attempt_at) matches the delivery_due index, so the scan stops at LIMIT.
          + " ORDER BY s.status, s.next_attempt_at LIMIT ?";

  private static final String CLAIM =
      "UPDATE delivery_state SET locked_by = ?, locked_until = ?, claim_token = ?,"
          + " attempts = attempts + 1, updated_at = ? WHERE delivery_no = ?"
          + " AND " + Transition.CLAIM.guard() + " AND (locked_until IS NULL OR locked_until < ?)";

  // The rows this transaction has just claimed (and holds locked), walked from their keys: the
  // planner sees how many there are and looks each one up. Filtering the narrow state table by the
  // claim token or by the keys let PostgreSQL without statistics read all of it instead.
  private static final String SELECT_CLAIMED =
      "SELECT d.id, d.delivery_no, d.connector_id, s.attempts, s.retry_base, e.id AS event_id,"
          + " e.appointment_id, e.sequence, e.type, e.occurred_at, e.origin, e.payload,"
          + " x.external_id FROM UNNEST(?) AS k (delivery_no)"
          + " JOIN delivery d ON d.delivery_no = k.delivery_no"
          + " JOIN delivery_state s ON s.delivery_no = d.delivery_no"
          + " JOIN outbox_event e ON e.id = d.event_id"
          + " LEFT JOIN external_ref x ON x.connector_id = d.connector_id"
          + " AND x.appointment_id = d.appointment_id";

  private static final String FINISH =
      "UPDATE delivery_state SET status = ?, next_attempt_at = ?, locked_by = NULL,"
          + " locked_until = NULL, claim_token = NULL, last_http_status = ?, last_error = ?,"
          + " updated_at = ?, completed_at = ? WHERE delivery_no = ? AND claim_token = ?";

  private static final String PARK =
      "UPDATE delivery_state SET status = '" + Transition.PARK.target().wire() + "', updated_at = ?"
          + " WHERE delivery_no = ? AND " + Transition.PARK.guard();

  private static final String INSERT_ATTEMPT =
      "INSERT INTO delivery_attempt (delivery_id, connector_id, attempt, node_id, started_at,"
          + " duration_ms, http_status, outcome, error_class, error_message, next_attempt_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final Transactor transactor;

  public DeliveryRepository(Transactor transactor) {
    this.transactor = transactor;
  }

  /**
   * Leases up to {@code limit} first-in-line due deliveries of the given connectors to this node.
   * Safe to run on several nodes at once: a row is claimed only by the update that finds it free.
   */
  List<ClaimedDelivery> claim(
      Collection<String> connectorIds, String nodeId, Instant now, Duration lease, int limit) {
    return recordAndClaim(List.of(), connectorIds, nodeId, now, lease, limit);
  }

  /**
   * One round of the engine in one transaction: records finished attempts (see {@link #record})
   * and leases up to {@code limit} new deliveries.
   */
  List<ClaimedDelivery> recordAndClaim(
      List<AttemptResult> results,
      Collection<String> connectorIds,
      String nodeId,
      Instant now,
      Duration lease,
      int limit) {
    return recordAndClaim(results, List.of(new ClaimQuota(connectorIds, limit)), nodeId, now, lease);
  }

  /** At most {@code limit} claims among the deliveries of {@code connectorIds}. */
  record ClaimQuota(Collection<String> connectorIds, int limit) {
    boolean isEmpty() {
      return connectorIds.isEmpty() || limit < 1;
    }
  }

  /** One round with a separate claim limit per group of connectors; see {@link #recordAndClaim}. */
  List<ClaimedDelivery> recordAndClaim(
      List<AttemptResult> results,
      List<ClaimQuota> quotas,
      String nodeId,
      Instant now,
      Duration lease) {
    List<ClaimQuota> wanted = quotas.stream().filter(quota -> !quota.isEmpty()).toList();
    if (results.isEmpty() && wanted.isEmpty()) {
      return List.of();
    }
    return transactor.inTransaction(
        "record and claim deliveries",
        connection -> {
          if (!results.isEmpty()) {
            recordOn(connection, results, nodeId, now);
          }
          List<ClaimedDelivery> claimed = new ArrayList<>();
          if (!wanted.isEmpty()) {
            transactor.dialect().prepareQueueScan(connection);
          }
          for (ClaimQuota quota : wanted) {
            claimed.addAll(
                claimOn(connection, quota.connectorIds(), nodeId, now, lease, quota.limit()));
          }
          return claimed;
        });
  }

  /**
   * The claim query for this many connector ids. Parameters: status, now, now, the connector ids,
   * limit. Run {@link Dialect#prepareQueueScan} first in the same transaction.
   */
  static String claimableSql(Dialect dialect, int connectorCount) {
    String placeholders = String.join(", ", java.util.Collections.nCopies(connectorCount, "?"));
    return String.format(SELECT_CLAIMABLE, placeholders) + dialect.skipLockedSuffix("s");
  }

  private List<ClaimedDelivery> claimOn(
      Connection connection,
      Collection<String> connectorIds,
      String nodeId,
      Instant now,
      Duration lease,
      int limit)
      throws SQLException {
    String token = UUID.randomUUID().toString();
    List<Long> candidates = new ArrayList<>();
    String sql = claimableSql(transactor.dialect(), connectorIds.size());
    // Retries that are due first, then new deliveries, oldest first within each.
    for (DeliveryStatus status : new DeliveryStatus[] {DeliveryStatus.RETRYING, DeliveryStatus.PENDING}) {
      if (candidates.size() >= limit) {
        break;
      }
      try (PreparedStatement select = connection.prepareStatement(sql)) {
        int index = 1;
        select.setString(index++, status.wire());
        Jdbc.setInstant(select, index++, now);
        Jdbc.setInstant(select, index++, now);
        for (String connectorId : connectorIds) {
          select.setString(index++, connectorId);
        }
        select.setInt(index, limit - candidates.size());
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            candidates.add(rows.getLong(1));
          }
        }
      }
    }
    if (candidates.isEmpty()) {
      return List.of();
    }
    try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
      for (long number : candidates) {
        claim.setString(1, nodeId);
        Jdbc.setInstant(claim, 2, now.plus(lease));
        claim.setString(3, token);
        Jdbc.setInstant(claim, 4, now);
        claim.setLong(5, number);
        Jdbc.setInstant(claim, 6, now);
        claim.addBatch();
      }
      int[] counts = claim.executeBatch();
      List<Long> won = new ArrayList<>(candidates.size());
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] > 0 || counts[i] == java.sql.Statement.SUCCESS_NO_INFO) {
          won.add(candidates.get(i));
        }
      }
      candidates = won;
    }
    if (candidates.isEmpty()) {
      return List.of();
    }
    List<ClaimedDelivery> claimed = new ArrayList<>(candidates.size());
    // One statement text for any number of ids (an array parameter), so it is parsed once.
    try (PreparedStatement select = connection.prepareStatement(SELECT_CLAIMED)) {
      select.setArray(1, connection.createArrayOf("BIGINT", candidates.toArray()));
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          int attempts = rows.getInt("attempts");
          OutboxEvent event =
              new OutboxEvent(
                  rows.getString("event_id"),
                  rows.getString("appointment_id"),
                  rows.getLong("sequence"),
                  rows.getString("type"),
                  Jdbc.getInstant(rows, "occurred_at"),
                  rows.getString("origin"),
                  rows.getString("payload"));
          claimed.add(
              new ClaimedDelivery(
                  rows.getString("id"),
                  rows.getLong("delivery_no"),
                  rows.getString("connector_id"),
                  token,
                  attempts,
                  attempts - rows.getInt("retry_base"),
                  event,
                  rows.getString("external_id")));
        }
      }
    }
    return claimed;
  }

  /**
   * Records a batch of finished attempts in one transaction: the sync log rows, the new delivery
   * states, external ids, parking behind new dead letters, and connector status. A result whose
   * lease was lost (another node claimed the delivery meanwhile) is logged but changes no state.
   *
   * @return how many results still held their lease
   */
  int record(List<AttemptResult> results, String nodeId, Instant now) {
    return transactor.inTransaction(
        "record delivery results", connection -> recordOn(connection, results, nodeId, now));
  }

  private int recordOn(
      Connection connection, List<AttemptResult> results, String nodeId, Instant now)
      throws SQLException {
    insertAttempts(connection, results, nodeId);
    // A result whose lease was lost is history only: another node owns the delivery now.
    List<AttemptResult> held = finish(connection, results, now);
    if (held.size() < results.size()) {
      log.warn(
          "{} of {} results arrived after their lease ended; another node took those deliveries"
              + " over (consider a longer engine.lease)",
          results.size() - held.size(),
          results.size());
    }
    storeExternalIds(connection, held, now);
    parkBehindDeadLetters(connection, held, now);
    updateConnectorStatus(connection, held);
    return held.size();
  }

  private static void insertAttempts(
      Connection connection, List<AttemptResult> results, String nodeId) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT_ATTEMPT)) {
      for (AttemptResult result : results) {
        insert.setString(1, result.claimed().deliveryId());
        insert.setString(2, result.claimed().connectorId());
        insert.setInt(3, result.claimed().attempt());
        insert.setString(4, nodeId);
        Jdbc.setInstant(insert, 5, result.startedAt());
        insert.setLong(6, result.durationMs());
        Jdbc.setNullableInt(insert, 7, result.result().httpStatus());
        insert.setString(8, result.outcome());
        insert.setString(9, Jdbc.clip(errorClass(result.result()), 200));
        insert.setString(10, Jdbc.clip(message(result.result()), 2000));
        Jdbc.setInstant(insert, 11, result.nextAttemptAt());
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /** Writes each result's new state; returns the results that still held their lease. */
  private static List<AttemptResult> finish(
      Connection connection, List<AttemptResult> results, Instant now) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(FINISH)) {
      for (AttemptResult result : results) {
        boolean done = result.newStatus() == DeliveryStatus.SUCCEEDED;
        update.setString(1, result.newStatus().wire());
        Jdbc.setInstant(
            update, 2, result.nextAttemptAt() == null ? now : result.nextAttemptAt());
        Jdbc.setNullableInt(update, 3, result.result().httpStatus());
        update.setString(
            4,
            result.result() instanceof PushResult.Success
                ? null
                : Jdbc.clip(message(result.result()), 2000));
        Jdbc.setInstant(update, 5, now);
        Jdbc.setInstant(
            update, 6, done || result.newStatus() == DeliveryStatus.DEAD ? now : null);
        update.setLong(7, result.claimed().number());
        update.setString(8, result.claimed().claimToken());
        update.addBatch();
      }
      int[] counts = update.executeBatch();
      List<AttemptResult> held = new ArrayList<>(results.size());
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] > 0 || counts[i] == java.sql.Statement.SUCCESS_NO_INFO) {
          held.add(results.get(i));
        }
      }
      return held;
    }
  }

  private void storeExternalIds(Connection connection, List<AttemptResult> results, Instant now)
      throws SQLException {
    List<AttemptResult> withIds =
        results.stream()
            .filter(r -> r.result() instanceof PushResult.Success s && s.externalId() != null)
            .toList();
    if (withIds.isEmpty()) {
      return;
    }
    try (PreparedStatement upsert =
        connection.prepareStatement(transactor.dialect().upsertExternalRef())) {
      for (AttemptResult result : withIds) {
        upsert.setString(1, result.claimed().connectorId());
        upsert.setString(2, result.claimed().event().appointmentId());
        upsert.setString(3, ((PushResult.Success) result.result()).externalId());
        Jdbc.setInstant(upsert, 4, now);
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
  }

  /**
   * Parks the later events of each newly dead delivery. The appointment row is locked first: a
   * change of the same appointment holds that lock while it appends its event, so either the change
   * commits first and its delivery is parked here, or it runs after and sees the dead letter (and
   * parks its own delivery at insert). Locks are taken in appointment-id order.
   */
  private static void parkBehindDeadLetters(
      Connection connection, List<AttemptResult> results, Instant now) throws SQLException {
    List<AttemptResult> dead =
        results.stream()
            .filter(result -> result.newStatus() == DeliveryStatus.DEAD)
            .sorted(
                java.util.Comparator.comparing(
                    (AttemptResult result) -> result.claimed().event().appointmentId()))
            .toList();
    for (AttemptResult result : dead) {
      lockAppointment(connection, result.claimed().event().appointmentId());
      List<Long> later =
          Enqueue.deliveryNumbers(
              connection,
              result.claimed().connectorId(),
              result.claimed().event().appointmentId(),
              result.claimed().event().sequence());
      try (PreparedStatement park = connection.prepareStatement(PARK)) {
        for (long number : later) {
          Jdbc.setInstant(park, 1, now);
          park.setLong(2, number);
          park.addBatch();
        }
        park.executeBatch();
      }
    }
  }

  private void updateConnectorStatus(Connection connection, List<AttemptResult> results)
      throws SQLException {
    Map<String, Instant> lastSuccess = new HashMap<>();
    Map<String, AttemptResult> lastFailure = new HashMap<>();
    for (AttemptResult result : results) {
      String connectorId = result.claimed().connectorId();
      if (result.result() instanceof PushResult.Success) {
        lastSuccess.merge(connectorId, result.finishedAt(), (a, b) -> a.isAfter(b) ? a : b);
      } else {
        lastFailure.merge(
            connectorId, result, (a, b) -> a.finishedAt().isAfter(b.finishedAt()) ? a : b);
      }
    }
    for (String connectorId : union(lastSuccess.keySet(), lastFailure.keySet())) {
      ensureConnectorStatusRow(connection, connectorId);
      if (lastSuccess.containsKey(connectorId)) {
        try (PreparedStatement update =
            connection.prepareStatement(
                "UPDATE connector_status SET last_success_at = ? WHERE connector_id = ?")) {
          Jdbc.setInstant(update, 1, lastSuccess.get(connectorId));
          update.setString(2, connectorId);
          update.executeUpdate();
        }
      }
      AttemptResult failure = lastFailure.get(connectorId);
      if (failure != null) {
        try (PreparedStatement update =
            connection.prepareStatement(
                "UPDATE connector_status SET last_error_at = ?, last_error = ?"
                    + " WHERE connector_id = ?")) {
          Jdbc.setInstant(update, 1, failure.finishedAt());
          update.setString(2, Jdbc.clip(summary(failure.result()), 2000));
          update.setString(3, connectorId);
          update.executeUpdate();
        }
      }
    }
  }

  private void ensureConnectorStatusRow(Connection connection, String connectorId)
      throws SQLException {
    // An upsert, not insert-and-catch: on PostgreSQL a failed insert aborts the transaction.
    try (PreparedStatement insert =
        connection.prepareStatement(transactor.dialect().insertConnectorStatusIfMissing())) {
      insert.setString(1, connectorId);
      insert.executeUpdate();
    }
  }

  private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    java.util.Set<String> all = new java.util.TreeSet<>(a);
    all.addAll(b);
    return all;
  }

  static String errorClass(PushResult result) {
    if (result instanceof PushResult.Retryable retryable) {
      return retryable.errorClass();
    }
    if (result instanceof PushResult.Permanent permanent) {
      return permanent.errorClass();
    }
    return null;
  }

  /**
   * The failure without the remote's response text (which may echo patient data): error class and
   * HTTP status only. Shown per connector; the full text stays in the delivery's sync log.
   */
  static String summary(PushResult result) {
    String errorClass = errorClass(result);
    Integer status = result.httpStatus();
    return (errorClass == null ? "failure" : errorClass) + (status == null ? "" : " HTTP " + status);
  }

  static String message(PushResult result) {
    if (result instanceof PushResult.Retryable retryable) {
      return retryable.reason();
    }
    if (result instanceof PushResult.Permanent permanent) {
      return permanent.reason();
    }
    return ((PushResult.Success) result).note();
  }

  /**
   * Hands back claims without a recorded result: never attempted, or still running when a stop's
   * grace ended. Free at once, and the claim does not count against the retry budget: the next
   * claim sends the same attempt again, with the same idempotency key. A claim another node has
   * taken over meanwhile is left alone.
   *
   * @return how many were handed back
   */
  int release(List<ClaimedDelivery> unstarted) {
    return transactor.inTransaction(
        "release unstarted deliveries",
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE delivery_state SET locked_by = NULL, locked_until = NULL,"
                      + " claim_token = NULL, attempts = attempts - 1"
                      + " WHERE delivery_no = ? AND claim_token = ?")) {
            for (ClaimedDelivery delivery : unstarted) {
              update.setLong(1, delivery.number());
              update.setString(2, delivery.claimToken());
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
   * Frees every lease. Only for a database one process owns (an H2 file): a crashed run's claims
   * become claimable at once instead of after their lease.
   */
  public int releaseAllLeases() {
    return transactor.inTransaction(
        "release leases",
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE delivery_state SET locked_by = NULL, locked_until = NULL,"
                      + " claim_token = NULL WHERE locked_until IS NOT NULL"
                      + " AND " + Transition.RELEASE.guard())) {
            return update.executeUpdate();
          }
        });
  }

  /** A dead letter back to pending, with a fresh retry budget; unparks its followers. */
  public boolean replay(String deliveryId, Instant now) {
    return transactor.inTransaction("replay delivery", c -> replay(c, deliveryId, now));
  }

  /** Replays every dead letter, optionally of one connector; returns how many. */
  public int replayAll(String connectorId, Instant now) {
    return transactor.inTransaction(
        "replay dead deliveries",
        connection -> {
          List<String> ids = new ArrayList<>();
          String sql =
              "SELECT d.id FROM " + DELIVERY_WITH_STATE + " WHERE "
                  + Transition.REPLAY.guard("s.status")
                  + (connectorId == null ? "" : " AND d.connector_id = ?")
                  + " ORDER BY d.appointment_id, d.connector_id, d.sequence";
          try (PreparedStatement select = connection.prepareStatement(sql)) {
            if (connectorId != null) {
              select.setString(1, connectorId);
            }
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                ids.add(rows.getString(1));
              }
            }
          }
          int replayed = 0;
          for (String id : ids) {
            replayed += replay(connection, id, now) ? 1 : 0;
          }
          return replayed;
        });
  }

  private static boolean replay(Connection connection, String deliveryId, Instant now)
      throws SQLException {
    // Only dead letters: a discarded delivery's followers may already have gone out, and
    // replaying it now would let an old change overtake a newer one.
    return leaveDeadLetter(
        connection,
        deliveryId,
        "UPDATE delivery_state SET status = '" + Transition.REPLAY.target().wire() + "',"
            + " next_attempt_at = ?, retry_base = attempts, completed_at = NULL, locked_by = NULL,"
            + " locked_until = NULL, claim_token = NULL, updated_at = ? WHERE delivery_no = ? AND "
            + Transition.REPLAY.guard(),
        now);
  }

  /** Drops a dead letter for good; followers of the same appointment are released. */
  public boolean discard(String deliveryId, Instant now) {
    return transactor.inTransaction(
        "discard delivery",
        connection ->
            leaveDeadLetter(
                connection,
                deliveryId,
                // next_attempt_at = completion time, like a success: purge finds it by
                // (status, next_attempt_at), the delivery_due index.
                "UPDATE delivery_state SET status = '" + Transition.DISCARD.target().wire()
                    + "', completed_at = ?, updated_at = ?, next_attempt_at = completed_at"
                    + " WHERE delivery_no = ? AND " + Transition.DISCARD.guard(),
                now));
  }

  /**
   * Moves a dead letter out of {@code dead} with the given update of its state row (parameters:
   * now, now, the row's key) and releases its parked followers, under the appointment lock. False
   * when it is not dead.
   */
  private static boolean leaveDeadLetter(
      Connection connection, String deliveryId, String update, Instant now) throws SQLException {
    Optional<Stored> stored = find(connection, deliveryId);
    if (stored.isEmpty() || stored.get().delivery().status() != DeliveryStatus.DEAD) {
      return false;
    }
    Delivery delivery = stored.get().delivery();
    lockAppointment(connection, delivery.appointmentId());
    try (PreparedStatement statement = connection.prepareStatement(update)) {
      Jdbc.setInstant(statement, 1, now);
      Jdbc.setInstant(statement, 2, now);
      statement.setLong(3, stored.get().number());
      if (statement.executeUpdate() == 0) {
        return false;
      }
    }
    unpark(connection, delivery, now);
    return true;
  }

  /**
   * Serializes with changes of the appointment (they hold this lock while appending events), so
   * parking and unparking never miss a delivery that is being inserted. Callers lock several
   * appointments in id order.
   */
  private static void lockAppointment(Connection connection, String appointmentId)
      throws SQLException {
    try (PreparedStatement lock =
        connection.prepareStatement("SELECT id FROM appointment WHERE id = ? FOR UPDATE")) {
      lock.setString(1, appointmentId);
      lock.executeQuery().close();
    }
  }

  private static void unpark(Connection connection, Delivery delivery, Instant now)
      throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE delivery_state SET status = '" + Transition.UNPARK.target().wire()
                + "', next_attempt_at = ?, updated_at = ? WHERE delivery_no = ? AND "
                + Transition.UNPARK.guard())) {
      for (long number :
          Enqueue.deliveryNumbers(connection, delivery.connectorId(), delivery.appointmentId(), 0)) {
        Jdbc.setInstant(update, 1, now);
        Jdbc.setInstant(update, 2, now);
        update.setLong(3, number);
        update.addBatch();
      }
      update.executeBatch();
    }
  }

  /**
   * Deletes up to {@code limit} succeeded or discarded deliveries completed before {@code cutoff},
   * with their sync log, and the events older than the cutoff that no delivery needs any more.
   * Dead, parked and waiting deliveries are never purged. Idempotent; returns deliveries deleted.
   */
  public int purgeFinished(Instant cutoff, int limit) {
    return transactor.inTransaction(
        "purge finished deliveries",
        connection -> {
          transactor.dialect().prepareQueueScan(connection);
          List<String> ids = new ArrayList<>();
          List<Long> numbers = new ArrayList<>();
          // A finished delivery's next_attempt_at is its completion time, so the scan follows the
          // delivery_due index; completed_at is checked too.
          for (DeliveryStatus status :
              new DeliveryStatus[] {DeliveryStatus.SUCCEEDED, DeliveryStatus.DISCARDED}) {
            try (PreparedStatement select =
                connection.prepareStatement(
                    "SELECT d.id, s.delivery_no FROM delivery_state s JOIN delivery d"
                        + " ON d.delivery_no = s.delivery_no WHERE s.status = ?"
                        + " AND s.next_attempt_at < ? AND s.completed_at < ?"
                        + " ORDER BY s.status, s.next_attempt_at LIMIT ?")) {
              select.setString(1, status.wire());
              Jdbc.setInstant(select, 2, cutoff);
              Jdbc.setInstant(select, 3, cutoff);
              select.setInt(4, limit - ids.size());
              try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                  ids.add(rows.getString(1));
                  numbers.add(rows.getLong(2));
                }
              }
            }
            if (ids.size() >= limit) {
              break;
            }
          }
          for (String sql :
              new String[] {
                "DELETE FROM delivery_attempt WHERE delivery_id = ?",
                "DELETE FROM delivery WHERE id = ?"
              }) {
            try (PreparedStatement delete = connection.prepareStatement(sql)) {
              for (String id : ids) {
                delete.setString(1, id);
                delete.addBatch();
              }
              delete.executeBatch();
            }
          }
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM delivery_state WHERE delivery_no = ?")) {
            for (long number : numbers) {
              delete.setLong(1, number);
              delete.addBatch();
            }
            delete.executeBatch();
          }
          try (PreparedStatement delete =
              connection.prepareStatement(
                  "DELETE FROM outbox_event WHERE id IN (SELECT e.id FROM outbox_event e"
                      + " WHERE e.occurred_at < ? AND NOT EXISTS (SELECT 1 FROM delivery d"
                      + " WHERE d.event_id = e.id) ORDER BY e.occurred_at LIMIT ?)")) {
            Jdbc.setInstant(delete, 1, cutoff);
            delete.setInt(2, limit);
            delete.executeUpdate();
          }
          return ids.size();
        });
  }

  /** Appointment id to external id, for one connector. */
  public Map<String, String> externalIds(String connectorId) {
    return transactor.inTransaction(
        "list external ids",
        connection -> {
          Map<String, String> ids = new HashMap<>();
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT appointment_id, external_id FROM external_ref WHERE connector_id = ?")) {
            select.setString(1, connectorId);
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                ids.put(rows.getString(1), rows.getString(2));
              }
            }
          }
          return ids;
        });
  }

  public Optional<Delivery> find(String deliveryId) {
    return transactor.inTransaction(
        "find delivery", c -> find(c, deliveryId).map(Stored::delivery));
  }

  /** A delivery and the key of its state row. */
  private record Stored(Delivery delivery, long number) {}

  private static Optional<Stored> find(Connection connection, String deliveryId)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT " + DELIVERY_COLUMNS + ", d.delivery_no FROM " + DELIVERY_WITH_STATE
                + " WHERE d.id = ?")) {
      select.setString(1, deliveryId);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next()
            ? Optional.of(new Stored(readDelivery(rows), rows.getLong("delivery_no")))
            : Optional.empty();
      }
    }
  }

  /** Deliveries matching the filters (each may be null), oldest first. */
  public List<Delivery> list(
      DeliveryStatus status, String connectorId, String appointmentId, int limit) {
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(DELIVERY_COLUMNS)
            .append(" FROM ")
            .append(DELIVERY_WITH_STATE)
            .append(" WHERE 1 = 1");
    List<String> parameters = new ArrayList<>();
    if (status != null) {
      sql.append(" AND s.status = ?");
      parameters.add(status.wire());
    }
    if (connectorId != null) {
      sql.append(" AND d.connector_id = ?");
      parameters.add(connectorId);
    }
    if (appointmentId != null) {
      sql.append(" AND d.appointment_id = ?");
      parameters.add(appointmentId);
    }
    sql.append(" ORDER BY d.created_at, d.appointment_id, d.sequence, d.connector_id LIMIT ?");
    return transactor.inTransaction(
        "list deliveries",
        connection -> {
          try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
            int index = 1;
            for (String parameter : parameters) {
              select.setString(index++, parameter);
            }
            select.setInt(index, limit);
            List<Delivery> result = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                result.add(readDelivery(rows));
              }
            }
            return result;
          }
        });
  }

  /** The sync log of one delivery, in order. */
  public List<Attempt> attempts(String deliveryId) {
    return transactor.inTransaction(
        "list attempts",
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT attempt, node_id, started_at, duration_ms, http_status, outcome,"
                      + " error_class, error_message, next_attempt_at FROM delivery_attempt"
                      + " WHERE delivery_id = ? ORDER BY id")) {
            select.setString(1, deliveryId);
            List<Attempt> result = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                result.add(
                    new Attempt(
                        rows.getInt("attempt"),
                        rows.getString("node_id"),
                        Jdbc.getInstant(rows, "started_at"),
                        rows.getLong("duration_ms"),
                        Jdbc.getNullableInt(rows, "http_status"),
                        rows.getString("outcome"),
                        rows.getString("error_class"),
                        rows.getString("error_message"),
                        Jdbc.getInstant(rows, "next_attempt_at")));
              }
            }
            return result;
          }
        });
  }

  /** Backlog and last success/error for each of the given connectors. */
  public Map<String, ConnectorStats> stats(Collection<String> connectorIds) {
    return transactor.inTransaction(
        "connector stats",
        connection -> {
          Map<String, long[]> counts = new HashMap<>();
          Map<String, Instant> oldest = new HashMap<>();
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT d.connector_id, s.status, COUNT(*) AS n, MIN(d.created_at) AS oldest"
                      + " FROM " + DELIVERY_WITH_STATE
                      + " WHERE s.status IN ('pending', 'retrying', 'parked', 'dead')"
                      + " GROUP BY d.connector_id, s.status")) {
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                String connectorId = rows.getString("connector_id");
                DeliveryStatus status = DeliveryStatus.fromWire(rows.getString("status"));
                long[] perStatus = counts.computeIfAbsent(connectorId, k -> new long[4]);
                perStatus[slot(status)] = rows.getLong("n");
                if (status != DeliveryStatus.DEAD) {
                  Instant since = Jdbc.getInstant(rows, "oldest");
                  oldest.merge(connectorId, since, (a, b) -> a.isBefore(b) ? a : b);
                }
              }
            }
          }
          Map<String, Object[]> health = new HashMap<>();
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT connector_id, last_success_at, last_error_at, last_error"
                      + " FROM connector_status")) {
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                health.put(
                    rows.getString("connector_id"),
                    new Object[] {
                      Jdbc.getInstant(rows, "last_success_at"),
                      Jdbc.getInstant(rows, "last_error_at"),
                      rows.getString("last_error")
                    });
              }
            }
          }
          Map<String, ConnectorStats> result = new LinkedHashMap<>();
          for (String connectorId : connectorIds) {
            long[] perStatus = counts.getOrDefault(connectorId, new long[4]);
            Object[] last = health.getOrDefault(connectorId, new Object[3]);
            result.put(
                connectorId,
                new ConnectorStats(
                    connectorId,
                    perStatus[0],
                    perStatus[1],
                    perStatus[2],
                    perStatus[3],
                    oldest.get(connectorId),
                    (Instant) last[0],
                    (Instant) last[1],
                    (String) last[2]));
          }
          return result;
        });
  }

  private static int slot(DeliveryStatus status) {
    switch (status) {
      case PENDING:
        return 0;
      case RETRYING:
        return 1;
      case PARKED:
        return 2;
      default:
        return 3;
    }
  }

  private static Delivery readDelivery(ResultSet rows) throws SQLException {
    return new Delivery(
        rows.getString("id"),
        rows.getString("event_id"),
        rows.getString("connector_id"),
        rows.getString("appointment_id"),
        rows.getLong("sequence"),
        rows.getString("event_type"),
        DeliveryStatus.fromWire(rows.getString("status")),
        rows.getInt("attempts"),
        Jdbc.getInstant(rows, "next_attempt_at"),
        Jdbc.getNullableInt(rows, "last_http_status"),
        rows.getString("last_error"),
        Jdbc.getInstant(rows, "created_at"),
        Jdbc.getInstant(rows, "updated_at"),
        Jdbc.getInstant(rows, "completed_at"));
  }
}
