package org.hms.sync.delivery;

import java.time.Instant;

/** Backlog and health of one connector, as read from the database. */
public record ConnectorStats(
    String connectorId,
    long pending,
    long retrying,
    long parked,
    long dead,
    Instant oldestPendingSince,
    Instant lastSuccessAt,
    Instant lastErrorAt,
    String lastError) {
  public long backlog() {
    return pending + retrying + parked;
  }
}
