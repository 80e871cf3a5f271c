package org.hms.sync.reconcile;

/**
 * Where one appointment stands with one connector.
 *
 * @param inFlight the connector has a pending or retrying delivery of it: differences may be
 *     on their way out and are not judged
 * @param known the state the connector is known to have had last (the newest event it
 *     acknowledged or that came from it), or {@code null} when there is no record of one
 * @param externalId the appointment's id at the connector's system, or {@code null}
 */
record SyncState(boolean inFlight, EmrAppointment known, String externalId) {}
