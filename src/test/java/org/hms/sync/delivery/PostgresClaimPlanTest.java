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
            + " created_at, delivery_no)"
            + " SELECT 'd-' || n, 'e-' || n, 'iis', 'a-' || n, 1, 'appointment.created', now(), n"
            + " FROM generate_series(1, 20000) AS n");
    db.execute(
        "INSERT INTO delivery_state (delivery_no, status, next_attempt_at, updated_at)"
            + " SELECT n, 'pending', now() - interval '1 hour' + n * interval '1 millisecond',"
            + " now() FROM generate_series(1, 20000) AS n");
    // Delivered, as a drain leaves them: their old 'pending' index entries stay until a vacuum.
    db.execute("UPDATE delivery_state SET status = 'succeeded' WHERE delivery_no <> 20000");
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

    assertThat(plan).contains("Index Scan using delivery_due").doesNotContain("Bitmap");
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
