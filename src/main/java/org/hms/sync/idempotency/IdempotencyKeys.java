package org.hms.sync.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.hms.sync.db.DataAccessException;
import org.hms.sync.db.Jdbc;
import org.hms.sync.db.Transactor;
import org.hms.sync.json.Json;

/**
 * The {@code Idempotency-Key}s clients send with writing requests, in the database so that they
 * hold across restarts and across the nodes of one PostgreSQL.
 *
 * <p>A request first {@link #claim claims} its key in a transaction of its own: the key is then
 * visibly in progress, and a second request with it is told so instead of waiting. The answer is
 * stored in the same transaction as the change ({@link #complete(Connection, String, String,
 * String, StoredAnswer)}, from a {@code CommitHook}), so
 * the change and its answer commit together or not at all: a retry after an unclear outcome finds
 * either the answer or a key that is free again. A request that changed nothing {@link #release
 * releases} its key. A claim holds for {@link #CLAIM_HOLD}; a node that died mid-request frees the
 * key when it passes.
 */
public final class IdempotencyKeys {
  /** How long a request may run under its key before a retry may take the key over. */
  public static final Duration CLAIM_HOLD = Duration.ofSeconds(60);

  private static final String UNIQUE_VIOLATION = "23505";
  private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {};

  private final Transactor transactor;
  private final Duration retention;
  private final Clock clock;

  /**
   * @param retention how long a key and its answer are kept ({@code server.idempotencyRetention})
   */
  public IdempotencyKeys(Transactor transactor, Duration retention, Clock clock) {
    this.transactor = transactor;
    this.retention = retention;
    this.clock = clock;
  }

  /**
   * Takes the key for a request, or says why not. Idempotent for the caller: a claim it does not
   * go on with must be {@link #release released}.
   *
   * @param requestHash what identifies the request (method, path and body), compared on reuse
   */
  public Claim claim(String principal, String key, String requestHash) {
    for (int tries = 1; ; tries++) {
      Claim claim = tryClaim(principal, key, requestHash);
      if (claim != null) {
        return claim;
      }
      if (tries == 3) {
        return new Claim.InProgress();
      }
    }
  }

  /** One request's try to claim a key, with the token and the time it claims with. */
  private record Try(String principal, String key, String requestHash, String token, Instant now) {}

