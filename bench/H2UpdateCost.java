import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What the delivery engine's claim query and its two updates per delivery (the claim, then the
 * outcome) cost in H2,
 * on the {@code delivery} table as it is (five B-tree maps: H2 rewrites the row in every one of
 * them on each UPDATE) against a narrow state table keyed by a BIGINT (H2's row key) with only the
 * {@code (status, next_attempt_at)} index. Not part of the build; see docs/benchmarks.md (history,
 * 2026-11-27 (f) and (g)). Migration V8 adopted the narrow design. Run with the H2 jar the project
 * uses:
 *
 * <pre>
 * java -cp ~/.m2/repository/com/h2database/h2/2.3.232/h2-2.3.232.jar bench/H2UpdateCost.java 1500
 * </pre>
 *
 * The argument is the number of rounds of a claim query for 64 deliveries, their claims and their
 * outcomes (one commit each for claims and outcomes); each design
 * runs twice, alternating, and the first pair includes the JIT's warm-up.
 */
public class H2UpdateCost {
  private static final int ROWS = 100_000;
  private static final int ROUND = 64;
  private static final String TIME = "TIMESTAMP WITH TIME ZONE";

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 1500;
    if (rounds * ROUND > ROWS) {
      throw new IllegalArgumentException("at most " + ROWS / ROUND + " rounds");
    }
    for (boolean narrow : new boolean[] {false, true, false, true}) {
      String folder = Files.createTempDirectory("h2-update-cost").toString();
      String url = "jdbc:h2:file:" + folder + "/db;WRITE_DELAY=0;RETENTION_TIME=1000";
      try (Connection connection = DriverManager.getConnection(url, "sa", "")) {
        createAndFill(connection, narrow);
        measure(connection, narrow, rounds);
      }
    }
  }

  private static void createAndFill(Connection connection, boolean narrow) throws SQLException {
    try (Statement ddl = connection.createStatement()) {
      ddl.execute("CREATE TABLE outbox_event (id VARCHAR(36) PRIMARY KEY)");
      ddl.execute("CREATE TABLE delivery (id VARCHAR(36) PRIMARY KEY,"
          + " event_id VARCHAR(36) NOT NULL REFERENCES outbox_event (id),"
          + " connector_id VARCHAR(64) NOT NULL, appointment_id VARCHAR(36) NOT NULL,"
          + " sequence BIGINT NOT NULL, event_type VARCHAR(64) NOT NULL, status VARCHAR(16) NOT NULL,"
          + " attempts INTEGER NOT NULL DEFAULT 0, retry_base INTEGER NOT NULL DEFAULT 0,"
          + " next_attempt_at " + TIME + " NOT NULL, locked_by VARCHAR(64), locked_until " + TIME
          + ", claim_token VARCHAR(36), last_http_status INTEGER, last_error VARCHAR(2000),"
          + " created_at " + TIME + " NOT NULL, updated_at " + TIME + " NOT NULL, completed_at "
          + TIME + ", seq BIGINT NOT NULL,"
          + " CONSTRAINT delivery_once_per_connector UNIQUE (event_id, connector_id))");
      ddl.execute("CREATE INDEX delivery_order ON delivery (appointment_id, connector_id, sequence)");
      if (narrow) {
        ddl.execute("CREATE TABLE delivery_state (seq BIGINT PRIMARY KEY,"
            + " status VARCHAR(16) NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
            + " next_attempt_at " + TIME + " NOT NULL, locked_by VARCHAR(64), locked_until " + TIME
            + ", claim_token VARCHAR(36), last_http_status INTEGER, last_error VARCHAR(2000),"
            + " updated_at " + TIME + " NOT NULL, completed_at " + TIME + ")");
        ddl.execute("CREATE INDEX state_due ON delivery_state (status, next_attempt_at)");
        ddl.execute("CREATE UNIQUE INDEX delivery_seq ON delivery (seq)");
      } else {
        ddl.execute("CREATE INDEX delivery_due ON delivery (status, next_attempt_at)");
      }
    }
    connection.setAutoCommit(false);
    try (PreparedStatement event = connection.prepareStatement("INSERT INTO outbox_event VALUES (?)");
        PreparedStatement delivery = connection.prepareStatement("INSERT INTO delivery (id,"
            + " event_id, connector_id, appointment_id, sequence, event_type, status,"
            + " next_attempt_at, created_at, updated_at, seq) VALUES (?, ?, 'state-iis', ?, 1,"
            + " 'appointment.created', 'pending', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
            + " CURRENT_TIMESTAMP, ?)");
        PreparedStatement state = !narrow ? null : connection.prepareStatement("INSERT INTO"
            + " delivery_state (seq, status, next_attempt_at, updated_at) VALUES (?, 'pending',"
            + " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
      for (int i = 0; i < ROWS; i++) {
        event.setString(1, timeOrderedId(i, 0x8000));
        event.addBatch();
        delivery.setString(1, timeOrderedId(i, 0x9000));
        delivery.setString(2, timeOrderedId(i, 0x8000));
        delivery.setString(3, timeOrderedId(i, 0xa000));
        delivery.setLong(4, i);
        delivery.addBatch();
        if (narrow) {
          state.setLong(1, i);
          state.addBatch();
        }
        if (i % 1000 == 999) {
          event.executeBatch();
          delivery.executeBatch();
          if (narrow) {
            state.executeBatch();
          }
          connection.commit();
        }
      }
    }
  }

  private static void measure(Connection connection, boolean narrow, int rounds) throws SQLException {
    String table = narrow ? "delivery_state" : "delivery";
    String key = narrow ? "seq = ?" : "id = ?";
    // The engine's claim query: due, not leased, first in line for its appointment and connector.
    String candidates = narrow
        ? "SELECT s.seq FROM delivery_state s JOIN delivery d ON d.seq = s.seq"
            + " WHERE s.status = 'pending' AND s.next_attempt_at <= CURRENT_TIMESTAMP"
            + " AND (s.locked_until IS NULL OR s.locked_until < CURRENT_TIMESTAMP)"
            + " AND d.connector_id IN ('state-iis') AND NOT EXISTS (SELECT 1 FROM delivery p"
            + " JOIN delivery_state ps ON ps.seq = p.seq WHERE p.appointment_id = d.appointment_id"
            + " AND p.connector_id = d.connector_id AND p.sequence < d.sequence"
            + " AND ps.status NOT IN ('succeeded', 'discarded'))"
            + " ORDER BY s.status, s.next_attempt_at LIMIT " + ROUND
        : "SELECT d.id FROM delivery d WHERE d.status = 'pending'"
            + " AND d.next_attempt_at <= CURRENT_TIMESTAMP"
            + " AND (d.locked_until IS NULL OR d.locked_until < CURRENT_TIMESTAMP)"
            + " AND d.connector_id IN ('state-iis') AND NOT EXISTS (SELECT 1 FROM delivery p"
            + " WHERE p.appointment_id = d.appointment_id AND p.connector_id = d.connector_id"
            + " AND p.sequence < d.sequence AND p.status NOT IN ('succeeded', 'discarded'))"
            + " ORDER BY d.status, d.next_attempt_at LIMIT " + ROUND;
    String claim = "UPDATE " + table + " SET locked_by = 'node', locked_until = CURRENT_TIMESTAMP,"
        + " claim_token = 'token', attempts = attempts + 1, updated_at = CURRENT_TIMESTAMP WHERE "
        + key;
    String outcome = "UPDATE " + table + " SET status = 'succeeded', next_attempt_at ="
        + " CURRENT_TIMESTAMP, locked_by = NULL, locked_until = NULL, claim_token = NULL,"
        + " last_http_status = 201, updated_at = CURRENT_TIMESTAMP, completed_at = CURRENT_TIMESTAMP"
        + " WHERE " + key;
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long selectNanos = 0;
    long cpuBefore = threads.getCurrentThreadCpuTime();
    long bytesBefore = threads.getThreadAllocatedBytes(thread);
    long deliveries = 0;
    try (PreparedStatement select = connection.prepareStatement(candidates);
        PreparedStatement claims = connection.prepareStatement(claim);
        PreparedStatement outcomes = connection.prepareStatement(outcome)) {
      for (int round = 0; round < rounds; round++) {
        long selectStart = threads.getCurrentThreadCpuTime();
        List<Object> keys = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            keys.add(rows.getObject(1));
          }
        }
        selectNanos += threads.getCurrentThreadCpuTime() - selectStart;
        for (Object found : keys) {
          claims.setObject(1, found);
          outcomes.setObject(1, found);
          claims.addBatch();
          outcomes.addBatch();
        }
        deliveries += keys.size();
        claims.executeBatch();
        connection.commit();
        outcomes.executeBatch();
        connection.commit();
      }
    }
    System.out.printf("%-42s %5.1f us CPU (claim query %4.1f) and %5.1f KB allocated per delivery%n",
        narrow ? "narrow state table (BIGINT key, 1 index):" : "delivery table as it is (5 maps):",
        (threads.getCurrentThreadCpuTime() - cpuBefore) / 1e3 / deliveries,
        selectNanos / 1e3 / deliveries,
        (threads.getThreadAllocatedBytes(thread) - bytesBefore) / 1024.0 / deliveries);
  }

  /** Ids that sort in creation order, like the service's version 7 UUIDs. */
  private static String timeOrderedId(int i, int variant) {
    return String.format("0190%04x-0000-7000-%04x-%012x", i / 65536, variant, i);
  }
}
