package org.hms.sync.inbound.poll;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a connector's poller stands (one row of {@code poll_state}).
 *
 * @param connectorId the polled connector
 * @param cursor the cursor of the next poll; {@code null} before the first stored batch
 * @param lockedBy the node holding the lease, or {@code null}
 * @param lockedUntil when that lease ends, or {@code null}
 * @param lastPolledAt when a poll last succeeded, or {@code null}
 * @param lastError why the last poll failed (never PHI), or {@code null} after a success
 * @param failures failed polls in a row
 * @param nextPollAt when the next poll is due; {@code null}: at once
 */
public record PollState(
    String connectorId,
    String cursor,
    String lockedBy,
    Instant lockedUntil,
    Instant lastPolledAt,
    String lastError,
    int failures,
    Instant nextPollAt) {
  public PollState {
    Objects.requireNonNull(connectorId, "connectorId");
  }
}
