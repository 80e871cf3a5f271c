/**
 * Reconciliation: compares the EMR's appointments in a time range with what a connector's system
 * lists, reports drift (missing at the external system, missing in the EMR, different status, time
 * or location) and, on request, repairs it: corrective deliveries carry the EMR's state out, and
 * changes made only on the external side come in through the inbox like any inbound change, so the
 * connector's conflict policy and the review queue apply.
 *
 * <p>Which side is the truth for a difference is decided three-way, against the last state the
 * connector is known to have had: the snapshot of the newest event it acknowledged or that came
 * from it. If only the EMR moved since then, the EMR is the truth; if only the external side moved,
 * it is; if both moved, the conflict policy decides.
 */
package org.hms.sync.reconcile;
