package org.hms.sync.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.hms.sync.outbox.Outbox;
import org.hms.sync.outbox.OutboxEvent;
import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.Test;

/**
 * V8 splits each delivery into its fixed part and its state. A database written by an earlier
 * version keeps every delivery as it was: status, attempts, retry budget, schedule, lease and last
 * outcome; the engine claims and finishes them afterwards, and new deliveries get numbers of
 * their own. On H2 and PostgreSQL.
 */
class DeliveryStateMigrationTest {
  private static final String BEFORE = "2027-03-01 09:00:00+00";
  private static final Instant CREATED = Instant.parse("2027-03-01T09:00:00Z");
  private static final Instant FINISHED = Instant.parse("2027-03-01T09:05:00Z");
  private static final Instant LEASED = Instant.parse("2027-03-01T09:10:00Z");

  @Test
  void h2_keeps_every_delivery_as_it_was() throws SQLException {
    try (TestDb db = TestDatabases.emptyH2()) {
      migrateKeepsEveryDelivery(db);
    }
  }

  @Test
  void postgres_keeps_every_delivery_as_it_was() throws SQLException {
    try (TestDb db = TestDatabases.emptyPostgres()) {
      migrateKeepsEveryDelivery(db);
    }
  }

  private static void migrateKeepsEveryDelivery(TestDb db) throws SQLException {
    Flyway.configure()
        .dataSource(db.database().dataSource())
        .locations("classpath:db/migration", "classpath:org/hms/sync/db/migration")
        .target("7")
        .load()
        .migrate();
    for (String name : List.of("done", "dead", "leased")) {
      db.execute(
          "INSERT INTO outbox_event (id, appointment_id, sequence, type, occurred_at, payload)"
              + " VALUES ('e-" + name + "', 'a-" + name + "', 1, 'appointment.created',"
              + " TIMESTAMP WITH TIME ZONE '" + BEFORE + "', '{}')");
    }
    insertOld(db, "done", "'succeeded', 1, 0, '2027-03-01 09:05:00+00', NULL, NULL, NULL, 201,"
        + " NULL, '2027-03-01 09:05:00+00', '2027-03-01 09:05:00+00'");
    insertOld(db, "dead", "'dead', 12, 3, '2027-03-01 09:05:00+00', NULL, NULL, NULL, 400,"
        + " 'HTTP 400: bad request', '2027-03-01 09:05:00+00', '2027-03-01 09:05:00+00'");
    insertOld(db, "leased", "'retrying', 2, 0, '2027-03-01 09:00:00+00', 'crashed-node',"
        + " '2027-03-01 09:10:00+00', 'token-1', 503, 'HTTP 503', '2027-03-01 09:01:00+00',"
        + " NULL");

    assertThat(db.database().migrate()).as("migrations applied after V7").isPositive();

    DeliveryRepository deliveries = new DeliveryRepository(db.database().transactor());
    Delivery done = deliveries.find("d-done").orElseThrow();
    assertThat(done.status()).isEqualTo(DeliveryStatus.SUCCEEDED);
    assertThat(done.attempts()).isEqualTo(1);
    assertThat(done.lastHttpStatus()).isEqualTo(201);
    assertThat(done.completedAt()).isEqualTo(FINISHED);
    assertThat(done.createdAt()).isEqualTo(CREATED);
    Delivery dead = deliveries.find("d-dead").orElseThrow();
    assertThat(dead.status()).isEqualTo(DeliveryStatus.DEAD);
    assertThat(dead.attempts()).isEqualTo(12);
    assertThat(dead.lastError()).isEqualTo("HTTP 400: bad request");
    assertThat(dead.nextAttemptAt()).isEqualTo(FINISHED);
    Delivery leased = deliveries.find("d-leased").orElseThrow();
    assertThat(leased.status()).isEqualTo(DeliveryStatus.RETRYING);
    assertThat(leased.updatedAt()).isEqualTo(Instant.parse("2027-03-01T09:01:00Z"));
    assertThat(db.count("SELECT COUNT(*) FROM delivery_state WHERE claim_token = 'token-1'"
        + " AND locked_by = 'crashed-node' AND retry_base = 0")).isEqualTo(1);
    assertThat(db.count("SELECT COUNT(*) FROM delivery_state WHERE retry_base = 3")).isEqualTo(1);
    assertThatThrownBy(() -> db.count("SELECT COUNT(*) FROM delivery WHERE status = 'dead'"))
        .as("the state lives in delivery_state only")
        .isInstanceOf(IllegalStateException.class);

    // The crashed node's lease still holds until it ends; then the engine takes the delivery over.
    Duration lease = Duration.ofMinutes(1);
    assertThat(deliveries.claim(List.of("iis"), "n", LEASED.minusSeconds(1), lease, 10)).isEmpty();
    List<ClaimedDelivery> claimed =
        deliveries.claim(List.of("iis"), "n", LEASED.plusSeconds(1), lease, 10);
    assertThat(claimed).extracting(ClaimedDelivery::deliveryId).containsExactly("d-leased");
    assertThat(claimed.get(0).attempt()).isEqualTo(3);

    // A delivery written after the migration gets a number of its own.
    Outbox outbox = new Outbox(Map.of("appointment.created", List.of("iis")), new Enqueue());
    try (Connection connection = db.database().dataSource().getConnection()) {
      outbox.append(
          connection,
          new OutboxEvent("e-new", "a-new", 1, "appointment.created", LEASED, null, "{}"));
    }
    assertThat(db.count("SELECT COUNT(DISTINCT delivery_no) FROM delivery")).isEqualTo(4);
    assertThat(db.count("SELECT COUNT(*) FROM delivery JOIN delivery_state USING (delivery_no)"))
        .isEqualTo(4);
    assertThat(deliveries.find(
            deliveries.list(null, "iis", "a-new", 10).get(0).id()).orElseThrow().status())
        .isEqualTo(DeliveryStatus.PENDING);
  }

  /** A delivery in the V7 schema; {@code state} lists the columns that V8 moves, in order. */
  private static void insertOld(TestDb db, String name, String state) {
    db.execute(
        "INSERT INTO delivery (id, event_id, connector_id, appointment_id, sequence, event_type,"
            + " status, attempts, retry_base, next_attempt_at, locked_by, locked_until,"
            + " claim_token, last_http_status, last_error, updated_at, completed_at, created_at)"
            + " VALUES ('d-" + name + "', 'e-" + name + "', 'iis', 'a-" + name + "', 1,"
            + " 'appointment.created', " + state + ", TIMESTAMP WITH TIME ZONE '" + BEFORE + "')");
  }
}
