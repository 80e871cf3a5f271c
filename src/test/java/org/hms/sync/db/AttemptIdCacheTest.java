package org.hms.sync.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration V7: on H2 the sync log's ids come from a cache of 1024 (fewer store commits), still in
 * the order attempts are recorded, across a restart too; PostgreSQL's identity is left alone.
 */
class AttemptIdCacheTest {

  @Test
  void h2_caches_1024_attempt_ids_and_they_keep_increasing_across_a_restart(@TempDir Path folder) {
    long before;
    try (TestDb db = TestDatabases.h2File(folder)) {
      assertThat(
              db.count(
                  "SELECT IDENTITY_CACHE FROM INFORMATION_SCHEMA.COLUMNS"
                      + " WHERE TABLE_NAME = 'DELIVERY_ATTEMPT' AND COLUMN_NAME = 'ID'"))
          .isEqualTo(1024);
      assertThat(Integer.parseInt(db.database().schemaVersion())).as("schema with V7").isGreaterThanOrEqualTo(7);
      before = insertAttempts(db, 40);
    }
    try (TestDb reopened = TestDatabases.h2File(folder)) {
      long after = insertAttempts(reopened, 1);
      assertThat(after).as("ids after the restart follow the earlier ones").isGreaterThan(before);
    }
  }

  @Test
  void postgres_keeps_its_identity_as_it_was() {
    try (TestDb db = TestDatabases.postgres()) {
      assertThat(Integer.parseInt(db.database().schemaVersion())).as("schema with V7").isGreaterThanOrEqualTo(7);
      assertThat(
              db.count(
                  "SELECT s.seqcache FROM pg_sequence s"
                      + " WHERE s.seqrelid = pg_get_serial_sequence('delivery_attempt', 'id')::regclass"))
          .isEqualTo(1);
    }
  }

  /** Inserts attempts (one delivery, one event) and returns the largest id. */
  private static long insertAttempts(TestDb db, int attempts) {
    String suffix = Long.toString(System.nanoTime());
    db.execute(
        "INSERT INTO outbox_event (id, appointment_id, sequence, type, occurred_at, payload)"
            + " VALUES ('e" + suffix + "', 'a" + suffix + "', 1, 'appointment.created',"
            + " CURRENT_TIMESTAMP, '{}')");
    db.execute(
        "INSERT INTO delivery (id, event_id, connector_id, appointment_id, sequence, event_type,"
            + " created_at) VALUES ('d" + suffix + "', 'e" + suffix + "', 'iis', 'a" + suffix
            + "', 1, 'appointment.created', CURRENT_TIMESTAMP)");
    long previous = 0;
    for (int i = 1; i <= attempts; i++) {
      db.execute(
          "INSERT INTO delivery_attempt (delivery_id, connector_id, attempt, node_id, started_at,"
              + " duration_ms, outcome) VALUES ('d" + suffix + "', 'iis', " + i + ", 'n',"
              + " CURRENT_TIMESTAMP, 1, 'retry')");
      long id = db.count("SELECT MAX(id) FROM delivery_attempt");
      assertThat(id).as("ids in the order of insertion").isGreaterThan(previous);
      previous = id;
    }
    return previous;
  }
}