  /** The claim, or null when the key's row vanished (purged) between two statements. */
  private Claim tryClaim(String principal, String key, String requestHash) {
    Instant now = now();
    String token = UUID.randomUUID().toString();
    Try attempt = new Try(principal, key, requestHash, token, now);
    try {
      transactor.inTransaction(
          "claim idempotency key",
          connection -> {
            try (PreparedStatement insert =
                connection.prepareStatement(
                    "INSERT INTO idempotency_key (principal, idem_key, request_hash, claim_token,"
                        + " locked_until, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
              insert.setString(1, principal);
              insert.setString(2, key);
              insert.setString(3, requestHash);
              insert.setString(4, token);
              Jdbc.setInstant(insert, 5, now.plus(CLAIM_HOLD));
              Jdbc.setInstant(insert, 6, now);
              Jdbc.setInstant(insert, 7, now.plus(retention));
              return insert.executeUpdate();
            }
          });
      return new Claim.Claimed(token);
    } catch (DataAccessException taken) {
      if (!(taken.getCause() instanceof SQLException sql
          && UNIQUE_VIOLATION.equals(sql.getSQLState()))) {
        throw taken;
      }
    }
    return transactor.inTransaction(
        "claim used idempotency key",
        connection -> claimUsed(connection, attempt));
  }

  /** The key is in use: its answer, a refusal, or a take-over of an expired or abandoned key. */
  private Claim claimUsed(Connection connection, Try attempt) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT request_hash, locked_until, response_status, response_headers, response_body,"
                + " expires_at FROM idempotency_key WHERE principal = ? AND idem_key = ?"
                + " FOR UPDATE")) {
      select.setString(1, attempt.principal());
      select.setString(2, attempt.key());
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return null;
        }
        boolean expired = !Jdbc.getInstant(rows, "expires_at").isAfter(attempt.now());
        if (expired) {
          return takeOver(connection, attempt);
        }
        if (!rows.getString("request_hash").equals(attempt.requestHash())) {
          return new Claim.Mismatch();
        }
        if (Jdbc.getNullableInt(rows, "response_status") != null) {
          return new Claim.Replay(answer(rows));
        }
        Instant lockedUntil = Jdbc.getInstant(rows, "locked_until");
        if (lockedUntil != null && lockedUntil.isAfter(attempt.now())) {
          return new Claim.InProgress();
        }
        return takeOver(connection, attempt);
      }
    }
  }

  private static StoredAnswer answer(ResultSet rows) throws SQLException {
    try {
      return new StoredAnswer(
          rows.getInt("response_status"),
          Json.MAPPER.readValue(rows.getString("response_headers"), HEADERS),
          rows.getString("response_body"));
    } catch (JsonProcessingException unreadable) {
      throw new SQLException("stored idempotency headers are not JSON", unreadable);
    }
  }

  private Claim takeOver(Connection connection, Try attempt) throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE idempotency_key SET request_hash = ?, claim_token = ?, locked_until = ?,"
                + " response_status = NULL, response_headers = NULL, response_body = NULL,"
                + " created_at = ?, expires_at = ? WHERE principal = ? AND idem_key = ?")) {
      update.setString(1, attempt.requestHash());
      update.setString(2, attempt.token());
      Jdbc.setInstant(update, 3, attempt.now().plus(CLAIM_HOLD));
      Jdbc.setInstant(update, 4, attempt.now());
      Jdbc.setInstant(update, 5, attempt.now().plus(retention));
      update.setString(6, attempt.principal());
      update.setString(7, attempt.key());
      update.executeUpdate();
    }
    return new Claim.Claimed(attempt.token());
  }

  /**
   * Stores the answer to a claimed key through the connection of the change it reports, so both
   * commit together or not at all.
   *
   * @throws ClaimLostException when the claim is no longer this request's; the change must then
   *     roll back
   */
  public void complete(
      Connection connection, String principal, String key, String token, StoredAnswer answer)
      throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE idempotency_key SET response_status = ?, response_headers = ?,"
                + " response_body = ?, locked_until = NULL"
                + " WHERE principal = ? AND idem_key = ? AND claim_token = ?"
                + " AND response_status IS NULL")) {
      update.setInt(1, answer.status());
      update.setString(2, Json.write(answer.headers()));
      update.setString(3, answer.body());
      update.setString(4, principal);
      update.setString(5, key);
      update.setString(6, token);
      if (update.executeUpdate() != 1) {
        throw new ClaimLostException(
            "the request ran longer than its Idempotency-Key is held ("
                + CLAIM_HOLD.toSeconds() + " s) and a retry took the key over; nothing was"
                + " changed by this request");
      }
    }
  }

  /**
   * Stores the answer of a request whose work had no single transaction to join (operator
   * actions, which are safe to run again anyway).
   */
  public void complete(String principal, String key, String token, StoredAnswer answer) {
    transactor.inTransaction(
        "store idempotent answer",
        connection -> {
          complete(connection, principal, key, token, answer);
          return null;
        });
  }

  /**
   * Frees a key whose request changed nothing (it was refused, or failed before its commit), so a
   * retry runs it again. Leaves a key alone whose answer is stored: that request did commit.
   */
  public void release(String principal, String key, String token) {
    transactor.inTransaction(
        "release idempotency key",
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement(
                  "DELETE FROM idempotency_key WHERE principal = ? AND idem_key = ?"
                      + " AND claim_token = ? AND response_status IS NULL")) {
            delete.setString(1, principal);
            delete.setString(2, key);
            delete.setString(3, token);
            return delete.executeUpdate();
          }
        });
  }

  /** The stored answer of a key, if it has one (for tests and support). */
  public Optional<StoredAnswer> find(String principal, String key) {
    return transactor.inTransaction(
        "find idempotency key",
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT response_status, response_headers, response_body FROM idempotency_key"
                      + " WHERE principal = ? AND idem_key = ? AND response_status IS NOT NULL")) {
            select.setString(1, principal);
            select.setString(2, key);
            try (ResultSet rows = select.executeQuery()) {
              return rows.next() ? Optional.of(answer(rows)) : Optional.empty();
            }
          }
        });
  }

  /** Deletes keys whose retention has passed, at most {@code limit}; returns how many. */
  public int purgeExpired(int limit) {
    Instant now = now();
    return transactor.inTransaction(
        "purge expired idempotency keys",
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement(
                  "DELETE FROM idempotency_key WHERE (principal, idem_key) IN (SELECT principal,"
                      + " idem_key FROM idempotency_key WHERE expires_at <= ?"
                      + " AND (locked_until IS NULL OR locked_until <= ?) FETCH FIRST ? ROWS ONLY)")) {
            Jdbc.setInstant(delete, 1, now);
            Jdbc.setInstant(delete, 2, now);
            delete.setInt(3, limit);
            return delete.executeUpdate();
          }
        });
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
