package org.hms.sync.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hms.sync.db.Dialect;
import org.hms.sync.outbox.Outbox;
import org.hms.sync.outbox.OutboxEvent;
import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL, with statistics that do not yet describe the delivery tables (a fresh schema;
 * autovacuum off or behind), the planner reads the claim query with a bitmap scan: every index
 * entry of the status, dead ones included, on every claim. The engine makes it walk
 * {@code delivery_due} in order instead, which stops at the LIMIT and skips dead entries once seen.
 * The state of earlier deliveries is read row by row through its key, never by scanning {@code
 * delivery_state} (a join was planned as such a scan for every new delivery).
 */
class PostgresClaimPlanTest {
  private TestDb db;

  @BeforeEach
  void manyFinishedDeliveriesAndNoStatistics() {
    db = TestDatabases.postgres();
    db.execute(
        "INSERT INTO outbox_event (id, appointment_id, sequence, type, occurred_at, payload)"
            + " SELECT 'e-' || n, 'a-' || n, 1, 'appointment.created', now(), '{}'"
            + " FROM generate_series(1, 20000) AS n");
    db.execute(
        "INSERT INTO delivery (id, event_id, connector_id, appointment_id, sequence, event_type,"
            + " created_at)"
            + " SELECT 'd-' || n, 'e-' || n, 'iis', 'a-' || n, 1, 'appointment.created', now()"
            + " FROM generate_series(1, 20000) AS n");
    db.execute(
        "INSERT INTO delivery_state (delivery_no, status, next_attempt_at, updated_at)"
            + " SELECT delivery_no, 'pending', now() - interval '1 hour'"
            + " + delivery_no * interval '1 millisecond', now() FROM delivery");
    // Delivered, as a drain leaves them: their old 'pending' index entries stay until a vacuum.
    db.execute("UPDATE delivery_state SET status = 'succeeded' WHERE delivery_no <>"
        + " (SELECT delivery_no FROM delivery WHERE id = 'd-20000')");
  }

  @AfterEach
  void drop() {
    db.close();
  }

  @Test
  void without_help_the_planner_reads_every_pending_index_entry_with_a_bitmap_scan()
      throws SQLException {
    assertThat(planOfClaim(false)).contains("Bitmap Index Scan on delivery_due");
  }

  @Test
  void the_claim_walks_delivery_due_in_order_and_stops_at_its_limit() throws SQLException {
    String plan = planOfClaim(true);

    assertThat(plan)
        .contains("Index Scan using delivery_due")
        .doesNotContain("Bitmap")
        .doesNotContain("Seq Scan");
  }

  @Test
  void a_new_delivery_looks_for_dead_letters_without_scanning_every_state() throws SQLException {
    // One connection throughout, as a pooled connection lives: PostgreSQL keeps the generic plan
    // it made for the statement while the tables were small. With a join, that plan scanned all
    // of delivery_state for every new delivery, however large the table had grown since.
    Outbox outbox = new Outbox(java.util.Map.of("appointment.created", List.of("iis")), new Enqueue());
    try (TestDb fresh = TestDatabases.postgres();
        Connection connection = fresh.database().dataSource().getConnection()) {
      connection.setAutoCommit(false);
      appendEvents(outbox, connection, "early", 12);
      connection.commit();
      try (java.sql.Statement fill = connection.createStatement()) {
        fill.execute(
            "INSERT INTO outbox_event (id, appointment_id, sequence, type, occurred_at, payload)"
                + " SELECT 'e-' || n, 'a-' || n, 1, 'appointment.created', now(), '{}'"
                + " FROM generate_series(1, 20000) AS n");
        fill.execute(
            "INSERT INTO delivery (id, event_id, connector_id, appointment_id, sequence,"
                + " event_type, created_at) SELECT 'd-' || n, 'e-' || n, 'iis', 'a-' || n, 1,"
                + " 'appointment.created', now() FROM generate_series(1, 20000) AS n");
        fill.execute(
            "INSERT INTO delivery_state (delivery_no, status, next_attempt_at, updated_at)"
                + " SELECT d.delivery_no, 'pending', now(), now() FROM delivery d"
                + " WHERE d.id LIKE 'd-%'");
      }
      connection.commit();

      long before = sequentialScansOfStates(connection);
      appendEvents(outbox, connection, "late", 12);
      assertThat(sequentialScansOfStates(connection) - before)
          .as("sequential scans of delivery_state")
          .isZero();
      connection.rollback();
    }
  }

  /** {@code count} new appointments' first events, one delivery each. */
  private static void appendEvents(Outbox outbox, Connection connection, String name, int count)
      throws SQLException {
    for (int n = 1; n <= count; n++) {
      outbox.append(
          connection,
          new OutboxEvent(
              "e-" + name + n, "a-" + name + n, 1, "appointment.created", Instant.now(), null,
              "{}"));
    }
  }

  @Test
  void the_settings_end_with_the_claim_transaction() throws SQLException {
    try (Connection connection = db.database().dataSource().getConnection()) {
      connection.setAutoCommit(false);
      Dialect.POSTGRESQL.prepareQueueScan(connection);
      assertThat(setting(connection, "enable_bitmapscan")).isEqualTo("off");
      assertThat(setting(connection, "plan_cache_mode")).isEqualTo("force_custom_plan");
      connection.commit();
      assertThat(setting(connection, "enable_bitmapscan")).isEqualTo("on");
      assertThat(setting(connection, "plan_cache_mode")).isEqualTo("auto");
    }
  }

  /** This session's count, not yet flushed to shared statistics: it includes this transaction. */
  private static long sequentialScansOfStates(Connection connection) throws SQLException {
    try (PreparedStatement scans =
            connection.prepareStatement(
                "SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'delivery_state'"
                    + " AND schemaname = current_schema()");
        ResultSet rows = scans.executeQuery()) {
      assertThat(rows.next()).isTrue();
      return rows.getLong(1);
    }
  }

  private String planOfClaim(boolean prepared) throws SQLException {
    try (Connection connection = db.database().dataSource().getConnection()) {
      connection.setAutoCommit(false);
      try {
        if (prepared) {
          Dialect.POSTGRESQL.prepareQueueScan(connection);
        }
        try (PreparedStatement explain =
            connection.prepareStatement(
                "EXPLAIN " + DeliveryRepository.claimableSql(Dialect.POSTGRESQL, 1))) {
          Instant now = Instant.now();
          explain.setString(1, DeliveryStatus.PENDING.wire());
          explain.setObject(2, java.sql.Timestamp.from(now));
          explain.setObject(3, java.sql.Timestamp.from(now));
          explain.setString(4, "iis");
          explain.setInt(5, 64);
          List<String> lines = new ArrayList<>();
          try (ResultSet rows = explain.executeQuery()) {
            while (rows.next()) {
              lines.add(rows.getString(1));
            }
          }
          return String.join("\n", lines);
        }
      } finally {
        connection.rollback();
      }
    }
  }

  private static String setting(Connection connection, String name) throws SQLException {
    try (PreparedStatement show = connection.prepareStatement("SHOW " + name);
        ResultSet rows = show.executeQuery()) {
      rows.next();
      return rows.getString(1);
    }
  }
}
