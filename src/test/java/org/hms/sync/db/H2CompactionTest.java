package org.hms.sync.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service's own compaction of an H2 file, and its deferral while the engine is busy. */
class H2CompactionTest {

  @Test
  void a_busy_caller_defers_compaction_of_a_small_file_and_an_idle_one_compacts_it(
      @TempDir Path folder) throws Exception {
    try (TestDb db = TestDatabases.h2File(folder)) {
      db.execute("CREATE TABLE filler (id INT PRIMARY KEY, body VARCHAR(4000))");
      // One commit per row leaves a chunk per commit; deleting the rows leaves them sparse.
      try (Connection connection = db.database().dataSource().getConnection();
          PreparedStatement insert =
              connection.prepareStatement("INSERT INTO filler VALUES (?, ?)")) {
        for (int i = 0; i < 400; i++) {
          insert.setInt(1, i);
          insert.setString(2, "x".repeat(3000));
          insert.executeUpdate();
        }
      }
      db.execute("DELETE FROM filler WHERE id >= 20");

      Database.Compaction busy = db.database().compactH2File(true);
      assertThat(busy.fillPercent()).as("sparse").isBetween(0, 49);
      assertThat(busy.compacted()).as("deferred while busy: the file is small").isFalse();

      Database.Compaction idle = db.database().compactH2File(false);
      assertThat(idle.compacted()).isTrue();
      // Rewritten chunks are dropped at a commit once H2's retention time (1 s) has passed.
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                db.execute("INSERT INTO filler VALUES ((SELECT MAX(id) + 1 FROM filler), 'y')");
                assertThat(db.database().compactH2File(true).fillPercent())
                    .as("live data fills more of the chunks")
                    .isGreaterThan(busy.fillPercent());
              });
    }
  }

}
