package org.hms.sync.db;

import java.util.Locale;

/** The few places where H2 and PostgreSQL need different SQL. Everything else is shared. */
public enum Dialect {
  H2 {
    @Override
    public String skipLockedSuffix() {
      return "";
    }

    @Override
    public String skipLockedSuffix(String alias) {
      return "";
    }

    @Override
    public String beforeQueueScan() {
      return null;
    }

    @Override
    public String insertConnectorStatusIfMissing() {
      return "MERGE INTO connector_status (connector_id) KEY (connector_id) VALUES (?)";
    }

    @Override
    public String upsertExternalRef() {
      return "MERGE INTO external_ref (connector_id, appointment_id, external_id, updated_at)"
          + " KEY (connector_id, appointment_id) VALUES (?, ?, ?, ?)";
    }

    @Override
    public String insertInboxIfAbsent() {
      // H2 keeps the transaction usable after a failed statement: the caller catches 23505.
      return INSERT_INBOX;
    }
  },
  POSTGRESQL {
    @Override
    public String skipLockedSuffix() {
      return " FOR UPDATE SKIP LOCKED";
    }

    @Override
    public String skipLockedSuffix(String alias) {
      return " FOR UPDATE OF " + alias + " SKIP LOCKED";
    }

    @Override
    public String beforeQueueScan() {
      return "SELECT set_config('enable_bitmapscan', 'off', true),"
          + " set_config('plan_cache_mode', 'force_custom_plan', true)";
    }

    @Override
    public String insertConnectorStatusIfMissing() {
      return "INSERT INTO connector_status (connector_id) VALUES (?) ON CONFLICT DO NOTHING";
    }

    @Override
    public String upsertExternalRef() {
      return "INSERT INTO external_ref (connector_id, appointment_id, external_id, updated_at)"
          + " VALUES (?, ?, ?, ?) ON CONFLICT (connector_id, appointment_id)"
          + " DO UPDATE SET external_id = EXCLUDED.external_id, updated_at = EXCLUDED.updated_at";
    }

    @Override
    public String insertInboxIfAbsent() {
      // A unique violation would abort the whole PostgreSQL transaction: skip the row instead.
      return INSERT_INBOX + " ON CONFLICT (connector_id, webhook_id) DO NOTHING";
    }
  };

  private static final String INSERT_INBOX =
      "INSERT INTO inbox (id, connector_id, webhook_id, received_at, headers, payload, status,"
          + " reason, attempts, next_attempt_at, changes, processed_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /**
   * Appended to the claim query. PostgreSQL lets concurrent claimers skip each other's rows; on H2
   * (one process per file) the conditional claim update alone is enough.
   */
  public abstract String skipLockedSuffix();

  /** {@link #skipLockedSuffix()} for a join: locks only the rows of the table with this alias. */
  public abstract String skipLockedSuffix(String alias);

  /**
   * Run in the transaction before a query that walks a queue index in order and stops at its
   * LIMIT (claims, the retention purge); null when nothing is needed. On PostgreSQL, with statistics that still describe a
   * small table (a fresh schema, or autovacuum off or behind), the planner chooses a bitmap scan:
   * it reads every index entry of the status, live or dead, and sorts them, on every claim, so
   * claiming slows down as finished deliveries pile up (100 instead of 2,000 deliveries/s in the
   * benchmark). An ordered index scan stops at the LIMIT and marks dead entries as it passes, so
   * later scans skip them. The plans are also made for each execution (custom plans): a plan
   * cached while the table was small would otherwise go on reading it whole when it is large.
   * Both settings end with the transaction.
   */
  public abstract String beforeQueueScan();

  /** Runs {@link #beforeQueueScan()} on the connection, if this dialect has one. */
  public void prepareQueueScan(java.sql.Connection connection) throws java.sql.SQLException {
    String sql = beforeQueueScan();
    if (sql != null) {
      try (java.sql.Statement statement = connection.createStatement()) {
        statement.execute(sql);
      }
    }
  }

  /** Creates the connector's status row unless it exists. Parameter: connector id. */
  public abstract String insertConnectorStatusIfMissing();

  /** Parameters: connector id, appointment id, external id, updated at. */
  public abstract String upsertExternalRef();

  /**
   * Inserts an inbox row unless one with the same (connector_id, webhook_id) exists: 1 row
   * inserted, or 0 (PostgreSQL) or SQLState 23505 (H2) for a duplicate. Parameters: id, connector
   * id, webhook id, received at, headers, payload, status, reason, attempts, next attempt at,
   * changes, processed at.
   */
  public abstract String insertInboxIfAbsent();

  public static Dialect fromJdbcUrl(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:h2:")) {
      return H2;
    }
    if (lower.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    throw new org.hms.sync.SyncException(
        "unsupported database URL (scheme of '"
            + url.replaceAll("//[^/@]*@", "//***@")
            + "'): use jdbc:h2:file:... or jdbc:postgresql://host:port/db");
  }
}
